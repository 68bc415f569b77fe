//! PostgreSQL and pool errors translated into [`StoreError`] meaning, in one place.
//!
//! A job inside a transaction returns [`Failure`]: either a store error for the caller, or
//! [`Failure::Retry`] when the transaction must be rolled back and run again (a deadlock, a
//! serialization failure, or a concurrent writer that won a uniqueness race the job then
//! reads back). This module never decides a business rule: it only names what the database
//! reported.

use hearth_store::StoreError;
use tokio_postgres::error::{DbError, SqlState};

/// Why a job inside a transaction stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The operation failed; tell the caller.
    Store(StoreError),
    /// Roll back and run the whole transaction again: a concurrent transaction got there
    /// first, and the next attempt sees what it committed.
    Retry,
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl Failure {
    /// The error for a caller outside any transaction (a read: nothing to retry).
    pub(crate) fn into_store(self) -> StoreError {
        match self {
            Self::Store(err) => err,
            Self::Retry => StoreError::Unavailable("the database asked to retry".to_owned()),
        }
    }
}

/// A constraint a write broke, by its name in the schema (see migrations/).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Violation<'a> {
    /// A unique constraint or unique index.
    Unique(&'a str),
    /// A foreign key (which row it pointed at does not matter to the callers).
    ForeignKey,
}

/// Whether the server says the failure is passing: connection trouble, overload, shutdown,
/// a statement cancelled by `statement_timeout`, a lock not available.
fn is_transient(code: &SqlState) -> bool {
    let code = code.code();
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || code == SqlState::QUERY_CANCELED.code()
        || code == SqlState::LOCK_NOT_AVAILABLE.code()
}

/// Whether the transaction should simply run again.
fn is_retryable(code: &SqlState) -> bool {
    *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
}

/// Translates a driver error: server-side transient errors and lost connections are
/// `Unavailable` (the REST face answers 503 with Retry-After), deadlocks and serialization
/// failures [`Failure::Retry`], everything else the backend's.
pub(crate) fn failure(err: tokio_postgres::Error) -> Failure {
    if let Some(db) = err.as_db_error() {
        if is_retryable(db.code()) {
            return Failure::Retry;
        }
        if is_transient(db.code()) {
            return Failure::Store(StoreError::Unavailable(db.message().to_owned()));
        }
        return Failure::Store(StoreError::backend(err));
    }
    if err.is_closed() || is_io(&err) {
        return Failure::Store(StoreError::Unavailable(err.to_string()));
    }
    Failure::Store(StoreError::backend(err))
}

/// [`failure`] for a caller that cannot retry.
pub(crate) fn store_error(err: tokio_postgres::Error) -> StoreError {
    failure(err).into_store()
}

/// Whether the error came from the socket (refused, reset, timed out).
fn is_io(err: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if inner.is::<std::io::Error>() {
            return true;
        }
        source = inner.source();
    }
    // A connect that timed out reports no source.
    err.to_string().starts_with("timeout")
}

/// Translates a write's error, letting `map` name what a broken constraint means for this
/// write (`None`: nothing special, translate as usual).
pub(crate) fn violation(
    err: tokio_postgres::Error,
    map: impl FnOnce(Violation<'_>) -> Option<StoreError>,
) -> Failure {
    if let Some(db) = err.as_db_error()
        && let Some(found) = classify(db)
        && let Some(meaning) = map(found)
    {
        return Failure::Store(meaning);
    }
    failure(err)
}

/// Whether `err` is a unique violation of the constraint (or unique index) `name`.
pub(crate) fn is_unique_violation_of(err: &tokio_postgres::Error, name: &str) -> bool {
    err.as_db_error()
        .is_some_and(|db| matches!(classify(db), Some(Violation::Unique(found)) if found == name))
}

fn classify(db: &DbError) -> Option<Violation<'_>> {
    if *db.code() == SqlState::UNIQUE_VIOLATION {
        Some(Violation::Unique(db.constraint().unwrap_or("")))
    } else if *db.code() == SqlState::FOREIGN_KEY_VIOLATION {
        Some(Violation::ForeignKey)
    } else {
        None
    }
}

/// Translates a pool error: whatever kept the pool from lending a connection (the server
/// refused or did not answer, a database not accepting connections, a full pool past its
/// wait, a closed pool) is `Unavailable`: a later attempt may succeed.
pub(crate) fn pool_error(err: deadpool_postgres::PoolError) -> StoreError {
    tracing::warn!(error = %err, "no database connection");
    StoreError::Unavailable(format!("no database connection: {err}"))
}
