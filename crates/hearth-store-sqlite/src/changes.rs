//! Edits and deletions in SQLite, and the event each one logs.
//!
//! Each change runs as one writer job: it reads the message inside the transaction, decides
//! whether anything changes, takes the next seq, updates the row, the search index and the
//! counters that depend on it, and logs the event. The event's message is read back at the
//! end, so it is exactly what every later read returns.

use hearth_domain::{
    ConversationEvent, ConversationId, EventKind, Message, MessageId, Seq, Timestamp, UserId,
    preview_of_sent,
};
use hearth_store::{
    ChangeOutcome, ConflictKind, MessageDeletion, MessageEdit, MessageEditStore, Missing,
    StoreError,
};
use rusqlite::params;

use crate::SqliteStore;
use crate::codec::{micros, store_error};
use crate::messages::{digest, take_seq};
use crate::rows::load_message;
use crate::search::{index_text, search_rowid, unindex_text};
use crate::statements::{decode_opt, execute};
use crate::threads::refresh_thread;
use crate::tx::Tx;

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
    pub(crate) fn log(
        self,
        tx: &Tx,
        kind: impl FnOnce(Message) -> EventKind,
    ) -> Result<ConversationEvent, StoreError> {
        let now = current(tx, self.conversation, self.message)?;
        let kind = kind(now);
        execute(
            tx,
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, message_id, payload, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                self.conversation.as_uuid(),
                self.seq,
                kind.type_name(),
                self.actor.as_uuid(),
                self.message.as_uuid(),
                self.payload,
                micros(self.at),
            ],
        )
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
pub(crate) fn current(
    tx: &Tx,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Message, StoreError> {
    load_message(tx, conversation, id)?.ok_or(StoreError::NotFound(Missing::Message))
}

/// Keeps the conversation list's preview in step when its latest message changes.
fn refresh_preview(tx: &Tx, message: &Message, preview: Option<String>) -> Result<(), StoreError> {
    execute(
        tx,
        "UPDATE conversations SET last_message_preview = ? WHERE id = ? AND last_message_id = ?",
        params![
            preview,
            message.conversation_id.as_uuid(),
            message.id.as_uuid()
        ],
    )
    .map_err(store_error)?;
    Ok(())
}

fn edit(tx: &Tx, edit: MessageEdit) -> Result<ChangeOutcome, StoreError> {
    let before = current(tx, edit.conversation_id, edit.message_id)?;
    let Some(old_text) = before.text() else {
        return Err(StoreError::Conflict(ConflictKind::MessageDeleted));
    };
    if old_text == edit.content.as_str() {
        return Ok(ChangeOutcome::Unchanged(before));
    }
    let seq = take_seq(tx, edit.conversation_id)?;
    let mentions = serde_json::to_string(&edit.mentions).map_err(StoreError::backend)?;
    execute(
        tx,
        "UPDATE messages SET content = ?, mentions = ?, edited_at = ?, edit_count = edit_count + 1, \
             sent_digest = coalesce(sent_digest, ?) WHERE id = ?",
        params![
            edit.content.as_str(),
            mentions,
            micros(edit.at),
            digest(old_text),
            edit.message_id.as_uuid(),
        ],
    )
    .map_err(store_error)?;
    let position = search_rowid(tx, edit.message_id)?;
    unindex_text(tx, position);
    index_text(tx, position, edit.content.as_str());
    refresh_preview(
        tx,
        &before,
        Some(preview_of_sent(&edit.content, &before.attachments)),
    )?;
    let event = MessageEvent {
        conversation: edit.conversation_id,
        message: edit.message_id,
        seq,
        actor: edit.editor,
        at: edit.at,
        payload: None,
    }
    .log(tx, EventKind::MessageEdited)?;
    Ok(ChangeOutcome::Changed(event))
}

fn delete(tx: &Tx, deletion: MessageDeletion) -> Result<ChangeOutcome, StoreError> {
    let before = current(tx, deletion.conversation_id, deletion.message_id)?;
    let Some(old_text) = before.text() else {
        return Ok(ChangeOutcome::Unchanged(before));
    };
    let id = deletion.message_id.as_uuid();
    let seq = take_seq(tx, deletion.conversation_id)?;
    let position = search_rowid(tx, deletion.message_id)?;
    unindex_text(tx, position);
    execute(
        tx,
        "UPDATE messages SET content = '', mentions = '[]', deleted_at = ?, \
             sent_digest = coalesce(sent_digest, ?) WHERE id = ?",
        params![micros(deletion.at), digest(old_text), id],
    )
    .map_err(store_error)?;
    execute(
        tx,
        "DELETE FROM message_reactions WHERE message_id = ?",
        params![id],
    )
    .map_err(store_error)?;
    if let Some(root) = before.thread_root() {
        refresh_thread(tx, root.as_uuid())?;
    }
    refresh_preview(tx, &before, None)?;
    let event = MessageEvent {
        conversation: deletion.conversation_id,
        message: deletion.message_id,
        seq,
        actor: deletion.deleter,
        at: deletion.at,
        payload: None,
    }
    .log(tx, EventKind::MessageDeleted)?;
    Ok(ChangeOutcome::Changed(event))
}

#[async_trait::async_trait]
impl MessageEditStore for SqliteStore {
    async fn message(
        &self,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        self.readers
            .read(move |conn| load_message(conn, conversation, id))
            .await
    }

    async fn edit_message(&self, change: MessageEdit) -> Result<ChangeOutcome, StoreError> {
        self.writer.write(move |tx| edit(tx, change)).await
    }

    async fn message_conversation(
        &self,
        id: MessageId,
    ) -> Result<Option<ConversationId>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    "SELECT conversation_id FROM messages WHERE id = ?",
                    params![id.as_uuid()],
                    |row| Ok(ConversationId::from_uuid(row.get(0).map_err(store_error)?)),
                )
            })
            .await
    }

    async fn delete_message(&self, deletion: MessageDeletion) -> Result<ChangeOutcome, StoreError> {
        self.writer.write(move |tx| delete(tx, deletion)).await
    }
}
