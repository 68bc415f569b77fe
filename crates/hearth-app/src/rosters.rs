//! Who is in each conversation, cached in the process.
//!
//! Every message send asks "is the caller a member, and may they post?" and then "who gets
//! the event?". Both answers come from one [`Roster`] — the conversation's own fields and every
//! member's [`Access`] — read from the store once and kept here, so a send costs no read at
//! all while membership does not change.
//!
//! Exactness: every change of membership or settings goes through the use cases, and they
//! call [`Rosters::forget`] once the change is durable; [`ExactCache`] keeps a read that raced
//! with such a change out of the cache, so on one node a roster is never staler than the store.
//! `forget` also signals every other node over the bus; a node that misses the signal serves
//! a stale roster for at most the cache's time to live.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hearth_domain::{Access, Conversation, ConversationId, UserId};
use hearth_store::{DynStore, StoreError};

use crate::exact_cache::ExactCache;
use crate::realtime::{BusMessage, EventBus, Signal};

/// Most conversations whose rosters are kept.
const CAPACITY: u64 = 10_000;
/// How long a roster is kept without being read back from the store (see `exact_cache.rs`).
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
#[derive(Clone, Debug)]
pub(crate) struct Rosters {
    store: DynStore,
    cache: ExactCache<ConversationId, Arc<Roster>>,
    bus: Arc<dyn EventBus>,
}

impl Rosters {
    pub(crate) fn new(store: DynStore, bus: Arc<dyn EventBus>) -> Self {
        Self {
            store,
            cache: ExactCache::new(CAPACITY, TIME_TO_LIVE),
            bus,
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
        self.cache
            .get_or_load(conversation, async {
                let Some(standing) = self.store.standing(conversation, asking).await? else {
                    return Ok(None);
                };
                let members = self.store.audience(conversation).await?;
                Ok(Some(Arc::new(Roster::new(standing.conversation, members))))
            })
            .await
    }

    /// The conversation's membership or settings changed: read it again next time, on this
    /// node at once and on every other node when the signal reaches it.
    pub(crate) fn forget(&self, conversation: ConversationId) {
        self.forget_here(conversation);
        self.bus
            .publish(BusMessage::Signal(Signal::RosterChanged(conversation)));
    }

    /// Forgets the roster on this node only (a signal from the bus).
    pub(crate) fn forget_here(&self, conversation: ConversationId) {
        self.cache.forget(&conversation);
    }

    /// Forgets every roster on this node (the bus may have lost signals).
    pub(crate) fn forget_all_here(&self) {
        self.cache.forget_all();
    }
}
