//! Presence of one node's connections, counted in memory.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use hearth_app::realtime::PresenceTracker;
use hearth_domain::UserId;

/// Counts connections per user on this node: the presence of a single-node server.
#[derive(Debug, Default)]
pub struct LocalPresence {
    connections: Mutex<HashMap<UserId, usize>>,
}

impl LocalPresence {
    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, usize>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl PresenceTracker for LocalPresence {
    async fn connected(&self, user: UserId) -> bool {
        let mut connections = self.lock();
        let count = connections.entry(user).or_insert(0);
        *count += 1;
        *count == 1
    }

    async fn disconnected(&self, user: UserId) -> bool {
        let mut connections = self.lock();
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

    async fn online_among(&self, users: &[UserId]) -> HashSet<UserId> {
        let connections = self.lock();
        users
            .iter()
            .filter(|user| connections.contains_key(user))
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn online_while_any_connection_is() {
        let presence = LocalPresence::default();
        let alice = UserId::new();
        assert!(presence.connected(alice).await);
        assert!(!presence.connected(alice).await);
        assert!(!presence.disconnected(alice).await);
        assert!(presence.online_among(&[alice]).await.contains(&alice));
        assert!(presence.disconnected(alice).await);
        assert!(presence.online_among(&[alice]).await.is_empty());
        assert!(
            !presence.disconnected(alice).await,
            "an unknown disconnect changes nothing"
        );
    }
}
