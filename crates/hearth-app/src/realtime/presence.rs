//! Who is online: a user is online while any of their connections is.

use std::collections::HashMap;
use std::sync::Mutex;

use hearth_domain::{Timestamp, UserId};

/// Counts connections per user. The in-process tracker serves one node; a shared one (Redis)
/// serves several.
pub trait PresenceTracker: Send + Sync + std::fmt::Debug {
    /// A connection of `user` opened. `true` when it is their first (they came online).
    fn connected(&self, user: UserId) -> bool;
    /// A connection of `user` closed. `true` when it was their last (they went offline).
    fn disconnected(&self, user: UserId) -> bool;
    /// Whether `user` has a connection.
    fn is_online(&self, user: UserId) -> bool;
}

/// Presence of one node's connections.
#[derive(Debug, Default)]
pub struct LocalPresence {
    connections: Mutex<HashMap<UserId, usize>>,
}

impl PresenceTracker for LocalPresence {
    fn connected(&self, user: UserId) -> bool {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        let count = connections.entry(user).or_insert(0);
        *count += 1;
        *count == 1
    }

    fn disconnected(&self, user: UserId) -> bool {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        match connections.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                connections.remove(&user);
                true
            }
            None => false,
        }
    }

    fn is_online(&self, user: UserId) -> bool {
        self.connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&user)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_while_any_connection_is() {
        let presence = LocalPresence::default();
        let alice = UserId::new();
        assert!(presence.connected(alice));
        assert!(!presence.connected(alice));
        assert!(!presence.disconnected(alice));
        assert!(presence.is_online(alice));
        assert!(presence.disconnected(alice));
        assert!(!presence.is_online(alice));
        assert!(
            !presence.disconnected(alice),
            "an unknown disconnect changes nothing"
        );
    }
}
