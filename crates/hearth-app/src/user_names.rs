//! Usernames by user id, kept in the process, so that a new message's event can name its author
//! (seed 003's `username`) without a read per send.
//!
//! A username never changes once the account exists (no use case renames one), so an entry can
//! never be stale and needs no forgetting, on this node or any other. If renaming ever becomes a
//! use case, it must signal every node the way the roster cache does.

use std::sync::Arc;

use hearth_domain::UserId;
use hearth_store::DynStore;
use moka::sync::Cache;

use crate::realtime::UserRef;

/// Most usernames kept (an id and a short string each).
const CAPACITY: u64 = 100_000;

/// The process's cache of usernames. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct UserNames {
    store: DynStore,
    cache: Cache<UserId, Arc<str>>,
}

impl UserNames {
    pub(crate) fn new(store: DynStore) -> Self {
        Self {
            store,
            cache: Cache::new(CAPACITY),
        }
    }

    /// The user as events name them, or `None` (logged) when the store cannot say now: the
    /// event then goes out without the name, never late.
    pub(crate) async fn of(&self, user: UserId) -> Option<UserRef> {
        if let Some(username) = self.cache.get(&user) {
            return Some(UserRef {
                id: user,
                username: username.as_ref().to_owned(),
            });
        }
        match self.store.user(user).await {
            Ok(Some(found)) => {
                let named = UserRef::from(&found);
                self.cache.insert(user, Arc::from(named.username.as_str()));
                Some(named)
            }
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(cause = %err, user_id = %user, "cannot read a username; the event goes out without it");
                None
            }
        }
    }
}
