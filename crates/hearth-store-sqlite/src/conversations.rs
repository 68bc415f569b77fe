//! Conversations in SQLite: direct ones made once per pair; groups, rooms and channels with
//! their settings; deletion; and where a user stands in one.
//!
//! Every write here is one writer job that takes the conversation's next seq (see
//! `messages::take_seq`) and logs the event it returns. The conversation list lives in
//! `summaries`, discovery in `discovery`, markers in `markers` and membership in `members`.

use std::collections::BTreeSet;

use hearth_domain::{
    ConversationEvent, ConversationId, ConversationKind, ConversationSummary, EventKind,
    HistoryVisibility, MemberMarker, Permissions, Role, Seq, Settings, Timestamp, UserId,
};
use hearth_store::{
    ConflictKind, ConversationStore, DirectConversation, Discovered, Discovery, Missing,
    NewConversation, Standing, StoreError,
};
use rusqlite::params;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{is_unique_violation_on, micros, missing_row, store_error};
use crate::events::{Logged, parse_kind, parse_visibility};
use crate::joins::Joining;
use crate::markers;
use crate::messages::take_seq;
use crate::search::unindex_conversation;
use crate::statements::{decode_all, decode_opt, execute, query_opt};
use crate::summaries::{CONVERSATION_COLUMNS, access_from_row, conversation_from_row};
use crate::tx::Tx;

/// What writes need to know of a conversation that is not deleted.
pub(crate) struct Live {
    /// Its kind.
    pub(crate) kind: ConversationKind,
    /// Its history visibility, applied to whoever joins.
    pub(crate) visibility: HistoryVisibility,
}

/// The conversation, read in the writer's transaction; `NotFound(Conversation)` when there
/// is none or it was deleted.
pub(crate) fn live(tx: &Tx, conversation: ConversationId) -> Result<Live, StoreError> {
    let (kind, visibility) = query_opt(
        tx,
        "SELECT kind, history_visibility FROM conversations WHERE id = ? AND deleted_at IS NULL",
        params![conversation.as_uuid()],
        |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
    )
    .map_err(store_error)?
    .ok_or(StoreError::NotFound(Missing::Conversation))?;
    Ok(Live {
        kind: parse_kind(&kind)?,
        visibility: parse_visibility(&visibility)?,
    })
}

/// Translates the error of a write to a conversation's row: a taken public name is
/// `Conflict(RoomNameTaken)`, a missing creator `NotFound(User)`.
fn conversation_row_error(err: rusqlite::Error) -> StoreError {
    if is_unique_violation_on(&err, "public_name") {
        StoreError::Conflict(ConflictKind::RoomNameTaken)
    } else {
        missing_row(Missing::User)(err)
    }
}

/// Inserts the conversation's row and its counter (seq 1 numbers the creation event).
fn insert_conversation(
    tx: &Tx,
    id: ConversationId,
    kind: ConversationKind,
    settings: &Settings,
    created_by: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let at = micros(at);
    let public_name = settings
        .title
        .as_ref()
        .filter(|_| kind.is_public())
        .map(|t| t.unique_key());
    execute(
        tx,
        "INSERT INTO conversations (id, kind, created_by, created_at, updated_at, title, \
             description, public_name, require_approval, history_visibility) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id.as_uuid(),
            kind.as_str(),
            created_by.as_uuid(),
            at,
            at,
            settings.title.as_ref().map(|t| t.as_str()),
            settings.description.as_str(),
            public_name,
            settings.require_approval,
            settings.history_visibility.as_str(),
        ],
    )
    .map_err(conversation_row_error)?;
    execute(
        tx,
        "INSERT INTO conversation_counters (conversation_id, next_seq) VALUES (?, 2)",
        params![id.as_uuid()],
    )
    .map_err(store_error)?;
    Ok(())
}

/// One of a new conversation's first members, joining at seq 1 with markers at 0.
fn founder(
    conversation: ConversationId,
    user: UserId,
    role: Role,
    permissions: Permissions,
    visibility: HistoryVisibility,
    at: Timestamp,
) -> Joining {
    Joining {
        conversation,
        user,
        role,
        permissions,
        visibility,
        seq: 1,
        markers: 0,
        at,
    }
}

fn create_direct(
    tx: &Tx,
    a: UserId,
    b: UserId,
    now: Timestamp,
) -> Result<DirectConversation, StoreError> {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let existing = query_opt(
        tx,
        "SELECT conversation_id FROM direct_conversations WHERE user_low = ? AND user_high = ?",
        params![low.as_uuid(), high.as_uuid()],
        |row| row.get::<_, Uuid>(0),
    )
    .map_err(store_error)?;
    if let Some(id) = existing {
        return Ok(DirectConversation {
            id: ConversationId::from_uuid(id),
            created: false,
        });
    }

    let id = ConversationId::new();
    let kind = ConversationKind::Direct;
    let settings = Settings::default();
    insert_conversation(tx, id, kind, &settings, a, now)?;
    for user in [a, b] {
        founder(
            id,
            user,
            Role::Member,
            kind.member_defaults(),
            settings.history_visibility,
            now,
        )
        .record(tx)?;
    }
    execute(
        tx,
        "INSERT INTO direct_conversations (user_low, user_high, conversation_id) VALUES (?, ?, ?)",
        params![low.as_uuid(), high.as_uuid(), id.as_uuid()],
    )
    .map_err(missing_row(Missing::User))?;
    Logged {
        conversation: id,
        seq: 1,
        actor: a,
        at: now,
    }
    .log(
        tx,
        EventKind::ConversationCreated {
            member_ids: vec![a, b],
        },
    )?;
    Ok(DirectConversation { id, created: true })
}

fn create(tx: &Tx, new: NewConversation) -> Result<ConversationEvent, StoreError> {
    if new.kind == ConversationKind::Direct {
        // Direct conversations are unique per pair: only `get_or_create_direct` makes them.
        return Err(StoreError::Conflict(ConflictKind::DirectConversation));
    }
    insert_conversation(tx, new.id, new.kind, &new.settings, new.created_by, new.at)?;
    let visibility = new.settings.history_visibility;
    founder(
        new.id,
        new.created_by,
        Role::Owner,
        Permissions::ALL,
        visibility,
        new.at,
    )
    .record(tx)?;
    let mut seen = BTreeSet::from([new.created_by]);
    let mut member_ids = vec![new.created_by];
    for user in new.members {
        if !seen.insert(user) {
            continue;
        }
        let permissions = new.kind.member_defaults();
        founder(new.id, user, Role::Member, permissions, visibility, new.at).record(tx)?;
        member_ids.push(user);
    }
    Logged {
        conversation: new.id,
        seq: 1,
        actor: new.created_by,
        at: new.at,
    }
    .log(tx, EventKind::ConversationCreated { member_ids })
}

/// Recomputes every member's `history_from` for a new visibility, with the domain's rule.
fn apply_visibility(
    tx: &Tx,
    conversation: ConversationId,
    visibility: HistoryVisibility,
) -> Result<(), StoreError> {
    let members: Vec<(Uuid, Seq, Seq, Seq)> = decode_all(
        tx,
        "SELECT m.user_id, coalesce(f.seq, m.joined_seq), m.joined_seq, m.history_from \
         FROM conversation_members m LEFT JOIN member_first_joins f \
             ON f.conversation_id = m.conversation_id AND f.user_id = m.user_id \
         WHERE m.conversation_id = ?",
        params![conversation.as_uuid()],
        |row| {
            let at = |i| row.get::<_, Seq>(i).map_err(store_error);
            Ok((row.get(0).map_err(store_error)?, at(1)?, at(2)?, at(3)?))
        },
    )?;
    for (user, first_joined, joined, before) in members {
        let from = visibility.visible_from(first_joined, joined);
        if from == before {
            continue;
        }
        execute(
            tx,
            "UPDATE conversation_members SET history_from = ? \
             WHERE conversation_id = ? AND user_id = ?",
            params![from, conversation.as_uuid(), user],
        )
        .map_err(store_error)?;
    }
    Ok(())
}

fn update_settings(
    tx: &Tx,
    conversation: ConversationId,
    actor: UserId,
    settings: Settings,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    let before = live(tx, conversation)?;
    let seq = take_seq(tx, conversation)?;
    let public_name = settings
        .title
        .as_ref()
        .filter(|_| before.kind.is_public())
        .map(|t| t.unique_key());
    execute(
        tx,
        "UPDATE conversations SET title = ?, description = ?, public_name = ?, \
             require_approval = ?, history_visibility = ? WHERE id = ?",
        params![
            settings.title.as_ref().map(|t| t.as_str()),
            settings.description.as_str(),
            public_name,
            settings.require_approval,
            settings.history_visibility.as_str(),
            conversation.as_uuid(),
        ],
    )
    .map_err(conversation_row_error)?;
    if settings.history_visibility != before.visibility {
        apply_visibility(tx, conversation, settings.history_visibility)?;
    }
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(tx, EventKind::SettingsChanged(settings))
}

fn delete(
    tx: &Tx,
    conversation: ConversationId,
    actor: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    live(tx, conversation)?;
    let seq = take_seq(tx, conversation)?;
    let event = Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(tx, EventKind::ConversationDeleted)?;
    unindex_conversation(tx, conversation)?;
    let id = conversation.as_uuid();
    let at = micros(at);
    execute(
        tx,
        "DELETE FROM message_reactions WHERE message_id IN \
         (SELECT id FROM messages WHERE conversation_id = ?)",
        params![id],
    )
    .map_err(store_error)?;
    execute(
        tx,
        "UPDATE messages SET content = '', mentions = '[]', \
         deleted_at = coalesce(deleted_at, ?) WHERE conversation_id = ?",
        params![at, id],
    )
    .map_err(store_error)?;
    execute(
        tx,
        "UPDATE conversations SET deleted_at = ?, public_name = NULL, member_count = 0, \
         last_message_preview = NULL WHERE id = ?",
        params![at, id],
    )
    .map_err(store_error)?;
    for sql in [
        "DELETE FROM conversation_members WHERE conversation_id = ?",
        "DELETE FROM join_requests WHERE conversation_id = ?",
        "DELETE FROM member_first_joins WHERE conversation_id = ?",
    ] {
        execute(tx, sql, params![id]).map_err(store_error)?;
    }
    Ok(event)
}

#[async_trait::async_trait]
impl ConversationStore for SqliteStore {
    async fn get_or_create_direct(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> Result<DirectConversation, StoreError> {
        self.writer
            .write(move |tx| create_direct(tx, a, b, now))
            .await
    }

    async fn standing(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<Standing>, StoreError> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, m.user_id AS m_user_id, m.role AS m_role, \
                    m.permissions AS m_permissions, m.history_from AS m_history_from \
             FROM conversations c \
             LEFT JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = ?1 \
             WHERE c.id = ?2 AND c.deleted_at IS NULL"
        );
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    &sql,
                    params![user.as_uuid(), conversation.as_uuid()],
                    |row| {
                        Ok(Standing {
                            conversation: conversation_from_row(row)?,
                            member: access_from_row(row, "m_")?,
                        })
                    },
                )
            })
            .await
    }

    async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer.write(move |tx| create(tx, new)).await
    }

    async fn update_settings(
        &self,
        conversation: ConversationId,
        actor: UserId,
        settings: Settings,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |tx| update_settings(tx, conversation, actor, settings, at))
            .await
    }

    async fn delete_conversation(
        &self,
        conversation: ConversationId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |tx| delete(tx, conversation, actor, at))
            .await
    }

    async fn discover(&self, discovery: Discovery) -> Result<Vec<Discovered>, StoreError> {
        self.discovered(discovery).await
    }

    async fn conversation_summaries(
        &self,
        viewer: UserId,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        self.summaries(viewer, None).await
    }

    async fn conversation_summary(
        &self,
        conversation: ConversationId,
        viewer: UserId,
    ) -> Result<Option<ConversationSummary>, StoreError> {
        Ok(self
            .summaries(viewer, Some(conversation))
            .await?
            .into_iter()
            .next())
    }

    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<(Seq, i64), StoreError> {
        self.writer
            .write(move |tx| markers::mark_read(tx, conversation, user, seq))
            .await
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError> {
        self.writer
            .write(move |tx| markers::mark_delivered(tx, conversation, user, seq))
            .await
    }

    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError> {
        markers::member_markers(&self.readers, conversation).await
    }
}
