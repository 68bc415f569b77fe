//! Secrets every node of a server must share (the access-token signing key), kept in the
//! shared database so that the first node to start creates them and every other node, and
//! every restart, reads the same.

use hearth_domain::Timestamp;

use crate::StoreError;

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
}
