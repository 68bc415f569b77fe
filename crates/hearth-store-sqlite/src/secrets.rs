//! Shared secrets in SQLite.

use hearth_domain::Timestamp;
use hearth_store::{SecretStore, StoreError, StoredDataKey};
use rusqlite::params;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, store_error};
use crate::statements::{decode_all, decode_opt, execute};

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

    async fn data_keys(&self) -> Result<Vec<StoredDataKey>, StoreError> {
        self.readers
            .read(|conn| {
                decode_all(
                    conn,
                    "SELECT id, wrapped, created_at FROM data_keys ORDER BY id",
                    [],
                    |row| {
                        Ok(StoredDataKey {
                            id: u32::try_from(row.get::<_, i64>(0).map_err(store_error)?)
                                .map_err(StoreError::backend)?,
                            wrapped: row.get(1).map_err(store_error)?,
                            created_at: from_micros(row.get(2).map_err(store_error)?),
                        })
                    },
                )
            })
            .await
    }

    async fn add_data_key(&self, key: &StoredDataKey) -> Result<bool, StoreError> {
        let key = key.clone();
        self.writer
            .write(move |tx| {
                let added = execute(
                    tx,
                    "INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?) \
                     ON CONFLICT (id) DO NOTHING",
                    params![i64::from(key.id), key.wrapped, micros(key.created_at)],
                )
                .map_err(store_error)?;
                Ok(added == 1)
            })
            .await
    }
}
