//! Running statements on a connection, for the readers and the writer's jobs alike.
//!
//! Every statement goes through the connection's cache of prepared statements
//! (`prepare_cached`), so an SQL text is compiled once per connection, not once per call, and
//! a statement is a call into SQLite on the thread that owns the connection, with no hand-off
//! to another. A reader's connection (see [`crate::readers`]) and the writer's (see
//! [`crate::tx::Tx`], which derefs to it) are both plain `rusqlite::Connection`s.

use hearth_store::StoreError;
use rusqlite::{Connection, OptionalExtension, Params, Row};

use crate::codec::store_error;

/// Runs a statement that returns no rows; returns how many rows it changed.
pub(crate) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// The first row a query returns, read by `read`; `None` when there is none.
pub(crate) fn query_opt<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    conn.prepare_cached(sql)?.query_row(params, read).optional()
}

/// The first row a query returns, read by `read`; an error when there is none.
pub(crate) fn query_one<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, read)
}

/// The first row a query returns, decoded by `decode` (which reads through
/// [`crate::codec::Columns`] or by position); `None` when there is none.
pub(crate) fn decode_opt<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(store_error)?;
    let mut rows = statement.query(params).map_err(store_error)?;
    match rows.next().map_err(store_error)? {
        Some(row) => decode(row).map(Some),
        None => Ok(None),
    }
}

/// Every row a query returns, each decoded by `decode` (which reads through
/// [`crate::codec::Columns`] or by position).
pub(crate) fn decode_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(store_error)?;
    let mut rows = statement.query(params).map_err(store_error)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next().map_err(store_error)? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}
