//! Writing a whole instance into an empty PostgreSQL database, table by table, from the
//! backend-neutral shape of [`hearth_store::transfer`] (for `hearth migrate-store`).
//!
//! An [`Import`] is one connection and one transaction: it applies the migrations, refuses a
//! database that holds any data, locks every table against writers, and loads rows with binary
//! `COPY`. Nothing is visible to anyone until [`Import::commit`]; dropping an import (or any
//! error) rolls everything back, so a failed copy leaves the target empty and the copy can
//! simply run again. Derived columns (the search vectors) are computed by PostgreSQL from the
//! rows; the search-position identity resumes after the highest copied value.
//!
//! It must never touch a database that holds data: every check runs before the first row.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use futures::pin_mut;
use hearth_store::transfer::{Batch, Kind, SEQ_RANGES_QUERY, SeqRange, TABLES, TableCount, Value};
use tokio::task::JoinHandle;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, NoTls};

use crate::{OpenError, PostgresOptions, PostgresStore};

/// Why an import could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The target already holds data: an import only ever fills an empty database.
    #[error(
        "the target database is not empty ({table} has {rows} rows); migrate into a new, empty database"
    )]
    NotEmpty {
        /// The first table found with rows.
        table: &'static str,
        /// How many.
        rows: u64,
    },
    /// The database refused a statement or the connection was lost; nothing was committed.
    #[error("PostgreSQL refused the import: {0}")]
    Database(String),
}

impl From<tokio_postgres::Error> for ImportError {
    fn from(err: tokio_postgres::Error) -> Self {
        // The server's own message (with its detail) says which row and why.
        let message = match err.as_db_error() {
            Some(db) => match db.detail() {
                Some(detail) => format!("{}: {detail}", db.message()),
                None => db.message().to_owned(),
            },
            None => err.to_string(),
        };
        Self::Database(message)
    }
}

/// An import in progress: one open transaction on an empty, locked database.
pub struct Import {
    client: Client,
    connection: JoinHandle<()>,
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import").finish_non_exhaustive()
    }
}

/// How long the import waits for a running server to let go of a table before it gives up.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

impl Import {
    /// Migrates the database at `url`, then opens the import's transaction: every table
    /// locked against writes and checked empty.
    pub async fn begin(url: &str) -> Result<Self, ImportError> {
        let store = PostgresStore::open(
            url,
            PostgresOptions {
                max_connections: 1,
                ..PostgresOptions::default()
            },
        )
        .await?;
        store.close();
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let connection = tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::warn!(cause = %err, "the import's PostgreSQL connection ended");
            }
        });
        let import = Self { client, connection };
        let tables = TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
        import
            .client
            .batch_execute(&format!(
                "SET statement_timeout = 0; SET lock_timeout = {}; \
                 BEGIN; LOCK TABLE {tables} IN EXCLUSIVE MODE;",
                LOCK_TIMEOUT.as_millis()
            ))
            .await?;
        if let Some(full) = import.counts().await?.into_iter().find(|c| c.rows > 0) {
            return Err(ImportError::NotEmpty {
                table: full.table,
                rows: full.rows,
            });
        }
        Ok(import)
    }

    /// Writes `batch`'s rows.
    pub async fn write(&mut self, batch: &Batch) -> Result<(), ImportError> {
        let table = batch.table;
        let columns = table
            .columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ");
        let types = table
            .columns
            .iter()
            .map(|c| column_type(c.kind))
            .collect::<Vec<_>>();
        let sink = self
            .client
            .copy_in(&format!(
                "COPY {} ({columns}) FROM STDIN (FORMAT binary)",
                table.name
            ))
            .await?;
        let writer = BinaryCopyInWriter::new(sink, &types);
        pin_mut!(writer);
        for row in &batch.rows {
            let cells = row.iter().map(Cell).collect::<Vec<_>>();
            let values = cells
                .iter()
                .map(|cell| cell as &(dyn ToSql + Sync))
                .collect::<Vec<_>>();
            writer.as_mut().write(&values).await?;
        }
        writer.finish().await?;
        Ok(())
    }

    /// How many rows each table of [`TABLES`] holds in the import's transaction.
    pub async fn counts(&self) -> Result<Vec<TableCount>, ImportError> {
        let mut counts = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let row = self
                .client
                .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])
                .await?;
            counts.push(TableCount {
                table: table.name,
                rows: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
            });
        }
        Ok(counts)
    }

    /// Every conversation's counter and the extent of its log, ordered by conversation.
    pub async fn seq_ranges(&self) -> Result<Vec<SeqRange>, ImportError> {
        let rows = self.client.query(SEQ_RANGES_QUERY, &[]).await?;
        let mut ranges = rows
            .iter()
            .map(|row| SeqRange {
                conversation_id: row.get(0),
                next_seq: row.get(1),
                entries: u64::try_from(row.get::<_, i64>(2)).unwrap_or(0),
                first: row.get(3),
                last: row.get(4),
            })
            .collect::<Vec<_>>();
        ranges.sort();
        Ok(ranges)
    }

    /// Makes everything written visible: the search-position identity resumes after the
    /// highest copied position, then the transaction commits.
    pub async fn commit(self) -> Result<(), ImportError> {
        self.client
            .batch_execute(
                "SELECT setval(pg_get_serial_sequence('messages', 'search_position'), \
                               coalesce(max(search_position), 0) + 1, false) FROM messages; \
                 COMMIT;",
            )
            .await?;
        drop(self.client);
        let _ = self.connection.await;
        Ok(())
    }
}

/// The PostgreSQL type a column of `kind` has in the schema (integers are all BIGINT).
fn column_type(kind: Kind) -> Type {
    match kind {
        Kind::Uuid => Type::UUID,
        Kind::Time => Type::TIMESTAMPTZ,
        Kind::Int => Type::INT8,
        Kind::Bool => Type::BOOL,
        Kind::Text => Type::TEXT,
        Kind::Bytes => Type::BYTEA,
        Kind::Uuids => Type::UUID_ARRAY,
    }
}

/// A neutral value written as the column's PostgreSQL type.
#[derive(Debug)]
struct Cell<'a>(&'a Value);

impl ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Uuid(id) => id.to_sql_checked(ty, out),
            Value::Time(at) => at.to_sql_checked(ty, out),
            Value::Int(number) => number.to_sql_checked(ty, out),
            Value::Bool(flag) => flag.to_sql_checked(ty, out),
            Value::Text(text) => text.to_sql_checked(ty, out),
            Value::Bytes(bytes) => bytes.to_sql_checked(ty, out),
            Value::Uuids(ids) => ids.to_sql_checked(ty, out),
        }
    }

    /// The column's type is fixed by [`column_type`]; each value checks it against its own kind
    /// in `to_sql`.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}
