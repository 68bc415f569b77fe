//! The pool of read-only connections, and the one way to read through it.
//!
//! A reader may see a commit whose log the syncer has not yet made durable (see
//! [`crate::durability`]). So every read runs through [`Readers::read`], which gives the
//! closure a connection and, once the closure is done, waits for the sync that covers every
//! commit it could have seen before handing its result back. The pool is private to this
//! module: no read can skip the wait. Under write load the wait is at most the rest of the sync
//! running and the next one; idle, it is a check of one number.
//!
//! Must never: hand out a connection, or return what was read, without that wait.

use std::sync::Arc;

use hearth_store::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Execute, Executor, Sqlite, SqliteConnection};

use crate::codec::store_error;
use crate::durability::Durability;

/// The read-only connections of a store.
#[derive(Debug)]
pub(crate) struct Readers {
    pool: SqlitePool,
    durability: Arc<Durability>,
}

impl Readers {
    /// Opens a pool of at most `size` read-only connections with `options`, reading only what
    /// `durability` says is on disk.
    pub(crate) async fn open(
        options: SqliteConnectOptions,
        size: u32,
        durability: Arc<Durability>,
    ) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(size.max(1))
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await
            .map_err(store_error)?;
        Ok(Self { pool, durability })
    }

    /// Runs `work` on a connection of the pool; returns its result once every commit it could
    /// have seen is durable. The connection goes back to the pool before the wait.
    pub(crate) async fn read<T>(
        &self,
        work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let value = {
            let mut conn = self.pool.acquire().await.map_err(store_error)?;
            work(&mut conn).await?
        };
        self.durability.settled().await?;
        Ok(value)
    }

    /// Runs one query; returns its rows once durable (see [`Self::read`]).
    pub(crate) async fn fetch_all<'q, E>(&self, query: E) -> Result<Vec<SqliteRow>, StoreError>
    where
        E: Execute<'q, Sqlite> + 'q,
    {
        self.read(async move |conn| conn.fetch_all(query).await.map_err(store_error))
            .await
    }

    /// Runs one query; returns its first row, if any, once durable (see [`Self::read`]).
    pub(crate) async fn fetch_optional<'q, E>(
        &self,
        query: E,
    ) -> Result<Option<SqliteRow>, StoreError>
    where
        E: Execute<'q, Sqlite> + 'q,
    {
        self.read(async move |conn| conn.fetch_optional(query).await.map_err(store_error))
            .await
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}
