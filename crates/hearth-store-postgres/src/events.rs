//! Logging events that are not about a message — creation, membership, settings, deletion —
//! with the JSON payload `hearth_store::stored` encodes (the same text the SQLite adapter
//! stores), so an event read back by `events_after` equals the one its write returned. Events
//! about a message carry the message as it is now and are logged by `changes` instead.

use deadpool_postgres::Transaction;
use hearth_domain::{ConversationEvent, ConversationId, EventKind, Seq, Timestamp, UserId};
use hearth_store::stored::payload_of;

use crate::db::{at_micros, exec};
use crate::error::Failure;

/// An event that is not about a message, about to be logged at the seq taken for it.
pub(crate) struct Logged {
    /// The conversation.
    pub(crate) conversation: ConversationId,
    /// The seq taken for it (see `messages::take_seq`).
    pub(crate) seq: Seq,
    /// Who caused it.
    pub(crate) actor: UserId,
    /// When.
    pub(crate) at: Timestamp,
}

impl Logged {
    /// Logs `kind` and returns the event exactly as `events_after` will read it back.
    pub(crate) async fn log(
        self,
        tx: &Transaction<'_>,
        kind: EventKind,
    ) -> Result<ConversationEvent, Failure> {
        let payload = payload_of(&kind)?;
        let at = at_micros(self.at);
        exec(
            tx,
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &self.conversation.as_uuid(),
                &self.seq,
                &kind.type_name(),
                &self.actor.as_uuid(),
                &payload,
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
