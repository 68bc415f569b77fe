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
    /// Another process made a data key with the id this one was making.
    #[error("another process made data key {0} at the same time; is another rotation running?")]
    Raced(KeyId),
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

/// Makes a new data key, stores it wrapped by `master`, and seals with it in `keys` from now
/// on; other processes learn it by [`follow_data_keys`]. Its id.
pub async fn add_data_key(
    store: &DynStore,
    master: &MasterKey,
    keys: &Keyring,
) -> Result<KeyId, DataKeyError> {
    let last = store.data_keys().await?.last().map_or(0, |key| key.id);
    let id = KeyId(
        last.checked_add(1)
            .ok_or_else(|| StoreError::Backend("no data key id is left".into()))?,
    );
    let key = DataKey::generate(id)?;
    let stored = StoredDataKey {
        id: id.0,
        wrapped: master.wrap(&key)?,
        created_at: now(),
    };
    if !store.add_data_key(&stored).await? {
        return Err(DataKeyError::Raced(id));
    }
    keys.add(key, true);
    tracing::info!(key_id = %id, "encryption at rest: a new data key seals from now on");
    Ok(id)
}

/// Follows the database's data keys until the task is aborted, a pass every `interval`: a key
/// another process made (a rotation) is unwrapped with `master` and learned, and the newest
/// seals from then on.
pub async fn follow_data_keys(
    store: DynStore,
    master: std::sync::Arc<MasterKey>,
    keys: std::sync::Arc<Keyring>,
    interval: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let pass = hearth_store::in_background(learn_new_keys(&store, &master, &keys));
        if let Err(err) = pass.await {
            tracing::warn!(cause = %err, "a pass over the data keys failed");
        }
    }
}

async fn learn_new_keys(
    store: &DynStore,
    master: &MasterKey,
    keys: &Keyring,
) -> Result<(), DataKeyError> {
    let known = keys.ids();
    let stored = store.data_keys().await?;
    let newest = stored.last().map(|key| KeyId(key.id));
    for key in stored.iter().filter(|key| !known.contains(&KeyId(key.id))) {
        let id = KeyId(key.id);
        let unwrapped = master
            .unwrap(id, &key.wrapped)
            .map_err(|_| DataKeyError::WrongMasterKey(id))?;
        let current = Some(id) == newest && id > keys.current().id();
        keys.add(unwrapped, current);
        tracing::info!(key_id = %id, current, "encryption at rest: learned a data key");
    }
    Ok(())
}

/// Whether the database holds data keys: encryption at rest was on at some time, and what it
/// sealed needs the master key to be read.
pub async fn has_data_keys(store: &DynStore) -> Result<bool, StoreError> {
    Ok(!store.data_keys().await?.is_empty())
}
