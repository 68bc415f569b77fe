//! Edits, deletions and reactions in PostgreSQL, and the event each one logs.
//!
//! Each change is one transaction: it reads the message (locking its row), decides whether
//! anything changes, takes the next seq, updates the rows that depend on it and logs the
//! event. The event's message is read back at the end, so it is exactly what every later
//! read returns. The search vectors follow the text by themselves (generated columns).

use deadpool_postgres::Transaction;
use hearth_domain::{
    ConversationEvent, ConversationId, EventKind, Message, MessageId, Seq, Timestamp, UserId,
    preview_of_sent,
};
use hearth_store::stored::{digest, reaction_payload};
use hearth_store::{
    ChangeOutcome, ConflictKind, MessageDeletion, MessageEdit, MessageEditStore, Missing,
    ReactionChange, ReactionStore, StoreError,
};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, opt_row};
use crate::error::Failure;
use crate::messages::{refresh_thread, take_seq};
use crate::rows::load_message;

/// An event about one message, about to be logged.
struct MessageEvent {
    conversation: ConversationId,
    message: MessageId,
    seq: Seq,
    actor: UserId,
    at: Timestamp,
    /// Extra data (JSON) the kind needs back when the log is read.
    payload: Option<String>,
}

impl MessageEvent {
    /// Logs the event and returns it with the message as it is now.
    async fn log(
        self,
        tx: &Transaction<'_>,
        kind: impl FnOnce(Message) -> EventKind,
    ) -> Result<ConversationEvent, Failure> {
        let now = current(tx, self.conversation, self.message).await?;
        let kind = kind(now);
        let at = at_micros(self.at);
        exec(
            tx,
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, message_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &self.conversation.as_uuid(),
                &self.seq,
                &kind.type_name(),
                &self.actor.as_uuid(),
                &self.message.as_uuid(),
                &self.payload,
                &at,
            ],
        )
        .await?;
        Ok(ConversationEvent {
            conversation_id: self.conversation,
            seq: self.seq,
            actor_id: self.actor,
            created_at: at,
            kind,
        })
    }
}

/// The message the change is about, which must exist.
async fn current(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Message, Failure> {
    Ok(load_message(tx, conversation, id)
        .await?
        .ok_or(StoreError::NotFound(Missing::Message))?)
}

/// The message, locked until the transaction ends so that concurrent changes of it (from any
/// node) apply one after the other.
async fn locked(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Message, Failure> {
    opt_row(
        tx,
        "SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2 FOR UPDATE",
        &[&id.as_uuid(), &conversation.as_uuid()],
    )
    .await?
    .ok_or(StoreError::NotFound(Missing::Message))?;
    current(tx, conversation, id).await
}

/// Keeps the conversation list's preview in step when its latest message changes.
async fn refresh_preview(
    tx: &Transaction<'_>,
    message: &Message,
    preview: Option<String>,
) -> Result<(), Failure> {
    exec(
        tx,
        "UPDATE conversations SET last_message_preview = $1 WHERE id = $2 AND last_message_id = $3",
        &[
            &preview,
            &message.conversation_id.as_uuid(),
            &message.id.as_uuid(),
        ],
    )
    .await?;
    Ok(())
}

async fn edit(tx: &Transaction<'_>, edit: MessageEdit) -> Result<ChangeOutcome, Failure> {
    let before = locked(tx, edit.conversation_id, edit.message_id).await?;
    let Some(old_text) = before.text() else {
        return Err(StoreError::Conflict(ConflictKind::MessageDeleted).into());
    };
    if old_text == edit.content.as_str() {
        return Ok(ChangeOutcome::Unchanged(before));
    }
    let seq = take_seq(tx, edit.conversation_id).await?;
    let mentions: Vec<Uuid> = edit.mentions.iter().map(|m| m.as_uuid()).collect();
    exec(
        tx,
        "UPDATE messages SET content = $1, mentions = $2, edited_at = $3, \
             edit_count = edit_count + 1, sent_digest = coalesce(sent_digest, $4) WHERE id = $5",
        &[
            &edit.content.as_str(),
            &mentions,
            &at_micros(edit.at),
            &digest(old_text),
            &edit.message_id.as_uuid(),
        ],
    )
    .await?;
    refresh_preview(
        tx,
        &before,
        Some(preview_of_sent(&edit.content, &before.attachments)),
    )
    .await?;
    let event = MessageEvent {
        conversation: edit.conversation_id,
        message: edit.message_id,
        seq,
        actor: edit.editor,
        at: edit.at,
        payload: None,
    }
    .log(tx, EventKind::MessageEdited)
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

async fn delete(tx: &Transaction<'_>, deletion: MessageDeletion) -> Result<ChangeOutcome, Failure> {
    let before = locked(tx, deletion.conversation_id, deletion.message_id).await?;
    let Some(old_text) = before.text() else {
        return Ok(ChangeOutcome::Unchanged(before));
    };
    let id = deletion.message_id.as_uuid();
    let seq = take_seq(tx, deletion.conversation_id).await?;
    exec(
        tx,
        "UPDATE messages SET content = '', mentions = '{}', deleted_at = $1, \
             sent_digest = coalesce(sent_digest, $2) WHERE id = $3",
        &[&at_micros(deletion.at), &digest(old_text), &id],
    )
    .await?;
    exec(
        tx,
        "DELETE FROM message_reactions WHERE message_id = $1",
        &[&id],
    )
    .await?;
    if let Some(root) = before.thread_root() {
        refresh_thread(tx, root.as_uuid()).await?;
    }
    refresh_preview(tx, &before, None).await?;
    let event = MessageEvent {
        conversation: deletion.conversation_id,
        message: deletion.message_id,
        seq,
        actor: deletion.deleter,
        at: deletion.at,
        payload: None,
    }
    .log(tx, EventKind::MessageDeleted)
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

/// Logs a reaction change already written.
async fn log_reaction(
    tx: &Transaction<'_>,
    change: &ReactionChange,
    seq: Seq,
    added: bool,
) -> Result<ChangeOutcome, Failure> {
    let emoji = change.emoji.clone();
    let event = MessageEvent {
        conversation: change.conversation_id,
        message: change.message_id,
        seq,
        actor: change.user_id,
        at: change.at,
        payload: Some(reaction_payload(&change.emoji)?),
    }
    .log(tx, |message| {
        if added {
            EventKind::ReactionAdded { message, emoji }
        } else {
            EventKind::ReactionRemoved { message, emoji }
        }
    })
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

async fn add_reaction(
    tx: &Transaction<'_>,
    change: ReactionChange,
    max_emoji: u32,
) -> Result<ChangeOutcome, Failure> {
    let message = locked(tx, change.conversation_id, change.message_id).await?;
    if message.is_deleted() {
        return Err(StoreError::Conflict(ConflictKind::MessageDeleted).into());
    }
    match message.reactions.iter().find(|r| r.emoji == change.emoji) {
        Some(existing) if existing.by(change.user_id) => {
            return Ok(ChangeOutcome::Unchanged(message));
        }
        Some(_) => {}
        None if message.reactions.len() >= usize::try_from(max_emoji).unwrap_or(usize::MAX) => {
            return Err(StoreError::Conflict(ConflictKind::TooManyReactions).into());
        }
        None => {}
    }
    let seq = take_seq(tx, change.conversation_id).await?;
    exec(
        tx,
        "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) \
         VALUES ($1, $2, $3, $4)",
        &[
            &change.message_id.as_uuid(),
            &change.user_id.as_uuid(),
            &change.emoji.as_str(),
            &change.at,
        ],
    )
    .await?;
    log_reaction(tx, &change, seq, true).await
}

async fn remove_reaction(
    tx: &Transaction<'_>,
    change: ReactionChange,
) -> Result<ChangeOutcome, Failure> {
    let message = locked(tx, change.conversation_id, change.message_id).await?;
    let present = message
        .reactions
        .iter()
        .any(|r| r.emoji == change.emoji && r.by(change.user_id));
    if !present {
        return Ok(ChangeOutcome::Unchanged(message));
    }
    let seq = take_seq(tx, change.conversation_id).await?;
    exec(
        tx,
        "DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
        &[
            &change.message_id.as_uuid(),
            &change.emoji.as_str(),
            &change.user_id.as_uuid(),
        ],
    )
    .await?;
    log_reaction(tx, &change, seq, false).await
}

#[async_trait::async_trait]
impl MessageEditStore for PostgresStore {
    async fn message(
        &self,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        self.read(move |c| -> Job<'_, Option<Message>> {
            Box::pin(load_message(c, conversation, id))
        })
        .await
    }

    async fn edit_message(&self, change: MessageEdit) -> Result<ChangeOutcome, StoreError> {
        self.write(|tx| -> Job<'_, ChangeOutcome> { Box::pin(edit(tx, change.clone())) })
            .await
    }

    async fn message_conversation(
        &self,
        id: MessageId,
    ) -> Result<Option<ConversationId>, StoreError> {
        self.read(move |c| -> Job<'_, Option<ConversationId>> {
            Box::pin(async move {
                let row = opt_row(
                    c,
                    "SELECT conversation_id FROM messages WHERE id = $1",
                    &[&id.as_uuid()],
                )
                .await?;
                Ok(row
                    .map(|row| row.col::<Uuid>("conversation_id"))
                    .transpose()?
                    .map(ConversationId::from_uuid))
            })
        })
        .await
    }

    async fn delete_message(&self, deletion: MessageDeletion) -> Result<ChangeOutcome, StoreError> {
        self.write(|tx| -> Job<'_, ChangeOutcome> { Box::pin(delete(tx, deletion.clone())) })
            .await
    }
}

#[async_trait::async_trait]
impl ReactionStore for PostgresStore {
    async fn add_reaction(
        &self,
        change: ReactionChange,
        max_emoji: u32,
    ) -> Result<ChangeOutcome, StoreError> {
        self.write(|tx| -> Job<'_, ChangeOutcome> {
            Box::pin(add_reaction(tx, change.clone(), max_emoji))
        })
        .await
    }

    async fn remove_reaction(&self, change: ReactionChange) -> Result<ChangeOutcome, StoreError> {
        self.write(|tx| -> Job<'_, ChangeOutcome> { Box::pin(remove_reaction(tx, change.clone())) })
            .await
    }
}
