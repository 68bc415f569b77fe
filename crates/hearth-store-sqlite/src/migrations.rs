//! The schema's migrations, applied when the store opens.
//!
//! The numbered files in `migrations/` are compiled in ([`MIGRATIONS`]) and applied in order,
//! each in its own transaction with its row in the ledger. The ledger is the table sqlx's
//! migrator kept, `_sqlx_migrations`, with its columns and meaning unchanged — the version, the
//! description from the file name, success, and the SHA-384 of the file — because every
//! database created before the store dropped sqlx has its history there: such a database opens
//! with nothing to apply, and one made now would still open under the older code. As sqlx did,
//! opening refuses a database whose ledger records a migration that failed half-way, one this
//! build does not know (written by a newer version), or one whose file has changed since it
//! was applied (a landed migration must never be edited: add a new one).
//!
//! Must never: apply a migration outside a transaction, or skip the ledger check.

use std::time::Instant;

use hearth_store::StoreError;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha384};

use crate::codec::store_error;

/// One migration file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Migration {
    /// The number its file name starts with.
    pub(crate) version: i64,
    /// The rest of its file name, with spaces for underscores (as sqlx recorded it).
    pub(crate) description: &'static str,
    /// Its SQL.
    pub(crate) sql: &'static str,
}

/// Every migration, in order. A test checks this list against the files.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "initial",
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        description: "presence",
        sql: include_str!("../migrations/0002_presence.sql"),
    },
    Migration {
        version: 3,
        description: "message features",
        sql: include_str!("../migrations/0003_message_features.sql"),
    },
    Migration {
        version: 4,
        description: "conversations",
        sql: include_str!("../migrations/0004_conversations.sql"),
    },
    Migration {
        version: 5,
        description: "messages are their own log entry",
        sql: include_str!("../migrations/0005_messages_are_their_own_log_entry.sql"),
    },
    Migration {
        version: 6,
        description: "search indexes trail the messages",
        sql: include_str!("../migrations/0006_search_indexes_trail_the_messages.sql"),
    },
    Migration {
        version: 7,
        description: "secrets",
        sql: include_str!("../migrations/0007_secrets.sql"),
    },
    Migration {
        version: 8,
        description: "sign in providers",
        sql: include_str!("../migrations/0008_sign_in_providers.sql"),
    },
    Migration {
        version: 9,
        description: "accounts",
        sql: include_str!("../migrations/0009_accounts.sql"),
    },
    Migration {
        version: 10,
        description: "session devices",
        sql: include_str!("../migrations/0010_session_devices.sql"),
    },
    Migration {
        version: 11,
        description: "account lifecycle",
        sql: include_str!("../migrations/0011_account_lifecycle.sql"),
    },
    Migration {
        version: 12,
        description: "media",
        sql: include_str!("../migrations/0012_media.sql"),
    },
    Migration {
        version: 13,
        description: "message attachments",
        sql: include_str!("../migrations/0013_message_attachments.sql"),
    },
    Migration {
        version: 14,
        description: "avatars",
        sql: include_str!("../migrations/0014_avatars.sql"),
    },
    Migration {
        version: 15,
        description: "thumbnails",
        sql: include_str!("../migrations/0015_thumbnails.sql"),
    },
    Migration {
        version: 16,
        description: "ended sessions",
        sql: include_str!("../migrations/0016_ended_sessions.sql"),
    },
    Migration {
        version: 17,
        description: "data keys",
        sql: include_str!("../migrations/0017_data_keys.sql"),
    },
];

/// Why the ledger forbids opening the database.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LedgerError {
    /// A migration started and did not finish.
    #[error("migration {0} failed part-way; restore the database from a backup")]
    Dirty(i64),
    /// A migration this build does not have was applied: a newer version wrote the database.
    #[error("the database has migration {0}, which this version does not know; run a newer Hearth")]
    Unknown(i64),
    /// A migration's file differs from what was applied.
    #[error("migration {0} was changed after it was applied")]
    Modified(i64),
}

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations ( \
         version BIGINT PRIMARY KEY, \
         description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, \
         success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, \
         execution_time BIGINT NOT NULL)";

/// The checksum the ledger keeps of a migration: the SHA-384 of its file.
fn checksum(sql: &str) -> Vec<u8> {
    Sha384::digest(sql.as_bytes()).to_vec()
}

/// Checks the ledger of the database on `conn` against `migrations`, then applies those not
/// yet applied, in order, each in its own transaction. Returns how many it applied.
pub(crate) fn migrate(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<usize, StoreError> {
    conn.execute_batch(LEDGER).map_err(store_error)?;
    let applied: Vec<(i64, bool, Vec<u8>)> = {
        let mut statement = conn
            .prepare("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
            .map_err(store_error)?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(store_error)?
    };
    for (version, success, sum) in &applied {
        if !success {
            return Err(StoreError::backend(LedgerError::Dirty(*version)));
        }
        let known = migrations.iter().find(|m| m.version == *version);
        match known {
            None => return Err(StoreError::backend(LedgerError::Unknown(*version))),
            Some(migration) if checksum(migration.sql) != *sum => {
                return Err(StoreError::backend(LedgerError::Modified(*version)));
            }
            Some(_) => {}
        }
    }
    let mut count = 0;
    for migration in migrations {
        if applied
            .iter()
            .any(|(version, ..)| *version == migration.version)
        {
            continue;
        }
        let started = Instant::now();
        let tx = conn.transaction().map_err(store_error)?;
        tx.execute_batch(migration.sql).map_err(store_error)?;
        let nanos = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?, ?, TRUE, ?, ?)",
            params![
                migration.version,
                migration.description,
                checksum(migration.sql),
                nanos
            ],
        )
        .map_err(store_error)?;
        tx.commit().map_err(store_error)?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    /// The migrations as sqlx named them: `NNNN_words_with_underscores.sql`.
    #[test]
    fn the_list_is_every_file_in_order_named_as_sqlx_named_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.description.replace(' ', "_")))
            .collect();
        assert_eq!(listed, files);
    }

    fn fresh() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    const TWO: &[Migration] = &[
        Migration {
            version: 1,
            description: "first",
            sql: "CREATE TABLE a (x INTEGER);",
        },
        Migration {
            version: 2,
            description: "second",
            sql: "CREATE TABLE b (y INTEGER);",
        },
    ];

    #[test]
    fn each_migration_is_applied_once() {
        let mut conn = fresh();
        assert_eq!(migrate(&mut conn, &TWO[..1]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, TWO).unwrap(), 1);
        assert_eq!(migrate(&mut conn, TWO).unwrap(), 0);
    }

    #[test]
    fn a_failing_migration_leaves_nothing_behind() {
        let mut conn = fresh();
        let broken = [Migration {
            version: 1,
            description: "broken",
            sql: "CREATE TABLE a (x INTEGER); INSERT INTO nowhere VALUES (1);",
        }];
        assert!(migrate(&mut conn, &broken).is_err());
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'a'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        assert_eq!(migrate(&mut conn, TWO).unwrap(), 2);
    }

    #[test]
    fn a_changed_migration_is_refused() {
        let mut conn = fresh();
        migrate(&mut conn, TWO).unwrap();
        let changed = [
            Migration {
                sql: "CREATE TABLE a (x TEXT);",
                ..TWO[0]
            },
            TWO[1],
        ];
        let err = migrate(&mut conn, &changed).unwrap_err();
        assert!(err.to_string().contains("store backend"), "{err}");
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("migration 1 was changed"),
        );
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let mut conn = fresh();
        migrate(&mut conn, TWO).unwrap();
        let err = migrate(&mut conn, &TWO[..1]).unwrap_err();
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("migration 2, which this version does not know"),
        );
    }

    #[test]
    fn a_migration_that_failed_part_way_is_refused() {
        let mut conn = fresh();
        migrate(&mut conn, TWO).unwrap();
        conn.execute(
            "UPDATE _sqlx_migrations SET success = FALSE WHERE version = 2",
            [],
        )
        .unwrap();
        let err = migrate(&mut conn, TWO).unwrap_err();
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("migration 2 failed part-way"),
        );
    }
}
