//! Rate limits, counted in this process (the Redis adapter shares them between nodes later).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hearth_domain::UserId;

use crate::{AppError, LimitSettings};

/// Keys above which a limiter forgets keys whose quota has fully recovered.
const RETAIN_ABOVE: usize = 50_000;

/// The server's rate limiters.
#[derive(Debug)]
pub struct RateLimits {
    auth_ip: DefaultKeyedRateLimiter<IpAddr>,
    auth_username: DefaultKeyedRateLimiter<String>,
    sends: DefaultKeyedRateLimiter<UserId>,
    conversation_changes: DefaultKeyedRateLimiter<UserId>,
}

fn per_minute<K: Hash + Eq + Clone>(n: u32) -> DefaultKeyedRateLimiter<K> {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(n))
}

fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    if limiter.len() > RETAIN_ABOVE {
        limiter.retain_recent();
    }
    limiter
        .check_key(key)
        .map_err(|not_until| AppError::RateLimited {
            retry_after: not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_secs(1)),
        })
}

impl RateLimits {
    /// Limiters with the configured quotas.
    pub fn new(settings: &LimitSettings) -> Self {
        Self {
            auth_ip: per_minute(settings.auth_per_ip_per_minute),
            auth_username: per_minute(settings.auth_per_username_per_minute),
            sends: per_minute(settings.sends_per_user_per_minute),
            conversation_changes: per_minute(settings.conversation_changes_per_user_per_minute),
        }
    }

    /// One register / login / refresh attempt from `ip`.
    pub fn auth_by_ip(&self, ip: IpAddr) -> Result<(), AppError> {
        check(&self.auth_ip, &ip)
    }

    /// One register / login / refresh attempt for `username`.
    pub fn auth_by_username(&self, username: &str) -> Result<(), AppError> {
        check(&self.auth_username, &username.to_owned())
    }

    /// One message sent by `user`.
    pub fn send(&self, user: UserId) -> Result<(), AppError> {
        check(&self.sends, &user)
    }

    /// One change of a conversation or its membership by `user`.
    pub fn conversation_change(&self, user: UserId) -> Result<(), AppError> {
        check(&self.conversation_changes, &user)
    }
}
