//! Shared secrets in PostgreSQL.

use hearth_domain::Timestamp;
use hearth_store::{SecretStore, StoreError};

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, one_row};

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
}
