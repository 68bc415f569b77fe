//! The read-only connections, and the one way to read through them.
//!
//! Each connection is owned by a reader thread of its own (`hearth-sqlite-reader`), and the
//! threads share one queue of reads. A read is a synchronous closure over the connection
//! ([`Readers::read`]): every statement in it is a direct call into SQLite through the
//! connection's cache of prepared statements, so a read costs one hand-off to a reader thread
//! and one back, however many statements it runs. (With sqlx every statement crossed to the
//! connection's worker thread and back.) The threads are dedicated rather than Tokio's
//! blocking pool so that each keeps its connection, and its compiled statements, to itself
//! with no pool to check a connection out of; a read waits in the queue only when every
//! reader is busy. A read that panics takes its reader down (its caller is answered
//! `Unavailable`) and the others go on.
//!
//! A reader may see a commit whose log the syncer has not yet made durable (see
//! [`crate::durability`]). So once the closure is done, its reader takes the number of the
//! latest commit announced, and [`Readers::read`] hands the result back only once the log is
//! synced up to it: every commit the read could have seen. No connection leaves this module,
//! so no read can skip the wait. Under write load the wait is at most the rest of the sync
//! running and the next one; idle, it is a check of one number.
//!
//! Must never: hand out a connection, or return what was read, without that wait.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use hearth_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;
use tracing::error;

use crate::codec::store_error;
use crate::durability::Durability;

/// Prepared statements each reader keeps compiled (every read's SQL fits).
const STATEMENT_CACHE: usize = 256;

/// One read, type-erased so that reads of any result type share the queue.
type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

/// What a reader thread takes from the queue.
enum Command {
    Read(ReadJob),
    /// Close the connection and end the thread.
    Stop,
}

/// The read-only connections of a store, each on its reader thread.
pub(crate) struct Readers {
    queue: crossbeam_channel::Sender<Command>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    durability: Arc<Durability>,
}

impl fmt::Debug for Readers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readers").finish_non_exhaustive()
    }
}

/// Opens a read-only connection to the database at `path`: foreign keys on and a 10 s busy
/// timeout, as the writer's.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(store_error)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(store_error)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn readers_gone() -> StoreError {
    StoreError::Unavailable("the database readers have stopped".to_owned())
}

impl Readers {
    /// Opens `size` read-only connections to the database at `path`, each on a reader thread,
    /// reading only what `durability` says is on disk.
    pub(crate) fn open(
        path: &Path,
        size: u32,
        durability: Arc<Durability>,
    ) -> Result<Self, StoreError> {
        let (queue, jobs) = crossbeam_channel::unbounded::<Command>();
        let mut threads = Vec::new();
        for _ in 0..size.max(1) {
            let conn = connect(path)?;
            let jobs = jobs.clone();
            let thread = std::thread::Builder::new()
                .name("hearth-sqlite-reader".to_owned())
                .spawn(move || {
                    while let Ok(Command::Read(job)) = jobs.recv() {
                        job(&conn);
                    }
                })
                .map_err(StoreError::backend)?;
            threads.push(thread);
        }
        Ok(Self {
            queue,
            threads: Mutex::new(threads),
            durability,
        })
    }

    /// Runs `work` on a reader's connection; returns its result once every commit it could
    /// have seen is durable. The reader takes its next read before the wait.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        // Every read of the store passes here: the figure tells reads per request apart from
        // reads per row (the GraphQL face's batching is tested with it).
        match hearth_store::is_background() {
            false => metrics::counter!("hearth_store_reads_total").increment(1),
            true => {
                metrics::counter!("hearth_store_reads_total", "work" => "background").increment(1)
            }
        }
        let (reply, answer) = oneshot::channel();
        let durability = self.durability.clone();
        let job: ReadJob = Box::new(move |conn| {
            let result = work(conn);
            // Every commit this read could have seen was announced before it became visible.
            let seen = durability.announced();
            // The caller may have gone away (request cancelled).
            let _ = reply.send((result, seen));
        });
        self.queue
            .send(Command::Read(job))
            .map_err(|_| readers_gone())?;
        let (result, seen) = answer.await.map_err(|_| readers_gone())?;
        let value = result?;
        self.durability.settled(seen).await?;
        Ok(value)
    }

    /// Lets the readers finish every read queued so far, then stops them and closes their
    /// connections. Later reads fail `Unavailable`.
    pub(crate) async fn close(&self) {
        let threads =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        // Behind every read queued so far: each reader takes one stop and ends.
        for _ in &threads {
            let _ = self.queue.send(Command::Stop);
        }
        let joined = tokio::task::spawn_blocking(move || {
            threads.into_iter().any(|thread| thread.join().is_err())
        })
        .await;
        if !matches!(joined, Ok(false)) {
            error!("a database reader panicked");
        }
    }
}
