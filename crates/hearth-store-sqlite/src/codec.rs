//! Conversions between SQLite values and domain values, SQLite errors into store errors, and
//! [`Columns`], named column access on a result row with errors already translated.

use hearth_domain::Timestamp;
use hearth_store::{Missing, StoreError};
use rusqlite::Row;
use rusqlite::types::FromSql;
use time::OffsetDateTime;

/// A timestamp as stored: microseconds since the Unix epoch.
pub(crate) fn micros(at: Timestamp) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// A stored timestamp back as a time.
pub(crate) fn from_micros(micros: i64) -> Timestamp {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Translates an SQLite error into what it means for the caller: busy, locked, full and I/O
/// errors (and their extended codes) are transient, everything else is the backend's.
pub(crate) fn store_error(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(failure, message) if is_transient(failure.extended_code) => {
            StoreError::Unavailable(message.clone().unwrap_or_else(|| failure.to_string()))
        }
        _ => StoreError::backend(err),
    }
}

/// SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR and SQLITE_FULL, by their primary code.
fn is_transient(extended_code: i32) -> bool {
    matches!(extended_code & 0xff, 5 | 6 | 10 | 13)
}

/// The extended result code of a failed statement, if SQLite gave one.
fn extended_code(err: &rusqlite::Error) -> Option<i32> {
    match err {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
        _ => None,
    }
}

/// Whether the error is a broken UNIQUE or PRIMARY KEY constraint.
pub(crate) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        extended_code(err),
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

/// Whether the error is a broken UNIQUE or PRIMARY KEY constraint on `column` (SQLite names
/// the columns in its message: `UNIQUE constraint failed: table.column`).
pub(crate) fn is_unique_violation_on(err: &rusqlite::Error, column: &str) -> bool {
    is_unique_violation(err) && err.to_string().contains(column)
}

/// Whether the error is a broken FOREIGN KEY constraint (SQLite does not say which).
pub(crate) fn is_foreign_key_violation(err: &rusqlite::Error) -> bool {
    extended_code(err) == Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// Translates a write's error, reading a broken foreign key as `NotFound(missing)`: the row it
/// points at does not exist.
pub(crate) fn missing_row(missing: Missing) -> impl Fn(rusqlite::Error) -> StoreError {
    move |err| {
        if is_foreign_key_violation(&err) {
            StoreError::NotFound(missing)
        } else {
            store_error(err)
        }
    }
}

pub(crate) use hearth_store::stored::unreadable;

/// Named column access on a result row, with the error translated: every entity has one
/// decoding function over [`Row`], shared by the readers and the writer's jobs.
pub(crate) trait Columns {
    /// The value of column `name`.
    fn column<T: FromSql>(&self, name: &str) -> Result<T, StoreError>;
}

impl Columns for Row<'_> {
    fn column<T: FromSql>(&self, name: &str) -> Result<T, StoreError> {
        self.get(name).map_err(store_error)
    }
}
