//! The event bus port: carries deliveries to every node's connection hub.

use std::sync::Arc;

use crate::realtime::Delivery;

/// Carries deliveries to every connected device, on this node and (with a shared bus) on the
/// others. `publish` must not block: it queues and returns.
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Hands one delivery to the bus.
    fn publish(&self, delivery: Arc<Delivery>);
}

/// A bus with no listeners, for processes that serve no sockets (the `hearth admin` command).
#[derive(Debug, Default)]
pub struct DiscardingBus;

impl EventBus for DiscardingBus {
    fn publish(&self, _: Arc<Delivery>) {}
}
