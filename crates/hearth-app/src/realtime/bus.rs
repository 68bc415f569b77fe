//! The event bus port: carries what one node publishes to every node, itself included.
//!
//! Publishing is all a use case does with the bus; it never asks the bus a question. What
//! arrives on a node is handled by that node's [`BusReceiver`](crate::realtime::BusReceiver):
//! deliveries go to its connections, signals update what it keeps in memory. An in-process bus
//! hands each message straight to the one receiver; a shared bus (Redis pub/sub) carries it to
//! every node's. A bus must never block the publisher and never decide who hears what.

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use hearth_domain::{ConversationId, SessionId, UserId};

use crate::realtime::Delivery;

/// Something every node must hear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BusMessage {
    /// An event for the devices of its audience.
    Deliver(Arc<Delivery>),
    /// A change to what nodes keep in memory.
    Signal(Signal),
}

/// A change every node must apply to its in-memory state. Cheap and idempotent: hearing one
/// twice does no harm, and a node that missed one is corrected by the caches' time to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signal {
    /// `user_id` is no longer a member of the conversation: their connections stop viewing
    /// it, and its other viewers hear that they left.
    MemberGone {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who left or was removed.
        user_id: UserId,
    },
    /// The conversation's membership or settings changed: its cached roster is stale.
    RosterChanged(ConversationId),
    /// One of the two users blocked or unblocked the other: their cached relation is stale.
    BlocksChanged(UserId, UserId),
    /// The user's profile (display name) changed: their cached names are stale.
    ProfileChanged(UserId),
    /// The session ended (revoked, its password reset, its account disabled): its access
    /// tokens stop working on every node.
    SessionEnded(SessionId),
}

/// Whether the bus reaches every node now (for `/readyz`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusStatus {
    /// One node: the bus is in-process and always reaches it.
    Local,
    /// A shared bus, connected: every node hears every message.
    Connected,
    /// A shared bus cut off from the other nodes: this node's clients still hear this node's
    /// events, and every client catches up by sync.
    Degraded,
}

impl BusStatus {
    /// The stable name in `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Connected => "connected",
            Self::Degraded => "degraded",
        }
    }
}

/// Carries messages to every node. `publish` must not block: it queues and returns.
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Hands one message to the bus.
    fn publish(&self, message: BusMessage);

    /// Whether the bus reaches every node now.
    fn status(&self) -> BusStatus {
        BusStatus::Local
    }
}
