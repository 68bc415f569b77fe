//! Statements inside a writer job.
//!
//! A job runs on the writer thread with the writer's rusqlite connection ([`Tx`]), inside its
//! batch's transaction and its own savepoint (see [`crate::writer`]). These helpers run every
//! statement through the connection's cache of prepared statements (`prepare_cached`), so an
//! SQL text is compiled once per connection, not once per job, and a statement costs a call
//! into SQLite on the same thread, with no hand-off to another.

use hearth_store::StoreError;
use rusqlite::{OptionalExtension, Params, Row};

use crate::codec::write_error;

/// The writer's connection as a job sees it: inside the batch's transaction.
pub(crate) type Tx = rusqlite::Connection;

/// Runs a statement that returns no rows; returns how many rows it changed.
pub(crate) fn execute(tx: &Tx, sql: &str, params: impl Params) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// The first row a query returns, read by `read`; `None` when there is none.
pub(crate) fn query_opt<T>(
    tx: &Tx,
    sql: &str,
    params: impl Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    tx.prepare_cached(sql)?.query_row(params, read).optional()
}

/// The first row a query returns, read by `read`; an error when there is none.
pub(crate) fn query_one<T>(
    tx: &Tx,
    sql: &str,
    params: impl Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.prepare_cached(sql)?.query_row(params, read)
}

/// Every row a query returns, each decoded by `decode` (which reads through
/// [`crate::codec::Columns`] or by position).
pub(crate) fn decode_all<T>(
    tx: &Tx,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = tx.prepare_cached(sql).map_err(write_error)?;
    let mut rows = statement.query(params).map_err(write_error)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next().map_err(write_error)? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}
