//! Numbered schema migrations, applied when the store opens.
//!
//! Every pending migration runs in one transaction that first takes a transaction-level
//! advisory lock, so that nodes starting at the same moment apply them once, in order: the
//! second waits, then finds them in the ledger (`hearth_migrations`). A migration is never
//! edited once released; a change is a new file.

use deadpool_postgres::ClientWrapper;
use hearth_store::StoreError;

use crate::error::store_error;

/// One migration: its number, name and SQL.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// Its number, from 1, in order.
    pub version: i64,
    /// A name for the ledger.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
}

/// Every migration of this version of Hearth, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "secrets",
        sql: include_str!("../migrations/0002_secrets.sql"),
    },
    Migration {
        version: 3,
        name: "sign_in_providers",
        sql: include_str!("../migrations/0003_sign_in_providers.sql"),
    },
    Migration {
        version: 4,
        name: "accounts",
        sql: include_str!("../migrations/0004_accounts.sql"),
    },
    Migration {
        version: 5,
        name: "session_devices",
        sql: include_str!("../migrations/0005_session_devices.sql"),
    },
    Migration {
        version: 6,
        name: "account_lifecycle",
        sql: include_str!("../migrations/0006_account_lifecycle.sql"),
    },
    Migration {
        version: 7,
        name: "media",
        sql: include_str!("../migrations/0007_media.sql"),
    },
    Migration {
        version: 8,
        name: "message_attachments",
        sql: include_str!("../migrations/0008_message_attachments.sql"),
    },
    Migration {
        version: 9,
        name: "avatars",
        sql: include_str!("../migrations/0009_avatars.sql"),
    },
    Migration {
        version: 10,
        name: "thumbnails",
        sql: include_str!("../migrations/0010_thumbnails.sql"),
    },
    Migration {
        version: 11,
        name: "ended sessions",
        sql: include_str!("../migrations/0011_ended_sessions.sql"),
    },
    Migration {
        version: 12,
        name: "data keys",
        sql: include_str!("../migrations/0012_data_keys.sql"),
    },
];

/// The advisory lock key that serialises migrations ("hearth" in ASCII).
const LOCK_KEY: i64 = 0x6865_6172_7468;

/// Applies the migrations of `migrations` not yet in the ledger; returns how many.
pub(crate) async fn migrate(
    client: &mut ClientWrapper,
    migrations: &[Migration],
) -> Result<usize, StoreError> {
    let tx = client.transaction().await.map_err(store_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(store_error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hearth_migrations (\
             version    BIGINT      PRIMARY KEY, \
             name       TEXT        NOT NULL, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await
    .map_err(store_error)?;
    let latest: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM hearth_migrations",
            &[],
        )
        .await
        .map_err(store_error)?
        .get(0);
    let mut applied = 0;
    for migration in migrations.iter().filter(|m| m.version > latest) {
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applying migration"
        );
        tx.batch_execute(migration.sql).await.map_err(store_error)?;
        tx.execute(
            "INSERT INTO hearth_migrations (version, name) VALUES ($1, $2)",
            &[&migration.version, &migration.name],
        )
        .await
        .map_err(store_error)?;
        applied += 1;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(applied)
}
