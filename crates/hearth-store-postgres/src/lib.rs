//! Hearth's PostgreSQL store, for one node or several sharing one database.
//!
//! One driver (tokio-postgres) behind a connection pool (deadpool-postgres, whose status gives
//! the pool figures `/readyz` and `/metrics` show). Every read runs on one pooled connection,
//! every write in one transaction of its own ([`db`]); numbered migrations are applied when the
//! store opens, under an advisory lock so that nodes starting together do not race
//! ([`migrations`]). Every write that logs an event takes its conversation's next seq with
//! `UPDATE conversation_counters … RETURNING` in its own transaction: the row lock orders the
//! writers of one conversation across every node until they commit, so seqs stay gap-free.
//! The idempotency key of a send is a unique constraint; a concurrent retry waits for the first
//! send's transaction and then returns the original.
//!
//! This crate implements the ports of `hearth-store` and nothing else: no business rule lives
//! here, and no driver type leaves it.

mod accounts;
mod changes;
mod conversations;
mod db;
mod error;
mod events;
mod import;
mod media;
mod members;
mod messages;
mod migrations;
mod privacy;
mod reads;
mod rows;
mod search;
mod secrets;
mod sessions;
mod sign_ins;
mod summaries;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
pub use hearth_store::PoolFigures;
use hearth_store::{HealthStore, StoreError};
use tokio_postgres::NoTls;

use crate::db::{Job, one_row};
use crate::error::pool_error;

pub use crate::import::{Import, ImportError};
pub use crate::migrations::MIGRATIONS;

/// The PostgreSQL store. Cheap to share behind an `Arc`.
pub struct PostgresStore {
    pool: Pool,
    options: PostgresOptions,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.status())
            .field("options", &self.options)
            .finish()
    }
}

/// Tuning of the store. Every timeout is short enough that a request meets a lost database
/// with `Unavailable` (503 with Retry-After) within 10 s, never a hang.
#[derive(Clone, Copy, Debug)]
pub struct PostgresOptions {
    /// Most connections in the pool.
    pub max_connections: usize,
    /// Longest wait to connect (and to get a connection from a full pool).
    pub connect_timeout: Duration,
    /// Longest a statement may run on the server (`statement_timeout`).
    pub statement_timeout: Duration,
    /// Longest a whole store operation may take, retries included.
    pub operation_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(8),
        }
    }
}

/// Why the store could not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL is not a PostgreSQL connection string.
    #[error("database.url is not a valid PostgreSQL URL: {0}")]
    InvalidUrl(String),
    /// The pool could not be built.
    #[error("cannot build the PostgreSQL pool: {0}")]
    Pool(String),
    /// The database could not be reached or migrated.
    #[error("cannot open the PostgreSQL database: {0}")]
    Store(#[from] StoreError),
}

/// Checks that `url` is a PostgreSQL connection string, without connecting.
pub fn check_url(url: &str) -> Result<(), OpenError> {
    url.parse::<tokio_postgres::Config>()
        .map(drop)
        .map_err(|e| OpenError::InvalidUrl(e.to_string()))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), applies pending
    /// migrations and keeps a pool of connections.
    pub async fn open(url: &str, options: PostgresOptions) -> Result<Self, OpenError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| OpenError::InvalidUrl(e.to_string()))?;
        config
            .connect_timeout(options.connect_timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(5))
            .tcp_user_timeout(options.operation_timeout)
            .application_name("hearth")
            // A send is acknowledged only once durable, whatever the server's default says.
            .options(format!(
                "-c synchronous_commit=on -c statement_timeout={} -c lock_timeout={}",
                options.statement_timeout.as_millis(),
                options.statement_timeout.as_millis()
            ));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.connect_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .build()
            .map_err(|e| OpenError::Pool(e.to_string()))?;
        let store = Self { pool, options };
        let applied = store.migrate().await?;
        tracing::info!(applied, "PostgreSQL store open");
        Ok(store)
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        migrations::migrate(&mut client, MIGRATIONS).await
    }

    /// The pool's figures now.
    pub fn figures(&self) -> PoolFigures {
        let status = self.pool.status();
        PoolFigures {
            max_size: status.max_size,
            size: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
        }
    }

    /// Closes the pool: later calls fail with `Unavailable`.
    pub fn close(&self) {
        self.pool.close();
    }
}

#[async_trait::async_trait]
impl HealthStore for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| -> Job<'_, ()> {
            Box::pin(async move {
                one_row(c, "SELECT 1", &[]).await?;
                Ok(())
            })
        })
        .await
    }

    async fn close(&self) {
        PostgresStore::close(self);
    }

    fn pool_figures(&self) -> Option<PoolFigures> {
        Some(self.figures())
    }
}
