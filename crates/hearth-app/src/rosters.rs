//! Who is in each conversation, cached in the process.
//!
//! Every message send asks "is the caller a member, and may they post?" and then "who gets
//! the event?". Both answers come from one [`Roster`] — the conversation's own fields and every
//! member's [`Access`] — read from the store once and kept here, so a send costs no read at
//! all while membership does not change.
//!
//! Exactness: every change of membership or settings goes through the use cases, and they
//! call [`Rosters::forget`] once the change is durable. A read that raced with such a change
//! could bring back the old roster after the `forget`; an epoch counter, bumped by every
//! `forget`, keeps such a read from being cached (it is still used by the request that made
//! it, exactly as an uncached read would be). On one node the cache is therefore never staler
//! than the store. Several nodes must broadcast `forget` over the bus (scale-out work);
//! until then the time-to-live bounds how long another node's change can go unseen.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hearth_domain::{Access, Conversation, ConversationId, UserId};
use hearth_store::{DynStore, StoreError};
use moka::sync::Cache;

/// Most conversations whose rosters are kept.
const CAPACITY: u64 = 10_000;
/// How long a roster is kept without being read back from the store (see the module docs).
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// A conversation and everyone in it.
#[derive(Clone, Debug)]
pub(crate) struct Roster {
    /// The conversation's own fields.
    pub(crate) conversation: Conversation,
    /// Every member's access, in no particular order.
    pub(crate) members: Vec<Access>,
    /// Where each member is in `members`: a send looks its sender up in a room of thousands.
    index: HashMap<UserId, usize>,
}

impl Roster {
    fn new(conversation: Conversation, members: Vec<Access>) -> Self {
        let index = members
            .iter()
            .enumerate()
            .map(|(at, member)| (member.user_id, at))
            .collect();
        Self {
            conversation,
            members,
            index,
        }
    }

    /// The access of `user`, when they are a member.
    pub(crate) fn member(&self, user: UserId) -> Option<Access> {
        self.index
            .get(&user)
            .and_then(|at| self.members.get(*at))
            .copied()
    }
}

/// The process's roster cache. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Rosters {
    store: DynStore,
    cache: Cache<ConversationId, Arc<Roster>>,
    epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for Rosters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rosters")
            .field("cached", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl Rosters {
    pub(crate) fn new(store: DynStore) -> Self {
        Self {
            store,
            cache: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(TIME_TO_LIVE)
                .build(),
            epoch: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The conversation's roster (`None`: no such conversation, or deleted). `asking` is the
    /// user whose request needs it (any user will do; the store reads the conversation with
    /// their standing).
    pub(crate) async fn get(
        &self,
        conversation: ConversationId,
        asking: UserId,
    ) -> Result<Option<Arc<Roster>>, StoreError> {
        if let Some(roster) = self.cache.get(&conversation) {
            return Ok(Some(roster));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(standing) = self.store.standing(conversation, asking).await? else {
            return Ok(None);
        };
        let members = self.store.audience(conversation).await?;
        let roster = Arc::new(Roster::new(standing.conversation, members));
        // Only a read that no change overtook may be kept.
        if self.epoch.load(Ordering::Acquire) == epoch {
            self.cache.insert(conversation, roster.clone());
        }
        Ok(Some(roster))
    }

    /// The conversation's membership or settings changed: read it again next time.
    pub(crate) fn forget(&self, conversation: ConversationId) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate(&conversation);
    }
}
