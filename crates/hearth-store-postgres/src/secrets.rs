//! Shared secrets in PostgreSQL.

use hearth_domain::Timestamp;
use hearth_store::{SecretStore, StoreError, StoredDataKey};

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, one_row, rows};

#[async_trait::async_trait]
impl SecretStore for PostgresStore {
    async fn secret_or_insert(
        &self,
        name: &str,
        candidate: &[u8],
        at: Timestamp,
    ) -> Result<Vec<u8>, StoreError> {
        let (name, candidate, at) = (name.to_owned(), candidate.to_vec(), at_micros(at));
        // The insert and the read share one transaction; of two nodes racing, the loser's
        // insert waits for the winner's row and does nothing, and both read the winner's.
        self.write(move |tx| -> Job<'_, Vec<u8>> {
            let (name, candidate) = (name.clone(), candidate.clone());
            Box::pin(async move {
                exec(
                    tx,
                    "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO NOTHING",
                    &[&name, &candidate, &at],
                )
                .await?;
                let row =
                    one_row(tx, "SELECT value FROM secrets WHERE name = $1", &[&name]).await?;
                Ok(row.col::<Vec<u8>>("value")?)
            })
        })
        .await
    }

    async fn data_keys(&self) -> Result<Vec<StoredDataKey>, StoreError> {
        self.read(|c| -> Job<'_, Vec<StoredDataKey>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT id, wrapped, created_at FROM data_keys ORDER BY id",
                    &[],
                )
                .await?;
                found
                    .iter()
                    .map(|row| {
                        Ok(StoredDataKey {
                            id: u32::try_from(row.col::<i64>("id")?)
                                .map_err(StoreError::backend)?,
                            wrapped: row.col("wrapped")?,
                            created_at: row.col("created_at")?,
                        })
                    })
                    .collect()
            })
        })
        .await
    }

    async fn add_data_key(&self, key: &StoredDataKey) -> Result<bool, StoreError> {
        let key = key.clone();
        self.write(move |tx| -> Job<'_, bool> {
            let key = key.clone();
            Box::pin(async move {
                let added = exec(
                    tx,
                    "INSERT INTO data_keys (id, wrapped, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO NOTHING",
                    &[&i64::from(key.id), &key.wrapped, &at_micros(key.created_at)],
                )
                .await?;
                Ok(added == 1)
            })
        })
        .await
    }
}
