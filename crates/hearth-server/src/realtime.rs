//! Which realtime adapters this node runs: everything in process for a single node, or — when
//! the configuration names a Redis that several nodes share — the Redis bus, presence, viewer
//! directory and rate-limit counters. Typing indicators travel on the bus; their throttle is
//! kept per node.

use std::sync::Arc;

use hearth_app::App;
use hearth_app::realtime::RealtimePorts;
use hearth_realtime::{Hub, InProcess};
use hearth_redis::{RedisBus, RedisLimits, RedisPresence, RedisViewers};

use crate::{Config, StartupError};

/// This node's realtime: its hub and the ports the use cases are built with.
#[derive(Debug)]
pub(crate) enum Realtime {
    /// One node.
    InProcess(InProcess),
    /// One of several nodes, joined by Redis.
    Redis {
        hub: Arc<Hub>,
        bus: Arc<RedisBus>,
        ports: RealtimePorts,
    },
}

impl Realtime {
    /// Starts the adapters the configuration asks for.
    pub(crate) fn start(config: &Config) -> Result<Self, StartupError> {
        let Some(settings) = config.redis_settings() else {
            return Ok(Self::InProcess(InProcess::new(config.hub_settings())));
        };
        let bus =
            Arc::new(RedisBus::start(&settings).map_err(|e| StartupError::Config(e.to_string()))?);
        let limits =
            RedisLimits::new(&settings).map_err(|e| StartupError::Config(e.to_string()))?;
        let presence = RedisPresence::start(&settings, bus.node())
            .map_err(|e| StartupError::Config(e.to_string()))?;
        let viewers = RedisViewers::start(&settings, bus.node())
            .map_err(|e| StartupError::Config(e.to_string()))?;
        let hub = Arc::new(Hub::new(config.hub_settings()));
        let ports = RealtimePorts {
            bus: bus.clone(),
            connections: hub.clone(),
            presence: Arc::new(presence),
            viewers: Arc::new(viewers),
            shared_limits: Some(Arc::new(limits)),
        };
        Ok(Self::Redis { hub, bus, ports })
    }

    /// The ports to build [`App`] with.
    pub(crate) fn ports(&self) -> RealtimePorts {
        match self {
            Self::InProcess(local) => local.ports.clone(),
            Self::Redis { ports, .. } => ports.clone(),
        }
    }

    /// This node's connections.
    pub(crate) fn hub(&self) -> Arc<Hub> {
        match self {
            Self::InProcess(local) => local.hub.clone(),
            Self::Redis { hub, .. } => hub.clone(),
        }
    }

    /// Connects the bus to `app`'s receiver.
    pub(crate) fn attach(&self, app: &App) {
        match self {
            Self::InProcess(local) => local.attach(app),
            Self::Redis { bus, .. } => bus.attach(app.bus_receiver()),
        }
    }
}
