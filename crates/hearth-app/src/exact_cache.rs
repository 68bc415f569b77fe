//! A read-through cache that is never staler than the store on this node.
//!
//! The use cases cache a few answers that every message send would otherwise read (who is in
//! a conversation, whether two people block each other). Such an answer may only be cached if
//! no change can slip past it: every change goes through a use case, which calls
//! [`ExactCache::forget`] once it is durable. A read that raced with a change could still
//! bring back the old answer after the `forget`; an epoch counter, bumped by every `forget`,
//! keeps such a read out of the cache (the request that made it still uses it, exactly as an
//! uncached read would be used).
//!
//! With several nodes, each `forget` is also a bus signal that every node applies; when a
//! shared bus may have lost signals (it reconnected), the node forgets everything. The
//! time-to-live bounds how long a change can go unseen if a signal is lost anyway. This cache
//! must never be used for an answer whose changes do not all pass through the use cases.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

/// The cache: at most `capacity` answers, each kept at most `time_to_live`. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ExactCache<K, V> {
    cache: Cache<K, V>,
    epoch: Arc<AtomicU64>,
}

impl<K, V> std::fmt::Debug for ExactCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactCache")
            .field("cached", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl<K, V> ExactCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub(crate) fn new(capacity: u64, time_to_live: Duration) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(time_to_live)
                .build(),
            epoch: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The answer for `key`: cached, or read by `load` (`None`: there is nothing to answer,
    /// and nothing is cached). `load` is a future, so it reads only when polled — on a miss,
    /// after the epoch is taken — which is what lets the guard see a change that overtakes it.
    pub(crate) async fn get_or_load<E, F>(&self, key: K, load: F) -> Result<Option<V>, E>
    where
        F: Future<Output = Result<Option<V>, E>>,
    {
        if let Some(value) = self.cache.get(&key) {
            return Ok(Some(value));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(value) = load.await? else {
            return Ok(None);
        };
        // Only a read that no change overtook may be kept.
        if self.epoch.load(Ordering::Acquire) == epoch {
            self.cache.insert(key, value.clone());
        }
        Ok(Some(value))
    }

    /// The cached answer for `key`, if any.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.cache.get(key)
    }

    /// Answers for several keys read at once by `load`, kept under the same guard as
    /// [`get_or_load`](Self::get_or_load): only if no change overtook the read.
    pub(crate) async fn load_many<E, F>(&self, load: F) -> Result<Vec<V>, E>
    where
        F: Future<Output = Result<Vec<(K, V)>, E>>,
    {
        let epoch = self.epoch.load(Ordering::Acquire);
        let loaded = load.await?;
        let keep = self.epoch.load(Ordering::Acquire) == epoch;
        Ok(loaded
            .into_iter()
            .map(|(key, value)| {
                if keep {
                    self.cache.insert(key, value.clone());
                }
                value
            })
            .collect())
    }

    /// The answer for `key` changed: read it again next time.
    pub(crate) fn forget(&self, key: &K) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate(key);
    }

    /// Any answer may have changed unseen: read every one again.
    pub(crate) fn forget_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Duration;

    use super::ExactCache;

    fn cache() -> ExactCache<u32, &'static str> {
        ExactCache::new(16, Duration::from_secs(60))
    }

    #[tokio::test]
    async fn a_loaded_answer_is_served_from_the_cache() {
        let cache = cache();
        let first = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("stored")) })
            .await;
        let second = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("changed")) })
            .await;
        assert_eq!(first, Ok(Some("stored")));
        assert_eq!(second, Ok(Some("stored")));
    }

    #[tokio::test]
    async fn a_forgotten_answer_is_read_again() {
        let cache = cache();
        let _ = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("old")) })
            .await;
        cache.forget(&1);
        let again = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("new")) })
            .await;
        assert_eq!(again, Ok(Some("new")));
    }

    #[tokio::test]
    async fn a_read_overtaken_by_a_change_is_used_but_not_kept() {
        let cache = cache();
        // The change lands while the read is under way: its answer may be the old one.
        let raced = cache
            .get_or_load(1, async {
                cache.forget(&1);
                Ok::<_, Infallible>(Some("maybe stale"))
            })
            .await;
        let next = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("fresh")) })
            .await;
        assert_eq!(raced, Ok(Some("maybe stale")));
        assert_eq!(next, Ok(Some("fresh")));
    }

    #[tokio::test]
    async fn nothing_is_cached_when_there_is_no_answer() {
        let cache = cache();
        let none = cache
            .get_or_load(1, async { Ok::<_, Infallible>(None) })
            .await;
        let later = cache
            .get_or_load(1, async { Ok::<_, Infallible>(Some("created")) })
            .await;
        assert_eq!(none, Ok(None));
        assert_eq!(later, Ok(Some("created")));
    }
}
