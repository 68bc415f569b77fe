//! The single writer, with group commit.
//!
//! SQLite allows one writer at a time, and a durable commit costs an fsync (3–5 ms on this
//! class of disk), so one transaction per write caps a server at a few hundred writes per
//! second. Instead, every write is a job sent to one thread that owns the only read-write
//! connection. The thread takes the first waiting job, then every job already queued behind it
//! (up to `max_batch`), runs them all in one `BEGIN IMMEDIATE … COMMIT`, and hands the batch
//! to the syncer ([`crate::durability`]), which answers their callers once the log is synced
//! past it; meanwhile the writer runs the next batch. Under load, batches grow by themselves;
//! idle, a batch is one job and the latency is one fsync.
//!
//! Each job runs inside its own SAVEPOINT: a job that fails (a constraint, a conflict) is
//! rolled back alone and reports its error, while the rest of the batch commits. Jobs of one
//! batch run one after another on one connection, so a later job sees what an earlier job of
//! the same batch wrote: two sends with one idempotency key in one batch store one message.
//!
//! If the commit itself fails, every job of the batch is answered with
//! `StoreError::Unavailable`: nothing was acknowledged that is not on disk. After a failed
//! sync, every job is answered so without running.
//!
//! After the last job of a batch, inside its transaction and before its commit, the writer
//! runs the [`BatchHook`]s the store registered when it opened (the search indexer, which
//! applies the index changes the batch's jobs queued). The writer knows nothing of what they
//! do; a hook that fails fails the batch.
//!
//! The writer is a plain OS thread that owns a rusqlite connection, and a job is a
//! synchronous closure over it ([`Tx`]). The writer once ran on sqlx, which keeps each
//! connection on a worker thread of its own and hands every statement to it and back through a
//! channel: at ~10 statements a message, those hand-offs (futex wake-ups) cost far more than
//! SQLite did. Here a statement is a direct call into SQLite through a cached prepared
//! statement, and the only hand-offs left are one per job (the queue in, the answer out).
//! Callers wait on the answer asynchronously; the queue is bounded, so a writer that falls
//! behind slows the callers down (backpressure) instead of growing memory.
//!
//! `close` lets the thread finish every job queued before it, then closes the connection.
//! A job that panics takes the thread down; every later write then fails `Unavailable`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hearth_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug_span, error};

use crate::checkpoint::{CheckpointCounts, CheckpointPolicy, LogKeeper};
use crate::codec::store_error;
use crate::durability::{Committed, Durability, Finish, LogSync, SYNC_FAILED, Syncer, WalFile};
pub(crate) use crate::tx::Tx;

/// Work that runs after the last job of every batch, inside the batch's transaction and
/// before its commit. The store registers its hooks when it opens the writer.
pub(crate) trait BatchHook: Send {
    /// Runs on the batch's transaction; an error rolls the whole batch back.
    fn after_jobs(&self, tx: &Tx) -> Result<(), StoreError>;
}

/// The hooks of a writer, in the order they run.
pub(crate) type BatchHooks = Vec<Box<dyn BatchHook>>;

/// One write, type-erased so that jobs of any result type share the queue.
trait WriteJob: Send {
    /// Runs the write; returns whether it succeeded (so its savepoint is kept) and how to
    /// answer its caller after the commit.
    fn run(self: Box<Self>, tx: &Tx) -> (bool, Finish);

    /// Answers the caller without running: the batch's transaction could not be used.
    fn abort(self: Box<Self>, why: &str);
}

/// A write and the channel its caller waits on.
struct TypedJob<T, F> {
    work: F,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> WriteJob for TypedJob<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Tx) -> Result<T, StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Tx) -> (bool, Finish) {
        let TypedJob { work, reply } = *self;
        let result = work(tx);
        let succeeded = result.is_ok();
        let finish: Finish = Box::new(move |commit_failure| {
            let outcome = match commit_failure {
                None => result,
                Some(why) => Err(StoreError::Unavailable(why.to_owned())),
            };
            // The caller may have gone away (request cancelled); the write stands.
            let _ = reply.send(outcome);
        });
        (succeeded, finish)
    }

    fn abort(self: Box<Self>, why: &str) {
        let _ = self
            .reply
            .send(Err(StoreError::Unavailable(why.to_owned())));
    }
}

type Job = Box<dyn WriteJob>;

enum Command {
    Write(Job),
    Close(oneshot::Sender<()>),
}

/// The handle to the writer thread.
pub(crate) struct Writer {
    commands: mpsc::Sender<Command>,
    /// Transactions committed so far (each holds one batch).
    commits: Arc<AtomicU64>,
    /// What is visible and what is durable, for the readers to wait on.
    durability: Arc<Durability>,
    /// Checkpoints so far (see [`crate::checkpoint`]), for the tests that watch them.
    #[cfg(test)]
    checkpoints: Arc<CheckpointCounts>,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// How many writes may wait for the writer before callers wait to enqueue (backpressure).
const QUEUE_DEPTH: usize = 16_384;

/// Prepared statements the writer's connection keeps compiled (every job's SQL fits).
const STATEMENT_CACHE: usize = 256;

/// Opens the writer's connection: read-write, WAL, commits that write the log without syncing
/// it (`synchronous=NORMAL`: the syncer does, see [`crate::durability`]), foreign keys
/// enforced, waiting up to 10 s for a lock (the same settings as the readers'), and temporary
/// files (savepoint journals) in memory.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(store_error)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(store_error)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(store_error)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(store_error)?;
    // Every job's savepoint journals the pages it changes (the statement subjournal); in
    // memory that costs no write() per page. Profiled: ~7 % of the writer's time went there.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(store_error)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

impl Writer {
    /// Opens the writer's connection to the database at `path`, starts the writer thread on
    /// it, and the checkpointer beside it (copying the log back by `checkpoints`). `hooks` run
    /// after the jobs of every batch.
    pub(crate) async fn open(
        path: &Path,
        max_batch: usize,
        checkpoints: CheckpointPolicy,
        hooks: BatchHooks,
    ) -> Result<Self, StoreError> {
        Self::start(path, max_batch, checkpoints, hooks, None).await
    }

    /// [`open`](Self::open), syncing the log through `log` instead of the `-wal` file.
    #[cfg(test)]
    pub(crate) async fn open_with_log(
        path: &Path,
        max_batch: usize,
        log: Box<dyn LogSync>,
    ) -> Result<Self, StoreError> {
        Self::start(
            path,
            max_batch,
            CheckpointPolicy::default(),
            Vec::new(),
            Some(log),
        )
        .await
    }

    async fn start(
        path: &Path,
        max_batch: usize,
        checkpoints: CheckpointPolicy,
        hooks: BatchHooks,
        log: Option<Box<dyn LogSync>>,
    ) -> Result<Self, StoreError> {
        let (commands, queue) = mpsc::channel(QUEUE_DEPTH);
        let commits = Arc::new(AtomicU64::new(0));
        let counts = Arc::new(CheckpointCounts::default());
        let durability = Durability::new();
        let (opened, ready) = oneshot::channel();
        let path: PathBuf = path.to_owned();
        let (counter, thread_counts, visible) =
            (commits.clone(), counts.clone(), durability.clone());
        std::thread::Builder::new()
            .name("hearth-sqlite-writer".to_owned())
            .spawn(move || {
                let started = connect(&path).and_then(|conn| {
                    let keeper = LogKeeper::start(&conn, &path, checkpoints, thread_counts)?;
                    // The connection has read the database, so its log exists.
                    let log = match log {
                        Some(log) => log,
                        None => Box::new(WalFile::open(&path)?),
                    };
                    let syncer = Syncer::start(log, visible.clone())?;
                    Ok((conn, keeper, syncer))
                });
                match started {
                    Ok((conn, keeper, syncer)) => {
                        let _ = opened.send(Ok(()));
                        let ends = Ends {
                            keeper,
                            syncer,
                            durability: visible,
                            hooks,
                        };
                        run(Tx::new(conn), ends, queue, max_batch.max(1), &counter);
                    }
                    Err(err) => {
                        let _ = opened.send(Err(err));
                    }
                }
            })
            .map_err(StoreError::backend)?;
        ready.await.map_err(|_| writer_gone())??;
        Ok(Self {
            commands,
            commits,
            durability,
            #[cfg(test)]
            checkpoints: counts,
        })
    }

    /// How many transactions the writer has committed.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// What is visible and what is durable: readers wait on it (see [`crate::durability`]).
    pub(crate) fn durability(&self) -> Arc<Durability> {
        self.durability.clone()
    }

    /// Checkpoints so far, by the checkpointer and by the writer.
    #[cfg(test)]
    pub(crate) fn checkpoints(&self) -> &CheckpointCounts {
        &self.checkpoints
    }

    /// Runs `work` on the writer thread in the writer's transaction and returns its result
    /// once the transaction that holds it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(TypedJob { work, reply });
        self.commands
            .send(Command::Write(job))
            .await
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Answers when the writer thread is alive and idle enough to run a trivial job.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.write(|_| Ok(())).await
    }

    /// Lets the writer finish every queued job, then stops it and closes its connection.
    pub(crate) async fn close(&self) {
        let (done, stopped) = oneshot::channel();
        if self.commands.send(Command::Close(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

fn writer_gone() -> StoreError {
    StoreError::Unavailable("the database writer has stopped".to_owned())
}

/// What the writer hands its batches on to: the hooks (before the commit), the checkpointer's
/// keeper (the log's size), the syncer (the log's durability) and the watermarks readers wait
/// on.
struct Ends {
    keeper: LogKeeper,
    syncer: Syncer,
    durability: Arc<Durability>,
    hooks: BatchHooks,
}

/// The writer thread: batches of queued jobs, one transaction each, until closed (or every
/// handle is gone).
fn run(
    conn: Tx,
    mut ends: Ends,
    mut queue: mpsc::Receiver<Command>,
    max_batch: usize,
    commits: &AtomicU64,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    let mut close: Option<oneshot::Sender<()>> = None;
    while close.is_none() {
        match queue.blocking_recv() {
            Some(Command::Write(job)) => batch.push(job),
            Some(Command::Close(done)) => close = Some(done),
            None => break,
        }
        // No wait for a sync in progress: batches committed meanwhile share the next sync
        // (one sync covers every batch written before it). Waiting for all but the latest
        // batch to be synced, to gather larger batches, kept a message ~3 syncs from its
        // answer instead of ~2: with 4 ms syncs, 4,500 against 5,800 messages/s from 64
        // senders; on a disk that syncs in 0.2 ms, no difference (docs/performance.md).
        while batch.len() < max_batch && close.is_none() {
            match queue.try_recv() {
                Ok(Command::Write(job)) => batch.push(job),
                Ok(Command::Close(done)) => close = Some(done),
                Err(_) => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        if ends.durability.failed() {
            batch.drain(..).for_each(|job| job.abort(SYNC_FAILED));
            continue;
        }
        let size = batch.len();
        let mut finishes: Vec<Finish> = Vec::with_capacity(size);
        let failure = {
            let span = debug_span!("sqlite.group_commit", batch = size);
            let _entered = span.enter();
            commit_batch(
                &conn,
                &ends.durability,
                &ends.hooks,
                &mut batch,
                &mut finishes,
            )
        };
        match &failure {
            None => {
                commits.fetch_add(1, Ordering::Relaxed);
                metrics::histogram!("hearth_sqlite_commit_batch_size").record(size as f64);
            }
            Some(why) => {
                metrics::counter!("hearth_sqlite_commit_failures_total").increment(1);
                error!(cause = %why, batch = size, "group commit failed; the batch is answered unavailable");
            }
        }
        let committed = failure.is_none();
        ends.syncer.settle(Committed {
            upto: ends.durability.announced(),
            failure,
            finishes,
        });
        if committed {
            // After the hand-off: a checkpoint the writer must run itself delays only the next
            // batch, never this one's callers.
            ends.keeper.committed(&conn);
        }
    }
    ends.syncer.stop();
    ends.keeper.stop();
    drop(conn);
    if let Some(done) = close {
        let _ = done.send(());
    }
}

/// Runs one fixed statement of the batch's bracket (BEGIN, SAVEPOINT, …).
fn bracket(conn: &Tx, sql: &str) -> Result<(), String> {
    crate::statements::execute(conn, sql, [])
        .map(drop)
        .map_err(|e| store_error(e).to_string())
}

/// Runs every job of the batch, then the hooks, in one transaction, announcing the commit to
/// the readers' watermarks before it is made. Returns why the batch did not commit, if it did
/// not; jobs that never ran are answered here.
fn commit_batch(
    conn: &Tx,
    durability: &Durability,
    hooks: &[Box<dyn BatchHook>],
    batch: &mut Vec<Job>,
    finishes: &mut Vec<Finish>,
) -> Option<String> {
    if let Err(why) = bracket(conn, "BEGIN IMMEDIATE") {
        batch.drain(..).for_each(|job| job.abort(&why));
        return Some(why);
    }
    let mut broken: Option<String> = None;
    for job in batch.drain(..) {
        if let Some(why) = &broken {
            job.abort(why);
            continue;
        }
        if let Err(why) = bracket(conn, "SAVEPOINT job") {
            job.abort(&why);
            broken = Some(why);
            continue;
        }
        let mark = conn.queued_index_changes();
        let (succeeded, finish) = job.run(conn);
        let end = if succeeded {
            bracket(conn, "RELEASE job")
        } else {
            conn.drop_index_changes_after(mark);
            bracket(conn, "ROLLBACK TO job").and_then(|()| bracket(conn, "RELEASE job"))
        };
        if let Err(why) = end {
            broken = Some(why);
        }
        finishes.push(finish);
    }
    let outcome = match broken {
        Some(why) => {
            conn.drop_index_changes_after(0);
            Err(why)
        }
        None => hooks
            .iter()
            .try_for_each(|hook| hook.after_jobs(conn))
            .map_err(|e| e.to_string())
            .and_then(|()| {
                durability.announce();
                bracket(conn, "COMMIT")
            }),
    };
    match outcome {
        Ok(()) => None,
        Err(why) => {
            let _ = bracket(conn, "ROLLBACK");
            Some(why)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use hearth_store::StoreError;
    use rusqlite::Connection;
    use tokio::sync::oneshot;

    use super::{Finish, Job, TypedJob, commit_batch};
    use crate::durability::Durability;
    use crate::search::Indexer;
    use crate::tx::{IndexChange, Tx};

    /// A connection with the two full-text indexes of the schema, and their state (every
    /// position used here counts as indexed).
    fn indexed() -> Tx {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE message_search USING fts5 (content); \
             CREATE VIRTUAL TABLE message_words USING fts5 (content); \
             CREATE TABLE search_index_state (id INTEGER PRIMARY KEY, indexed_upto INTEGER); \
             INSERT INTO search_index_state VALUES (1, 1000);",
        )
        .unwrap();
        Tx::new(conn)
    }

    /// A job that queues `text` at `position`, then succeeds or fails.
    fn indexing_job(
        position: i64,
        text: &str,
        fails: bool,
    ) -> (Job, oneshot::Receiver<Result<(), StoreError>>) {
        let (reply, answer) = oneshot::channel();
        let text = text.to_owned();
        let work = move |tx: &Tx| {
            tx.queue_index_change(IndexChange::Add { position, text });
            if fails {
                Err(StoreError::Unavailable("test".to_owned()))
            } else {
                Ok(())
            }
        };
        (Box::new(TypedJob { work, reply }), answer)
    }

    fn indexed_positions(tx: &Tx, table: &str) -> Vec<i64> {
        let mut statement = tx
            .prepare(&format!("SELECT rowid FROM {table} ORDER BY rowid"))
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Commits `batch` as the writer does, with the search indexer as its hook, and answers
    /// its jobs; returns why it did not commit, if it did not.
    fn commit_indexed(tx: &Tx, batch: &mut Vec<Job>) -> Option<String> {
        let mut finishes: Vec<Finish> = Vec::new();
        let failure = commit_batch(
            tx,
            &Durability::new(),
            &[Box::new(Indexer)],
            batch,
            &mut finishes,
        );
        finishes
            .drain(..)
            .for_each(|finish| finish(failure.as_deref()));
        failure
    }

    #[tokio::test]
    async fn a_failed_jobs_index_changes_are_dropped_and_the_rest_applied_once_per_batch() {
        let tx = indexed();
        let (first, first_answer) = indexing_job(1, "kept apple", false);
        let (failing, failing_answer) = indexing_job(2, "dropped banana", true);
        let (last, last_answer) = indexing_job(3, "kept cherry", false);
        let mut batch = vec![first, failing, last];

        let failure = commit_indexed(&tx, &mut batch);

        assert_eq!(failure, None);
        assert!(first_answer.await.unwrap().is_ok());
        assert!(failing_answer.await.unwrap().is_err());
        assert!(last_answer.await.unwrap().is_ok());
        assert_eq!(indexed_positions(&tx, "message_search"), vec![1, 3]);
        assert_eq!(indexed_positions(&tx, "message_words"), vec![1, 3]);
        assert_eq!(tx.queued_index_changes(), 0);
    }

    #[tokio::test]
    async fn index_changes_apply_in_the_order_they_were_queued() {
        let tx = indexed();
        let (reply, answer) = oneshot::channel();
        let work = |tx: &Tx| {
            tx.queue_index_change(IndexChange::Add {
                position: 7,
                text: "first draft".to_owned(),
            });
            // An edit in the same batch: removed, then indexed again with the new text.
            tx.queue_index_change(IndexChange::Remove { position: 7 });
            tx.queue_index_change(IndexChange::Add {
                position: 7,
                text: "second draft".to_owned(),
            });
            Ok::<_, StoreError>(())
        };
        let mut batch: Vec<Job> = vec![Box::new(TypedJob { work, reply })];

        assert_eq!(commit_indexed(&tx, &mut batch), None);

        assert!(answer.await.unwrap().is_ok());
        let found: i64 = tx
            .query_row(
                "SELECT count(*) FROM message_search WHERE message_search MATCH 'second'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        let stale: i64 = tx
            .query_row(
                "SELECT count(*) FROM message_search WHERE message_search MATCH 'first'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!((found, stale), (1, 0));
    }
}
