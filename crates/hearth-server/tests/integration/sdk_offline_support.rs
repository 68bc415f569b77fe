//! Helpers for the offline-first SDK suite: a `hearth serve` process that can be killed
//! (SIGKILL) and started again on the same port and data directory, and waiting on an
//! offline client's change stream until its store says what a test expects.

use std::process::Child;
use std::sync::Arc;
use std::time::Duration;

use hearth_sdk::offline::{Backoff, LocalStore, Offline};
use tokio::sync::broadcast::error::RecvError;

use crate::lifecycle::serve_on;

/// How long a test waits for its offline client to reach the state it expects.
const PATIENCE: Duration = Duration::from_secs(30);

/// A fast backoff, so that the tests wait for events, not for long sleeps.
pub const FAST: Backoff = Backoff {
    base: Duration::from_millis(50),
    max: Duration::from_millis(500),
};

/// A `hearth serve` process on SQLite in a data directory of its own; killed when dropped.
pub struct ServerProcess {
    child: Option<Child>,
    /// `127.0.0.1:<port>`, kept across restarts.
    address: String,
    data: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let (child, address) = serve(data.path(), "127.0.0.1:0");
        Self {
            child: Some(child),
            address,
            data,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.address)
    }

    /// SIGKILL: no drain, no goodbye to connected sockets.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data directory.
    pub fn restart(&mut self) {
        self.kill();
        let (child, address) = serve(self.data.path(), &self.address);
        assert_eq!(address, self.address);
        self.child = Some(child);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `hearth serve` on `data` at `listen`, and the address it serves on (`127.0.0.1:<port>`).
fn serve(data: &std::path::Path, listen: &str) -> (Child, String) {
    let (child, base, lines) = serve_on(
        data,
        listen,
        &[
            ("HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE", "100000"),
            ("HEARTH_LIMITS__AUTH_PER_IP_PER_MINUTE", "100000"),
        ],
    );
    // Keep draining its log so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let address = base.trim_start_matches("http://").to_owned();
    (child, address)
}

/// Waits on `offline`'s change stream until `done` holds for its store (checked at once,
/// then after every change); fails the test after [`PATIENCE`].
pub async fn until(offline: &Offline, what: &str, done: impl Fn(&Arc<LocalStore>) -> bool) {
    let mut changes = offline.subscribe();
    let waited = tokio::time::timeout(PATIENCE, async {
        loop {
            if done(offline.store()) {
                return;
            }
            match changes.recv().await {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => panic!("the engine stopped"),
            }
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting until {what}");
}
