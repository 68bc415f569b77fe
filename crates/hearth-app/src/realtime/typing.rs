//! Typing indicators: throttled on the way in, expiring on their own.
//!
//! A client repeats `user_typing` while its user types. The first call is broadcast at once;
//! repeats inside the throttle window only extend the indicator. Each broadcast carries how
//! long it lasts; when no repeat arrives in that time, or the user sends their message, a
//! `typing: false` follows so that no indicator hangs when a client vanishes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hearth_domain::{ConversationId, UserId};

/// How typing indicators behave.
#[derive(Clone, Copy, Debug)]
pub struct TypingSettings {
    /// How long an indicator lasts without a repeat.
    pub ttl: Duration,
    /// The least time between two broadcasts of one user's indicator in one conversation.
    pub throttle: Duration,
}

impl Default for TypingSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(5),
            throttle: Duration::from_secs(2),
        }
    }
}

#[derive(Debug)]
struct Typing {
    /// Bumped on every repeat; an expiry timer fires only if it still holds its generation.
    generation: u64,
    last_broadcast: Instant,
}

/// What to do about one `user_typing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypingTick {
    /// Broadcast `typing: true` now.
    pub broadcast: bool,
    /// The generation the expiry timer for this tick must present.
    pub generation: u64,
}

/// The indicators currently shown.
#[derive(Debug, Default)]
pub struct TypingTracker {
    active: Mutex<HashMap<(ConversationId, UserId), Typing>>,
}

impl TypingTracker {
    /// A `user_typing` arrived.
    pub fn tick(
        &self,
        conversation: ConversationId,
        user: UserId,
        throttle: Duration,
    ) -> TypingTick {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match active.get_mut(&(conversation, user)) {
            Some(typing) => {
                typing.generation += 1;
                let broadcast = now.duration_since(typing.last_broadcast) >= throttle;
                if broadcast {
                    typing.last_broadcast = now;
                }
                TypingTick {
                    broadcast,
                    generation: typing.generation,
                }
            }
            None => {
                active.insert(
                    (conversation, user),
                    Typing {
                        generation: 0,
                        last_broadcast: now,
                    },
                );
                TypingTick {
                    broadcast: true,
                    generation: 0,
                }
            }
        }
    }

    /// The expiry timer of `generation` fired: `true` when no repeat came since (the indicator
    /// is removed and `typing: false` must be broadcast).
    pub fn expire(&self, conversation: ConversationId, user: UserId, generation: u64) -> bool {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        match active.get(&(conversation, user)) {
            Some(typing) if typing.generation == generation => {
                active.remove(&(conversation, user));
                true
            }
            _ => false,
        }
    }

    /// The user stopped (sent their message): `true` when an indicator was shown.
    pub fn stop(&self, conversation: ConversationId, user: UserId) -> bool {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        active.remove(&(conversation, user)).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_inside_the_throttle_extend_without_broadcasting() {
        let tracker = TypingTracker::default();
        let (conversation, user) = (ConversationId::new(), UserId::new());
        let first = tracker.tick(conversation, user, Duration::from_secs(60));
        assert!(first.broadcast);
        let repeat = tracker.tick(conversation, user, Duration::from_secs(60));
        assert!(!repeat.broadcast);
        assert!(
            !tracker.expire(conversation, user, first.generation),
            "an older timer is stale"
        );
        assert!(tracker.expire(conversation, user, repeat.generation));
        assert!(!tracker.stop(conversation, user), "already expired");
    }

    #[test]
    fn a_zero_throttle_broadcasts_every_tick() {
        let tracker = TypingTracker::default();
        let (conversation, user) = (ConversationId::new(), UserId::new());
        tracker.tick(conversation, user, Duration::ZERO);
        assert!(tracker.tick(conversation, user, Duration::ZERO).broadcast);
        assert!(tracker.stop(conversation, user));
    }
}
