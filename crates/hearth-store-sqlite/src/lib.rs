//! Hearth's embedded SQLite store.
//!
//! One database file in WAL mode. Reads go to a pool of read-only connections (sqlx, see
//! [`readers`]), which WAL lets run beside the writer. Every write goes through the single
//! [`writer`] (a thread that owns a rusqlite connection to the same file), which commits
//! concurrent writes together (group commit): one transaction and one fsync per batch, with a
//! savepoint per write so one failing write never undoes another. The fsync runs on a thread
//! of its own while the writer goes on ([`durability`]); a write's caller is answered, and a
//! read returns, only once everything it wrote or saw is durable.
//!
//! This crate implements the ports of `hearth-store` and nothing else: no business rule lives
//! here, and no SQLite type leaves it.

mod changes;
mod checkpoint;
mod codec;
mod conversations;
mod discovery;
mod durability;
mod events;
mod history;
mod markers;
mod members;
mod messages;
mod privacy;
mod reactions;
mod readers;
mod rows;
mod search;
mod sessions;
mod summaries;
mod sync;
mod threads;
mod tx;
mod users;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use hearth_store::{HealthStore, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::checkpoint::CheckpointPolicy;
use crate::readers::Readers;
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
    /// Read-only connections in the pool.
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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies pending migrations and
    /// starts the writer.
    pub async fn open(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        let base = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::backend)?
            .filename(path)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .page_size(PAGE_SIZE)
            .statement_cache_capacity(256);

        run_migrations(base.clone()).await?;
        let writer = Writer::open(path, options.max_batch, CheckpointPolicy::default()).await?;

        // Messages sent just before a crash may still wait for their indexing pass.
        writer
            .write(|tx| search::index_pending(tx).map(drop))
            .await?;
        let readers = Readers::open(base, options.readers, writer.durability()).await?;

        Ok(Self { readers, writer })
    }

    /// Applies pending migrations to the database at `path` (creating it) and returns how many
    /// were applied.
    pub async fn migrate(path: &Path) -> Result<usize, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::backend)?
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .page_size(PAGE_SIZE);
        run_migrations(options).await
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

/// Creates the database if needed and applies pending migrations, each in its own
/// transaction. Returns how many were applied.
///
/// Runs through a one-connection pool rather than a bare connection: sqlx's migrator future
/// over `&mut SqliteConnection` is not `Send` for every lifetime (its `Acquire` bound is not
/// general enough), which would make every future that opens a store — the whole server —
/// impossible to spawn.
async fn run_migrations(options: SqliteConnectOptions) -> Result<usize, StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.create_if_missing(true))
        .await
        .map_err(codec::store_error)?;
    let before = applied(&pool).await?;
    let outcome = MIGRATOR.run(&pool).await.map_err(StoreError::backend);
    let after = applied(&pool).await;
    pool.close().await;
    outcome?;
    Ok(after?.saturating_sub(before))
}

async fn applied(pool: &SqlitePool) -> Result<usize, StoreError> {
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await
    .map_err(codec::store_error)?;
    if exists.is_none() {
        return Ok(0);
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map_err(codec::store_error)?;
    Ok(usize::try_from(count).unwrap_or(0))
}

#[async_trait::async_trait]
impl HealthStore for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.readers.fetch_optional(sqlx::query("SELECT 1")).await?;
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
            .read(async |conn| {
                sqlx::query_scalar("PRAGMA page_size")
                    .fetch_one(conn)
                    .await
                    .map_err(codec::store_error)
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        assert_eq!(size, i64::from(PAGE_SIZE));
    }

    /// The server spawns the future that opens its store; it must stay `Send` (see
    /// [`run_migrations`]).
    #[test]
    fn opening_a_store_is_a_send_future() {
        fn is_send<T: Send>(_: T) {}
        is_send(SqliteStore::open(
            Path::new("unused.db"),
            SqliteOptions::default(),
        ));
    }
}
