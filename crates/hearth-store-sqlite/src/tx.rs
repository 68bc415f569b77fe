//! The writer's connection as a job sees it.
//!
//! A job runs on the writer thread with the writer's rusqlite connection ([`Tx`]), inside its
//! batch's transaction and its own savepoint (see [`crate::writer`]); it runs its statements
//! through [`crate::statements`], as readers do.

use std::cell::{Cell, RefCell};
use std::ops::Deref;

use rusqlite::Connection;

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
