//! Messages in SQLite: the idempotent, numbered send and history reads.

use hearth_domain::{
    ClientMessageId, ConversationId, Message, MessageId, Seq, UserId, preview_of_sent,
};
pub(crate) use hearth_store::stored::digest;
use hearth_store::stored::{Sent, same_attachments};
use hearth_store::{ConflictKind, MessageStore, Missing, NewMessage, SendOutcome, StoreError};
use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, missing_row, store_error};
use crate::rows::{load_message, message_columns, read_messages};
use crate::statements::{execute, query_opt};
use crate::threads::refresh_thread;
use crate::tx::Tx;

/// The message `sender` sent with idempotency key `key`.
fn by_key(conn: &Connection, sender: UserId, key: &str) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.sender_id = ? AND m.client_message_id = ?",
        message_columns("m")
    );
    let messages = read_messages(conn, &sql, params![sender.as_uuid(), key])?;
    Ok(messages.into_iter().next())
}

/// Takes the conversation's next seq. Must run inside the writer's transaction, which then
/// writes the event the seq numbers. `NotFound(Conversation)` when there is none or it was
/// deleted: a deletion is the last event of a log.
pub(crate) fn take_seq(tx: &Tx, conversation: ConversationId) -> Result<Seq, StoreError> {
    query_opt(
        tx,
        "UPDATE conversation_counters SET next_seq = next_seq + 1 WHERE conversation_id = ?1 \
         AND (SELECT deleted_at FROM conversations WHERE id = ?1) IS NULL RETURNING next_seq - 1",
        params![conversation.as_uuid()],
        |row| row.get::<_, i64>(0),
    )
    .map_err(store_error)?
    .ok_or(StoreError::NotFound(Missing::Conversation))
}

/// The root of the thread a reply to `target` joins, checking `target` is in `conversation`.
fn thread_root_of(
    tx: &Tx,
    conversation: ConversationId,
    target: MessageId,
) -> Result<Uuid, StoreError> {
    query_opt(
        tx,
        "SELECT coalesce(thread_root_id, id) FROM messages WHERE id = ? AND conversation_id = ?",
        params![target.as_uuid(), conversation.as_uuid()],
        |row| row.get::<_, Uuid>(0),
    )
    .map_err(store_error)?
    .ok_or(StoreError::NotFound(Missing::ReplyTarget))
}

/// Writes the rows of a new message's files, in order (none: no statement). A file whose
/// record is gone is `NotFound(Media)`, and the job's savepoint undoes the message with it.
fn store_attachments(
    tx: &Tx,
    message: MessageId,
    files: &[hearth_domain::Media],
) -> Result<(), StoreError> {
    for (position, file) in (0_i64..).zip(files) {
        execute(
            tx,
            "INSERT INTO message_attachments (message_id, position, media_id) VALUES (?, ?, ?)",
            params![message.as_uuid(), position, file.id.as_uuid()],
        )
        .map_err(missing_row(Missing::Media))?;
    }
    Ok(())
}

fn store_message(tx: &Tx, new: NewMessage) -> Result<SendOutcome, StoreError> {
    let earlier = query_opt(
        tx,
        "SELECT id, conversation_id, reply_to, content, sent_digest FROM messages \
         WHERE sender_id = ? AND client_message_id = ?",
        params![new.sender_id.as_uuid(), new.client_message_id.as_str()],
        |row| {
            let id: Uuid = row.get(0)?;
            let sent = Sent {
                conversation_id: row.get(1)?,
                reply_to: row.get(2)?,
                content: row.get(3)?,
                sent_digest: row.get(4)?,
            };
            Ok((id, sent))
        },
    )
    .map_err(store_error)?;
    if let Some((earlier_id, earlier)) = earlier {
        if !earlier.is_retry_of(&new) {
            return Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused));
        }
        let original = load_message(
            tx,
            ConversationId::from_uuid(earlier.conversation_id),
            MessageId::from_uuid(earlier_id),
        )?
        .ok_or(StoreError::NotFound(Missing::Message))?;
        if !same_attachments(&original, &new) {
            return Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused));
        }
        return Ok(SendOutcome::Replayed(original));
    }

    let root = match new.reply_to {
        Some(target) => Some(thread_root_of(tx, new.conversation_id, target)?),
        None => None,
    };
    let seq = take_seq(tx, new.conversation_id)?;
    let at = micros(new.created_at);
    let conversation = new.conversation_id.as_uuid();
    let mentions = serde_json::to_string(&new.mentions).map_err(StoreError::backend)?;
    // `search_rowid` is the message's place in the full-text indexes, which a later pass
    // fills (`search::index_pending`).
    execute(
        tx,
        "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, \
             created_at, reply_to, thread_root_id, mentions, search_rowid) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(search_rowid), 0) + 1 FROM messages))",
        params![
            new.id.as_uuid(),
            conversation,
            new.sender_id.as_uuid(),
            new.client_message_id.as_str(),
            seq,
            new.content.as_str(),
            at,
            new.reply_to.map(|r| r.as_uuid()),
            root,
            mentions,
        ],
    )
    .map_err(store_error)?;
    store_attachments(tx, new.id, &new.attachments)?;
    tx.note_unindexed();
    // The message row is its own entry in the conversation's log (migration 0005).
    execute(
        tx,
        "UPDATE conversations SET updated_at = ?1, last_message_id = ?2, last_message_preview = ?3, \
         last_message_at = ?1 WHERE id = ?4",
        params![
            at,
            new.id.as_uuid(),
            preview_of_sent(&new.content, &new.attachments),
            conversation
        ],
    )
    .map_err(store_error)?;
    let Some(root) = root else {
        // A new message that answers nothing is exactly what was just written: no edits, no
        // reactions, no thread yet. Reading it back would cost a statement and its hydration.
        return Ok(SendOutcome::Created(Message {
            id: new.id,
            conversation_id: new.conversation_id,
            sender_id: new.sender_id,
            client_message_id: new.client_message_id,
            seq,
            content: Some(new.content),
            // As stored: microseconds.
            created_at: from_micros(at),
            edited_at: None,
            edit_count: 0,
            deleted_at: None,
            reply_to: None,
            thread: None,
            mentions: new.mentions,
            reactions: Vec::new(),
            attachments: new.attachments,
        }));
    };
    // A reply carries its thread's counters as they are now: read it back.
    refresh_thread(tx, root)?;
    let message = load_message(tx, new.conversation_id, new.id)?
        .ok_or(StoreError::NotFound(Missing::Message))?;
    Ok(SendOutcome::Created(message))
}

impl SqliteStore {
    /// The messages of `conversation` that `sql` selects (columns of `message_columns("m")`,
    /// parameters: the conversation, a seq, a limit), hydrated.
    async fn page_of_messages(
        &self,
        sql: String,
        conversation: ConversationId,
        seq: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let limit = i64::from(limit);
        self.readers
            .read(move |conn| {
                read_messages(conn, &sql, params![conversation.as_uuid(), seq, limit])
            })
            .await
    }
}

#[async_trait::async_trait]
impl MessageStore for SqliteStore {
    async fn send_message(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        self.writer
            .write(move |tx| store_message(tx, message))
            .await
    }

    async fn message_by_client_id(
        &self,
        sender: UserId,
        key: &ClientMessageId,
    ) -> Result<Option<Message>, StoreError> {
        let key = key.as_str().to_owned();
        self.readers
            .read(move |conn| by_key(conn, sender, &key))
            .await
    }

    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
            message_columns("m")
        );
        self.page_of_messages(sql, conversation, after, limit).await
    }

    async fn recent_messages(
        &self,
        conversation: ConversationId,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.seq >= ? \
             ORDER BY m.seq DESC LIMIT ?",
            message_columns("m")
        );
        let mut messages = self
            .page_of_messages(sql, conversation, visible_from, limit)
            .await?;
        messages.reverse();
        Ok(messages)
    }

    async fn messages_by_sender(
        &self,
        sender: UserId,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.sender_id = ? AND m.deleted_at IS NULL \
               AND (? IS NULL OR m.id > ?) ORDER BY m.id LIMIT ?",
            message_columns("m")
        );
        let after = after.map(|id| id.as_uuid());
        let limit = i64::from(limit);
        self.readers
            .read(move |conn| {
                read_messages(conn, &sql, params![sender.as_uuid(), after, after, limit])
            })
            .await
    }
}
