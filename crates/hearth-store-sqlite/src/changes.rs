//! Edits and deletions in SQLite, and the event each one logs.
//!
//! Each change runs as one writer job: it reads the message inside the transaction, decides
//! whether anything changes, takes the next seq, updates the row, the search index and the
//! counters that depend on it, and logs the event. The event's message is read back at the
//! end, so it is exactly what every later read returns.

use hearth_domain::{
    ConversationEvent, ConversationId, EventKind, Message, MessageId, Seq, Timestamp, UserId,
    preview_of,
};
use hearth_store::{ChangeOutcome, MessageDeletion, MessageEdit, MessageEditStore, StoreError};
use sqlx::SqliteConnection;

use crate::SqliteStore;
use crate::codec::{micros, store_error};
use crate::messages::{digest, take_seq};
use crate::rows::load_message;
use crate::search::{index_text, search_rowid, unindex_text};
use crate::threads::refresh_thread;

/// An event about one message, about to be logged.
pub(crate) struct MessageEvent {
    /// The conversation.
    pub(crate) conversation: ConversationId,
    /// The message.
    pub(crate) message: MessageId,
    /// The seq taken for it.
    pub(crate) seq: Seq,
    /// Who caused it.
    pub(crate) actor: UserId,
    /// When.
    pub(crate) at: Timestamp,
    /// Extra data (JSON) the kind needs back when the log is read.
    pub(crate) payload: Option<String>,
}

impl MessageEvent {
    /// Logs the event and returns it with the message as it is now.
    pub(crate) async fn log(
        self,
        conn: &mut SqliteConnection,
        kind: impl FnOnce(Message) -> EventKind,
    ) -> Result<ConversationEvent, StoreError> {
        let now = current(conn, self.conversation, self.message).await?;
        let kind = kind(now);
        sqlx::query(
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, message_id, payload, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.conversation.as_uuid())
        .bind(self.seq)
        .bind(kind.type_name())
        .bind(self.actor.as_uuid())
        .bind(self.message.as_uuid())
        .bind(self.payload)
        .bind(micros(self.at))
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
        Ok(ConversationEvent {
            conversation_id: self.conversation,
            seq: self.seq,
            actor_id: self.actor,
            created_at: self.at,
            kind,
        })
    }
}

/// The message the change is about, which must exist.
pub(crate) async fn current(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Message, StoreError> {
    load_message(conn, conversation, id)
        .await?
        .ok_or(StoreError::NotFound("message"))
}

/// Keeps the conversation list's preview in step when its latest message changes.
async fn refresh_preview(
    conn: &mut SqliteConnection,
    message: &Message,
    preview: Option<String>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE conversations SET last_message_preview = ? WHERE id = ? AND last_message_id = ?",
    )
    .bind(preview)
    .bind(message.conversation_id.as_uuid())
    .bind(message.id.as_uuid())
    .execute(conn)
    .await
    .map_err(store_error)?;
    Ok(())
}

async fn edit(conn: &mut SqliteConnection, edit: MessageEdit) -> Result<ChangeOutcome, StoreError> {
    let before = current(conn, edit.conversation_id, edit.message_id).await?;
    let Some(old_text) = before.text() else {
        return Err(StoreError::Conflict("message_deleted"));
    };
    if old_text == edit.content.as_str() {
        return Ok(ChangeOutcome::Unchanged(before));
    }
    let seq = take_seq(conn, edit.conversation_id).await?;
    let mentions = serde_json::to_string(&edit.mentions).map_err(StoreError::backend)?;
    sqlx::query(
        "UPDATE messages SET content = ?, mentions = ?, edited_at = ?, edit_count = edit_count + 1, \
             sent_digest = coalesce(sent_digest, ?) WHERE id = ?",
    )
    .bind(edit.content.as_str())
    .bind(mentions)
    .bind(micros(edit.at))
    .bind(digest(old_text))
    .bind(edit.message_id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
    let position = search_rowid(conn, edit.message_id).await?;
    unindex_text(conn, position).await?;
    index_text(conn, position, edit.content.as_str()).await?;
    refresh_preview(conn, &before, Some(preview_of(&edit.content))).await?;
    let event = MessageEvent {
        conversation: edit.conversation_id,
        message: edit.message_id,
        seq,
        actor: edit.editor,
        at: edit.at,
        payload: None,
    }
    .log(conn, EventKind::MessageEdited)
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

async fn delete(
    conn: &mut SqliteConnection,
    deletion: MessageDeletion,
) -> Result<ChangeOutcome, StoreError> {
    let before = current(conn, deletion.conversation_id, deletion.message_id).await?;
    let Some(old_text) = before.text() else {
        return Ok(ChangeOutcome::Unchanged(before));
    };
    let id = deletion.message_id.as_uuid();
    let seq = take_seq(conn, deletion.conversation_id).await?;
    let position = search_rowid(conn, deletion.message_id).await?;
    unindex_text(conn, position).await?;
    sqlx::query(
        "UPDATE messages SET content = '', mentions = '[]', deleted_at = ?, \
             sent_digest = coalesce(sent_digest, ?) WHERE id = ?",
    )
    .bind(micros(deletion.at))
    .bind(digest(old_text))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
    sqlx::query("DELETE FROM message_reactions WHERE message_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    if let Some(root) = before.thread_root() {
        refresh_thread(conn, root.as_uuid()).await?;
    }
    refresh_preview(conn, &before, None).await?;
    let event = MessageEvent {
        conversation: deletion.conversation_id,
        message: deletion.message_id,
        seq,
        actor: deletion.deleter,
        at: deletion.at,
        payload: None,
    }
    .log(conn, EventKind::MessageDeleted)
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

#[async_trait::async_trait]
impl MessageEditStore for SqliteStore {
    async fn message(
        &self,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        load_message(&mut conn, conversation, id).await
    }

    async fn edit_message(&self, change: MessageEdit) -> Result<ChangeOutcome, StoreError> {
        self.writer
            .write(move |conn| Box::pin(edit(conn, change)))
            .await
    }

    async fn delete_message(&self, deletion: MessageDeletion) -> Result<ChangeOutcome, StoreError> {
        self.writer
            .write(move |conn| Box::pin(delete(conn, deletion)))
            .await
    }
}
