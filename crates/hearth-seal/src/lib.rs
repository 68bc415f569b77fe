//! Hearth's encryption at rest (seed 001): what the server keeps of message bodies and files
//! is sealed with AES-256-GCM, so a copy of the disk, a backup or the bucket alone reveals
//! nothing of them.
//!
//! Keys form two layers. The operator's [`MasterKey`] (from the configuration or a 0600 file,
//! never stored beside the data) wraps the [`DataKey`]s, which the database keeps wrapped, each
//! with a [`KeyId`]. Everything sealed names the key that sealed it, so keys rotate: a new data
//! key becomes current, and what the old one sealed is re-sealed in the background while both
//! still open it. The [`Keyring`] is this process's set of unwrapped data keys.
//!
//! - [`value`]: a short value (a message body, a preview) in one AES-256-GCM message with a
//!   random 96-bit nonce, bound to where it is kept (its row) by associated data.
//! - [`stream`]: a blob (a file, a thumbnail) as the STREAM construction over 64 KiB chunks, so
//!   a blob is sealed and opened while it streams, never held whole, and a range request opens
//!   only the chunks it covers.
//!
//! Must never: reuse a nonce under one key (every value and every blob draws a fresh random
//! one), log or print key material (`Debug` shows key ids only), or open anything whose tag
//! does not verify.

mod keyring;
mod keys;
pub mod stream;
pub mod value;

pub use keyring::Keyring;
pub use keys::{DataKey, KeyId, MasterKey, WRAPPED_KEY_LEN};

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The bytes are not something this version sealed (too short, another format).
    #[error("not a sealed value or blob of a known format")]
    Malformed,
    /// The tag did not verify: the bytes were changed, moved to another place, or sealed
    /// under another key with this id.
    #[error("the sealed bytes do not verify (changed, moved, or another key)")]
    Forged,
    /// No key with this id is known here.
    #[error("no data key {0} is known")]
    UnknownKey(KeyId),
    /// A master key is not 32 bytes of base64 (or 32 raw bytes).
    #[error("a master key must be 32 bytes, written as base64 (44 characters)")]
    BadMasterKey,
    /// The system's random source failed.
    #[error("the system's random source failed")]
    Random,
}

/// Fills `bytes` from the operating system's random source.
fn random(bytes: &mut [u8]) -> Result<(), SealError> {
    getrandom::fill(bytes).map_err(|_| SealError::Random)
}
