//! Reactions in SQLite: one row per (message, emoji, member), each change logged as an event
//! whose payload names the emoji.

use hearth_domain::{Emoji, EventKind};
use hearth_store::{ChangeOutcome, ReactionChange, ReactionStore, StoreError};
use sqlx::SqliteConnection;

use crate::SqliteStore;
use crate::changes::{MessageEvent, current};
use crate::codec::{micros, store_error};
use crate::messages::take_seq;

/// The payload of a reaction event: the emoji.
pub(crate) fn payload(emoji: &Emoji) -> Result<String, StoreError> {
    serde_json::to_string(&serde_json::json!({ "emoji": emoji.as_str() }))
        .map_err(StoreError::backend)
}

/// Reads the emoji back from a reaction event's payload.
pub(crate) fn emoji_of(payload: Option<&str>) -> Result<Emoji, StoreError> {
    #[derive(serde::Deserialize)]
    struct Payload {
        emoji: String,
    }
    let payload = payload.ok_or(StoreError::NotFound("event payload"))?;
    serde_json::from_str::<Payload>(payload)
        .map(|p| Emoji::from_trusted(p.emoji))
        .map_err(StoreError::backend)
}

async fn add(
    conn: &mut SqliteConnection,
    change: ReactionChange,
    max_emoji: u32,
) -> Result<ChangeOutcome, StoreError> {
    let message = current(conn, change.conversation_id, change.message_id).await?;
    if message.is_deleted() {
        return Err(StoreError::Conflict("message_deleted"));
    }
    let Some(existing) = message.reactions.iter().find(|r| r.emoji == change.emoji) else {
        if message.reactions.len() >= usize::try_from(max_emoji).unwrap_or(usize::MAX) {
            return Err(StoreError::Conflict("reactions"));
        }
        return insert(conn, change).await;
    };
    if existing.by(change.user_id) {
        return Ok(ChangeOutcome::Unchanged(message));
    }
    insert(conn, change).await
}

async fn insert(
    conn: &mut SqliteConnection,
    change: ReactionChange,
) -> Result<ChangeOutcome, StoreError> {
    let seq = take_seq(conn, change.conversation_id).await?;
    sqlx::query(
        "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(change.message_id.as_uuid())
    .bind(change.user_id.as_uuid())
    .bind(change.emoji.as_str())
    .bind(micros(change.at))
    .execute(&mut *conn)
    .await
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
    .log(conn, |message| EventKind::ReactionAdded { message, emoji })
    .await?;
    Ok(ChangeOutcome::Changed(event))
}

async fn remove(
    conn: &mut SqliteConnection,
    change: ReactionChange,
) -> Result<ChangeOutcome, StoreError> {
    let message = current(conn, change.conversation_id, change.message_id).await?;
    let present = message
        .reactions
        .iter()
        .any(|r| r.emoji == change.emoji && r.by(change.user_id));
    if !present {
        return Ok(ChangeOutcome::Unchanged(message));
    }
    let seq = take_seq(conn, change.conversation_id).await?;
    sqlx::query("DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?")
        .bind(change.message_id.as_uuid())
        .bind(change.emoji.as_str())
        .bind(change.user_id.as_uuid())
        .execute(&mut *conn)
        .await
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
    .log(conn, |message| EventKind::ReactionRemoved {
        message,
        emoji,
    })
    .await?;
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
            .write(move |conn| Box::pin(add(conn, change, max_emoji)))
            .await
    }

    async fn remove_reaction(&self, change: ReactionChange) -> Result<ChangeOutcome, StoreError> {
        self.writer
            .write(move |conn| Box::pin(remove(conn, change)))
            .await
    }
}
