//! Realtime: the events that reach connected devices the moment a change commits, and the
//! ephemeral state around them (presence, typing, who is viewing a conversation).
//!
//! Use cases announce what happened through the notifier; it decides who must hear it (an
//! [`Audience`]) and publishes a [`Delivery`] on the [`EventBus`] port. The bus carries it to
//! every node's [`BusReceiver`], which hands it to that node's [`ConnectionRegistry`] (the
//! hub), which writes it to the matching sockets. The live faces run a connection's life
//! through [`RealtimeService`]. Presence and "who is viewing" sit behind ports of their own
//! ([`PresenceTracker`], [`ViewerDirectory`]) so that several nodes can share them. Nothing
//! here touches a socket or a wire format, and nothing here may block or write to the database
//! per recipient: delivery is at-least-once over sockets, and clients that miss something
//! catch up by sync.

mod bus;
mod events;
mod inbound;
mod notifier;
mod presence;
mod registry;
mod service;
mod typing;
mod viewers;

pub use bus::{BusMessage, BusStatus, EventBus, Signal};
pub use events::{Audience, Delivery, LogEntry, RealtimeEvent, UserRef};
pub use inbound::BusReceiver;
pub(crate) use notifier::Notifier;
pub use presence::{PresenceEntry, PresenceTracker};
pub use registry::{ConnectionId, ConnectionRegistry};
pub use service::{Connected, PRESENCE_CIRCLE, RealtimePorts, RealtimeService, RealtimeSession};
pub use typing::{TypingSettings, TypingTracker};
pub use viewers::ViewerDirectory;
