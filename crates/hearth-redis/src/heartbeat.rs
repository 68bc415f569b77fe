//! A node's heartbeat in Redis: every [`HEARTBEAT`] it renews its key (alive for
//! [`NODE_TTL`]) and rewrites what it counts (presence, views), so that a dead node's counts
//! are ignored once its key expires and a Redis that lost its data heals within a beat.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::connection::Unanswered;

/// How often a node renews its key and writes its counts again.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long a node counts as alive after its last heartbeat.
pub(crate) const NODE_TTL: Duration = Duration::from_secs(15);
/// How long a counted key outlives the last heartbeat that wrote it.
pub(crate) const KEY_TTL: Duration = Duration::from_secs(60);

/// What a node rewrites in Redis at each heartbeat.
pub(crate) trait Beat: Send + Sync + 'static {
    /// What it is, for the log.
    const WHAT: &'static str;

    /// Renews the node's key and rewrites its counts, once.
    fn beat(&self) -> impl Future<Output = Result<(), Unanswered>> + Send;
}

/// Adds the renewal of the node's key (`node_key`) to a heartbeat's pipeline.
pub(crate) fn renew_node(pipe: &mut redis::Pipeline, node_key: &str) {
    pipe.cmd("SET")
        .arg(node_key)
        .arg(1)
        .arg("PX")
        .arg(NODE_TTL.as_millis() as u64)
        .ignore();
}

/// Beats `what` until the returned token is cancelled (its owner is dropped).
pub(crate) fn start<B: Beat>(what: Arc<B>) -> CancellationToken {
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = what.beat().await {
                tracing::debug!(%error, what = B::WHAT, "heartbeat missed");
            }
            tokio::select! {
                () = stopped.cancelled() => return,
                () = tokio::time::sleep(HEARTBEAT) => {}
            }
        }
    });
    stop
}
