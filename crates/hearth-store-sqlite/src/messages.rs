//! Messages in SQLite: the idempotent, numbered send and history reads.

use hearth_domain::{ClientMessageId, ConversationId, Message, MessageId, Seq, UserId, preview_of};
use hearth_store::{MessageStore, NewMessage, SendOutcome, StoreError};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{micros, store_error};
use crate::rows::{load_message, message_columns, read_messages};
use crate::search::index_text;
use crate::threads::refresh_thread;

/// The SHA-256 of a message's text, kept once the text itself is replaced (see
/// `messages.sent_digest`).
pub(crate) fn digest(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// The message `sender` sent with idempotency key `key`, read through `conn`.
async fn by_key(
    conn: &mut SqliteConnection,
    sender: UserId,
    key: &ClientMessageId,
) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.sender_id = ? AND m.client_message_id = ?",
        message_columns("m")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(sender.as_uuid())
        .bind(key.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
    Ok(read_messages(conn, rows).await?.into_iter().next())
}

/// Takes the conversation's next seq. Must run inside the writer's transaction, which then
/// writes the event the seq numbers. `NotFound("conversation")` when there is none or it was
/// deleted: a deletion is the last event of a log.
pub(crate) async fn take_seq(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
) -> Result<Seq, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE conversation_counters SET next_seq = next_seq + 1 WHERE conversation_id = ?1 \
         AND (SELECT deleted_at FROM conversations WHERE id = ?1) IS NULL RETURNING next_seq - 1",
    )
    .bind(conversation.as_uuid())
    .fetch_optional(conn)
    .await
    .map_err(store_error)?;
    seq.ok_or(StoreError::NotFound("conversation"))
}

/// What an earlier send with the same key stored, to tell a retry from a clash.
#[derive(sqlx::FromRow)]
struct Sent {
    id: Uuid,
    conversation_id: Uuid,
    reply_to: Option<Uuid>,
    content: String,
    sent_digest: Option<Vec<u8>>,
}

impl Sent {
    /// Whether `new` is a retry of this send: same conversation, text as first sent, reply.
    fn is_retry_of(&self, new: &NewMessage) -> bool {
        let same_text = match &self.sent_digest {
            Some(sent) => *sent == digest(new.content.as_str()),
            None => self.content == new.content.as_str(),
        };
        self.conversation_id == new.conversation_id.as_uuid()
            && self.reply_to == new.reply_to.map(|r| r.as_uuid())
            && same_text
    }
}

/// The root of the thread a reply to `target` joins, checking `target` is in `conversation`.
async fn thread_root_of(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    target: MessageId,
) -> Result<Uuid, StoreError> {
    let root: Option<Uuid> = sqlx::query_scalar(
        "SELECT coalesce(thread_root_id, id) FROM messages WHERE id = ? AND conversation_id = ?",
    )
    .bind(target.as_uuid())
    .bind(conversation.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(store_error)?;
    root.ok_or(StoreError::NotFound("reply_to"))
}

async fn store_message(
    conn: &mut SqliteConnection,
    new: NewMessage,
) -> Result<SendOutcome, StoreError> {
    let earlier: Option<Sent> = sqlx::query_as(
        "SELECT id, conversation_id, reply_to, content, sent_digest FROM messages \
         WHERE sender_id = ? AND client_message_id = ?",
    )
    .bind(new.sender_id.as_uuid())
    .bind(new.client_message_id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(store_error)?;
    if let Some(earlier) = earlier {
        if !earlier.is_retry_of(&new) {
            return Err(StoreError::Conflict("client_message_id"));
        }
        let original = load_message(
            conn,
            ConversationId::from_uuid(earlier.conversation_id),
            MessageId::from_uuid(earlier.id),
        )
        .await?
        .ok_or(StoreError::NotFound("message"))?;
        return Ok(SendOutcome::Replayed(original));
    }

    let root = match new.reply_to {
        Some(target) => Some(thread_root_of(conn, new.conversation_id, target).await?),
        None => None,
    };
    let seq = take_seq(conn, new.conversation_id).await?;
    let at = micros(new.created_at);
    let conversation = new.conversation_id.as_uuid();
    let mentions = serde_json::to_string(&new.mentions).map_err(StoreError::backend)?;
    let search_rowid: i64 = sqlx::query_scalar(
        "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, \
             created_at, reply_to, thread_root_id, mentions, search_rowid) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(search_rowid), 0) + 1 FROM messages)) \
         RETURNING search_rowid",
    )
    .bind(new.id.as_uuid())
    .bind(conversation)
    .bind(new.sender_id.as_uuid())
    .bind(new.client_message_id.as_str())
    .bind(seq)
    .bind(new.content.as_str())
    .bind(at)
    .bind(new.reply_to.map(|r| r.as_uuid()))
    .bind(root)
    .bind(mentions)
    .fetch_one(&mut *conn)
    .await
    .map_err(store_error)?;
    index_text(conn, search_rowid, new.content.as_str()).await?;
    sqlx::query(
        "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, message_id, created_at) \
         VALUES (?, ?, 'new_message', ?, ?, ?)",
    )
    .bind(conversation)
    .bind(seq)
    .bind(new.sender_id.as_uuid())
    .bind(new.id.as_uuid())
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
    sqlx::query(
        "UPDATE conversations SET updated_at = ?1, last_message_id = ?2, last_message_preview = ?3, \
         last_message_at = ?1 WHERE id = ?4",
    )
    .bind(at)
    .bind(new.id.as_uuid())
    .bind(preview_of(&new.content))
    .bind(conversation)
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
    if let Some(root) = root {
        refresh_thread(conn, root).await?;
    }

    let message = load_message(conn, new.conversation_id, new.id)
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    Ok(SendOutcome::Created(message))
}

#[async_trait::async_trait]
impl MessageStore for SqliteStore {
    async fn send_message(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        self.writer
            .write(move |conn| Box::pin(store_message(conn, message)))
            .await
    }

    async fn message_by_client_id(
        &self,
        sender: UserId,
        key: &ClientMessageId,
    ) -> Result<Option<Message>, StoreError> {
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        by_key(&mut conn, sender, key).await
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
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await
            .map_err(store_error)?;
        read_messages(&mut conn, rows).await
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
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(visible_from)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await
            .map_err(store_error)?;
        let mut messages = read_messages(&mut conn, rows).await?;
        messages.reverse();
        Ok(messages)
    }
}
