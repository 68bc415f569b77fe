//! Messages in SQLite: the idempotent, numbered send and history reads.

use hearth_domain::{
    ClientMessageId, ConversationId, Message, MessageContent, MessageId, Seq, UserId, preview_of,
};
use hearth_store::{MessageStore, NewMessage, SendOutcome, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, store_error};

/// The SELECT list for a message under table alias `alias`, with columns named `{alias}_…`,
/// as [`message_from_row`] reads them.
pub(crate) fn message_columns(alias: &str) -> String {
    [
        "id",
        "conversation_id",
        "sender_id",
        "client_message_id",
        "seq",
        "content",
        "created_at",
    ]
    .iter()
    .map(|c| format!("{alias}.{c} AS {alias}_{c}"))
    .collect::<Vec<_>>()
    .join(", ")
}

/// Reads a message selected with [`message_columns`]`(alias)`; `None` when the row has none
/// (an outer join that matched nothing).
pub(crate) fn message_from_row(
    row: &SqliteRow,
    alias: &str,
) -> Result<Option<Message>, StoreError> {
    let col = |c: &str| format!("{alias}_{c}");
    let Some(id) = row
        .try_get::<Option<Uuid>, _>(col("id").as_str())
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    Ok(Some(Message {
        id: MessageId::from_uuid(id),
        conversation_id: ConversationId::from_uuid(
            row.try_get(col("conversation_id").as_str())
                .map_err(store_error)?,
        ),
        sender_id: UserId::from_uuid(
            row.try_get(col("sender_id").as_str())
                .map_err(store_error)?,
        ),
        client_message_id: ClientMessageId::from_trusted(
            row.try_get(col("client_message_id").as_str())
                .map_err(store_error)?,
        ),
        seq: row.try_get(col("seq").as_str()).map_err(store_error)?,
        content: MessageContent::from_trusted(
            row.try_get(col("content").as_str()).map_err(store_error)?,
        ),
        created_at: from_micros(
            row.try_get(col("created_at").as_str())
                .map_err(store_error)?,
        ),
    }))
}

/// The message `sender` sent with idempotency key `key`, read through `executor` (the
/// writer's transaction, or the readers).
async fn by_key<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    sender: UserId,
    key: &ClientMessageId,
) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.sender_id = ? AND m.client_message_id = ?",
        message_columns("m")
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(sender.as_uuid())
        .bind(key.as_str())
        .fetch_optional(executor)
        .await
        .map_err(store_error)?;
    row.as_ref()
        .map(|row| message_from_row(row, "m"))
        .transpose()
        .map(Option::flatten)
}

/// Takes the conversation's next seq. Must run inside the writer's transaction, which then
/// writes the event the seq numbers.
pub(crate) async fn take_seq(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
) -> Result<Seq, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE conversation_counters SET next_seq = next_seq + 1 WHERE conversation_id = ? RETURNING next_seq - 1",
    )
    .bind(conversation.as_uuid())
    .fetch_optional(conn)
    .await
    .map_err(store_error)?;
    seq.ok_or(StoreError::NotFound("conversation"))
}

async fn store_message(
    conn: &mut SqliteConnection,
    new: NewMessage,
) -> Result<SendOutcome, StoreError> {
    if let Some(original) = by_key(&mut *conn, new.sender_id, &new.client_message_id).await? {
        return if original.conversation_id == new.conversation_id && original.content == new.content
        {
            Ok(SendOutcome::Replayed(original))
        } else {
            Err(StoreError::Conflict("client_message_id"))
        };
    }

    let seq = take_seq(conn, new.conversation_id).await?;
    let at = micros(new.created_at);
    let conversation = new.conversation_id.as_uuid();
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.id.as_uuid())
    .bind(conversation)
    .bind(new.sender_id.as_uuid())
    .bind(new.client_message_id.as_str())
    .bind(seq)
    .bind(new.content.as_str())
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
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

    Ok(SendOutcome::Created(Message {
        id: new.id,
        conversation_id: new.conversation_id,
        sender_id: new.sender_id,
        client_message_id: new.client_message_id,
        seq,
        content: new.content,
        created_at: new.created_at,
    }))
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
        by_key(&self.readers, sender, key).await
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
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await
            .map_err(store_error)?;
        rows.iter()
            .filter_map(|row| message_from_row(row, "m").transpose())
            .collect()
    }

    async fn recent_messages(
        &self,
        conversation: ConversationId,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? ORDER BY m.seq DESC LIMIT ?",
            message_columns("m")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await
            .map_err(store_error)?;
        let mut messages: Vec<Message> = rows
            .iter()
            .filter_map(|row| message_from_row(row, "m").transpose())
            .collect::<Result<_, _>>()?;
        messages.reverse();
        Ok(messages)
    }
}
