//! Shared secrets in SQLite.

use hearth_domain::Timestamp;
use hearth_store::{SecretStore, StoreError};
use rusqlite::params;

use crate::SqliteStore;
use crate::codec::{micros, store_error};
use crate::statements::{decode_opt, execute};

#[async_trait::async_trait]
impl SecretStore for SqliteStore {
    async fn secret_or_insert(
        &self,
        name: &str,
        candidate: &[u8],
        at: Timestamp,
    ) -> Result<Vec<u8>, StoreError> {
        let (name, candidate, at) = (name.to_owned(), candidate.to_vec(), micros(at));
        // The single writer runs the insert and the read in one transaction: the first stored
        // value is the one every caller gets.
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) \
                     ON CONFLICT (name) DO NOTHING",
                    params![name, candidate, at],
                )
                .map_err(store_error)?;
                decode_opt(
                    tx,
                    "SELECT value FROM secrets WHERE name = ?",
                    params![name],
                    |row| row.get::<_, Vec<u8>>(0).map_err(store_error),
                )?
                .ok_or_else(|| StoreError::Backend("a stored secret vanished".into()))
            })
            .await
    }
}
