//! Making commits durable off the writer's thread, and holding back everyone who saw one
//! until it is.
//!
//! A commit in WAL mode appends the batch's pages to the log; with `synchronous=FULL` SQLite
//! then syncs the log inside `COMMIT`, and the writer's thread sits in that fsync (a fifth of
//! its time under load, with the CPU idle) before it can start the next batch. Here the
//! writer's connection commits with `synchronous=NORMAL` — the log is written, not synced —
//! hands the batch to the syncer thread, and goes on with the next batch. The syncer syncs the
//! log (`fdatasync` of the `-wal` file: one sync covers every batch written before it) and only
//! then answers the batch's callers. So a write is still acknowledged only once it is on disk,
//! and one fsync now overlaps the next batch's work.
//!
//! A commit is visible to readers as soon as it is written, before the sync. A reader that
//! returned such a row, followed by a power cut, would have shown a message the server then
//! no longer has (and whose seq it hands out again). So the readers are held to the same rule
//! as the writer's callers: every commit is numbered ([`Durability::announce`], before its
//! `COMMIT`), the syncer publishes how far the log is synced, and a read returns only once
//! every commit announced when it finished is synced ([`Durability::settled`]). Commits
//! announced before a read finished include every commit it could have seen, because the
//! number is taken before the commit becomes visible.
//!
//! `synchronous=NORMAL` keeps the database consistent across a power cut by itself: SQLite
//! still syncs the log before a checkpoint copies it, the database file after, and the log's
//! header when it starts over. Only durability of the latest commits is left to the syncer.
//!
//! If a sync fails, nothing it covered can be called durable (the kernel may have dropped the
//! pages): the batches are answered unavailable, and from then on every write and every read
//! fails until the process restarts and SQLite recovers the log — the rule PostgreSQL follows.
//!
//! Must never: answer a write, or return a read, before the sync that covers it.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use hearth_store::StoreError;
use tokio::sync::watch;
use tracing::{debug_span, error};

/// How to answer a write's caller once its batch's fate is known (`Some(why)`: it did not
/// become durable).
pub(crate) type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// Why everything fails after a sync failed.
pub(crate) const SYNC_FAILED: &str =
    "the database log could not be synced to disk; restart the server";

/// How far the log is synced.
#[derive(Clone, Copy, Debug, Default)]
struct Synced {
    /// Every commit numbered up to here is durable.
    upto: u64,
    /// A sync failed: nothing after it may be called durable.
    failed: bool,
}

/// The commits made visible and the commits made durable, shared by the writer, the syncer
/// and the readers.
#[derive(Debug)]
pub(crate) struct Durability {
    /// The number of the latest commit the writer started (see [`Self::announce`]).
    announced: AtomicU64,
    synced: watch::Sender<Synced>,
}

impl Durability {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            announced: AtomicU64::new(0),
            synced: watch::Sender::new(Synced::default()),
        })
    }

    /// Numbers the commit the writer is about to run. Must be called before `COMMIT`: a reader
    /// that sees the commit must find it announced.
    pub(crate) fn announce(&self) -> u64 {
        self.announced.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The number of the latest commit announced.
    pub(crate) fn announced(&self) -> u64 {
        self.announced.load(Ordering::SeqCst)
    }

    /// Whether a sync has failed (every write and read now fails).
    pub(crate) fn failed(&self) -> bool {
        self.synced.borrow().failed
    }

    /// Waits until every commit numbered up to `seen` is durable. A reader takes `seen` from
    /// [`Self::announced`] once its read is done, and returns what it read only after this.
    pub(crate) async fn settled(&self, seen: u64) -> Result<(), StoreError> {
        let covered = |synced: &Synced| synced.failed || synced.upto >= seen;
        let synced = *self.synced.borrow();
        let synced = if covered(&synced) {
            synced
        } else {
            let mut updates = self.synced.subscribe();
            *updates
                .wait_for(covered)
                .await
                .map_err(|_| StoreError::Unavailable(SYNC_FAILED.to_owned()))?
        };
        if synced.failed {
            return Err(StoreError::Unavailable(SYNC_FAILED.to_owned()));
        }
        Ok(())
    }

    fn mark_synced(&self, upto: u64) {
        self.synced
            .send_modify(|synced| synced.upto = synced.upto.max(upto));
    }

    fn mark_failed(&self) {
        self.synced.send_modify(|synced| synced.failed = true);
    }
}

/// Makes the log durable.
pub(crate) trait LogSync: Send + 'static {
    /// Syncs everything written to the log so far to disk.
    fn sync(&mut self) -> io::Result<()>;
}

/// The database's `-wal` file, opened beside SQLite's own handle: `fdatasync` on any handle
/// flushes the file's pages, whoever wrote them. SQLite deletes the log only when the last
/// connection closes, and the writer's connection stays open as long as this handle is used.
pub(crate) struct WalFile(File);

impl WalFile {
    /// Opens the log of the database at `database`; it must exist (a connection in WAL mode
    /// has read the database).
    pub(crate) fn open(database: &Path) -> Result<Self, StoreError> {
        let mut path = database.as_os_str().to_owned();
        path.push("-wal");
        File::open(&path).map(Self).map_err(|err| {
            StoreError::Unavailable(format!("the database log could not be opened: {err}"))
        })
    }
}

impl LogSync for WalFile {
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
}

/// A batch the writer has committed (or failed to), waiting for the sync that makes it
/// durable before its callers are answered.
pub(crate) struct Committed {
    /// The latest commit announced when the batch ended (its own, if it reached `COMMIT`).
    pub(crate) upto: u64,
    /// Why the batch did not commit, if it did not.
    pub(crate) failure: Option<String>,
    pub(crate) finishes: Vec<Finish>,
}

/// The handle to the syncer thread.
pub(crate) struct Syncer {
    batches: Option<mpsc::Sender<Committed>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    /// Starts the syncer over `log`.
    pub(crate) fn start(
        log: Box<dyn LogSync>,
        durability: Arc<Durability>,
    ) -> Result<Self, StoreError> {
        let (batches, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hearth-sqlite-syncer".to_owned())
            .spawn(move || run(log, &durability, &queue))
            .map_err(StoreError::backend)?;
        Ok(Self {
            batches: Some(batches),
            thread: Some(thread),
        })
    }

    /// Queues a batch: its callers are answered once the log is synced past it.
    pub(crate) fn settle(&self, batch: Committed) {
        let unsent = match &self.batches {
            Some(batches) => batches.send(batch).err().map(|failed| failed.0),
            None => Some(batch),
        };
        if let Some(batch) = unsent {
            // The syncer is gone (it panicked): nothing can be made durable any more.
            answer(batch, Some(SYNC_FAILED));
        }
    }

    /// Lets the syncer answer every batch queued so far, then stops it.
    pub(crate) fn stop(&mut self) {
        self.batches = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            error!("the log syncer panicked");
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn answer(batch: Committed, failure: Option<&str>) {
    let failure = batch.failure.as_deref().or(failure);
    for finish in batch.finishes {
        finish(failure);
    }
}

/// Marks the log failed if the syncer panics, so that no one waits for a sync that will not
/// come (the writer, readers) and everything fails instead.
struct FailOnPanic<'a>(&'a Durability);

impl Drop for FailOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.mark_failed();
        }
    }
}

/// The syncer thread: takes every batch queued, syncs once for all of them, answers them in
/// order, publishes how far the log is synced; until the writer is gone.
fn run(mut log: Box<dyn LogSync>, durability: &Durability, queue: &mpsc::Receiver<Committed>) {
    let _poison = FailOnPanic(durability);
    let mut group: Vec<Committed> = Vec::new();
    while let Ok(first) = queue.recv() {
        group.push(first);
        group.extend(queue.try_iter());
        let upto = group.iter().map(|batch| batch.upto).max().unwrap_or(0);
        let any_committed = group.iter().any(|batch| batch.failure.is_none());
        if any_committed && !durability.failed() {
            let span = debug_span!("sqlite.sync_log", batches = group.len());
            let _entered = span.enter();
            let started = std::time::Instant::now();
            let outcome = log.sync();
            metrics::histogram!("hearth_sqlite_log_sync_seconds")
                .record(started.elapsed().as_secs_f64());
            if let Err(err) = outcome {
                error!(cause = %err, "syncing the database log failed; every write and read fails from now on");
                metrics::counter!("hearth_sqlite_sync_failures_total").increment(1);
                durability.mark_failed();
            }
        }
        durability.mark_synced(upto);
        let failure = durability.failed().then_some(SYNC_FAILED);
        for batch in group.drain(..) {
            answer(batch, failure);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use std::io;
    use std::path::PathBuf;
    use std::pin::pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use futures::poll;
    use hearth_store::StoreError;
    use rusqlite::Connection;
    use tempfile::TempDir;
    use tokio::sync::mpsc;

    use super::LogSync;
    use crate::codec::store_error;
    use crate::readers::Readers;
    use crate::statements::execute;
    use crate::writer::Writer;

    /// A log whose every sync waits for the test to decide its outcome.
    struct GatedLog {
        started: mpsc::UnboundedSender<()>,
        outcomes: std::sync::mpsc::Receiver<io::Result<()>>,
    }

    impl LogSync for GatedLog {
        fn sync(&mut self) -> io::Result<()> {
            let _ = self.started.send(());
            // The test is gone: let the writer finish.
            self.outcomes.recv().unwrap_or(Ok(()))
        }
    }

    /// The test's side of a [`GatedLog`].
    struct Gate {
        started: mpsc::UnboundedReceiver<()>,
        outcomes: std::sync::mpsc::Sender<io::Result<()>>,
    }

    impl Gate {
        /// Waits until the syncer is inside a sync.
        async fn sync_started(&mut self) {
            self.started.recv().await.unwrap();
        }

        fn finish_sync(&self, outcome: io::Result<()>) {
            self.outcomes.send(outcome).unwrap();
        }
    }

    /// A WAL database with one table, a writer on it whose log syncs through a gate, and
    /// readers beside it.
    async fn gated_store(dir: &TempDir) -> (Writer, Readers, Gate) {
        let path: PathBuf = dir.path().join("durable.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            .unwrap();
        conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .unwrap();
        drop(conn);
        let (started, started_rx) = mpsc::unbounded_channel();
        let (outcomes, outcomes_rx) = std::sync::mpsc::channel();
        let log = GatedLog {
            started,
            outcomes: outcomes_rx,
        };
        let writer = Writer::open_with_log(&path, 64, Box::new(log))
            .await
            .unwrap();
        let readers = Readers::open(&path, 1, writer.durability()).unwrap();
        let gate = Gate {
            started: started_rx,
            outcomes,
        };
        (writer, readers, gate)
    }

    async fn add_note(writer: &Writer, body: &'static str) -> Result<(), StoreError> {
        writer
            .write(move |tx| {
                execute(tx, "INSERT INTO notes (body) VALUES (?)", [body])
                    .map(drop)
                    .map_err(store_error)
            })
            .await
    }

    #[tokio::test]
    async fn a_write_is_answered_only_once_the_log_is_synced() {
        let dir = TempDir::new().unwrap();
        let (writer, _readers, mut gate) = gated_store(&dir).await;

        let mut write = pin!(add_note(&writer, "kept"));
        assert!(poll!(&mut write).is_pending());
        gate.sync_started().await;
        // The batch is committed and handed over; its answer waits for the sync.
        assert!(poll!(&mut write).is_pending());

        gate.finish_sync(Ok(()));
        assert!(write.await.is_ok());
    }

    #[tokio::test]
    async fn the_writer_commits_further_batches_while_a_sync_runs() {
        let dir = TempDir::new().unwrap();
        let (writer, _readers, mut gate) = gated_store(&dir).await;
        let mut first = pin!(add_note(&writer, "first"));
        assert!(poll!(&mut first).is_pending());
        gate.sync_started().await;

        // The first batch's sync is held; the next two are committed one after the other.
        let mut second = pin!(add_note(&writer, "second"));
        committed(&writer, &mut second, 2).await;
        let mut third = pin!(add_note(&writer, "third"));
        committed(&writer, &mut third, 3).await;

        gate.finish_sync(Ok(()));
        first.await.unwrap();
        gate.sync_started().await;
        gate.finish_sync(Ok(()));
        second.await.unwrap();
        third.await.unwrap();
    }

    /// Polls `write` (it must stay unanswered: its sync cannot have run) until the writer has
    /// made `commits` commits, at most 10 s.
    async fn committed(
        writer: &Writer,
        write: &mut std::pin::Pin<&mut impl Future<Output = Result<(), StoreError>>>,
        commits: u64,
    ) {
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while writer.commits() < commits {
                assert!(poll!(write.as_mut()).is_pending());
                tokio::task::yield_now().await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("commit {commits} waited for a sync"));
        assert!(
            poll!(write.as_mut()).is_pending(),
            "answered before its sync"
        );
    }

    #[tokio::test]
    async fn a_read_returns_only_once_the_log_is_synced_past_what_it_saw() {
        let dir = TempDir::new().unwrap();
        let (writer, readers, mut gate) = gated_store(&dir).await;
        let mut first = pin!(add_note(&writer, "first"));
        assert!(poll!(&mut first).is_pending());
        gate.sync_started().await;
        gate.finish_sync(Ok(()));
        first.await.unwrap();
        let mut second = pin!(add_note(&writer, "second"));
        assert!(poll!(&mut second).is_pending());
        gate.sync_started().await;

        // The second note is committed (visible) but not yet durable.
        let read_done = Arc::new(AtomicBool::new(false));
        let done = read_done.clone();
        let mut read = pin!(readers.read(move |conn| {
            let notes: i64 = conn
                .query_row("SELECT count(*) FROM notes", [], |row| row.get(0))
                .map_err(store_error)?;
            done.store(true, Ordering::SeqCst);
            Ok(notes)
        }));
        while !read_done.load(Ordering::SeqCst) {
            assert!(poll!(&mut read).is_pending());
            tokio::task::yield_now().await;
        }
        assert!(poll!(&mut read).is_pending(), "returned before the sync");

        gate.finish_sync(Ok(()));
        assert_eq!(read.await.unwrap(), 2);
        second.await.unwrap();
    }

    #[tokio::test]
    async fn after_a_failed_sync_every_write_and_read_fails() {
        let dir = TempDir::new().unwrap();
        let (writer, readers, mut gate) = gated_store(&dir).await;
        let mut write = pin!(add_note(&writer, "lost"));
        assert!(poll!(&mut write).is_pending());
        gate.sync_started().await;

        gate.finish_sync(Err(io::Error::other("disk gone")));

        assert!(matches!(write.await, Err(StoreError::Unavailable(_))));
        assert!(matches!(
            add_note(&writer, "later").await,
            Err(StoreError::Unavailable(_))
        ));
        let read = readers
            .read(|conn| {
                conn.query_row("SELECT count(*) FROM notes", [], |row| row.get::<_, i64>(0))
                    .map_err(store_error)
            })
            .await;
        assert!(matches!(read, Err(StoreError::Unavailable(_))));
    }
}
