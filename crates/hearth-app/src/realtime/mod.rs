//! Realtime: the events that reach connected devices the moment a change commits, and the
//! ephemeral state around them (presence, typing, who is viewing a conversation).
//!
//! Use cases announce what happened through [`Notifier`]; it decides who must hear it (an
//! [`Audience`]) and hands a [`Delivery`] to the [`EventBus`] port. The bus carries it to every
//! node's connection hub, which writes it to the matching sockets. Nothing here touches a socket
//! or a wire format, and nothing here may block or write to the database per recipient:
//! delivery is at-least-once over sockets, and clients that miss something catch up by sync.

mod bus;
mod events;
mod notifier;
mod presence;
mod typing;

pub use bus::{DiscardingBus, EventBus};
pub use events::{Audience, Delivery, RealtimeEvent, UserRef};
pub use notifier::Notifier;
pub use presence::{LocalPresence, PresenceEntry, PresenceTracker};
pub use typing::{TypingSettings, TypingTracker};
