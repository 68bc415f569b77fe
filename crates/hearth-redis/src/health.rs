//! Whether the bus reaches the other nodes now, for `/readyz`, `/metrics` and tests.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

/// The bus's two links to Redis (listening, publishing) as the node last saw them. Cheap to
/// read from any thread; a change can be awaited.
#[derive(Debug)]
pub struct BusHealth {
    links: watch::Sender<Links>,
    dropped: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Links {
    listening: bool,
    publishing: bool,
}

impl Default for BusHealth {
    fn default() -> Self {
        Self {
            links: watch::Sender::new(Links::default()),
            dropped: AtomicU64::new(0),
        }
    }
}

impl BusHealth {
    /// `true` while the node hears the other nodes and its last publish reached Redis. When
    /// `false`, this node's clients still get this node's events, and everyone catches up by
    /// sync.
    pub fn connected(&self) -> bool {
        let links = *self.links.borrow();
        links.listening && links.publishing
    }

    /// `true` while the node is subscribed to the bus's channel.
    pub fn listening(&self) -> bool {
        self.links.borrow().listening
    }

    /// `true` while the node's last attempt to reach Redis with a publish succeeded.
    pub fn publishing(&self) -> bool {
        self.links.borrow().publishing
    }

    /// Resolves once [`listening`](Self::listening) is `on`.
    pub async fn until_listening(&self, on: bool) {
        let mut links = self.links.subscribe();
        // The sender lives as long as `self`, so the wait cannot fail.
        let _ = links.wait_for(|links| links.listening == on).await;
    }

    /// Resolves once the node both listens and publishes again.
    pub async fn until_connected(&self) {
        let mut links = self.links.subscribe();
        let _ = links
            .wait_for(|links| links.listening && links.publishing)
            .await;
    }

    /// Messages that did not reach the other nodes (Redis unreachable or the queue full).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub(crate) fn set_listening(&self, on: bool) {
        self.links.send_if_modified(|links| {
            let changed = links.listening != on;
            links.listening = on;
            changed
        });
        metrics::gauge!("hearth_bus_listening").set(f64::from(u8::from(on)));
    }

    pub(crate) fn set_publishing(&self, on: bool) {
        self.links.send_if_modified(|links| {
            let changed = links.publishing != on;
            links.publishing = on;
            changed
        });
        metrics::gauge!("hearth_bus_publishing").set(f64::from(u8::from(on)));
    }

    pub(crate) fn count_dropped(&self, count: u64) {
        self.dropped.fetch_add(count, Ordering::Relaxed);
        metrics::counter!("hearth_bus_dropped_total").increment(count);
    }
}
