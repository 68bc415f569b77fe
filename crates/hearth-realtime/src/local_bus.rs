//! The in-process event bus: one node, so every message goes straight to its one receiver.

use std::sync::OnceLock;

use hearth_app::realtime::{BusMessage, BusReceiver, EventBus};

/// Hands each published message to this node's [`BusReceiver`], on the publisher's thread
/// and without waiting (the receiver only offers to queues). Messages published before
/// [`LocalBus::attach`] are dropped: nothing can be listening yet.
#[derive(Debug, Default)]
pub struct LocalBus {
    receiver: OnceLock<BusReceiver>,
}

impl LocalBus {
    /// Connects the bus to the node's receiver (once; a second call is ignored).
    pub fn attach(&self, receiver: BusReceiver) {
        if self.receiver.set(receiver).is_err() {
            tracing::warn!("the in-process bus is already attached; ignoring a second receiver");
        }
    }
}

impl EventBus for LocalBus {
    fn publish(&self, message: BusMessage) {
        if let Some(receiver) = self.receiver.get() {
            receiver.receive(message);
        }
    }
}
