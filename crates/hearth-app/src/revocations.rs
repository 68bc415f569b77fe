//! Sessions that ended before their access tokens expire: the check that makes an ended
//! session (a password reset, a revoked device, a disabled account) stop at once.
//!
//! Access tokens are stateless JWTs, checked on every request without the database. A session
//! ended by a use case is put here, on every node (the bus carries
//! [`Signal::SessionEnded`](crate::realtime::Signal)), and [`crate::AuthService::authenticate`]
//! refuses its tokens. An entry is kept for one access-token lifetime (plus leeway) — after
//! that the session's tokens have expired anyway — so the set stays as small as the number of
//! sessions ended in the last quarter hour. The hot path, when nothing was revoked recently,
//! is one atomic load; otherwise one read lock and one hash lookup.
//!
//! Must never: be consulted for anything but access tokens (refresh tokens are checked in the
//! store), or grow without bound.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hearth_domain::SessionId;

/// The ended sessions whose access tokens may still be unexpired, on this node.
#[derive(Clone, Debug)]
pub(crate) struct Revocations {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// How long an entry is kept: the access-token lifetime and its leeway.
    keep: Duration,
    len: AtomicUsize,
    ended: RwLock<HashMap<SessionId, Instant>>,
}

impl Revocations {
    /// An empty set whose entries last `access_token_ttl` plus a minute.
    pub(crate) fn new(access_token_ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                keep: access_token_ttl + Duration::from_secs(60),
                len: AtomicUsize::new(0),
                ended: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// How long an ended session is remembered: as long as its access tokens may work.
    pub(crate) fn kept_for(&self) -> Duration {
        self.inner.keep
    }

    /// Records that `session` ended (idempotent), forgetting entries that outlived their use.
    pub(crate) fn end(&self, session: SessionId) {
        let now = Instant::now();
        let mut ended = self.inner.ended.write().unwrap_or_else(|e| e.into_inner());
        ended.retain(|_, until| *until > now);
        ended.insert(session, now + self.inner.keep);
        self.inner.len.store(ended.len(), Ordering::Release);
    }

    /// Whether `session` ended.
    pub(crate) fn has_ended(&self, session: SessionId) -> bool {
        if self.inner.len.load(Ordering::Acquire) == 0 {
            return false;
        }
        let ended = self.inner.ended.read().unwrap_or_else(|e| e.into_inner());
        ended
            .get(&session)
            .is_some_and(|until| *until > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_session_is_refused_and_others_are_not() {
        let revocations = Revocations::new(Duration::from_secs(900));
        let (ended, live) = (SessionId::new(), SessionId::new());
        assert!(!revocations.has_ended(ended));
        revocations.end(ended);
        revocations.end(ended);
        assert!(revocations.has_ended(ended));
        assert!(!revocations.has_ended(live));
    }
}
