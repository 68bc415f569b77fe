//! Conversions between SQLite values and domain values, and driver errors into store errors.

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

/// Whether the error is a broken UNIQUE constraint.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Whether the error is a broken UNIQUE or PRIMARY KEY constraint on `column` (SQLite names
/// the columns in its message: `UNIQUE constraint failed: table.column`).
pub(crate) fn is_unique_violation_on(err: &sqlx::Error, column: &str) -> bool {
    matches!(err, sqlx::Error::Database(db)
        if db.is_unique_violation() && db.message().contains(column))
}

/// Whether the error is a broken FOREIGN KEY constraint (SQLite does not say which).
pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}

/// Translates a driver error, reading a broken foreign key as `NotFound(missing)`: the row it
/// points at does not exist.
pub(crate) fn missing_row(missing: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |err| {
        if is_foreign_key_violation(&err) {
            StoreError::NotFound(missing)
        } else {
            store_error(err)
        }
    }
}
