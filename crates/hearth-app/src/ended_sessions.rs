//! Sessions ended by another process reach this node: the feed that each node follows so
//! that `hearth admin disable-user` (or any writer on the same database without this node's
//! bus) ends a session's tokens and connections at once, not when its access token expires.
//!
//! Use cases on a node announce the sessions they end on the bus; the operator's CLI is a
//! process of its own whose bus reaches no server. So every node also asks the store, once
//! per interval, which sessions were revoked lately, and applies those it did not know of as
//! if the bus had brought them ([`BusReceiver::session_ended`]): their access tokens are
//! refused and their sockets closed. The first pass looks back one access-token lifetime, so
//! a node that starts (or restarts) also refuses tokens of sessions that ended before it.
//!
//! Must never: end a session the store did not revoke, or stop on a failed pass (the next
//! pass looks back far enough to cover it).

use std::time::Duration;

use hearth_domain::Timestamp;
use hearth_store::DynStore;
use tracing::Instrument;

use crate::now;
use crate::realtime::BusReceiver;

/// How far each pass looks back beyond the previous pass's start: room for clocks of
/// different processes that disagree by a little and for a revocation's transaction that
/// commits after the pass that should have seen it.
const OVERLAP: Duration = Duration::from_secs(10);

/// The feed of sessions ended anywhere; [`EndedSessionFeed::run`] follows it.
#[derive(Clone, Debug)]
pub struct EndedSessionFeed {
    store: DynStore,
    receiver: BusReceiver,
    look_back: Duration,
}

impl EndedSessionFeed {
    /// A feed applying what `store` reports to this node through `receiver`; the first pass
    /// looks back `look_back` (the access-token lifetime and its leeway).
    pub(crate) fn new(store: DynStore, receiver: BusReceiver, look_back: Duration) -> Self {
        Self {
            store,
            receiver,
            look_back,
        }
    }

    /// Applies the sessions that ended within one access-token lifetime (a node that starts
    /// refuses their tokens before it serves anyone), then follows the feed in a task, a pass
    /// every `interval`, until the task is aborted.
    pub async fn start(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let since = self.pass_since(now() - self.look_back).await;
        tokio::spawn(self.follow(since, interval))
    }

    async fn follow(self, mut since: Timestamp, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            since = self.pass_since(since).await;
        }
    }

    /// One pass from `since`; where the next pass starts: just before this one's start, or
    /// at `since` again when this one failed.
    async fn pass_since(&self, since: Timestamp) -> Timestamp {
        let started = now();
        let pass = self.pass(since);
        match pass
            .instrument(tracing::debug_span!("ended_sessions"))
            .await
        {
            Ok(()) => started - OVERLAP,
            Err(err) => {
                tracing::warn!(cause = %err, "a pass over the ended sessions failed");
                since
            }
        }
    }

    /// Applies every session revoked at `since` or later that this node has not yet ended.
    async fn pass(&self, since: Timestamp) -> Result<(), hearth_store::StoreError> {
        let ended = self.store.sessions_ended_since(since).await?;
        let mut new = 0_usize;
        for session in ended {
            if !self.receiver.knows_ended(session) {
                self.receiver.end_session(session);
                new += 1;
            }
        }
        if new > 0 {
            tracing::info!(
                sessions = new,
                "sessions ended by another process now end here"
            );
        }
        Ok(())
    }
}
