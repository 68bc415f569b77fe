//! Secrets every node of a server must share (the access-token signing key, the wrapped data
//! keys of encryption at rest), kept in the shared database so that the first node to start
//! creates them and every other node, and every restart, reads the same.

use hearth_domain::Timestamp;

use crate::StoreError;

/// A data key of encryption at rest as the database keeps it: sealed by the master key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataKey {
    /// Its id, which everything it seals names.
    pub id: u32,
    /// The key, wrapped by the master key.
    pub wrapped: Vec<u8>,
    /// When it was made.
    pub created_at: Timestamp,
}

/// Storage of named shared secrets.
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync {
    /// The secret stored under `name`; when there is none yet, `candidate` is stored (as of
    /// `at`) and returned. Atomic: of two nodes racing with different candidates, both get the
    /// one that was stored first.
    async fn secret_or_insert(
        &self,
        name: &str,
        candidate: &[u8],
        at: Timestamp,
    ) -> Result<Vec<u8>, StoreError>;

    /// Every data key, by increasing id (the last one seals).
    async fn data_keys(&self) -> Result<Vec<StoredDataKey>, StoreError>;

    /// Stores `key`; `false` when a key with its id exists (another node or process made
    /// one first), and then nothing is stored.
    async fn add_data_key(&self, key: &StoredDataKey) -> Result<bool, StoreError>;
}
