//! The connection registry port: the connections of this node and what each one views.
//!
//! It is node-local by nature — a socket lives on one node — so it is never shared. What
//! must be answered across nodes (who is online, who is viewing a conversation) lives behind
//! [`PresenceTracker`](crate::realtime::PresenceTracker) and
//! [`ViewerDirectory`](crate::realtime::ViewerDirectory) instead. An implementation must never
//! block on I/O and must never decide who may hear what: the use cases chose the audience.

use std::sync::Arc;

use hearth_domain::{ConversationId, SessionId, UserId};

use crate::realtime::Delivery;

/// Identifies one connection on this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    /// The id numbered `n` by its registry.
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// Its number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// This node's connections: a face registers each one with the implementation (the hub) and
/// gets a [`ConnectionId`]; the realtime use case does the rest through this trait.
pub trait ConnectionRegistry: Send + Sync + std::fmt::Debug {
    /// Offers a delivery to every matching connection on this node. Never waits.
    fn dispatch(&self, delivery: Arc<Delivery>);
    /// Subscribes a connection to a conversation's ephemeral streams. `true` when it was not
    /// subscribed yet.
    fn subscribe(&self, connection: ConnectionId, conversation: ConversationId) -> bool;
    /// Unsubscribes. `true` when it was subscribed.
    fn unsubscribe(&self, connection: ConnectionId, conversation: ConversationId) -> bool;
    /// Whether the connection is subscribed to the conversation.
    fn is_subscribed(&self, connection: ConnectionId, conversation: ConversationId) -> bool;
    /// Unsubscribes every connection of `user` on this node from the conversation; returns
    /// how many were subscribed.
    fn unsubscribe_user(&self, user: UserId, conversation: ConversationId) -> usize;
    /// Tells every connection of `session` on this node to close (the session ended);
    /// returns how many.
    fn end_session(&self, session: SessionId) -> usize;
    /// Removes a connection; returns the conversations it was subscribed to.
    fn unregister(&self, connection: ConnectionId) -> Vec<ConversationId>;
}
