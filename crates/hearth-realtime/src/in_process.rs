//! The realtime ports of a single-node server, wired together.

use std::sync::Arc;

use hearth_app::App;
use hearth_app::realtime::RealtimePorts;

use crate::{Hub, HubSettings, LocalBus, LocalPresence, LocalViewers};

/// In-process realtime: the hub, a bus that hands every message straight to this node, and
/// presence and viewers counted in memory.
#[derive(Debug)]
pub struct InProcess {
    /// This node's connections; the faces register sockets with it.
    pub hub: Arc<Hub>,
    bus: Arc<LocalBus>,
    /// The ports to build [`App`] with.
    pub ports: RealtimePorts,
}

impl InProcess {
    /// Fresh in-process ports.
    pub fn new(settings: HubSettings) -> Self {
        let hub = Arc::new(Hub::new(settings));
        let bus = Arc::new(LocalBus::default());
        let ports = RealtimePorts {
            bus: bus.clone(),
            connections: hub.clone(),
            presence: Arc::new(LocalPresence::default()),
            viewers: Arc::new(LocalViewers::default()),
            shared_limits: None,
        };
        Self { hub, bus, ports }
    }

    /// Connects the bus to `app`'s receiver, so that what the use cases publish reaches the
    /// hub.
    pub fn attach(&self, app: &App) {
        self.bus.attach(app.bus_receiver());
    }
}
