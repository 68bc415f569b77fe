//! Hearth's realtime over Redis, for a server of several nodes.
//!
//! [`RedisBus`] is the event bus of a node that shares its database with other nodes: every
//! delivery and signal a use case publishes reaches this node's receiver at once, and every
//! other node's through one Redis pub/sub channel. Redis is a carrier, never a store: a message
//! is durable in the database before it is published, so losing Redis loses no message — the
//! other nodes' clients catch up by sync — and the bus says so in its [`BusHealth`] until
//! Redis is back, when it resumes by itself.
//!
//! [`RedisPresence`] counts each user's connections on every node, so "online" means online
//! anywhere; [`RedisViewers`] does the same for who is viewing each conversation. [`RedisLimits`] keeps the rate-limit counters that every node shares, so a user's quota is
//! the same whichever node they reach.
//!
//! This crate must never decide who hears what (the use cases chose the audience) and never
//! make a publisher wait on Redis.

mod bus;
mod connection;
mod health;
mod heartbeat;
mod limits;
mod presence;
mod settings;
mod viewers;
mod wire;

pub use bus::RedisBus;
pub use health::BusHealth;
pub use limits::RedisLimits;
pub use presence::RedisPresence;
pub use settings::{RedisError, RedisSettings};
pub use viewers::RedisViewers;
