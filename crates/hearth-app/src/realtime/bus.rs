//! The event bus port: carries deliveries to every node's connection hub.

use std::sync::Arc;

use hearth_domain::{ConversationId, UserId};

use crate::realtime::{Delivery, UserRef};

/// Carries deliveries to every connected device, on this node and (with a shared bus) on the
/// others. `publish` must not block: it queues and returns.
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Hands one delivery to the bus.
    fn publish(&self, delivery: Arc<Delivery>);

    /// `user` is no longer a member of `conversation`: their connections stop viewing it
    /// (no more typing or viewer events). Returns the user when they were viewing it, so
    /// the other viewers can be told they left.
    fn stop_viewing(&self, user: UserId, conversation: ConversationId) -> Option<UserRef>;
}

/// A bus with no listeners, for processes that serve no sockets (the `hearth admin` command).
#[derive(Debug, Default)]
pub struct DiscardingBus;

impl EventBus for DiscardingBus {
    fn publish(&self, _: Arc<Delivery>) {}

    fn stop_viewing(&self, _: UserId, _: ConversationId) -> Option<UserRef> {
        None
    }
}
