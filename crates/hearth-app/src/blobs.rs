//! The blob store port: where the bytes of uploaded files live (a folder of the data
//! directory, or an S3-compatible bucket). Media records (who uploaded what, whether it was
//! checked) are the store's; only bytes are here.
//!
//! Any use case that keeps files (attachments now, avatars later) goes through this port with
//! keys of its own prefix. An adapter must stream (never hold a whole blob in memory), must
//! leave nothing behind when a `put` fails, and must never interpret a key as a path outside
//! its own root.

use std::fmt;
use std::ops::Range;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;

/// A stream of bytes: an upload's body going in, a download's coming out.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, BlobError>> + Send>>;

/// A blob's key: 1–512 characters of `[a-z0-9._-]` in `/`-separated segments, none empty,
/// `.` or `..`, so an adapter can use it as a relative path or an object name as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// The key `raw`, if it follows the rule.
    pub fn new(raw: &str) -> Option<Self> {
        let fine = !raw.is_empty()
            && raw.len() <= 512
            && raw.split('/').all(|segment| {
                !segment.is_empty()
                    && segment != "."
                    && segment != ".."
                    && segment.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'.' | b'_' | b'-')
                    })
            });
        fine.then(|| Self(raw.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a blob store knows about one blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    /// Its size in bytes.
    pub size: u64,
}

/// Which request a presigned URL allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presign {
    /// Upload the blob with `PUT`.
    Put,
    /// Download the blob with `GET`.
    Get,
}

/// Why a blob store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// There is no blob under the key.
    #[error("no such blob")]
    NotFound,
    /// The body being stored failed (the client went away, or the caller refused it).
    #[error("the upload's body failed: {0}")]
    Body(String),
    /// The store cannot serve now (unreachable, timed out, refusing); retrying may work.
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
    /// Anything else the store reported.
    #[error("blob store failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl BlobError {
    /// Wraps a backend error.
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
}

/// A store of blobs by key.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// A short name of the backend, for logs (`local`, `s3`).
    fn backend(&self) -> &'static str;

    /// Stores `body` under `key` (replacing what was there), streaming it, and returns how
    /// many bytes were stored. When the body fails, nothing is left under the key and the
    /// body's error is returned as it was.
    async fn put(&self, key: &BlobKey, body: ByteStream) -> Result<u64, BlobError>;

    /// The blob's bytes, or the bytes of `range` of it (which the caller has checked against
    /// its size).
    async fn get(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<ByteStream, BlobError>;

    /// What the store knows about the blob; `NotFound` when there is none.
    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError>;

    /// Deletes the blob; deleting a missing blob succeeds.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// The key of every blob stored, in no particular order (for the operator's tools, such as
    /// re-sealing every file under a new key; they are all held in memory).
    async fn list(&self) -> Result<Vec<BlobKey>, BlobError>;

    /// A URL that allows `method` on the blob for `ttl`, signed by the store itself; `None`
    /// when the store cannot sign (the local folder: Hearth serves such transfers itself).
    async fn presign(
        &self,
        method: Presign,
        key: &BlobKey,
        ttl: Duration,
    ) -> Result<Option<String>, BlobError>;
}

/// The blob store of an `App` built without one: every operation is `Unavailable`, so a
/// server or a test that never configured media answers 503 rather than losing uploads.
#[derive(Debug)]
pub struct NoBlobs;

#[async_trait::async_trait]
impl BlobStore for NoBlobs {
    fn backend(&self) -> &'static str {
        "none"
    }

    async fn put(&self, _: &BlobKey, _: ByteStream) -> Result<u64, BlobError> {
        Err(not_configured())
    }

    async fn get(&self, _: &BlobKey, _: Option<Range<u64>>) -> Result<ByteStream, BlobError> {
        Err(not_configured())
    }

    async fn head(&self, _: &BlobKey) -> Result<BlobMeta, BlobError> {
        Err(not_configured())
    }

    async fn delete(&self, _: &BlobKey) -> Result<(), BlobError> {
        Err(not_configured())
    }

    async fn list(&self) -> Result<Vec<BlobKey>, BlobError> {
        Err(not_configured())
    }

    async fn presign(
        &self,
        _: Presign,
        _: &BlobKey,
        _: Duration,
    ) -> Result<Option<String>, BlobError> {
        Err(not_configured())
    }
}

fn not_configured() -> BlobError {
    BlobError::Unavailable("no blob store is configured".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_lowercase_paths_without_dot_segments() {
        for good in ["media/0192-abc", "a", "media/x/thumb-small.jpg"] {
            assert!(BlobKey::new(good).is_some(), "{good}");
        }
        for bad in [
            "", "/abs", "a//b", "a/../b", "..", "a/.", "A", "a b", "a\\b", "é",
        ] {
            assert!(BlobKey::new(bad).is_none(), "{bad}");
        }
    }
}
