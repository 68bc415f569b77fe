//! Hearth's connection hub: every live realtime connection of this node, whatever face it
//! speaks (native WebSocket now; Socket.IO and GraphQL subscriptions later).
//!
//! The hub is this node's connection registry: the bus hands it each delivery, and it offers
//! it to the queue of every matching connection. Offering never waits. Each connection has a
//! bounded queue (its mailbox, woken at a pace that keeps a large fan-out from starving the
//! rest of the node); a connection whose queue is full is a slow consumer, and it is told to close
//! (it catches up by sync) rather than slowing anyone else. An event is encoded once per wire
//! format and the same bytes are shared by every socket ([`Frame::encoded`]).
//!
//! The hub holds no business rule: who may hear what was decided by the use cases when they
//! chose the audience. It must never await while holding its lock.

//!
//! Beside the hub live the other in-process realtime adapters of a single-node server: the
//! bus ([`LocalBus`]), presence ([`LocalPresence`]) and the viewer directory
//! ([`LocalViewers`]), wired together by [`InProcess`].

mod frame;
mod hub;
mod in_process;
mod local_bus;
mod local_presence;
mod local_viewers;
mod mailbox;

pub use frame::{Encoding, Frame};
pub use hearth_app::realtime::ConnectionId;
pub use hub::{Hub, HubSettings, Registration};
pub use in_process::InProcess;
pub use local_bus::LocalBus;
pub use local_presence::LocalPresence;
pub use local_viewers::LocalViewers;
pub use mailbox::{Closing, Events, Next};
