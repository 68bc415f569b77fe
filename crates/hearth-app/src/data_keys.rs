//! The data keys of encryption at rest, as this process holds them: the first start with
//! encryption on makes one, and every start unwraps every stored key with the operator's
//! master key into a [`Keyring`].
//!
//! The database keeps data keys only wrapped; the master key that unwraps them never reaches
//! the database, a log or an error message. Must never: start with a master key that does not
//! open the stored keys (what they sealed would be lost to every reader), or let two starting
//! nodes seal with two different first keys.

use hearth_seal::{DataKey, KeyId, Keyring, MasterKey, SealError};
use hearth_store::{DynStore, StoreError, StoredDataKey};

use crate::now;

/// Why the data keys could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DataKeyError {
    /// The database failed.
    #[error("the database failed: {0}")]
    Store(#[from] StoreError),
    /// The master key given does not unwrap the stored data keys.
    #[error(
        "the master key does not open the database's data keys (data key {0}): it is not the key \
         this instance was encrypted with"
    )]
    WrongMasterKey(KeyId),
    /// Sealing failed (the system's random source).
    #[error("{0}")]
    Seal(#[from] SealError),
}

/// Every stored data key unwrapped with `master`, the newest sealing; when there is none yet,
/// a first one is made and stored (of processes racing to make it, all end up with the one
/// stored first).
pub async fn open_keyring(store: &DynStore, master: &MasterKey) -> Result<Keyring, DataKeyError> {
    let mut stored = store.data_keys().await?;
    if stored.is_empty() {
        let first = DataKey::generate(KeyId(1))?;
        let made = store
            .add_data_key(&StoredDataKey {
                id: 1,
                wrapped: master.wrap(&first)?,
                created_at: now(),
            })
            .await?;
        if made {
            tracing::info!(key_id = 1, "encryption at rest: made the first data key");
        }
        stored = store.data_keys().await?;
    }
    let mut keys = stored
        .iter()
        .map(|key| {
            let id = KeyId(key.id);
            master
                .unwrap(id, &key.wrapped)
                .map_err(|_| DataKeyError::WrongMasterKey(id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let current = keys
        .pop()
        .ok_or_else(|| StoreError::Backend("the data keys vanished".into()))?;
    tracing::info!(current = %current.id(), keys = keys.len() + 1, "encryption at rest: data keys open");
    Ok(Keyring::new(current, keys))
}

/// Whether the database holds data keys: encryption at rest was on at some time, and what it
/// sealed needs the master key to be read.
pub async fn has_data_keys(store: &DynStore) -> Result<bool, StoreError> {
    Ok(!store.data_keys().await?.is_empty())
}
