//! Running statements and transactions on the pool, for every port.
//!
//! [`PostgresStore::read`] runs a job on one pooled connection; [`PostgresStore::write`] runs a
//! job inside a transaction (READ COMMITTED; every connection sets `synchronous_commit=on`, so
//! an `Ok` means committed and durable) and runs it again when it asks to
//! ([`Failure::Retry`]). Both are bounded by the store's operation timeout, so a lost
//! database answers `Unavailable` instead of hanging a request. Statements go through each
//! connection's cache of prepared statements. Nothing here knows a table.

use std::future::Future;
use std::pin::Pin;

use deadpool_postgres::{Client, GenericClient, Transaction};
use hearth_domain::Timestamp;
use hearth_store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql};

use crate::PostgresStore;
use crate::error::{Failure, failure, pool_error, store_error};

/// A job's future.
pub(crate) type Job<'a, T> = Pin<Box<dyn Future<Output = Result<T, Failure>> + Send + 'a>>;

/// The parameters of a statement.
pub(crate) type Params<'a> = [&'a (dyn ToSql + Sync)];

/// How often a transaction runs again before the caller is told to come back later.
const ATTEMPTS: usize = 8;

impl PostgresStore {
    /// Runs `op`, answering `Unavailable` when it takes longer than the operation timeout.
    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.options.operation_timeout, op).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    timeout_ms = self.options.operation_timeout.as_millis() as u64,
                    "database operation timed out"
                );
                Err(StoreError::Unavailable(
                    "the database did not answer in time".to_owned(),
                ))
            }
        }
    }

    /// Runs a read on one pooled connection.
    pub(crate) async fn read<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c Client) -> Job<'c, T> + Send,
        T: Send,
    {
        // Every read of the store passes here (see the SQLite adapter's counter of the name).
        match hearth_store::is_background() {
            false => metrics::counter!("hearth_store_reads_total").increment(1),
            true => {
                metrics::counter!("hearth_store_reads_total", "work" => "background").increment(1)
            }
        }
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(pool_error)?;
            if client.is_closed() {
                // The server went away since the pool last checked this connection (a restart,
                // a terminated backend): a read may run on a fresh one.
                drop(client);
                client = self.pool.get().await.map_err(pool_error)?;
            }
            job(&client).await.map_err(Failure::into_store)
        })
        .await
    }

    /// Runs a write of one statement, which commits on its own (no transaction around it).
    pub(crate) async fn write_once<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c Client) -> Job<'c, T> + Send,
        T: Send,
    {
        // A statement that never reached a closed connection did not run: trying it on a
        // fresh one, as a read does, is safe.
        self.read(job).await
    }

    /// Runs a write in a transaction and commits it; runs it again (from a fresh transaction)
    /// when it returns [`Failure::Retry`].
    pub(crate) async fn write<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: for<'t> Fn(&'t Transaction<'t>) -> Job<'t, T> + Send + Sync,
        T: Send,
    {
        self.bounded(async {
            for attempt in 1..=ATTEMPTS {
                let mut client = self.pool.get().await.map_err(pool_error)?;
                let tx = match client.transaction().await {
                    Ok(tx) => tx,
                    // Nothing was written on a connection that closed before the transaction
                    // began: start again on a fresh one.
                    Err(err) if err.is_closed() && attempt < ATTEMPTS => continue,
                    Err(err) => return Err(store_error(err)),
                };
                match job(&tx).await {
                    Ok(value) => {
                        tx.commit().await.map_err(store_error)?;
                        return Ok(value);
                    }
                    Err(Failure::Retry) => {
                        tracing::debug!(attempt, "transaction lost a race; running it again");
                        tx.rollback().await.map_err(store_error)?;
                    }
                    Err(Failure::Store(err)) => {
                        // Dropping the transaction would roll back too, but later.
                        if let Err(rollback) = tx.rollback().await {
                            tracing::debug!(error = %rollback, "rollback after a failed write");
                        }
                        return Err(err);
                    }
                }
            }
            Err(StoreError::Unavailable(
                "too much contention on the database; try again".to_owned(),
            ))
        })
        .await
    }
}

/// Every row a statement returns.
pub(crate) async fn rows<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<Vec<Row>, Failure> {
    rows_raw(c, sql, params).await.map_err(failure)
}

/// Every row a statement returns, or the driver's error for the caller to read a broken
/// constraint from (see `error::is_unique_violation_of`).
pub(crate) async fn rows_raw<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

/// The row a statement returns, if any.
pub(crate) async fn opt_row<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<Option<Row>, Failure> {
    Ok(rows(c, sql, params).await?.into_iter().next())
}

/// The row a statement always returns.
pub(crate) async fn one_row<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<Row, Failure> {
    let statement = c.prepare_cached(sql).await.map_err(failure)?;
    c.query_one(&statement, params).await.map_err(failure)
}

/// Runs a statement; returns how many rows it changed, or the driver's error for the caller
/// to read a broken constraint from (see `error::violation`).
pub(crate) async fn exec_raw<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

/// Runs a statement; returns how many rows it changed.
pub(crate) async fn exec<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<u64, Failure> {
    exec_raw(c, sql, params).await.map_err(failure)
}

/// Named column access on a row, with the error translated.
pub(crate) trait Columns {
    /// The value of column `name`.
    fn col<'a, T: FromSql<'a>>(&'a self, name: &str) -> Result<T, StoreError>;
}

impl Columns for Row {
    fn col<'a, T: FromSql<'a>>(&'a self, name: &str) -> Result<T, StoreError> {
        self.try_get(name).map_err(StoreError::backend)
    }
}

/// A time at the database's precision (microseconds), so that what a write returns equals
/// what a later read returns.
pub(crate) fn at_micros(at: Timestamp) -> Timestamp {
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}
