//! Who is online, across nodes: a user is online while any of their connections is.

use std::collections::HashSet;

use hearth_domain::{Timestamp, UserId};

/// Counts connections per user. The in-process tracker serves one node; a shared one (Redis)
/// serves several. It only counts; announcing is the realtime use case's.
#[async_trait::async_trait]
pub trait PresenceTracker: Send + Sync + std::fmt::Debug {
    /// A connection of `user` opened. `true` when it is their first (they came online).
    async fn connected(&self, user: UserId) -> bool;
    /// A connection of `user` closed. `true` when it was their last (they went offline).
    async fn disconnected(&self, user: UserId) -> bool;
    /// Which of `users` have a connection.
    async fn online_among(&self, users: &[UserId]) -> HashSet<UserId>;
}

/// One contact's presence, for the snapshot a device gets when it connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresenceEntry {
    /// The contact.
    pub user_id: UserId,
    /// Whether any of their devices is connected.
    pub online: bool,
    /// When their last connection ended.
    pub last_seen_at: Option<Timestamp>,
}
