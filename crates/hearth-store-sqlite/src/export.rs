//! Reading a whole instance out of its SQLite file, table by table, in the backend-neutral
//! shape of [`hearth_store::transfer`] (for `hearth migrate-store`).
//!
//! An [`Export`] is one read-only connection inside one read transaction: its counts, rows and
//! seq ranges all come from the same snapshot, even if a server still writes the file. It
//! must never write: the source of a migration is left as it was.

use std::path::Path;

use hearth_store::StoreError;
use hearth_store::transfer::{
    Batch, Kind, SEQ_RANGES_QUERY, SeqRange, TABLES, Table, TableCount, Value,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::codec::{from_micros, store_error};

/// A consistent, read-only view of one SQLite database for copying it elsewhere.
pub struct Export {
    conn: Connection,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export").finish_non_exhaustive()
    }
}

impl Export {
    /// Opens the database at `path` read-only and starts the snapshot. The schema must be
    /// current: call [`crate::SqliteStore::migrate`] first.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(store_error)?;
        // A deferred transaction takes its snapshot at the first read; reading here fixes it.
        conn.execute_batch("BEGIN; SELECT count(*) FROM users;")
            .map_err(store_error)?;
        Ok(Self { conn })
    }

    /// How many rows each table of [`TABLES`] holds.
    pub fn counts(&self) -> Result<Vec<TableCount>, StoreError> {
        TABLES
            .iter()
            .map(|table| {
                let rows: i64 = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {}", table.name), [], |row| {
                        row.get(0)
                    })
                    .map_err(store_error)?;
                Ok(TableCount {
                    table: table.name,
                    rows: u64::try_from(rows).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Every conversation's counter and the extent of its log, ordered by conversation.
    pub fn seq_ranges(&self) -> Result<Vec<SeqRange>, StoreError> {
        let mut statement = self.conn.prepare(SEQ_RANGES_QUERY).map_err(store_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok(SeqRange {
                    conversation_id: row.get(0)?,
                    next_seq: row.get(1)?,
                    entries: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                    first: row.get(3)?,
                    last: row.get(4)?,
                })
            })
            .map_err(store_error)?;
        let mut ranges = rows.collect::<Result<Vec<_>, _>>().map_err(store_error)?;
        ranges.sort();
        Ok(ranges)
    }

    /// Reads every row of `table` in batches of up to `batch_size` rows, handing each to `sink`
    /// in order; stops at the first error `sink` returns.
    pub fn rows<E: From<StoreError>>(
        &self,
        table: &'static Table,
        batch_size: usize,
        mut sink: impl FnMut(Batch) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut statement = self.conn.prepare(&select(table)).map_err(store_error)?;
        let mut rows = statement.query([]).map_err(store_error)?;
        let mut batch = Vec::with_capacity(batch_size);
        while let Some(row) = rows.next().map_err(store_error)? {
            let values = table
                .columns
                .iter()
                .enumerate()
                .map(|(at, column)| {
                    let raw = row.get_ref(at).map_err(store_error)?;
                    value(raw, column.kind)
                        .map_err(|why| export_error(table.name, column.name, &why))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            batch.push(values);
            if batch.len() == batch_size {
                sink(Batch {
                    table,
                    rows: std::mem::replace(&mut batch, Vec::with_capacity(batch_size)),
                })?;
            }
        }
        if !batch.is_empty() {
            sink(Batch { table, rows: batch })?;
        }
        Ok(())
    }
}

/// The SELECT that reads `table`'s columns in [`Table::columns`] order. Two columns are named
/// or kept differently here; messages come in the order they were sent, so a reply follows the
/// message it answers.
fn select(table: &Table) -> String {
    let columns = table
        .columns
        .iter()
        .map(|column| match (table.name, column.name) {
            ("messages", "search_position") => "search_rowid".to_owned(),
            ("conversation_counters", "open") => {
                "(SELECT c.deleted_at IS NULL FROM conversations c \
                 WHERE c.id = conversation_counters.conversation_id)"
                    .to_owned()
            }
            (_, name) => name.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let order = match table.name {
        "messages" => " ORDER BY search_rowid",
        _ => "",
    };
    format!("SELECT {columns} FROM {}{order}", table.name)
}

/// One stored value as a neutral value of `kind`; why not when it is not one.
fn value(raw: ValueRef<'_>, kind: Kind) -> Result<Value, String> {
    Ok(match (kind, raw) {
        (_, ValueRef::Null) => Value::Null,
        (Kind::Uuid, ValueRef::Blob(bytes)) => {
            Value::Uuid(Uuid::from_slice(bytes).map_err(|e| e.to_string())?)
        }
        (Kind::Time, ValueRef::Integer(micros)) => Value::Time(from_micros(micros)),
        (Kind::Int, ValueRef::Integer(number)) => Value::Int(number),
        (Kind::Bool, ValueRef::Integer(flag)) => Value::Bool(flag != 0),
        (Kind::Text, ValueRef::Text(text)) => Value::Text(
            std::str::from_utf8(text)
                .map_err(|e| e.to_string())?
                .to_owned(),
        ),
        (Kind::Bytes, ValueRef::Blob(bytes)) => Value::Bytes(bytes.to_vec()),
        (Kind::Uuids, ValueRef::Text(json)) => {
            Value::Uuids(serde_json::from_slice(json).map_err(|e| e.to_string())?)
        }
        (kind, other) => {
            return Err(format!(
                "a {:?} where a {kind:?} belongs",
                other.data_type()
            ));
        }
    })
}

fn export_error(table: &str, column: &str, why: &str) -> StoreError {
    StoreError::backend(std::io::Error::other(format!(
        "cannot read {table}.{column}: {why}"
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn stored_values_read_as_their_kind() {
        let id = Uuid::from_u128(7);
        assert_eq!(
            value(ValueRef::Blob(id.as_bytes()), Kind::Uuid),
            Ok(Value::Uuid(id))
        );
        assert_eq!(
            value(ValueRef::Integer(1_500_000), Kind::Time),
            Ok(Value::Time(from_micros(1_500_000)))
        );
        assert_eq!(
            value(ValueRef::Integer(2), Kind::Bool),
            Ok(Value::Bool(true))
        );
        let mentions = format!("[\"{id}\"]");
        assert_eq!(
            value(ValueRef::Text(mentions.as_bytes()), Kind::Uuids),
            Ok(Value::Uuids(vec![id]))
        );
        assert_eq!(value(ValueRef::Null, Kind::Time), Ok(Value::Null));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused() {
        assert!(value(ValueRef::Text(b"soon"), Kind::Time).is_err());
        assert!(value(ValueRef::Blob(b"short"), Kind::Uuid).is_err());
    }

    #[test]
    fn the_select_reads_renamed_columns_and_sends_messages_in_order() {
        let messages = hearth_store::transfer::table("messages").unwrap();
        let sql = select(messages);
        assert!(sql.contains("search_rowid"), "{sql}");
        assert!(sql.ends_with("ORDER BY search_rowid"), "{sql}");
    }
}
