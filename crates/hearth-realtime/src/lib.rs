//! Hearth's connection hub: every live realtime connection of this node, whatever face it
//! speaks (native WebSocket now; Socket.IO and GraphQL subscriptions later).
//!
//! The hub is this node's end of the event bus: [`Hub::publish`] takes a delivery and offers
//! it to the queue of every matching connection. Offering never waits. Each connection has a
//! bounded queue (its mailbox, woken at a pace that keeps a large fan-out from starving the
//! rest of the node); a connection whose queue is full is a slow consumer, and it is told to close
//! (it catches up by sync) rather than slowing anyone else. An event is encoded once per wire
//! format and the same bytes are shared by every socket ([`Frame::encoded`]).
//!
//! The hub holds no business rule: who may hear what was decided by the use cases when they
//! chose the audience. It must never await while holding its lock.

mod frame;
mod hub;
mod mailbox;

pub use frame::{Encoding, Frame};
pub use hub::{ConnectionId, Hub, HubSettings, Registration};
pub use mailbox::{Closing, Events, Next};
