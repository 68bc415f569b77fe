//! A short value sealed whole: `[1][key id: u32 BE][nonce: 12][ciphertext][tag: 16]`.
//!
//! The associated data is the first five bytes (format and key id) and the caller's
//! `context` — where the value is kept, such as its message's id — so a sealed body moved to
//! another row, or its key id rewritten, no longer opens.

use aes_gcm::Nonce;
use aes_gcm::aead::{Aead, Payload};

use crate::keys::{NONCE_LEN, TAG_LEN};
use crate::{DataKey, KeyId, SealError, random};

/// The format's first byte.
const VERSION: u8 = 1;
/// Bytes before the ciphertext: the version, the key id and the nonce.
const HEAD_LEN: usize = 1 + 4 + NONCE_LEN;
/// Bytes a sealed value is longer than its plaintext.
pub const OVERHEAD: usize = HEAD_LEN + TAG_LEN;

/// `plain` sealed under `key` for the place `context`.
pub fn seal(key: &DataKey, context: &[u8], plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut sealed = Vec::with_capacity(plain.len() + OVERHEAD);
    sealed.push(VERSION);
    sealed.extend_from_slice(&key.id().0.to_be_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    random(&mut nonce)?;
    sealed.extend_from_slice(&nonce);
    let aad = associated(&sealed, 5, context);
    let body = key
        .cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Forged)?;
    sealed.extend_from_slice(&body);
    Ok(sealed)
}

/// The id of the key that sealed `sealed`, to look it up before [`open`].
pub fn key_id(sealed: &[u8]) -> Result<KeyId, SealError> {
    Ok(parts(sealed)?.0)
}

/// The key id, nonce and ciphertext of a sealed value.
fn parts(sealed: &[u8]) -> Result<(KeyId, [u8; NONCE_LEN], &[u8]), SealError> {
    let Some((&[version, a, b, c, d], rest)) = sealed.split_first_chunk::<5>() else {
        return Err(SealError::Malformed);
    };
    let Some((nonce, body)) = rest.split_first_chunk::<NONCE_LEN>() else {
        return Err(SealError::Malformed);
    };
    if version != VERSION || body.len() < TAG_LEN {
        return Err(SealError::Malformed);
    }
    Ok((KeyId(u32::from_be_bytes([a, b, c, d])), *nonce, body))
}

/// The plaintext of what [`seal`] made under `key` for `context`.
pub fn open(key: &DataKey, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    let (id, nonce, body) = parts(sealed)?;
    if id != key.id() {
        return Err(SealError::Forged);
    }
    let aad = associated(sealed, 5, context);
    key.cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Forged)
}

/// The associated data: the first `head` bytes of `sealed` (format and key id), then
/// `context`.
fn associated(sealed: &[u8], head: usize, context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(head + context.len());
    aad.extend(sealed.iter().take(head));
    aad.extend_from_slice(context);
    aad
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn key(id: u32) -> DataKey {
        DataKey::generate(KeyId(id)).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_to_its_plaintext_and_hides_it() {
        let key = key(1);
        let sealed = seal(&key, b"message 1", b"meet me at noon").unwrap();
        assert_eq!(sealed.len(), b"meet me at noon".len() + OVERHEAD);
        assert!(!sealed.windows(4).any(|w| w == b"meet"));
        assert_eq!(key_id(&sealed).unwrap(), KeyId(1));
        assert_eq!(
            open(&key, b"message 1", &sealed).unwrap(),
            b"meet me at noon"
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let key = key(1);
        assert_ne!(
            seal(&key, b"m", b"hi").unwrap(),
            seal(&key, b"m", b"hi").unwrap()
        );
    }

    #[test]
    fn a_value_moved_changed_or_relabelled_does_not_open() {
        let key = key(1);
        let sealed = seal(&key, b"message 1", b"secret").unwrap();
        assert_eq!(
            open(&key, b"message 2", &sealed).unwrap_err(),
            SealError::Forged
        );
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(
            open(&key, b"message 1", &flipped).unwrap_err(),
            SealError::Forged
        );
        let mut relabelled = sealed.clone();
        relabelled[4] = 2;
        assert_eq!(
            open(&key, b"message 1", &relabelled).unwrap_err(),
            SealError::Forged
        );
        assert_eq!(
            open(&self::key(1), b"message 1", &sealed).unwrap_err(),
            SealError::Forged
        );
        assert_eq!(key_id(b"short").unwrap_err(), SealError::Malformed);
    }

    #[test]
    fn an_empty_value_seals_and_opens() {
        let key = key(9);
        let sealed = seal(&key, b"", b"").unwrap();
        assert_eq!(open(&key, b"", &sealed).unwrap(), b"");
    }
}
