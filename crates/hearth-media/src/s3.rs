//! The S3-compatible blob store, through `object_store` (path-style requests, static
//! credentials from the configuration).
//!
//! A put sends a body that fits one part (5 MiB) as a single `PUT`; a larger one as a
//! multipart upload with one part in flight while the next fills, so memory stays bounded whatever the
//! file's size; a failed body aborts the multipart upload. Presigned URLs are computed here
//! (SigV4 query signing), with no request to the bucket.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{StreamExt, TryStreamExt};
use hearth_app::blobs::{BlobError, BlobKey, BlobMeta, BlobStore, ByteStream, Presign};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use crate::S3Config;

/// The size of a multipart upload's parts (S3's smallest but the last).
const PART: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once (beside the one being filled): one keeps a 100 MB
/// upload within 16 MB of RSS growth (docs/performance.md); two measured 16.3 MiB.
const PARTS_IN_FLIGHT: usize = 1;

/// Blobs as objects of one bucket.
#[derive(Debug)]
pub struct S3Blobs {
    store: Arc<AmazonS3>,
}

fn store_error(err: object_store::Error) -> BlobError {
    match err {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        object_store::Error::Generic { ref source, .. } if is_unreachable(source.as_ref()) => {
            BlobError::Unavailable(err.to_string())
        }
        other => BlobError::backend(other),
    }
}

/// Whether the failure is the network's (refused, reset, timed out): worth a retry.
fn is_unreachable(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

impl S3Blobs {
    /// A store of the configured bucket (nothing is sent until the first operation).
    pub fn new(config: &S3Config) -> Result<Self, BlobError> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&config.endpoint)
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose())
            .with_allow_http(config.endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(!config.path_style)
            .build()
            .map_err(store_error)?;
        Ok(Self {
            store: Arc::new(store),
        })
    }

    fn path(key: &BlobKey) -> Path {
        Path::from(key.as_str())
    }

    /// The rest of `body` after `first` as a multipart upload.
    async fn put_multipart(
        &self,
        path: &Path,
        first: Bytes,
        mut body: ByteStream,
    ) -> Result<u64, BlobError> {
        let upload = self.store.put_multipart(path).await.map_err(store_error)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut written = first.len() as u64;
        writer.put(first);
        loop {
            let chunk = match body.next().await {
                None => break,
                Some(Ok(chunk)) => chunk,
                Some(Err(err)) => {
                    if let Err(abort) = writer.abort().await {
                        tracing::warn!(cause = %abort, "cannot abort a failed multipart upload");
                    }
                    return Err(err);
                }
            };
            if let Err(err) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                return Err(store_error(err));
            }
            written += chunk.len() as u64;
            writer.put(chunk);
        }
        writer.finish().await.map_err(store_error)?;
        Ok(written)
    }
}

#[async_trait::async_trait]
impl BlobStore for S3Blobs {
    fn backend(&self) -> &'static str {
        "s3"
    }

    #[tracing::instrument(skip(self, body), fields(key = %key))]
    async fn put(&self, key: &BlobKey, mut body: ByteStream) -> Result<u64, BlobError> {
        let path = Self::path(key);
        // Up to one part is gathered; a body that ends before is one PUT.
        let mut first = BytesMut::with_capacity(PART);
        while first.len() < PART {
            match body.next().await {
                Some(chunk) => first.extend_from_slice(&chunk?),
                None => {
                    let size = first.len() as u64;
                    let payload = PutPayload::from(first.freeze());
                    self.store.put(&path, payload).await.map_err(store_error)?;
                    return Ok(size);
                }
            }
        }
        self.put_multipart(&path, first.freeze(), body).await
    }

    async fn get(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<ByteStream, BlobError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let found = self
            .store
            .get_opts(&Self::path(key), options)
            .await
            .map_err(store_error)?;
        Ok(Box::pin(found.into_stream().map_err(store_error)))
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let meta = self
            .store
            .head(&Self::path(key))
            .await
            .map_err(store_error)?;
        Ok(BlobMeta { size: meta.size })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.store.delete(&Self::path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(store_error(err)),
        }
    }

    async fn list(&self) -> Result<Vec<BlobKey>, BlobError> {
        let mut keys = Vec::new();
        let mut listing = self.store.list(None);
        while let Some(object) = listing.try_next().await.map_err(store_error)? {
            if let Some(key) = BlobKey::new(object.location.as_ref()) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    async fn presign(
        &self,
        method: Presign,
        key: &BlobKey,
        ttl: Duration,
    ) -> Result<Option<String>, BlobError> {
        let method = match method {
            Presign::Put => Method::PUT,
            Presign::Get => Method::GET,
        };
        let url = self
            .store
            .signed_url(method, &Self::path(key), ttl)
            .await
            .map_err(store_error)?;
        Ok(Some(url.to_string()))
    }
}
