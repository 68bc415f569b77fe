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
    ConversationStore, DirectConversation, Discovered, Discovery, NewConversation, Standing,
    StoreError,
};
use sqlx::{AssertSqlSafe, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{is_unique_violation_on, micros, missing_row, store_error};
use crate::events::{Logged, parse_visibility};
use crate::markers;
use crate::members::Joining;
use crate::messages::take_seq;
use crate::search::unindex_conversation;
use crate::summaries::{CONVERSATION_COLUMNS, access_from_row, conversation_from_row};

/// What writes need to know of a conversation that is not deleted.
pub(crate) struct Live {
    /// Its kind.
    pub(crate) kind: ConversationKind,
    /// Its history visibility, applied to whoever joins.
    pub(crate) visibility: HistoryVisibility,
}

/// The conversation, read in the writer's transaction; `NotFound("conversation")` when there
/// is none or it was deleted.
pub(crate) async fn live(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
) -> Result<Live, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT kind, history_visibility FROM conversations WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(conversation.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(store_error)?;
    let (kind, visibility) = row.ok_or(StoreError::NotFound("conversation"))?;
    Ok(Live {
        kind: ConversationKind::parse(&kind).ok_or(StoreError::NotFound("conversation kind"))?,
        visibility: parse_visibility(&visibility)?,
    })
}

/// Translates the error of a write to a conversation's row: a taken public name is
/// `Conflict("title")`, a missing creator `NotFound("user")`.
fn conversation_row_error(err: sqlx::Error) -> StoreError {
    if is_unique_violation_on(&err, "public_name") {
        StoreError::Conflict("title")
    } else {
        missing_row("user")(err)
    }
}

/// Inserts the conversation's row and its counter (seq 1 numbers the creation event).
async fn insert_conversation(
    conn: &mut SqliteConnection,
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
    sqlx::query(
        "INSERT INTO conversations (id, kind, created_by, created_at, updated_at, title, \
             description, public_name, require_approval, history_visibility) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_uuid())
    .bind(kind.as_str())
    .bind(created_by.as_uuid())
    .bind(at)
    .bind(at)
    .bind(settings.title.as_ref().map(|t| t.as_str()))
    .bind(settings.description.as_str())
    .bind(public_name)
    .bind(settings.require_approval)
    .bind(settings.history_visibility.as_str())
    .execute(&mut *conn)
    .await
    .map_err(conversation_row_error)?;
    sqlx::query("INSERT INTO conversation_counters (conversation_id, next_seq) VALUES (?, 2)")
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
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

async fn create_direct(
    conn: &mut SqliteConnection,
    a: UserId,
    b: UserId,
    now: Timestamp,
) -> Result<DirectConversation, StoreError> {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT conversation_id FROM direct_conversations WHERE user_low = ? AND user_high = ?",
    )
    .bind(low.as_uuid())
    .bind(high.as_uuid())
    .fetch_optional(&mut *conn)
    .await
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
    insert_conversation(conn, id, kind, &settings, a, now).await?;
    for user in [a, b] {
        founder(
            id,
            user,
            Role::Member,
            kind.member_defaults(),
            settings.history_visibility,
            now,
        )
        .record(conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO direct_conversations (user_low, user_high, conversation_id) VALUES (?, ?, ?)",
    )
    .bind(low.as_uuid())
    .bind(high.as_uuid())
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(missing_row("user"))?;
    Logged {
        conversation: id,
        seq: 1,
        actor: a,
        at: now,
    }
    .log(
        conn,
        EventKind::ConversationCreated {
            member_ids: vec![a, b],
        },
    )
    .await?;
    Ok(DirectConversation { id, created: true })
}

async fn create(
    conn: &mut SqliteConnection,
    new: NewConversation,
) -> Result<ConversationEvent, StoreError> {
    if new.kind == ConversationKind::Direct {
        // Direct conversations are unique per pair: only `get_or_create_direct` makes them.
        return Err(StoreError::Conflict("kind"));
    }
    insert_conversation(
        conn,
        new.id,
        new.kind,
        &new.settings,
        new.created_by,
        new.at,
    )
    .await?;
    let visibility = new.settings.history_visibility;
    founder(
        new.id,
        new.created_by,
        Role::Owner,
        Permissions::ALL,
        visibility,
        new.at,
    )
    .record(conn)
    .await?;
    let mut seen = BTreeSet::from([new.created_by]);
    let mut member_ids = vec![new.created_by];
    for user in new.members {
        if !seen.insert(user) {
            continue;
        }
        let permissions = new.kind.member_defaults();
        founder(new.id, user, Role::Member, permissions, visibility, new.at)
            .record(conn)
            .await?;
        member_ids.push(user);
    }
    Logged {
        conversation: new.id,
        seq: 1,
        actor: new.created_by,
        at: new.at,
    }
    .log(conn, EventKind::ConversationCreated { member_ids })
    .await
}

/// Recomputes every member's `history_from` for a new visibility, with the domain's rule.
async fn apply_visibility(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    visibility: HistoryVisibility,
) -> Result<(), StoreError> {
    let members: Vec<(Uuid, Seq, Seq, Seq)> = sqlx::query_as(
        "SELECT m.user_id, coalesce(f.seq, m.joined_seq), m.joined_seq, m.history_from \
         FROM conversation_members m LEFT JOIN member_first_joins f \
             ON f.conversation_id = m.conversation_id AND f.user_id = m.user_id \
         WHERE m.conversation_id = ?",
    )
    .bind(conversation.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(store_error)?;
    for (user, first_joined, joined, before) in members {
        let from = visibility.visible_from(first_joined, joined);
        if from == before {
            continue;
        }
        sqlx::query(
            "UPDATE conversation_members SET history_from = ? \
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(from)
        .bind(conversation.as_uuid())
        .bind(user)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    }
    Ok(())
}

async fn update_settings(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    actor: UserId,
    settings: Settings,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    let before = live(conn, conversation).await?;
    let seq = take_seq(conn, conversation).await?;
    let public_name = settings
        .title
        .as_ref()
        .filter(|_| before.kind.is_public())
        .map(|t| t.unique_key());
    sqlx::query(
        "UPDATE conversations SET title = ?, description = ?, public_name = ?, \
             require_approval = ?, history_visibility = ? WHERE id = ?",
    )
    .bind(settings.title.as_ref().map(|t| t.as_str()))
    .bind(settings.description.as_str())
    .bind(public_name)
    .bind(settings.require_approval)
    .bind(settings.history_visibility.as_str())
    .bind(conversation.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(conversation_row_error)?;
    if settings.history_visibility != before.visibility {
        apply_visibility(conn, conversation, settings.history_visibility).await?;
    }
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(conn, EventKind::SettingsChanged(settings))
    .await
}

async fn delete(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    actor: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    live(conn, conversation).await?;
    let seq = take_seq(conn, conversation).await?;
    let event = Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(conn, EventKind::ConversationDeleted)
    .await?;
    unindex_conversation(conn, conversation).await?;
    let id = conversation.as_uuid();
    let at = micros(at);
    let statements = [
        sqlx::query(
            "DELETE FROM message_reactions WHERE message_id IN \
             (SELECT id FROM messages WHERE conversation_id = ?)",
        )
        .bind(id),
        sqlx::query(
            "UPDATE messages SET content = '', mentions = '[]', \
             deleted_at = coalesce(deleted_at, ?) WHERE conversation_id = ?",
        )
        .bind(at)
        .bind(id),
        sqlx::query(
            "UPDATE conversations SET deleted_at = ?, public_name = NULL, member_count = 0, \
             last_message_preview = NULL WHERE id = ?",
        )
        .bind(at)
        .bind(id),
        sqlx::query("DELETE FROM conversation_members WHERE conversation_id = ?").bind(id),
        sqlx::query("DELETE FROM join_requests WHERE conversation_id = ?").bind(id),
        sqlx::query("DELETE FROM member_first_joins WHERE conversation_id = ?").bind(id),
    ];
    for statement in statements {
        statement.execute(&mut *conn).await.map_err(store_error)?;
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
            .write(move |conn| Box::pin(create_direct(conn, a, b, now)))
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
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(user.as_uuid())
            .bind(conversation.as_uuid())
            .fetch_optional(&self.readers)
            .await
            .map_err(store_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Standing {
            conversation: conversation_from_row(&row)?,
            member: access_from_row(&row, "m_")?,
        }))
    }

    async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(create(conn, new)))
            .await
    }

    async fn update_settings(
        &self,
        conversation: ConversationId,
        actor: UserId,
        settings: Settings,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(update_settings(conn, conversation, actor, settings, at)))
            .await
    }

    async fn delete_conversation(
        &self,
        conversation: ConversationId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(delete(conn, conversation, actor, at)))
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
            .write(move |conn| Box::pin(markers::mark_read(conn, conversation, user, seq)))
            .await
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError> {
        self.writer
            .write(move |conn| Box::pin(markers::mark_delivered(conn, conversation, user, seq)))
            .await
    }

    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError> {
        markers::member_markers(&self.readers, conversation).await
    }
}
