//! The conversation log in SQLite, read for sync, from the first seq a member sees.

use hearth_domain::{ConversationEvent, ConversationId, EventKind, Message, Seq, UserId};
use hearth_store::{ConversationCursor, StoreError, SyncStore};
use sqlx::AssertSqlSafe;
use sqlx::Row;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, store_error};
use crate::events::decode;
use crate::reactions::emoji_of;
use crate::rows::{hydrate, message_columns, message_from_row};

#[async_trait::async_trait]
impl SyncStore for SqliteStore {
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<ConversationCursor>, StoreError> {
        let rows: Vec<(Uuid, i64, i64)> = self
            .readers
            .read(async |conn| {
                sqlx::query_as(
            "SELECT m.conversation_id, cc.next_seq - 1, m.history_from FROM conversation_members m \
             JOIN conversation_counters cc ON cc.conversation_id = m.conversation_id \
             JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.user_id = ? AND c.deleted_at IS NULL",
        )
        .bind(user.as_uuid())
        .fetch_all(conn).await.map_err(store_error)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, last_seq, history_from)| ConversationCursor {
                conversation_id: ConversationId::from_uuid(id),
                last_seq,
                history_from,
            })
            .collect())
    }

    async fn events_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<ConversationEvent>, StoreError> {
        // The log is every row of `conversation_events` merged with every message (a message
        // is its own `new_message` entry, migration 0005). Both sides come in seq order from
        // their primary indexes and SQLite merges them (`MERGE (UNION ALL)`), stopping at the
        // limit, so a client far behind costs one pass over `limit` entries, not a sort of
        // everything after its cursor. An event about a message numbered before
        // `visible_from` is left out even when the event itself is later (an edit of a message
        // the member never saw).
        let sql = format!(
            "SELECT e.seq, e.kind, e.actor_id, e.created_at, e.payload, {} FROM ( \
                 SELECT ev.seq AS seq, ev.kind AS kind, ev.actor_id AS actor_id, \
                         ev.created_at AS created_at, ev.payload AS payload, \
                         ev.message_id AS message_id \
                     FROM conversation_events ev LEFT JOIN messages about ON about.id = ev.message_id \
                     WHERE ev.conversation_id = ?1 AND ev.seq > ?2 AND ev.seq >= ?3 \
                       AND (about.id IS NULL OR about.seq >= ?3) \
                 UNION ALL \
                 SELECT seq, 'new_message', sender_id, created_at, NULL, id FROM messages \
                     WHERE conversation_id = ?1 AND seq > ?2 AND seq >= ?3 \
                 ORDER BY 1 LIMIT ?4 \
             ) e LEFT JOIN messages msg ON msg.id = e.message_id \
             ORDER BY e.seq",
            message_columns("msg")
        );
        self.readers
            .read(async |conn| {
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(conversation.as_uuid())
                    .bind(after)
                    .bind(visible_from)
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
                hydrate(conn, &mut messages).await?;
                let mut messages = messages.into_iter();
                let mut events = Vec::with_capacity(rows.len());
                for row in &rows {
                    let kind: String = row.try_get("kind").map_err(store_error)?;
                    let payload: Option<String> = row.try_get("payload").map_err(store_error)?;
                    let has_message = row
                        .try_get::<Option<Uuid>, _>("msg_id")
                        .map_err(store_error)?
                        .is_some();
                    // Every row with a message consumed one, in order, whatever its kind.
                    let message = has_message.then(|| messages.next()).flatten();
                    let kind = match decode(&kind, payload.as_deref())? {
                        Some(kind) => kind,
                        None => message_event(&kind, payload.as_deref(), message)?,
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
            })
            .await
    }
}

/// Rebuilds an event about a message from its stored kind, payload and the message as it is
/// now.
fn message_event(
    kind: &str,
    payload: Option<&str>,
    message: Option<Message>,
) -> Result<EventKind, StoreError> {
    let message = message.ok_or(StoreError::NotFound("message of event"))?;
    Ok(match kind {
        "new_message" => EventKind::NewMessage(message),
        "message_updated" => EventKind::MessageEdited(message),
        "message_deleted" => EventKind::MessageDeleted(message),
        "reaction_added" => EventKind::ReactionAdded {
            message,
            emoji: emoji_of(payload)?,
        },
        "reaction_removed" => EventKind::ReactionRemoved {
            message,
            emoji: emoji_of(payload)?,
        },
        _ => return Err(StoreError::NotFound("event kind")),
    })
}
