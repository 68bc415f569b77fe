//! Statements inside a writer job.
//!
//! A job runs on the writer thread with the writer's rusqlite connection ([`Tx`]), inside its
//! batch's transaction and its own savepoint (see [`crate::writer`]). These helpers run every
//! statement through the connection's cache of prepared statements (`prepare_cached`), so an
//! SQL text is compiled once per connection, not once per job, and a statement costs a call
//! into SQLite on the same thread, with no hand-off to another.

use std::cell::{Cell, RefCell};
use std::ops::Deref;

use hearth_store::StoreError;
use rusqlite::{Connection, OptionalExtension, Params, Row};

use crate::codec::write_error;

/// A change to the full-text indexes, queued until the end of the batch (see the module
/// docs). `position` is the message's `search_rowid`.
#[derive(Debug)]
pub(crate) enum IndexChange {
    /// Index `text` at `position`.
    Add { position: i64, text: String },
    /// Remove whatever is indexed at `position`.
    Remove { position: i64 },
}

/// The writer's connection as a job sees it: inside the batch's transaction, with the batch's
/// queue of index changes.
pub(crate) struct Tx {
    conn: Connection,
    index_changes: RefCell<Vec<IndexChange>>,
    /// Sends since the last pass of `search::index_pending` (an upper bound: a send rolled
    /// back still counts).
    unindexed: Cell<u64>,
}

impl Deref for Tx {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Tx {
    pub(crate) fn new(conn: Connection) -> Self {
        Self {
            conn,
            index_changes: RefCell::new(Vec::new()),
            unindexed: Cell::new(0),
        }
    }

    /// Queues a change to the full-text indexes until the end of the batch.
    pub(crate) fn queue_index_change(&self, change: IndexChange) {
        self.index_changes.borrow_mut().push(change);
    }

    /// How many index changes are queued: a job's mark, to drop its own if it fails.
    pub(crate) fn queued_index_changes(&self) -> usize {
        self.index_changes.borrow().len()
    }

    /// Drops the index changes queued after `mark` (their job was rolled back).
    pub(crate) fn drop_index_changes_after(&self, mark: usize) {
        self.index_changes.borrow_mut().truncate(mark);
    }

    /// Counts a message sent without being indexed (see `search::index_pending`).
    pub(crate) fn note_unindexed(&self) {
        self.unindexed.set(self.unindexed.get().saturating_add(1));
    }

    /// Sends since the last indexing pass.
    pub(crate) fn unindexed(&self) -> u64 {
        self.unindexed.get()
    }

    /// An indexing pass has run.
    pub(crate) fn forget_unindexed(&self) {
        self.unindexed.set(0);
    }

    /// Takes the batch's queued index changes, in the order they were queued.
    pub(crate) fn take_index_changes(&self) -> Vec<IndexChange> {
        std::mem::take(&mut *self.index_changes.borrow_mut())
    }
}

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
