//! Events that are not about a message — creation, membership, settings, deletion — logged
//! with a JSON payload that holds everything needed to rebuild them.
//!
//! [`log_event`] writes one and returns it; [`decode`] rebuilds it from the log row. Both go
//! through the same serde structs, so an event read back by `events_after` equals the one its
//! write returned. Events about a message carry the message as it is now and are logged by
//! `changes::MessageEvent` instead.

use hearth_domain::{ConversationEvent, ConversationId, EventKind, Seq, Timestamp, UserId};
pub(crate) use hearth_store::stored::{
    decode_event as decode, parse_kind, parse_role, parse_visibility,
};
use hearth_store::{StoreError, stored::payload_of};
use rusqlite::params;

use crate::codec::{micros, store_error};
use crate::statements::execute;
use crate::tx::Tx;

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
    pub(crate) fn log(self, tx: &Tx, kind: EventKind) -> Result<ConversationEvent, StoreError> {
        let payload = payload_of(&kind)?;
        execute(
            tx,
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, payload, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            params![
                self.conversation.as_uuid(),
                self.seq,
                kind.type_name(),
                self.actor.as_uuid(),
                payload,
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
