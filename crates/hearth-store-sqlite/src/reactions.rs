//! Reactions in SQLite: one row per (message, emoji, member), each change logged as an event
//! whose payload names the emoji.

use hearth_domain::EventKind;
use hearth_store::stored::reaction_payload as payload;
use hearth_store::{ChangeOutcome, ConflictKind, ReactionChange, ReactionStore, StoreError};
use rusqlite::params;

use crate::SqliteStore;
use crate::changes::{MessageEvent, current};
use crate::codec::{micros, store_error};
use crate::messages::take_seq;
use crate::statements::execute;
use crate::tx::Tx;

fn add(tx: &Tx, change: ReactionChange, max_emoji: u32) -> Result<ChangeOutcome, StoreError> {
    let message = current(tx, change.conversation_id, change.message_id)?;
    if message.is_deleted() {
        return Err(StoreError::Conflict(ConflictKind::MessageDeleted));
    }
    let Some(existing) = message.reactions.iter().find(|r| r.emoji == change.emoji) else {
        if message.reactions.len() >= usize::try_from(max_emoji).unwrap_or(usize::MAX) {
            return Err(StoreError::Conflict(ConflictKind::TooManyReactions));
        }
        return insert(tx, change);
    };
    if existing.by(change.user_id) {
        return Ok(ChangeOutcome::Unchanged(message));
    }
    insert(tx, change)
}

fn insert(tx: &Tx, change: ReactionChange) -> Result<ChangeOutcome, StoreError> {
    let seq = take_seq(tx, change.conversation_id)?;
    execute(
        tx,
        "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
        params![
            change.message_id.as_uuid(),
            change.user_id.as_uuid(),
            change.emoji.as_str(),
            micros(change.at),
        ],
    )
    .map_err(store_error)?;
    let emoji = change.emoji.clone();
    let event = MessageEvent {
        conversation: change.conversation_id,
        message: change.message_id,
        seq,
        actor: change.user_id,
        at: change.at,
        payload: Some(payload(&change.emoji)?),
    }
    .log(tx, |message| EventKind::ReactionAdded { message, emoji })?;
    Ok(ChangeOutcome::Changed(event))
}

fn remove(tx: &Tx, change: ReactionChange) -> Result<ChangeOutcome, StoreError> {
    let message = current(tx, change.conversation_id, change.message_id)?;
    let present = message
        .reactions
        .iter()
        .any(|r| r.emoji == change.emoji && r.by(change.user_id));
    if !present {
        return Ok(ChangeOutcome::Unchanged(message));
    }
    let seq = take_seq(tx, change.conversation_id)?;
    execute(
        tx,
        "DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?",
        params![
            change.message_id.as_uuid(),
            change.emoji.as_str(),
            change.user_id.as_uuid(),
        ],
    )
    .map_err(store_error)?;
    let emoji = change.emoji.clone();
    let event = MessageEvent {
        conversation: change.conversation_id,
        message: change.message_id,
        seq,
        actor: change.user_id,
        at: change.at,
        payload: Some(payload(&change.emoji)?),
    }
    .log(tx, |message| EventKind::ReactionRemoved { message, emoji })?;
    Ok(ChangeOutcome::Changed(event))
}

#[async_trait::async_trait]
impl ReactionStore for SqliteStore {
    async fn add_reaction(
        &self,
        change: ReactionChange,
        max_emoji: u32,
    ) -> Result<ChangeOutcome, StoreError> {
        self.writer
            .write(move |tx| add(tx, change, max_emoji))
            .await
    }

    async fn remove_reaction(&self, change: ReactionChange) -> Result<ChangeOutcome, StoreError> {
        self.writer.write(move |tx| remove(tx, change)).await
    }
}
