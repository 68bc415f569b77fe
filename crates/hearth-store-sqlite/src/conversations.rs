//! Conversations, members and read markers in SQLite.

use std::collections::HashMap;

use hearth_domain::{
    Conversation, ConversationId, ConversationKind, ConversationSummary, Member, MemberMarker,
    Role, Seq, Timestamp, UserId,
};
use hearth_store::{ConversationStore, DirectConversation, Membership, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, store_error};
use crate::rows::{message_columns, message_from_row};
use crate::users::{USER_COLUMNS, user_from_row};

async fn unread_count(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    after: Seq,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND seq > ? AND sender_id <> ? \
         AND deleted_at IS NULL",
    )
    .bind(conversation.as_uuid())
    .bind(after)
    .bind(user.as_uuid())
    .fetch_one(conn)
    .await
    .map_err(store_error)
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
    let at = micros(now);
    let member_ids =
        serde_json::json!({ "member_ids": [a.to_string(), b.to_string()] }).to_string();
    let statements = [
        sqlx::query("INSERT INTO conversations (id, kind, created_by, created_at, updated_at) VALUES (?, 'direct', ?, ?, ?)")
            .bind(id.as_uuid())
            .bind(a.as_uuid())
            .bind(at)
            .bind(at),
        // seq 1 numbers the creation event below.
        sqlx::query("INSERT INTO conversation_counters (conversation_id, next_seq) VALUES (?, 2)").bind(id.as_uuid()),
        sqlx::query("INSERT INTO conversation_members (conversation_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?), (?, ?, 'member', ?)")
            .bind(id.as_uuid())
            .bind(a.as_uuid())
            .bind(at)
            .bind(id.as_uuid())
            .bind(b.as_uuid())
            .bind(at),
        sqlx::query("INSERT INTO direct_conversations (user_low, user_high, conversation_id) VALUES (?, ?, ?)")
            .bind(low.as_uuid())
            .bind(high.as_uuid())
            .bind(id.as_uuid()),
        sqlx::query("INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, payload, created_at) VALUES (?, 1, 'conversation_created', ?, ?, ?)")
            .bind(id.as_uuid())
            .bind(a.as_uuid())
            .bind(member_ids)
            .bind(at),
    ];
    for statement in statements {
        statement
            .execute(&mut *conn)
            .await
            .map_err(|err| match &err {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    StoreError::NotFound("user")
                }
                _ => store_error(err),
            })?;
    }
    Ok(DirectConversation { id, created: true })
}

/// Reads one summary row of [`summaries`]' query (members are filled in afterwards).
fn summary_from_row(row: &SqliteRow) -> Result<ConversationSummary, StoreError> {
    let kind: String = row.try_get("kind").map_err(store_error)?;
    Ok(ConversationSummary {
        conversation: Conversation {
            id: ConversationId::from_uuid(row.try_get("id").map_err(store_error)?),
            kind: ConversationKind::parse(&kind)
                .ok_or(StoreError::NotFound("conversation kind"))?,
            created_at: from_micros(row.try_get("created_at").map_err(store_error)?),
        },
        members: Vec::new(),
        last_seq: row.try_get("last_seq").map_err(store_error)?,
        last_message: message_from_row(row, "lm")?,
        last_read_seq: row.try_get("last_read_seq").map_err(store_error)?,
        unread_count: row.try_get("unread_count").map_err(store_error)?,
        updated_at: from_micros(row.try_get("updated_at").map_err(store_error)?),
    })
}

impl SqliteStore {
    /// The viewer's conversations (all, or just `only`), with members.
    async fn summaries(
        &self,
        viewer: UserId,
        only: Option<ConversationId>,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let filter = if only.is_some() { "AND c.id = ?2" } else { "" };
        let sql = format!(
            "SELECT c.id, c.kind, c.created_at, c.updated_at, cc.next_seq - 1 AS last_seq, \
                    me.last_read_seq, \
                    (SELECT COUNT(*) FROM messages x WHERE x.conversation_id = c.id \
                        AND x.seq > me.last_read_seq AND x.sender_id <> me.user_id \
                        AND x.deleted_at IS NULL) AS unread_count, \
                    {lm} \
             FROM conversation_members me \
             JOIN conversations c ON c.id = me.conversation_id \
             JOIN conversation_counters cc ON cc.conversation_id = c.id \
             LEFT JOIN messages lm ON lm.id = c.last_message_id \
             WHERE me.user_id = ?1 {filter} \
             ORDER BY c.updated_at DESC, c.id DESC",
            lm = message_columns("lm"),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(viewer.as_uuid());
        if let Some(id) = only {
            query = query.bind(id.as_uuid());
        }
        let rows = query.fetch_all(&self.readers).await.map_err(store_error)?;
        let mut summaries = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if summaries.is_empty() {
            return Ok(summaries);
        }

        let member_filter = if only.is_some() {
            "m.conversation_id = ?2"
        } else {
            "m.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = ?1)"
        };
        let sql = format!(
            "SELECT m.conversation_id, m.role, m.joined_at, m.last_read_seq, m.last_delivered_seq, {USER_COLUMNS} \
             FROM conversation_members m JOIN users u ON u.id = m.user_id \
             WHERE {member_filter} ORDER BY m.joined_at, u.username"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(viewer.as_uuid());
        if let Some(id) = only {
            query = query.bind(id.as_uuid());
        }
        let rows = query.fetch_all(&self.readers).await.map_err(store_error)?;
        let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
        for row in &rows {
            let role: String = row.try_get("role").map_err(store_error)?;
            members
                .entry(row.try_get("conversation_id").map_err(store_error)?)
                .or_default()
                .push(Member {
                    user: user_from_row(row)?,
                    role: Role::parse(&role).ok_or(StoreError::NotFound("role"))?,
                    joined_at: from_micros(row.try_get("joined_at").map_err(store_error)?),
                    last_read_seq: row.try_get("last_read_seq").map_err(store_error)?,
                    last_delivered_seq: row.try_get("last_delivered_seq").map_err(store_error)?,
                });
        }
        for summary in &mut summaries {
            summary.members = members
                .remove(&summary.conversation.id.as_uuid())
                .unwrap_or_default();
        }
        Ok(summaries)
    }
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

    async fn membership(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Membership, StoreError> {
        let row: Option<(Uuid, Option<String>)> = sqlx::query_as(
            "SELECT c.id, m.role FROM conversations c \
             LEFT JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = ? \
             WHERE c.id = ?",
        )
        .bind(user.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_optional(&self.readers)
        .await
        .map_err(store_error)?;
        Ok(match row {
            None => Membership::NoSuchConversation,
            Some((_, None)) => Membership::NotMember,
            Some((_, Some(role))) => {
                Membership::Member(Role::parse(&role).ok_or(StoreError::NotFound("role"))?)
            }
        })
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
            .write(move |conn| {
                Box::pin(async move {
                    let sql = format!(
                        "UPDATE conversation_members SET last_read_seq = max(last_read_seq, {CLAMPED}), \
                         last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
                         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_read_seq"
                    );
                    let marker = advance(conn, sql, conversation, user, seq).await?;
                    let unread = unread_count(conn, conversation, user, marker).await?;
                    Ok((marker, unread))
                })
            })
            .await
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let sql = format!(
                        "UPDATE conversation_members SET last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
                         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_delivered_seq"
                    );
                    advance(conn, sql, conversation, user, seq).await
                })
            })
            .await
    }

    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError> {
        let rows: Vec<(Uuid, i64, i64)> = sqlx::query_as(
            "SELECT user_id, last_delivered_seq, last_read_seq FROM conversation_members \
             WHERE conversation_id = ?",
        )
        .bind(conversation.as_uuid())
        .fetch_all(&self.readers)
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(user, delivered, read)| MemberMarker {
                user_id: UserId::from_uuid(user),
                last_delivered_seq: delivered,
                last_read_seq: read,
            })
            .collect())
    }
}

/// `?1` (a seq) clamped to conversation `?2`'s last seq: markers never point past the log.
const CLAMPED: &str =
    "min(?1, (SELECT next_seq - 1 FROM conversation_counters WHERE conversation_id = ?2))";

/// Runs a marker UPDATE (`?1` seq, `?2` conversation, `?3` user) that returns the marker.
async fn advance(
    conn: &mut SqliteConnection,
    sql: String,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, StoreError> {
    let marker: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(seq)
        .bind(conversation.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(store_error)?;
    marker.ok_or(StoreError::NotFound("member"))
}
