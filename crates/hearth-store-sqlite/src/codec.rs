//! Conversions between SQLite values and domain values, driver errors into store errors, and
//! [`Columns`], which lets one decoding function read rows of either driver (the readers' sqlx,
//! the writer's rusqlite).

use hearth_domain::Timestamp;
use hearth_store::StoreError;
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

/// Translates a driver error into what it means for the caller.
pub(crate) fn store_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable(err.to_string())
        }
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR and their extended codes.
            Some(code) if is_transient(code) => StoreError::Unavailable(db.message().to_owned()),
            _ => StoreError::backend(err),
        },
        _ => StoreError::backend(err),
    }
}

fn is_transient(code: &str) -> bool {
    let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(-1);
    matches!(primary, 5 | 6 | 10 | 13)
}

/// Translates an error of the writer's connection (rusqlite) into what it means for the
/// caller, by the same rule as [`store_error`].
pub(crate) fn write_error(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(failure, message)
            if is_transient(&failure.extended_code.to_string()) =>
        {
            StoreError::Unavailable(message.clone().unwrap_or_else(|| failure.to_string()))
        }
        _ => StoreError::backend(err),
    }
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

/// Translates a writer error, reading a broken foreign key as `NotFound(missing)`: the row it
/// points at does not exist.
pub(crate) fn missing_row(missing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |err| {
        if is_foreign_key_violation(&err) {
            StoreError::NotFound(missing)
        } else {
            write_error(err)
        }
    }
}

/// Read access to a named column of a result row, whichever driver produced it: the
/// readers' sqlx rows and the writer's rusqlite rows. Every entity has one decoding function,
/// generic over this trait, so both sides of the store read rows the same way.
pub(crate) trait Columns {
    /// The value of column `name`.
    fn column<T: Column>(&self, name: &str) -> Result<T, StoreError>;
}

/// A value both drivers can read from a column.
pub(crate) trait Column:
    for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + rusqlite::types::FromSql
{
}

impl<T> Column for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + rusqlite::types::FromSql
{
}

impl Columns for sqlx::sqlite::SqliteRow {
    fn column<T: Column>(&self, name: &str) -> Result<T, StoreError> {
        sqlx::Row::try_get(self, name).map_err(store_error)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn column<T: Column>(&self, name: &str) -> Result<T, StoreError> {
        self.get(name).map_err(write_error)
    }
}
