//! Names by user id, kept in the process, so that a new message's event can name its author
//! (seed 003's `username`, seed 002's `senderName`) without a read per send.
//!
//! A username never changes, but a display name does (`UserService::update_profile`). Every
//! change goes through that use case, which forgets the entry here and publishes
//! [`Signal::ProfileChanged`] so that every other node forgets it too — the pattern of the
//! roster cache. The cache is an [`ExactCache`], so a read that a rename overtook is not kept.
//! It must never be filled from anything but the store.

use std::sync::Arc;
use std::time::Duration;

use hearth_domain::UserId;
use hearth_store::DynStore;

use crate::exact_cache::ExactCache;
use crate::realtime::{BusMessage, EventBus, Signal, UserRef};

/// Most users kept (an id and two short strings each).
const CAPACITY: u64 = 100_000;

/// How long an entry lives at most: bounds how long a node that missed a signal (a bus outage)
/// shows an old display name.
const TIME_TO_LIVE: Duration = Duration::from_secs(10 * 60);

/// The process's cache of names. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct UserNames {
    store: DynStore,
    bus: Arc<dyn EventBus>,
    cache: ExactCache<UserId, UserRef>,
}

impl UserNames {
    pub(crate) fn new(store: DynStore, bus: Arc<dyn EventBus>) -> Self {
        Self {
            store,
            bus,
            cache: ExactCache::new(CAPACITY, TIME_TO_LIVE),
        }
    }

    /// The user as events name them, or `None` (logged) when the store cannot say now: the
    /// event then goes out without the name, never late.
    pub(crate) async fn of(&self, user: UserId) -> Option<UserRef> {
        let loaded = self
            .cache
            .get_or_load(user, async {
                Ok::<_, hearth_store::StoreError>(
                    self.store.user(user).await?.map(|u| UserRef::from(&u)),
                )
            })
            .await;
        match loaded {
            Ok(named) => named,
            Err(err) => {
                tracing::warn!(cause = %err, user_id = %user, "cannot read a user's names; the event goes out without them");
                None
            }
        }
    }

    /// Each of `users` as events name them: the cached ones from the cache, all the others in
    /// one read of the store (left out, logged, when it cannot answer now).
    pub(crate) async fn of_many(&self, users: &[UserId]) -> Vec<UserRef> {
        let mut named = Vec::with_capacity(users.len());
        let mut missing = Vec::new();
        for user in users {
            match self.cache.get(user) {
                Some(found) => named.push(found),
                None => missing.push(*user),
            }
        }
        if missing.is_empty() {
            return named;
        }
        let loaded = self
            .cache
            .load_many(async {
                let users = self.store.users(&missing).await?;
                Ok::<_, hearth_store::StoreError>(
                    users.iter().map(|u| (u.id, UserRef::from(u))).collect(),
                )
            })
            .await;
        match loaded {
            Ok(found) => named.extend(found),
            Err(err) => {
                tracing::warn!(cause = %err, users = missing.len(), "cannot read users' names; they are left out");
            }
        }
        named
    }

    /// The user's profile changed: read it again next time, on this node at once and on every
    /// other node when the signal reaches it.
    pub(crate) fn forget(&self, user: UserId) {
        self.forget_here(user);
        self.bus
            .publish(BusMessage::Signal(Signal::ProfileChanged(user)));
    }

    /// Forgets the user on this node only (a signal from the bus).
    pub(crate) fn forget_here(&self, user: UserId) {
        self.cache.forget(&user);
    }
}
