//! Whether two people block each other, cached in the process.
//!
//! Every message in a direct conversation asks it (a block stops both from posting), and it
//! changes only when one of the two blocks or unblocks the other — through
//! [`PrivacyService`](crate::PrivacyService), which calls [`Blocks::forget`] once the change is
//! durable. See [`ExactCache`] for why the cache is never staler than the store on one node.

use std::sync::Arc;
use std::time::Duration;

use hearth_domain::UserId;
use hearth_store::{DynStore, StoreError};

use crate::exact_cache::ExactCache;
use crate::realtime::{BusMessage, EventBus, Signal};

/// Most pairs kept (a pair is two ids and a flag).
const CAPACITY: u64 = 100_000;
/// How long an answer is kept without being read back from the store.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// The two users of a pair, in a fixed order: "a blocks b or b blocks a" is symmetric.
fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The process's cache of blocks between pairs of users. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Blocks {
    store: DynStore,
    cache: ExactCache<(UserId, UserId), bool>,
    bus: Arc<dyn EventBus>,
}

impl Blocks {
    pub(crate) fn new(store: DynStore, bus: Arc<dyn EventBus>) -> Self {
        Self {
            store,
            cache: ExactCache::new(CAPACITY, TIME_TO_LIVE),
            bus,
        }
    }

    /// Whether either of `a` and `b` has blocked the other.
    pub(crate) async fn between(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let blocked = self
            .cache
            .get_or_load(pair(a, b), async {
                Ok(Some(self.store.relation(a, b).await?.blocked))
            })
            .await?;
        Ok(blocked.unwrap_or(false))
    }

    /// One of the two blocked or unblocked the other: read it again next time, on this node
    /// at once and on every other node when the signal reaches it.
    pub(crate) fn forget(&self, a: UserId, b: UserId) {
        self.forget_here(a, b);
        self.bus
            .publish(BusMessage::Signal(Signal::BlocksChanged(a, b)));
    }

    /// Forgets the pair on this node only (a signal from the bus).
    pub(crate) fn forget_here(&self, a: UserId, b: UserId) {
        self.cache.forget(&pair(a, b));
    }

    /// Forgets every pair on this node (the bus may have lost signals).
    pub(crate) fn forget_all_here(&self) {
        self.cache.forget_all();
    }
}
