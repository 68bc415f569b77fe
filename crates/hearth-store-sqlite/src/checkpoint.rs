//! Copying the write-ahead log back into the database file, off the writer's thread.
//!
//! In WAL mode every commit appends the pages it changed to the log; a checkpoint copies them
//! into the database file (reading each frame back, writing it in place, syncing the file) so
//! that the log can start over. SQLite's default runs that checkpoint inside the commit that
//! takes the log past 1,000 pages: on the writer's thread, with every caller of the next batch
//! waiting behind it. Profiled under load, checkpoints were a third of the writer's writes.
//!
//! Here the writer only counts pages (SQLite's WAL hook, [`count_pages`]). Every
//! [`CheckpointPolicy::every`] new pages it nudges the checkpointer, a thread with its own
//! connection that runs a PASSIVE checkpoint — one that never waits for, nor blocks, the
//! writer or a reader — while the writer goes on committing.
//!
//! A passive checkpoint can trail a writer that never pauses: the log starts over only when
//! every frame in it is back in the database file. So once the log passes
//! [`CheckpointPolicy::limit`] pages, the writer copies what the checkpointer has not reached
//! yet (usually the last few batches) itself, and its next transaction starts the log over.
//! The log stays bounded under any load; only a reader that holds one snapshot for the whole
//! time can keep it growing, as with SQLite's own checkpoints.
//!
//! Must never: checkpoint from the checkpointer in a mode that waits (FULL, RESTART,
//! TRUNCATE) — it would hold up every write behind it.

use std::cell::Cell;
use std::ffi::c_int;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use hearth_store::StoreError;
use rusqlite::hooks::Wal;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::watch;
use tracing::{debug_span, warn};

use crate::codec::store_error;

/// When the log is copied back, in pages of the log.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CheckpointPolicy {
    /// The checkpointer is nudged each time the log has grown by this many pages.
    pub(crate) every: u32,
    /// Past this many pages the writer copies the rest itself, so that the log starts over.
    pub(crate) limit: u32,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        Self {
            // SQLite's own threshold: a checkpoint copies each hot page once per 1,000 frames.
            every: 1_000,
            // 4 × that (~16 MiB of log at 4 KiB pages): the checkpointer has had three passes to
            // keep up, so the writer's share is the tail of the last one.
            limit: 4_000,
        }
    }
}

thread_local! {
    /// Pages in the log after the last commit on this thread's connection. Only the writer's
    /// connection installs the hook, and it lives on one thread for its whole life.
    static LOG_PAGES: Cell<u32> = const { Cell::new(0) };
}

/// SQLite's WAL hook: called on the committing thread after each commit, with the number of
/// pages now in the log. (A plain `fn`, as rusqlite requires: hence the thread-local.)
fn count_pages(_wal: &Wal, pages: c_int) -> rusqlite::Result<()> {
    LOG_PAGES.with(|cell| cell.set(u32::try_from(pages).unwrap_or(0)));
    Ok(())
}

/// Runs a PASSIVE checkpoint on `conn`. Returns the frames in the log and how many of them
/// are now in the database file.
fn checkpoint_passive(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get(1)?, row.get(2)?))
    })
}

/// Checkpoints so far, by whom.
#[derive(Debug)]
pub(crate) struct CheckpointCounts {
    /// Passes the checkpointer has finished (watchable: tests wait for one).
    pub(crate) passes: watch::Sender<u64>,
    /// Times the writer copied the tail of the log itself.
    pub(crate) by_writer: AtomicU64,
}

impl Default for CheckpointCounts {
    fn default() -> Self {
        Self {
            passes: watch::Sender::new(0),
            by_writer: AtomicU64::new(0),
        }
    }
}

/// The writer's side: after each commit, decides whether anyone copies the log, and who.
pub(crate) struct LogKeeper {
    policy: CheckpointPolicy,
    /// The log's size when the checkpointer was last nudged.
    nudged_at: u32,
    nudge: Option<SyncSender<()>>,
    checkpointer: Option<JoinHandle<()>>,
    counts: Arc<CheckpointCounts>,
}

impl LogKeeper {
    /// Turns SQLite's checkpoint-in-commit off on the writer's connection, counts its log
    /// pages instead, and starts the checkpointer on a connection of its own to `path`.
    pub(crate) fn start(
        writer: &Connection,
        path: &Path,
        policy: CheckpointPolicy,
        counts: Arc<CheckpointCounts>,
    ) -> Result<Self, StoreError> {
        // SQLite's automatic checkpoint is itself a WAL hook, and the pragma sets (here: clears)
        // the connection's one hook: ours must be installed after it.
        writer
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(store_error)?;
        writer.wal_hook(Some(count_pages));
        let conn = connect(path)?;
        let (nudge, nudges) = mpsc::sync_channel(1);
        let thread_counts = counts.clone();
        let checkpointer = std::thread::Builder::new()
            .name("hearth-sqlite-checkpointer".to_owned())
            .spawn(move || {
                // Each nudge is one pass; nudges that arrive during a pass fold into one.
                while nudges.recv().is_ok() {
                    pass(&conn, &thread_counts);
                }
            })
            .map_err(StoreError::backend)?;
        Ok(Self {
            policy,
            nudged_at: 0,
            nudge: Some(nudge),
            checkpointer: Some(checkpointer),
            counts,
        })
    }

    /// Called by the writer after each commit on `writer`.
    pub(crate) fn committed(&mut self, writer: &Connection) {
        let pages = LOG_PAGES.with(Cell::get);
        if pages < self.nudged_at {
            // The log started over.
            self.nudged_at = 0;
        }
        if pages >= self.policy.limit {
            let span = debug_span!("sqlite.checkpoint", by = "writer", pages);
            let _entered = span.enter();
            match checkpoint_passive(writer) {
                Ok(_) => {
                    self.counts.by_writer.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("hearth_sqlite_writer_checkpoints_total").increment(1);
                }
                Err(err) => warn!(cause = %err, "the writer could not copy the log back"),
            }
        } else if pages >= self.nudged_at.saturating_add(self.policy.every) {
            self.nudged_at = pages;
            if let Some(nudge) = &self.nudge {
                // Full: a nudge is already waiting, which covers this one.
                let _ = nudge.try_send(());
            }
        }
    }

    /// Stops the checkpointer after its current pass and waits for its thread.
    pub(crate) fn stop(&mut self) {
        self.nudge = None;
        if let Some(thread) = self.checkpointer.take()
            && thread.join().is_err()
        {
            warn!("the checkpointer thread panicked");
        }
    }
}

impl Drop for LogKeeper {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The checkpointer's connection: read-write (a checkpoint writes the database file), syncing
/// fully (`synchronous=FULL`: the log is synced before the copy, the file after),
/// and never checkpointing on its own.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
    // A passive checkpoint never waits; opening may, while another connection recovers the log.
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(store_error)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(store_error)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(store_error)?;
    Ok(conn)
}

/// One pass of the checkpointer.
fn pass(conn: &Connection, counts: &CheckpointCounts) {
    let span = debug_span!("sqlite.checkpoint", by = "checkpointer");
    let _entered = span.enter();
    match checkpoint_passive(conn) {
        Ok(_) => metrics::counter!("hearth_sqlite_checkpoints_total").increment(1),
        Err(err) => warn!(cause = %err, "checkpoint failed; the next nudge retries"),
    }
    counts.passes.send_modify(|passes| *passes += 1);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use std::path::{Path, PathBuf};

    use rusqlite::Connection;
    use tempfile::TempDir;

    use super::CheckpointPolicy;
    use crate::codec::store_error;
    use crate::statements::execute;
    use crate::writer::Writer;

    const PAGE: u64 = 4096;
    /// A log frame: a 24-byte header and the page.
    const FRAME: u64 = PAGE + 24;

    /// A fresh WAL database with one table.
    fn database(dir: &TempDir) -> PathBuf {
        let path = dir.path().join("log.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            .unwrap();
        conn.execute_batch("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        path
    }

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |meta| meta.len())
    }

    fn log_of(path: &Path) -> PathBuf {
        let mut log = path.as_os_str().to_owned();
        log.push("-wal");
        PathBuf::from(log)
    }

    /// `n` commits, one after another, each adding a page-sized row (a few frames each).
    async fn commit_pages(writer: &Writer, n: usize) {
        for _ in 0..n {
            writer
                .write(|tx| {
                    execute(tx, "INSERT INTO pages (body) VALUES (zeroblob(4096))", [])
                        .map(drop)
                        .map_err(store_error)
                })
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn the_writer_does_not_copy_the_log_back_below_the_limit() {
        let dir = TempDir::new().unwrap();
        let path = database(&dir);
        let before = size(&path);
        let never = CheckpointPolicy {
            every: u32::MAX,
            limit: u32::MAX,
        };
        let writer = Writer::open(&path, 64, never, Vec::new()).await.unwrap();

        // Past SQLite's own checkpoint-in-commit threshold of 1,000 pages.
        commit_pages(&writer, 400).await;

        assert!(size(&log_of(&path)) > 1_000 * FRAME, "the log holds it all");
        assert_eq!(size(&path), before, "nothing copied into the database file");
        writer.close().await;
    }

    #[tokio::test]
    async fn the_checkpointer_copies_the_log_back_while_the_writer_goes_on() {
        let dir = TempDir::new().unwrap();
        let path = database(&dir);
        let before = size(&path);
        let often = CheckpointPolicy {
            every: 16,
            limit: u32::MAX,
        };
        let writer = Writer::open(&path, 64, often, Vec::new()).await.unwrap();
        let mut passes = writer.checkpoints().passes.subscribe();

        commit_pages(&writer, 20).await;
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            passes.wait_for(|passes| *passes >= 1),
        )
        .await
        .unwrap()
        .unwrap();

        assert!(size(&path) > before, "pages copied into the database file");
        let by_writer = writer
            .checkpoints()
            .by_writer
            .load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(by_writer, 0, "the writer copied nothing itself");
        writer.close().await;
    }

    #[tokio::test]
    async fn the_log_starts_over_once_it_passes_the_limit() {
        let dir = TempDir::new().unwrap();
        let path = database(&dir);
        let limit = 64;
        let writer_only = CheckpointPolicy {
            every: u32::MAX,
            limit,
        };
        let writer = Writer::open(&path, 64, writer_only, Vec::new())
            .await
            .unwrap();

        // About ten times the limit, in commits of a few frames.
        commit_pages(&writer, 200).await;

        // The log file keeps its largest size: the limit and one commit's frames at most.
        let largest = size(&log_of(&path));
        assert!(
            largest <= (u64::from(limit) + 8) * FRAME + 32,
            "the log grew to {} frames",
            largest / FRAME
        );
        let by_writer = writer
            .checkpoints()
            .by_writer
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            by_writer >= 5,
            "the writer copied the tail {by_writer} times"
        );
        writer.close().await;
    }
}
