//! The two layers of keys: the operator's master key, and the data keys it wraps.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::{SealError, random};

/// Bytes of a nonce (96 bits, as GCM wants).
pub(crate) const NONCE_LEN: usize = 12;
/// Bytes of a GCM tag.
pub(crate) const TAG_LEN: usize = 16;
/// Bytes of a key.
const KEY_LEN: usize = 32;
/// Bytes of a wrapped data key: its nonce, the sealed key and the tag.
pub const WRAPPED_KEY_LEN: usize = NONCE_LEN + KEY_LEN + TAG_LEN;
/// What a wrapped data key is bound to: a data key wrapped by a master key is never mistaken
/// for anything else sealed with it.
const WRAP_CONTEXT: &[u8] = b"hearth data key v1";

/// Which data key sealed something: a small number the database gives each key, written in
/// front of everything sealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The operator's key: it wraps the data keys and is never stored beside them.
#[derive(Clone)]
pub struct MasterKey {
    cipher: Aes256Gcm,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// The key written as `text`: 32 bytes in base64 (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| SealError::BadMasterKey)?,
        );
        Self::from_bytes(&bytes)
    }

    /// The key of exactly 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        if bytes.len() != KEY_LEN {
            return Err(SealError::BadMasterKey);
        }
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| SealError::BadMasterKey)?;
        Ok(Self { cipher })
    }

    /// A new random key and its base64 text (to be written to a 0600 file, once).
    pub fn generate() -> Result<(Self, Zeroizing<String>), SealError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        random(bytes.as_mut())?;
        let text = Zeroizing::new(STANDARD.encode(bytes.as_ref()));
        Ok((Self::from_bytes(bytes.as_ref())?, text))
    }

    /// `key` sealed under this master key, for the database to keep.
    pub fn wrap(&self, key: &DataKey) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        random(&mut nonce)?;
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: key.secret.as_ref(),
                    aad: WRAP_CONTEXT,
                },
            )
            .map_err(|_| SealError::Forged)?;
        let mut wrapped = Vec::with_capacity(WRAPPED_KEY_LEN);
        wrapped.extend_from_slice(&nonce);
        wrapped.extend_from_slice(&sealed);
        Ok(wrapped)
    }

    /// The data key `id` from what [`MasterKey::wrap`] made; `Forged` when this is not the
    /// master key that wrapped it.
    pub fn unwrap(&self, id: KeyId, wrapped: &[u8]) -> Result<DataKey, SealError> {
        if wrapped.len() != WRAPPED_KEY_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let secret = Zeroizing::new(
            self.cipher
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: sealed,
                        aad: WRAP_CONTEXT,
                    },
                )
                .map_err(|_| SealError::Forged)?,
        );
        DataKey::from_secret(id, &secret)
    }
}

/// A key that seals data, known by its id.
#[derive(Clone)]
pub struct DataKey {
    id: KeyId,
    secret: Zeroizing<[u8; KEY_LEN]>,
    pub(crate) cipher: Aes256Gcm,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// A new random key that will be known as `id`.
    pub fn generate(id: KeyId) -> Result<Self, SealError> {
        let mut secret = Zeroizing::new([0u8; KEY_LEN]);
        random(secret.as_mut())?;
        Self::from_secret(id, secret.as_ref())
    }

    fn from_secret(id: KeyId, bytes: &[u8]) -> Result<Self, SealError> {
        let mut secret = Zeroizing::new([0u8; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Err(SealError::Malformed);
        }
        secret.copy_from_slice(bytes);
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(*secret));
        Ok(Self { id, cipher, secret })
    }

    /// Its id.
    pub fn id(&self) -> KeyId {
        self.id
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_unwraps_only_with_its_master_key() {
        let (master, text) = MasterKey::generate().unwrap();
        let key = DataKey::generate(KeyId(7)).unwrap();
        let wrapped = master.wrap(&key).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        let again = MasterKey::parse(&text)
            .unwrap()
            .unwrap(KeyId(7), &wrapped)
            .unwrap();
        assert_eq!(again.secret.as_ref(), key.secret.as_ref());

        let (other, _) = MasterKey::generate().unwrap();
        assert_eq!(
            other.unwrap(KeyId(7), &wrapped).unwrap_err(),
            SealError::Forged
        );
        assert_eq!(
            master.unwrap(KeyId(7), &wrapped[1..]).unwrap_err(),
            SealError::Malformed
        );
    }

    #[test]
    fn a_master_key_is_32_bytes_of_base64() {
        assert!(MasterKey::parse(&STANDARD.encode([1u8; 32])).is_ok());
        assert!(MasterKey::parse(&format!(" {}\n", STANDARD.encode([1u8; 32]))).is_ok());
        for bad in [
            STANDARD.encode([1u8; 16]),
            "not base64!".to_owned(),
            String::new(),
        ] {
            assert_eq!(MasterKey::parse(&bad).unwrap_err(), SealError::BadMasterKey);
        }
    }

    #[test]
    fn debug_output_shows_no_key_material() {
        let (master, _) = MasterKey::generate().unwrap();
        let key = DataKey::generate(KeyId(3)).unwrap();
        assert_eq!(format!("{master:?}"), "MasterKey(..)");
        assert_eq!(format!("{key:?}"), "DataKey { id: KeyId(3), .. }");
    }
}
