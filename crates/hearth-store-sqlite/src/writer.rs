//! The single writer, with group commit.
//!
//! SQLite allows one writer at a time, and a durable commit costs an fsync (3–5 ms on this
//! class of disk), so one transaction per write caps a server at a few hundred writes per
//! second. Instead, every write is a job sent to one task that owns the only read-write
//! connection. The task takes the first waiting job, then every job already queued behind it
//! (up to `max_batch`), runs them all in one `BEGIN IMMEDIATE … COMMIT`, and only then answers
//! their callers. Under load, batches grow by themselves; idle, a batch is one job and the
//! latency is one fsync.
//!
//! Each job runs inside its own SAVEPOINT: a job that fails (a constraint, a conflict) is
//! rolled back alone and reports its error, while the rest of the batch commits. Jobs of one
//! batch run one after another on one connection, so a later job sees what an earlier job of
//! the same batch wrote: two sends with one idempotency key in one batch store one message.
//!
//! If the commit itself fails, every job of the batch is answered with
//! `StoreError::Unavailable`: nothing was acknowledged that is not on disk.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use hearth_store::StoreError;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};
use tracing::{Instrument, debug_span, error};

use crate::codec::store_error;

/// How to answer a job's caller once the batch's fate is known (`Some(why)`: it did not
/// commit).
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// One write, type-erased so that jobs of any result type share the queue.
trait WriteJob: Send {
    /// Runs the write; returns whether it succeeded (so its savepoint is kept) and how to
    /// answer its caller after the commit.
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)>;

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
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
        + Send
        + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)> {
        let TypedJob { work, reply } = *self;
        Box::pin(async move {
            let result = work(conn).await;
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
        })
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

/// The handle to the writer task.
pub(crate) struct Writer {
    commands: mpsc::Sender<Command>,
    /// Transactions committed so far (each holds one batch).
    commits: Arc<AtomicU64>,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// How many writes may wait for the writer before callers wait to enqueue (backpressure).
const QUEUE_DEPTH: usize = 16_384;

impl Writer {
    /// Starts the writer task on `conn`.
    pub(crate) fn spawn(conn: SqliteConnection, max_batch: usize) -> Self {
        let (commands, queue) = mpsc::channel(QUEUE_DEPTH);
        let commits = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(conn, queue, max_batch.max(1), commits.clone()));
        Self { commands, commits }
    }

    /// How many transactions the writer has committed.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `work` in the writer's transaction and returns its result once the transaction
    /// that holds it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(TypedJob { work, reply });
        self.commands
            .send(Command::Write(job))
            .await
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Answers when the writer task is alive and idle enough to run a trivial job.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.write(|_| Box::pin(async { Ok(()) })).await
    }

    /// Lets the writer finish every queued job, then stops it.
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

async fn run(
    mut conn: SqliteConnection,
    mut queue: mpsc::Receiver<Command>,
    max_batch: usize,
    commits: Arc<AtomicU64>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    let mut finishes: Vec<Finish> = Vec::with_capacity(max_batch);
    let mut close: Option<oneshot::Sender<()>> = None;
    while close.is_none() {
        match queue.recv().await {
            Some(Command::Write(job)) => batch.push(job),
            Some(Command::Close(done)) => close = Some(done),
            None => break,
        }
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
        let size = batch.len();
        let span = debug_span!("sqlite.group_commit", batch = size);
        let failure = commit_batch(&mut conn, &mut batch, &mut finishes)
            .instrument(span)
            .await;
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
        for finish in finishes.drain(..) {
            finish(failure.as_deref());
        }
    }
    if let Some(done) = close {
        let _ = sqlx::Connection::close(conn).await;
        let _ = done.send(());
    }
}

/// Runs every job of the batch in one transaction. Returns why the batch did not commit, if
/// it did not; jobs that never ran are answered here.
async fn commit_batch(
    conn: &mut SqliteConnection,
    batch: &mut Vec<Job>,
    finishes: &mut Vec<Finish>,
) -> Option<String> {
    if let Err(err) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        let why = store_error(err).to_string();
        batch.drain(..).for_each(|job| job.abort(&why));
        return Some(why);
    }
    let mut broken: Option<String> = None;
    for job in batch.drain(..) {
        if let Some(why) = &broken {
            job.abort(why);
            continue;
        }
        if let Err(err) = sqlx::query("SAVEPOINT job").execute(&mut *conn).await {
            let why = store_error(err).to_string();
            job.abort(&why);
            broken = Some(why);
            continue;
        }
        let (succeeded, finish) = job.run(conn).await;
        let end = if succeeded {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        if let Err(err) = sqlx::raw_sql(end).execute(&mut *conn).await {
            broken = Some(store_error(err).to_string());
        }
        finishes.push(finish);
    }
    let outcome = match broken {
        Some(why) => Err(why),
        None => sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .map(drop)
            .map_err(|e| store_error(e).to_string()),
    };
    match outcome {
        Ok(()) => None,
        Err(why) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Some(why)
        }
    }
}
