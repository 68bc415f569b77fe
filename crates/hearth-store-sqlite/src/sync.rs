//! The conversation log in SQLite.

use hearth_domain::{ConversationEvent, ConversationId, EventKind, Seq, UserId};
use hearth_store::{StoreError, SyncStore};
use sqlx::AssertSqlSafe;
use sqlx::Row;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, store_error};
use crate::reactions::emoji_of;
use crate::rows::{hydrate, message_columns, message_from_row};

#[async_trait::async_trait]
impl SyncStore for SqliteStore {
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, Seq)>, StoreError> {
        let rows: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT m.conversation_id, cc.next_seq - 1 FROM conversation_members m \
             JOIN conversation_counters cc ON cc.conversation_id = m.conversation_id \
             WHERE m.user_id = ?",
        )
        .bind(user.as_uuid())
        .fetch_all(&self.readers)
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, seq)| (ConversationId::from_uuid(id), seq))
            .collect())
    }

    async fn events_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<ConversationEvent>, StoreError> {
        let sql = format!(
            "SELECT e.seq, e.kind, e.actor_id, e.created_at, e.payload, {} \
             FROM conversation_events e LEFT JOIN messages msg ON msg.id = e.message_id \
             WHERE e.conversation_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?",
            message_columns("msg")
        );
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await
            .map_err(store_error)?;
        // Read every event's message first, then complete them all at once.
        let mut messages = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(message) = message_from_row(row, "msg")? {
                messages.push(message);
            }
        }
        hydrate(&mut conn, &mut messages).await?;
        let mut messages = messages.into_iter();
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind: String = row.try_get("kind").map_err(store_error)?;
            let payload: Option<String> = row.try_get("payload").map_err(store_error)?;
            let kind = if kind == "conversation_created" {
                EventKind::ConversationCreated {
                    member_ids: member_ids(payload.as_deref())?,
                }
            } else {
                let has_message = row
                    .try_get::<Option<Uuid>, _>("msg_id")
                    .map_err(store_error)?
                    .is_some();
                let message = has_message
                    .then(|| messages.next())
                    .flatten()
                    .ok_or(StoreError::NotFound("message of event"))?;
                match kind.as_str() {
                    "new_message" => EventKind::NewMessage(message),
                    "message_updated" => EventKind::MessageEdited(message),
                    "message_deleted" => EventKind::MessageDeleted(message),
                    "reaction_added" => EventKind::ReactionAdded {
                        message,
                        emoji: emoji_of(payload.as_deref())?,
                    },
                    "reaction_removed" => EventKind::ReactionRemoved {
                        message,
                        emoji: emoji_of(payload.as_deref())?,
                    },
                    _ => return Err(StoreError::NotFound("event kind")),
                }
            };
            events.push(ConversationEvent {
                conversation_id: conversation,
                seq: row.try_get("seq").map_err(store_error)?,
                actor_id: UserId::from_uuid(row.try_get("actor_id").map_err(store_error)?),
                created_at: from_micros(row.try_get("created_at").map_err(store_error)?),
                kind,
            });
        }
        Ok(events)
    }
}

fn member_ids(payload: Option<&str>) -> Result<Vec<UserId>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Created {
        member_ids: Vec<UserId>,
    }
    let payload = payload.ok_or(StoreError::NotFound("event payload"))?;
    serde_json::from_str::<Created>(payload)
        .map(|c| c.member_ids)
        .map_err(StoreError::backend)
}
