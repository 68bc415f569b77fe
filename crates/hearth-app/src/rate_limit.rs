//! Rate limits: per-minute quotas on sign-in attempts, sends and conversation changes.
//!
//! With several nodes the counts are shared ([`SharedLimits`], the Redis adapter), so a user's
//! quota is the same whichever node, and however many, they reach. When the shared counter
//! cannot answer, each node counts on its own (governor, in memory) until it can again: a limit
//! is never a reason to refuse service, and never skipped either. This module only counts; the
//! use cases decide what is counted.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hearth_domain::UserId;

use crate::{AppError, LimitSettings};

/// Keys above which a limiter forgets keys whose quota has fully recovered.
const RETAIN_ABOVE: usize = 50_000;

/// One kind of attempt by one client: what a quota counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RateKey {
    /// A register / login / refresh attempt from an address.
    AuthIp(IpAddr),
    /// A register / login / refresh attempt for a username.
    AuthUsername(String),
    /// A mail asked for (password reset, verification) to an account, by its lower-cased
    /// username or address.
    Mail(String),
    /// A message sent by a user.
    Send(UserId),
    /// A conversation or membership change by a user.
    ConversationChange(UserId),
    /// A look-up of another account by its exact e-mail address, by a user.
    EmailLookup(UserId),
}

impl RateKey {
    /// A stable name for shared counters (`send:<user id>`, …).
    pub fn name(&self) -> String {
        match self {
            Self::AuthIp(ip) => format!("auth-ip:{ip}"),
            Self::AuthUsername(name) => format!("auth-user:{name}"),
            Self::Mail(to) => format!("mail:{to}"),
            Self::Send(user) => format!("send:{user}"),
            Self::ConversationChange(user) => format!("change:{user}"),
            Self::EmailLookup(user) => format!("email-lookup:{user}"),
        }
    }
}

/// Why the shared counter could not answer (the node then counts on its own).
#[derive(Debug, thiserror::Error)]
#[error("the shared rate-limit counter is unavailable: {0}")]
pub struct SharedLimitsUnavailable(pub String);

/// Quotas counted once for every node (a generic cell rate: `per_minute` attempts at once,
/// then one every minute / `per_minute`).
#[async_trait::async_trait]
pub trait SharedLimits: Send + Sync + std::fmt::Debug {
    /// Counts one attempt for `key`: `Ok(None)` when it is allowed, `Ok(Some(wait))` when it
    /// is over the quota and may be tried again after `wait`.
    async fn attempt(
        &self,
        key: &RateKey,
        per_minute: NonZeroU32,
    ) -> Result<Option<Duration>, SharedLimitsUnavailable>;
}

/// The server's rate limiters.
#[derive(Debug)]
pub struct RateLimits {
    settings: LimitSettings,
    shared: Option<Arc<dyn SharedLimits>>,
    auth_ip: DefaultKeyedRateLimiter<IpAddr>,
    auth_username: DefaultKeyedRateLimiter<String>,
    mails: DefaultKeyedRateLimiter<String>,
    sends: DefaultKeyedRateLimiter<UserId>,
    conversation_changes: DefaultKeyedRateLimiter<UserId>,
    email_lookups: DefaultKeyedRateLimiter<UserId>,
}

fn quota(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn per_minute<K: Hash + Eq + Clone>(n: u32) -> DefaultKeyedRateLimiter<K> {
    RateLimiter::keyed(Quota::per_minute(quota(n)))
}

fn refused(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after: wait.max(Duration::from_secs(1)),
    }
}

fn check_here<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    if limiter.len() > RETAIN_ABOVE {
        limiter.retain_recent();
    }
    limiter
        .check_key(key)
        .map_err(|not_until| refused(not_until.wait_time_from(DefaultClock::default().now())))
}

impl RateLimits {
    /// Limiters with the configured quotas, counted by this node alone.
    pub fn new(settings: &LimitSettings) -> Self {
        Self::with_shared(settings, None)
    }

    /// Limiters with the configured quotas, counted by `shared` when it is given and answers.
    pub fn with_shared(settings: &LimitSettings, shared: Option<Arc<dyn SharedLimits>>) -> Self {
        Self {
            settings: *settings,
            shared,
            auth_ip: per_minute(settings.auth_per_ip_per_minute),
            auth_username: per_minute(settings.auth_per_username_per_minute),
            mails: per_minute(settings.mails_per_account_per_minute),
            sends: per_minute(settings.sends_per_user_per_minute),
            conversation_changes: per_minute(settings.conversation_changes_per_user_per_minute),
            email_lookups: per_minute(settings.auth_per_username_per_minute),
        }
    }

    /// Counts one attempt: on the shared counter if there is one that answers, else here.
    async fn attempt(
        &self,
        key: RateKey,
        per_minute: u32,
        here: impl FnOnce(&RateKey) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        if let Some(shared) = &self.shared {
            match shared.attempt(&key, quota(per_minute)).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(refused(wait)),
                Err(error) => {
                    tracing::warn!(%error, "counting this attempt on this node alone");
                }
            }
        }
        here(&key)
    }

    /// One register / login / refresh attempt from `ip`.
    pub async fn auth_by_ip(&self, ip: IpAddr) -> Result<(), AppError> {
        let quota = self.settings.auth_per_ip_per_minute;
        self.attempt(RateKey::AuthIp(ip), quota, |_| {
            check_here(&self.auth_ip, &ip)
        })
        .await
    }

    /// One register / login / refresh attempt for `username`.
    pub async fn auth_by_username(&self, username: &str) -> Result<(), AppError> {
        let quota = self.settings.auth_per_username_per_minute;
        let name = username.to_owned();
        self.attempt(RateKey::AuthUsername(name.clone()), quota, |_| {
            check_here(&self.auth_username, &name)
        })
        .await
    }

    /// One mail asked for to the account named `to` (its username or address, any case).
    pub async fn mail_to(&self, to: &str) -> Result<(), AppError> {
        let quota = self.settings.mails_per_account_per_minute;
        let to = to.trim().to_lowercase();
        self.attempt(RateKey::Mail(to.clone()), quota, |_| {
            check_here(&self.mails, &to)
        })
        .await
    }

    /// One message sent by `user`.
    pub async fn send(&self, user: UserId) -> Result<(), AppError> {
        let quota = self.settings.sends_per_user_per_minute;
        self.attempt(RateKey::Send(user), quota, |_| {
            check_here(&self.sends, &user)
        })
        .await
    }

    /// One look-up of an account by its exact e-mail address by `user` (as many a minute as
    /// sign-in attempts for one name, so addresses cannot be tried in bulk).
    pub async fn email_lookup(&self, user: UserId) -> Result<(), AppError> {
        let quota = self.settings.auth_per_username_per_minute;
        self.attempt(RateKey::EmailLookup(user), quota, |_| {
            check_here(&self.email_lookups, &user)
        })
        .await
    }

    /// One change of a conversation or its membership by `user`.
    pub async fn conversation_change(&self, user: UserId) -> Result<(), AppError> {
        let quota = self.settings.conversation_changes_per_user_per_minute;
        self.attempt(RateKey::ConversationChange(user), quota, |_| {
            check_here(&self.conversation_changes, &user)
        })
        .await
    }
}
