//! Conversations in PostgreSQL: direct ones made once per pair; groups, rooms and channels
//! with their settings; deletion; becoming a member ([`Joining`]); where a user stands.
//!
//! Every write here is one transaction that takes the conversation's next seq (see
//! `messages::take_seq`) and logs the event it returns. The conversation list and the other
//! reads live in `summaries` and `reads`, membership changes in `members`.

use std::collections::BTreeSet;

use deadpool_postgres::Transaction;
use hearth_domain::{
    ConversationEvent, ConversationId, ConversationKind, ConversationSummary, EventKind,
    HistoryVisibility, MemberMarker, Permissions, Role, Seq, Settings, Timestamp, UserId,
};
use hearth_store::stored::{parse_kind, parse_visibility};
use hearth_store::{
    ConflictKind, ConversationStore, DirectConversation, Discovered, Discovery, Missing,
    NewConversation, Standing, StoreError,
};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, exec_raw, one_row, opt_row, rows};
use crate::error::{Failure, Violation, violation};
use crate::events::Logged;
use crate::messages::take_seq;
use crate::summaries::{CONVERSATION_COLUMNS, access_from_row, conversation_from_row};

/// What writes need to know of a conversation that is not deleted.
pub(crate) struct Live {
    /// Its kind.
    pub(crate) kind: ConversationKind,
    /// Its history visibility, applied to whoever joins.
    pub(crate) visibility: HistoryVisibility,
}

/// The conversation, read in the transaction; `NotFound(Conversation)` when there is none
/// or it was deleted.
pub(crate) async fn live(
    tx: &Transaction<'_>,
    conversation: ConversationId,
) -> Result<Live, Failure> {
    let row = opt_row(
        tx,
        "SELECT kind, history_visibility FROM conversations WHERE id = $1 AND deleted_at IS NULL",
        &[&conversation.as_uuid()],
    )
    .await?
    .ok_or(StoreError::NotFound(Missing::Conversation))?;
    Ok(Live {
        kind: parse_kind(&row.col::<String>("kind")?)?,
        visibility: parse_visibility(&row.col::<String>("history_visibility")?)?,
    })
}

/// What a broken constraint on a conversation's row means: a taken public name, or a
/// missing creator.
fn conversation_row_violation(v: Violation<'_>) -> Option<StoreError> {
    match v {
        Violation::Unique("conversations_by_public_name") => {
            Some(StoreError::Conflict(ConflictKind::RoomNameTaken))
        }
        Violation::Unique(_) => None,
        Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
    }
}

/// Inserts the conversation's row and its counter (seq 1 numbers the creation event).
async fn insert_conversation(
    tx: &Transaction<'_>,
    id: ConversationId,
    kind: ConversationKind,
    settings: &Settings,
    created_by: UserId,
    at: Timestamp,
) -> Result<(), Failure> {
    let public_name = settings
        .title
        .as_ref()
        .filter(|_| kind.is_public())
        .map(|t| t.unique_key());
    exec_raw(
        tx,
        "INSERT INTO conversations (id, kind, created_by, created_at, updated_at, title, \
             description, public_name, require_approval, history_visibility) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9)",
        &[
            &id.as_uuid(),
            &kind.as_str(),
            &created_by.as_uuid(),
            &at,
            &settings.title.as_ref().map(|t| t.as_str()),
            &settings.description.as_str(),
            &public_name,
            &settings.require_approval,
            &settings.history_visibility.as_str(),
        ],
    )
    .await
    .map_err(|err| violation(err, conversation_row_violation))?;
    exec(
        tx,
        "INSERT INTO conversation_counters (conversation_id, next_seq) VALUES ($1, 2)",
        &[&id.as_uuid()],
    )
    .await?;
    Ok(())
}

/// Someone becoming a member.
pub(crate) struct Joining {
    /// The conversation.
    pub(crate) conversation: ConversationId,
    /// The new member.
    pub(crate) user: UserId,
    /// Their role.
    pub(crate) role: Role,
    /// Their permissions.
    pub(crate) permissions: Permissions,
    /// The conversation's history visibility.
    pub(crate) visibility: HistoryVisibility,
    /// The seq of the event that makes them a member.
    pub(crate) seq: Seq,
    /// Where their read and delivered markers start.
    pub(crate) markers: Seq,
    /// When.
    pub(crate) at: Timestamp,
}

impl Joining {
    /// One of a new conversation's first members, joining at seq 1 with markers at 0.
    fn founder(
        conversation: ConversationId,
        user: UserId,
        role: Role,
        permissions: Permissions,
        visibility: HistoryVisibility,
        at: Timestamp,
    ) -> Self {
        Self {
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

    /// Writes the membership: the member row, their first join (kept across leave and
    /// rejoin), `history_from` by the domain's rule, and the member count. Logs no event.
    /// `Conflict(AlreadyMember)` when they already are one, `NotFound(User)` when the user
    /// does not exist.
    pub(crate) async fn record(self, tx: &Transaction<'_>) -> Result<(), Failure> {
        let conversation = self.conversation.as_uuid();
        let user = self.user.as_uuid();
        let missing_user = |v: Violation<'_>| match v {
            Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
            Violation::Unique(_) => Some(StoreError::Conflict(ConflictKind::AlreadyMember)),
        };
        exec_raw(
            tx,
            "INSERT INTO member_first_joins (conversation_id, user_id, seq) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&conversation, &user, &self.seq],
        )
        .await
        .map_err(|err| violation(err, missing_user))?;
        let first_joined: Seq = one_row(
            tx,
            "SELECT seq FROM member_first_joins WHERE conversation_id = $1 AND user_id = $2",
            &[&conversation, &user],
        )
        .await?
        .col("seq")?;
        let history_from = self.visibility.visible_from(first_joined, self.seq);
        exec_raw(
            tx,
            "INSERT INTO conversation_members (conversation_id, user_id, role, permissions, \
                 joined_at, joined_seq, history_from, last_read_seq, last_delivered_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            &[
                &conversation,
                &user,
                &self.role.as_str(),
                &self.permissions.to_bits(),
                &self.at,
                &self.seq,
                &history_from,
                &self.markers,
            ],
        )
        .await
        .map_err(|err| violation(err, missing_user))?;
        exec(
            tx,
            "UPDATE conversations SET member_count = member_count + 1 WHERE id = $1",
            &[&conversation],
        )
        .await?;
        Ok(())
    }
}

async fn create_direct(
    tx: &Transaction<'_>,
    a: UserId,
    b: UserId,
    now: Timestamp,
) -> Result<DirectConversation, Failure> {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let existing = opt_row(
        tx,
        "SELECT conversation_id FROM direct_conversations WHERE user_low = $1 AND user_high = $2",
        &[&low.as_uuid(), &high.as_uuid()],
    )
    .await?;
    if let Some(row) = existing {
        return Ok(DirectConversation {
            id: ConversationId::from_uuid(row.col("conversation_id")?),
            created: false,
        });
    }

    let id = ConversationId::new();
    let kind = ConversationKind::Direct;
    let settings = Settings::default();
    insert_conversation(tx, id, kind, &settings, a, now).await?;
    // The pair's row first: a concurrent creation of the same pair waits here for this one,
    // then inserts nothing and runs again to find it.
    let claimed = exec_raw(
        tx,
        "INSERT INTO direct_conversations (user_low, user_high, conversation_id) \
         VALUES ($1, $2, $3) ON CONFLICT ON CONSTRAINT direct_conversations_pkey DO NOTHING",
        &[&low.as_uuid(), &high.as_uuid(), &id.as_uuid()],
    )
    .await
    .map_err(|err| {
        violation(err, |v| {
            matches!(v, Violation::ForeignKey).then_some(StoreError::NotFound(Missing::User))
        })
    })?;
    if claimed == 0 {
        return Err(Failure::Retry);
    }
    for user in [a, b] {
        Joining::founder(
            id,
            user,
            Role::Member,
            kind.member_defaults(),
            settings.history_visibility,
            now,
        )
        .record(tx)
        .await?;
    }
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
    )
    .await?;
    Ok(DirectConversation { id, created: true })
}

async fn create(tx: &Transaction<'_>, new: NewConversation) -> Result<ConversationEvent, Failure> {
    if new.kind == ConversationKind::Direct {
        // Direct conversations are unique per pair: only `get_or_create_direct` makes them.
        return Err(StoreError::Conflict(ConflictKind::DirectConversation).into());
    }
    insert_conversation(tx, new.id, new.kind, &new.settings, new.created_by, new.at).await?;
    let visibility = new.settings.history_visibility;
    Joining::founder(
        new.id,
        new.created_by,
        Role::Owner,
        Permissions::ALL,
        visibility,
        new.at,
    )
    .record(tx)
    .await?;
    let mut seen = BTreeSet::from([new.created_by]);
    let mut member_ids = vec![new.created_by];
    for user in new.members {
        if !seen.insert(user) {
            continue;
        }
        let permissions = new.kind.member_defaults();
        Joining::founder(new.id, user, Role::Member, permissions, visibility, new.at)
            .record(tx)
            .await?;
        member_ids.push(user);
    }
    Logged {
        conversation: new.id,
        seq: 1,
        actor: new.created_by,
        at: new.at,
    }
    .log(tx, EventKind::ConversationCreated { member_ids })
    .await
}

/// Recomputes every member's `history_from` for a new visibility, with the domain's rule.
async fn apply_visibility(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    visibility: HistoryVisibility,
) -> Result<(), Failure> {
    let members = rows(
        tx,
        "SELECT m.user_id, coalesce(f.seq, m.joined_seq) AS first_joined, m.joined_seq, \
                m.history_from \
         FROM conversation_members m LEFT JOIN member_first_joins f \
             ON f.conversation_id = m.conversation_id AND f.user_id = m.user_id \
         WHERE m.conversation_id = $1",
        &[&conversation.as_uuid()],
    )
    .await?;
    for row in members {
        let user: Uuid = row.col("user_id")?;
        let from = visibility.visible_from(row.col("first_joined")?, row.col("joined_seq")?);
        if from == row.col::<Seq>("history_from")? {
            continue;
        }
        exec(
            tx,
            "UPDATE conversation_members SET history_from = $1 \
             WHERE conversation_id = $2 AND user_id = $3",
            &[&from, &conversation.as_uuid(), &user],
        )
        .await?;
    }
    Ok(())
}

async fn update_settings(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    actor: UserId,
    settings: Settings,
    at: Timestamp,
) -> Result<ConversationEvent, Failure> {
    let before = live(tx, conversation).await?;
    let seq = take_seq(tx, conversation).await?;
    let public_name = settings
        .title
        .as_ref()
        .filter(|_| before.kind.is_public())
        .map(|t| t.unique_key());
    exec_raw(
        tx,
        "UPDATE conversations SET title = $1, description = $2, public_name = $3, \
             require_approval = $4, history_visibility = $5 WHERE id = $6",
        &[
            &settings.title.as_ref().map(|t| t.as_str()),
            &settings.description.as_str(),
            &public_name,
            &settings.require_approval,
            &settings.history_visibility.as_str(),
            &conversation.as_uuid(),
        ],
    )
    .await
    .map_err(|err| violation(err, conversation_row_violation))?;
    if settings.history_visibility != before.visibility {
        apply_visibility(tx, conversation, settings.history_visibility).await?;
    }
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(tx, EventKind::SettingsChanged(settings))
    .await
}

async fn delete(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    actor: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, Failure> {
    live(tx, conversation).await?;
    let seq = take_seq(tx, conversation).await?;
    let event = Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(tx, EventKind::ConversationDeleted)
    .await?;
    let id = conversation.as_uuid();
    for sql in [
        // A writer waiting on the counter sees the log closed when it gets the row.
        "UPDATE conversation_counters SET open = false WHERE conversation_id = $1",
        "DELETE FROM message_reactions WHERE message_id IN \
         (SELECT id FROM messages WHERE conversation_id = $1)",
        "DELETE FROM conversation_members WHERE conversation_id = $1",
        "DELETE FROM join_requests WHERE conversation_id = $1",
        "DELETE FROM member_first_joins WHERE conversation_id = $1",
    ] {
        exec(tx, sql, &[&id]).await?;
    }
    // Blanking the text empties its search vectors too (they are generated from it).
    exec(
        tx,
        "UPDATE messages SET content = '', mentions = '{}', \
         deleted_at = coalesce(deleted_at, $1) WHERE conversation_id = $2",
        &[&at, &id],
    )
    .await?;
    exec(
        tx,
        "UPDATE conversations SET deleted_at = $1, public_name = NULL, member_count = 0, \
         last_message_preview = NULL WHERE id = $2",
        &[&at, &id],
    )
    .await?;
    Ok(event)
}

#[async_trait::async_trait]
impl ConversationStore for PostgresStore {
    async fn get_or_create_direct(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> Result<DirectConversation, StoreError> {
        let now = at_micros(now);
        self.write(|tx| -> Job<'_, DirectConversation> { Box::pin(create_direct(tx, a, b, now)) })
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
             LEFT JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = $1 \
             WHERE c.id = $2 AND c.deleted_at IS NULL"
        );
        self.read(move |c| -> Job<'_, Option<Standing>> {
            Box::pin(async move {
                let Some(row) =
                    opt_row(c, &sql, &[&user.as_uuid(), &conversation.as_uuid()]).await?
                else {
                    return Ok(None);
                };
                Ok(Some(Standing {
                    conversation: conversation_from_row(&row)?,
                    member: access_from_row(&row, "m_")?,
                }))
            })
        })
        .await
    }

    async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<ConversationEvent, StoreError> {
        let new = NewConversation {
            at: at_micros(new.at),
            ..new
        };
        self.write(|tx| -> Job<'_, ConversationEvent> { Box::pin(create(tx, new.clone())) })
            .await
    }

    async fn update_settings(
        &self,
        conversation: ConversationId,
        actor: UserId,
        settings: Settings,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.write(|tx| -> Job<'_, ConversationEvent> {
            Box::pin(update_settings(
                tx,
                conversation,
                actor,
                settings.clone(),
                at,
            ))
        })
        .await
    }

    async fn delete_conversation(
        &self,
        conversation: ConversationId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.write(|tx| -> Job<'_, ConversationEvent> {
            Box::pin(delete(tx, conversation, actor, at))
        })
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
        self.mark_read_at(conversation, user, seq).await
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError> {
        self.mark_delivered_at(conversation, user, seq).await
    }

    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError> {
        self.markers_of(conversation).await
    }
}
