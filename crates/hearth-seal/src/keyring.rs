//! This process's data keys, unwrapped: the current one, which seals, and every other one
//! still named by something sealed, which only open.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::{DataKey, KeyId, SealError};

/// The data keys known here. Cheap to share behind an `Arc`; a key learned later (a rotation
/// by another process) is added with [`Keyring::add`].
#[derive(Debug)]
pub struct Keyring {
    current: RwLock<Arc<DataKey>>,
    keys: RwLock<HashMap<KeyId, Arc<DataKey>>>,
}

impl Keyring {
    /// A keyring sealing with `current` and opening with it and `others`.
    pub fn new(current: DataKey, others: impl IntoIterator<Item = DataKey>) -> Self {
        let current = Arc::new(current);
        let mut keys: HashMap<KeyId, Arc<DataKey>> =
            others.into_iter().map(|k| (k.id(), Arc::new(k))).collect();
        keys.insert(current.id(), current.clone());
        Self {
            current: RwLock::new(current),
            keys: RwLock::new(keys),
        }
    }

    /// The key that seals now.
    pub fn current(&self) -> Arc<DataKey> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The key `id`; `UnknownKey` when it is not known here.
    pub fn get(&self, id: KeyId) -> Result<Arc<DataKey>, SealError> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
            .ok_or(SealError::UnknownKey(id))
    }

    /// Learns `key` (it opens from now on), and seals with it from now on when `current`.
    pub fn add(&self, key: DataKey, current: bool) {
        let key = Arc::new(key);
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.id(), key.clone());
        if current {
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = key;
        }
    }

    /// The ids of every key known here.
    pub fn ids(&self) -> Vec<KeyId> {
        let mut ids: Vec<KeyId> = self
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect();
        ids.sort();
        ids
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn the_current_key_seals_and_every_known_key_opens() {
        let ring = Keyring::new(
            DataKey::generate(KeyId(2)).unwrap(),
            [DataKey::generate(KeyId(1)).unwrap()],
        );
        assert_eq!(ring.current().id(), KeyId(2));
        assert_eq!(ring.get(KeyId(1)).unwrap().id(), KeyId(1));
        assert_eq!(
            ring.get(KeyId(3)).unwrap_err(),
            SealError::UnknownKey(KeyId(3))
        );

        ring.add(DataKey::generate(KeyId(3)).unwrap(), true);
        assert_eq!(ring.current().id(), KeyId(3));
        assert_eq!(ring.ids(), vec![KeyId(1), KeyId(2), KeyId(3)]);
    }
}
