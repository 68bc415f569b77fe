//! `hearth migrate-store`: copies a whole SQLite instance into an empty PostgreSQL database,
//! for an instance that outgrew one machine.
//!
//! The SQLite side is read in one snapshot on a blocking thread and streamed in batches to the
//! PostgreSQL side, which loads them in one transaction. Before committing, the copy is
//! verified: every table's row count and every conversation's counter and seq range must be
//! equal on both sides, or nothing is committed. The source is never written, except that its
//! schema is first brought up to date exactly as `hearth serve` would.

use std::path::{Path, PathBuf};

use hearth_store::StoreError;
use hearth_store::transfer::{Batch, SeqRange, TABLES, TableCount};
use hearth_store_postgres::{Import, ImportError};
use hearth_store_sqlite::{Export, SqliteStore};
use tokio::sync::mpsc;

/// Rows per batch: large enough that a `COPY` per batch costs little, small enough that a
/// batch of long messages stays a few megabytes.
const BATCH_ROWS: usize = 2_000;

/// Why a migration failed. Nothing was committed to the target.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// There is no database where `--from` points.
    #[error(
        "no Hearth database at {}; --from takes a data directory (holding hearth.db) or the SQLite file itself",
        .0.display()
    )]
    NoSource(PathBuf),
    /// The SQLite source could not be read.
    #[error("cannot read the SQLite database {}: {source}", path.display())]
    Source {
        /// The file.
        path: PathBuf,
        /// What the store reported.
        source: StoreError,
    },
    /// The PostgreSQL target refused the copy.
    #[error("{0}")]
    Target(#[from] ImportError),
    /// The copy does not match the source; nothing was committed.
    #[error("the copy does not match the source ({0}); nothing was committed")]
    Mismatch(String),
}

/// What a migration copied.
#[derive(Debug)]
pub struct MigrationReport {
    /// Rows per table.
    pub counts: Vec<TableCount>,
    /// Conversations whose counters and seq ranges were verified.
    pub conversations: usize,
}

impl MigrationReport {
    /// Every row copied.
    pub fn rows(&self) -> u64 {
        self.counts.iter().map(|c| c.rows).sum()
    }
}

/// Told how far the copy has come.
pub trait MigrationProgress {
    /// The copy will write `rows` rows in all.
    fn started(&self, rows: u64);
    /// `rows` more rows of `table` were written.
    fn copied(&self, table: &'static str, rows: u64);
}

/// What the reading thread sends, in this order: the counts, the batches, the seq ranges.
enum Read {
    Counts(Vec<TableCount>),
    Rows(Batch),
    Ranges(Vec<SeqRange>),
}

/// The SQLite database `from` names: the file itself, or `hearth.db` in a data directory.
pub fn source_file(from: &Path) -> PathBuf {
    if from.is_dir() {
        from.join("hearth.db")
    } else {
        from.to_owned()
    }
}

/// Copies the instance at `from` (a data directory or its SQLite file) into the empty
/// PostgreSQL database at `to`, verifies it, and commits.
pub async fn migrate_store(
    from: &Path,
    to: &str,
    progress: &dyn MigrationProgress,
) -> Result<MigrationReport, MigrateError> {
    let path = source_file(from);
    if !path.is_file() {
        return Err(MigrateError::NoSource(from.to_owned()));
    }
    let source_error = |source| MigrateError::Source {
        path: path.clone(),
        source,
    };
    hearth_store_postgres::check_url(to).map_err(ImportError::from)?;
    SqliteStore::migrate(&path).await.map_err(source_error)?;
    let mut import = Import::begin(to).await?;

    let (sender, mut received) = mpsc::channel(4);
    let reader = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || read_source(&path, &sender))
    };
    let mut source_counts = Vec::new();
    let mut source_ranges = Vec::new();
    while let Some(read) = received.recv().await {
        match read {
            Read::Counts(counts) => {
                progress.started(counts.iter().map(|c| c.rows).sum());
                source_counts = counts;
            }
            Read::Rows(batch) => {
                import.write(&batch).await?;
                progress.copied(batch.table.name, batch.rows.len() as u64);
            }
            Read::Ranges(ranges) => source_ranges = ranges,
        }
    }
    reader
        .await
        .map_err(|e| source_error(StoreError::backend(e)))?
        .map_err(source_error)?;

    let copied_counts = import.counts().await?;
    if let Some(why) = count_mismatch(&source_counts, &copied_counts) {
        return Err(MigrateError::Mismatch(why));
    }
    let copied_ranges = import.seq_ranges().await?;
    if let Some(why) = range_mismatch(&source_ranges, &copied_ranges) {
        return Err(MigrateError::Mismatch(why));
    }
    import.commit().await?;
    Ok(MigrationReport {
        counts: source_counts,
        conversations: source_ranges.len(),
    })
}

/// Reads the whole source in one snapshot and sends it; stops early (without error) when the
/// receiving side has gone, which only happens after it failed.
fn read_source(path: &Path, sender: &mpsc::Sender<Read>) -> Result<(), StoreError> {
    let export = Export::open(path)?;
    if sender
        .blocking_send(Read::Counts(export.counts()?))
        .is_err()
    {
        return Ok(());
    }
    for table in TABLES {
        let sent = export.rows(table, BATCH_ROWS, |batch| {
            sender
                .blocking_send(Read::Rows(batch))
                .map_err(|_| Halt::Stopped)
        });
        match sent {
            Ok(()) => {}
            Err(Halt::Stopped) => return Ok(()),
            Err(Halt::Store(err)) => return Err(err),
        }
    }
    let _ = sender.blocking_send(Read::Ranges(export.seq_ranges()?));
    Ok(())
}

/// Why reading stopped early.
enum Halt {
    /// The receiving side went away.
    Stopped,
    /// The source could not be read.
    Store(StoreError),
}

impl From<StoreError> for Halt {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// The first table whose row count differs, said plainly.
fn count_mismatch(source: &[TableCount], copy: &[TableCount]) -> Option<String> {
    source.iter().zip(copy).find_map(|(s, c)| {
        (s != c).then(|| {
            format!(
                "{}: {} rows in the source, {} copied",
                s.table, s.rows, c.rows
            )
        })
    })
}

/// The first conversation whose counter or log extent differs, said plainly.
fn range_mismatch(source: &[SeqRange], copy: &[SeqRange]) -> Option<String> {
    if source.len() != copy.len() {
        return Some(format!(
            "{} conversation logs in the source, {} copied",
            source.len(),
            copy.len()
        ));
    }
    source.iter().zip(copy).find_map(|(s, c)| {
        (s != c).then(|| {
            format!(
                "conversation {}: seq {}..={} ({} entries, next {}) in the source, {}..={} ({} entries, next {}) copied",
                s.conversation_id,
                s.first,
                s.last,
                s.entries,
                s.next_seq,
                c.first,
                c.last,
                c.entries,
                c.next_seq
            )
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn range(next_seq: i64, last: i64) -> SeqRange {
        SeqRange {
            conversation_id: Uuid::from_u128(1),
            next_seq,
            entries: u64::try_from(last).unwrap(),
            first: 1,
            last,
        }
    }

    #[test]
    fn equal_counts_and_ranges_are_no_mismatch() {
        let counts = vec![TableCount {
            table: "users",
            rows: 3,
        }];
        assert_eq!(count_mismatch(&counts, &counts.clone()), None);
        assert_eq!(range_mismatch(&[range(5, 4)], &[range(5, 4)]), None);
    }

    #[test]
    fn a_missing_row_is_named_by_its_table() {
        let source = [TableCount {
            table: "messages",
            rows: 10,
        }];
        let copy = [TableCount {
            table: "messages",
            rows: 9,
        }];
        let why = count_mismatch(&source, &copy).expect("a mismatch");
        assert!(
            why.contains("messages: 10 rows in the source, 9 copied"),
            "{why}"
        );
    }

    #[test]
    fn a_shorter_log_or_another_counter_is_a_mismatch() {
        assert!(range_mismatch(&[range(5, 4)], &[range(5, 3)]).is_some());
        assert!(range_mismatch(&[range(5, 4)], &[range(6, 4)]).is_some());
        assert!(range_mismatch(&[range(5, 4)], &[]).is_some());
    }
}
