//! Hearth's embedded SQLite store.
//!
//! One database file in WAL mode, one driver (rusqlite). Reads go to a few read-only
//! connections, each on a reader thread of its own ([`readers`]), which WAL lets run beside
//! the writer. Every write goes through the single [`writer`] (a thread that owns the one
//! read-write connection), which commits concurrent writes together (group commit): one
//! transaction and one fsync per batch, with a savepoint per write so one failing write never
//! undoes another. The fsync runs on a thread of its own while the writer goes on
//! ([`durability`]); a write's caller is answered, and a read returns, only once everything it
//! wrote or saw is durable. Migrations are applied when the store opens ([`migrations`]).
//!
//! This crate implements the ports of `hearth-store` and nothing else: no business rule lives
//! here, and no SQLite type leaves it.

mod accounts;
mod changes;
mod checkpoint;
mod codec;
mod conversations;
mod discovery;
mod durability;
mod events;
mod export;
mod history;
mod joins;
mod markers;
mod media;
mod members;
mod messages;
mod migrations;
mod privacy;
mod reactions;
mod readers;
mod rows;
mod search;
mod secrets;
mod sessions;
mod sign_ins;
mod statements;
mod summaries;
mod sync;
mod threads;
mod tx;
mod users;
mod writer;

pub use crate::export::Export;

use std::path::{Path, PathBuf};
use std::time::Duration;

use hearth_store::{HealthStore, StoreError};
use rusqlite::{Connection, OpenFlags};

use crate::checkpoint::CheckpointPolicy;
use crate::codec::store_error;
use crate::readers::Readers;
use crate::search::Indexer;
use crate::writer::Writer;

/// The embedded SQLite store. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct SqliteStore {
    readers: Readers,
    writer: Writer,
}

/// Tuning of the store.
#[derive(Clone, Copy, Debug)]
pub struct SqliteOptions {
    /// Read-only connections, each on a reader thread of its own.
    pub readers: u32,
    /// Most writes committed in one transaction.
    pub max_batch: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            readers: 8,
            max_batch: 512,
        }
    }
}

/// The page size of a new database, in bytes (SQLite's default is 4,096). A send changes a
/// page in each of a few indexes (its conversation's seq, its sender's idempotency keys), and
/// each changed page goes to the log whole: with smaller pages a batch writes less log, and its
/// sync — which every caller of the batch waits for — is shorter. Measured on 64 senders:
/// ~10 % more messages a second than at 4 KiB, reads no slower; 1 KiB was no faster again and
/// splits long messages over more overflow pages. A database keeps the page size it was
/// created with.
const PAGE_SIZE: u32 = 2048;

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies pending migrations and
    /// starts the writer and the readers.
    pub async fn open(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        Self::migrate(path).await?;
        // The writer brings the full-text indexes up to date after every batch that needs it.
        let writer = Writer::open(
            path,
            options.max_batch,
            CheckpointPolicy::default(),
            vec![Box::new(Indexer)],
        )
        .await?;

        // Messages sent just before a crash may still wait for their indexing pass.
        writer
            .write(|tx| search::index_pending(tx).map(drop))
            .await?;
        let readers = Readers::open(path, options.readers, writer.durability())?;

        Ok(Self { readers, writer })
    }

    /// Applies pending migrations to the database at `path` (creating it) and returns how many
    /// were applied.
    pub async fn migrate(path: &Path) -> Result<usize, StoreError> {
        let path: PathBuf = path.to_owned();
        tokio::task::spawn_blocking(move || run_migrations(&path))
            .await
            .map_err(StoreError::backend)?
    }

    /// How many write transactions have committed since the store opened. Each holds a whole
    /// batch of writes, so under concurrency this grows slower than the number of writes.
    pub fn commits(&self) -> u64 {
        self.writer.commits()
    }

    /// Finishes queued writes, stops the writer and closes every connection.
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

/// Creates the database if needed (WAL mode, [`PAGE_SIZE`]) and applies pending migrations,
/// each in its own transaction, with foreign keys enforced and a synced commit each. Returns
/// how many were applied.
fn run_migrations(path: &Path) -> Result<usize, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(store_error)?;
    // Only takes effect on a new database, and must come before the log exists.
    conn.pragma_update(None, "page_size", PAGE_SIZE)
        .map_err(store_error)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(store_error)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(store_error)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(store_error)?;
    migrations::migrate(&mut conn, migrations::MIGRATIONS)
}

#[async_trait::async_trait]
impl HealthStore for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.readers
            .read(|conn| {
                statements::query_one(conn, "SELECT 1", [], |row| row.get::<_, i64>(0))
                    .map_err(store_error)
            })
            .await?;
        self.writer.ping().await
    }

    async fn close(&self) {
        SqliteStore::close(self).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_database_gets_the_chosen_page_size() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = SqliteStore::open(&dir.path().join("pages.db"), SqliteOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        let size: i64 = store
            .readers
            .read(|conn| {
                conn.query_row("PRAGMA page_size", [], |row| row.get(0))
                    .map_err(store_error)
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        assert_eq!(size, i64::from(PAGE_SIZE));
    }

    /// The server spawns the future that opens its store; it must stay `Send`.
    #[test]
    fn opening_a_store_is_a_send_future() {
        fn is_send<T: Send>(_: T) {}
        is_send(SqliteStore::open(
            Path::new("unused.db"),
            SqliteOptions::default(),
        ));
    }
}
