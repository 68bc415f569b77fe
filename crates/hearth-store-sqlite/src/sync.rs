//! The conversation log in SQLite, read for sync, from the first seq a member sees.

use hearth_domain::{ConversationEvent, ConversationId, Seq, UserId};
use hearth_store::stored::message_event;
use hearth_store::{ConversationCursor, StoreError, SyncStore};
use rusqlite::{Connection, Params, params};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, store_error};
use crate::events::decode;
use crate::rows::{hydrate, message_columns, message_from_row};
use crate::statements::decode_all;

#[async_trait::async_trait]
impl SyncStore for SqliteStore {
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<ConversationCursor>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    "SELECT m.conversation_id, cc.next_seq - 1, m.history_from \
                     FROM conversation_members m \
                     JOIN conversation_counters cc ON cc.conversation_id = m.conversation_id \
                     JOIN conversations c ON c.id = m.conversation_id \
                     WHERE m.user_id = ? AND c.deleted_at IS NULL",
                    params![user.as_uuid()],
                    |row| {
                        Ok(ConversationCursor {
                            conversation_id: ConversationId::from_uuid(
                                row.get::<_, Uuid>(0).map_err(store_error)?,
                            ),
                            last_seq: row.get(1).map_err(store_error)?,
                            history_from: row.get(2).map_err(store_error)?,
                        })
                    },
                )
            })
            .await
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
        let limit = i64::from(limit);
        self.readers
            .read(move |conn| {
                let params = params![conversation.as_uuid(), after, visible_from, limit];
                read_log(conn, conversation, &sql, params)
            })
            .await
    }
}

/// One entry of the log as read, its message (if it has one) not yet hydrated.
struct LogRow {
    seq: Seq,
    kind: String,
    actor: Uuid,
    at: i64,
    payload: Option<String>,
    has_message: bool,
}

/// Reads the log entries `sql` selects (see `events_after`), with their messages hydrated
/// all at once.
fn read_log(
    conn: &Connection,
    conversation: ConversationId,
    sql: &str,
    params: impl Params,
) -> Result<Vec<ConversationEvent>, StoreError> {
    let mut messages = Vec::new();
    let rows = decode_all(conn, sql, params, |row| {
        let message = message_from_row(row, "msg")?;
        let has_message = message.is_some();
        messages.extend(message);
        Ok(LogRow {
            seq: row.column("seq")?,
            kind: row.column("kind")?,
            actor: row.column("actor_id")?,
            at: row.column("created_at")?,
            payload: row.column("payload")?,
            has_message,
        })
    })?;
    hydrate(conn, &mut messages)?;
    let mut messages = messages.into_iter();
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        // Every row with a message consumed one, in order, whatever its kind.
        let message = row.has_message.then(|| messages.next()).flatten();
        let payload = row.payload.as_deref();
        let kind = match decode(&row.kind, payload)? {
            Some(kind) => kind,
            None => message_event(&row.kind, payload, message)?,
        };
        events.push(ConversationEvent {
            conversation_id: conversation,
            seq: row.seq,
            actor_id: UserId::from_uuid(row.actor),
            created_at: from_micros(row.at),
            kind,
        });
    }
    Ok(events)
}
