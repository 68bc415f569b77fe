//! How a bus message travels between nodes: JSON, with the publishing node's id, so that a
//! node ignores its own messages (it applied them when it published them).
//!
//! Only Hearth's own nodes, running the same version, read what this writes: the domain types
//! deserialize without re-checking their rules, as rows read back from the database do.

use hearth_app::realtime::BusMessage;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One message on the channel.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Envelope {
    /// The node that published it.
    pub(crate) origin: Uuid,
    /// What it published.
    pub(crate) message: BusMessage,
}

/// The bytes of `message` as published by `origin`.
pub(crate) fn encode(origin: Uuid, message: BusMessage) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&Envelope { origin, message })
}

/// A message read from the channel.
pub(crate) fn decode(bytes: &[u8]) -> Result<Envelope, serde_json::Error> {
    serde_json::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hearth_app::realtime::{Audience, Delivery, RealtimeEvent, Signal};
    use hearth_domain::{ConversationId, UserId};

    use super::*;

    #[test]
    fn a_delivery_round_trips() {
        let origin = Uuid::now_v7();
        let delivery = Delivery {
            audience: Audience::Users(Arc::from(vec![UserId::new(), UserId::new()])),
            event: RealtimeEvent::Presence {
                user_id: UserId::new(),
                online: false,
                last_seen_at: Some(time::OffsetDateTime::UNIX_EPOCH),
            },
        };
        let message = BusMessage::Deliver(Arc::new(delivery));
        let back = encode(origin, message.clone()).and_then(|bytes| decode(&bytes));
        assert!(
            matches!(&back, Ok(e) if e.origin == origin && e.message == message),
            "{back:?}"
        );
    }

    #[test]
    fn a_signal_round_trips() {
        let message = BusMessage::Signal(Signal::MemberGone {
            conversation_id: ConversationId::new(),
            user_id: UserId::new(),
        });
        let back = encode(Uuid::now_v7(), message.clone()).and_then(|bytes| decode(&bytes));
        assert!(matches!(&back, Ok(e) if e.message == message), "{back:?}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"{\"origin\":1}").is_err());
        assert!(decode(b"\xff").is_err());
    }
}
