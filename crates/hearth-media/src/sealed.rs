//! Encryption at rest for blobs: a blob store that seals what it stores in another one
//! (`hearth_seal::stream`) and opens what it reads, so the folder or the bucket underneath
//! only ever holds ciphertext.
//!
//! Every blob is sealed under the keyring's current key with its own random nonce prefix and
//! bound to its key (name); the header names the data key, so blobs sealed under a key that
//! has since been rotated out still open. A range is read as the whole chunks that hold it
//! (64 KiB each), opened, and cut to the range. A blob stored before encryption was turned on
//! carries no header and is read as it is (until a rotation seals it); with `seal_new` off
//! (encryption turned off again) new blobs are stored plain and sealed ones still open.
//!
//! Presigned URLs would hand the client the ciphertext, or let it store plaintext: this store
//! signs none, so uploads and downloads go through Hearth (the local folder's flow). Must
//! never: pass plaintext to the store underneath, or return bytes whose tags did not verify.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use hearth_app::blobs::{BlobError, BlobKey, BlobMeta, BlobStore, ByteStream, Presign};
use hearth_seal::stream::{HEADER_LEN, Header, Sealer, Unsealer, plain_len, span};
use hearth_seal::{KeyId, Keyring, SealError};

/// What [`SealedBlobs::reseal`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resealed {
    /// The blob was sealed under the current key already: nothing was done.
    Already,
    /// The blob was sealed under this older key, and now is under the current one.
    From(KeyId),
    /// The blob was stored plain (before encryption was on), and now is sealed.
    Plain,
}

/// A blob store that keeps its blobs sealed in `inner`.
#[derive(Debug)]
pub struct SealedBlobs {
    inner: Arc<dyn BlobStore>,
    keys: Arc<Keyring>,
    seal_new: bool,
    refuse_plain: bool,
}

impl SealedBlobs {
    /// Seals into `inner` with `keys` (new blobs stay plain unless `seal_new`).
    pub fn new(inner: Arc<dyn BlobStore>, keys: Arc<Keyring>, seal_new: bool) -> Self {
        Self {
            inner,
            keys,
            seal_new,
            refuse_plain: false,
        }
    }

    /// The same store, refusing to read a blob that is not sealed (once a rotation sealed
    /// every one: then a plain blob can only have been put there behind Hearth's back).
    pub fn refusing_plain(mut self) -> Self {
        self.refuse_plain = true;
        self
    }

    /// A blob that is not sealed, read as it is unless plain blobs are refused.
    fn plain(&self, key: &BlobKey) -> Result<(), BlobError> {
        if self.refuse_plain {
            tracing::error!(key = %key, "a blob that is not sealed was refused");
            return Err(BlobError::Backend(
                "a stored file is not sealed (encryption.refuse_unsealed_files)".into(),
            ));
        }
        Ok(())
    }

    /// The header of the blob under `key`, or `None` when it was stored plain.
    async fn header(&self, key: &BlobKey, size: u64) -> Result<Option<Header>, BlobError> {
        if size < HEADER_LEN as u64 {
            return Ok(None);
        }
        let head = collect(self.inner.get(key, Some(0..HEADER_LEN as u64)).await?).await?;
        Ok(Header::parse(&head).ok())
    }

    /// Seals the blob under `key` anew under the current key, unless it already is: what it
    /// was before.
    pub async fn reseal(&self, key: &BlobKey) -> Result<Resealed, BlobError> {
        let current = self.keys.current().id();
        let size = self.inner.head(key).await?.size;
        let before = match self.header(key, size).await? {
            Some(header) if header.key_id == current => return Ok(Resealed::Already),
            Some(header) => Resealed::From(header.key_id),
            None => Resealed::Plain,
        };
        let opened = self.whole(key).await?;
        self.put_sealed(key, opened).await?;
        Ok(before)
    }

    /// Stores `body` under `key` sealed under the current key; the plaintext bytes stored.
    async fn put_sealed(&self, key: &BlobKey, body: ByteStream) -> Result<u64, BlobError> {
        let sealer =
            Sealer::new(&self.keys.current(), key.as_str().as_bytes()).map_err(seal_error)?;
        let stored = self.inner.put(key, sealed(body, sealer)).await?;
        plain_len(stored).map_err(seal_error)
    }

    /// The whole blob under `key` in one read: opened when its first bytes are a header, as
    /// it is when they are not (stored plain).
    async fn whole(&self, key: &BlobKey) -> Result<ByteStream, BlobError> {
        let mut body = self.inner.get(key, None).await?;
        let mut first = Vec::with_capacity(HEADER_LEN);
        while first.len() < HEADER_LEN {
            match body.try_next().await? {
                Some(bytes) => first.extend_from_slice(&bytes),
                None => break,
            }
        }
        let header = Header::parse(&first).ok();
        // What was read past the header (or, stored plain, all that was read) comes first.
        let start = match header {
            Some(_) => first.split_off(HEADER_LEN),
            None => first,
        };
        let body: ByteStream =
            Box::pin(stream::once(async move { Ok(Bytes::from(start)) }).chain(body));
        match header {
            Some(header) => self.open(key, &header, body, 0, true),
            None => self.plain(key).map(|()| body),
        }
    }

    /// The chunks `sealed` of the blob under `key`, from chunk `first_chunk` on, opened.
    fn open(
        &self,
        key: &BlobKey,
        header: &Header,
        sealed: ByteStream,
        first_chunk: u32,
        ends_blob: bool,
    ) -> Result<ByteStream, BlobError> {
        let data_key = self.keys.get(header.key_id).map_err(seal_error)?;
        let unsealer = Unsealer::new(
            &data_key,
            header,
            key.as_str().as_bytes(),
            first_chunk,
            ends_blob,
        )
        .map_err(seal_error)?;
        Ok(chunked(sealed, unsealer))
    }
}

#[async_trait::async_trait]
impl BlobStore for SealedBlobs {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn put(&self, key: &BlobKey, body: ByteStream) -> Result<u64, BlobError> {
        if !self.seal_new {
            return self.inner.put(key, body).await;
        }
        self.put_sealed(key, body).await
    }

    async fn get(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<ByteStream, BlobError> {
        let Some(range) = range else {
            return self.whole(key).await;
        };
        let size = self.inner.head(key).await?.size;
        let Some(header) = self.header(key, size).await? else {
            self.plain(key)?;
            return self.inner.get(key, Some(range)).await;
        };
        let plain = plain_len(size).map_err(seal_error)?;
        if range.is_empty() {
            return Ok(Box::pin(stream::empty()));
        }
        let span = span(range.clone(), plain).map_err(seal_error)?;
        let body = self.inner.get(key, Some(span.sealed.clone())).await?;
        let opened = self.open(key, &header, body, span.first_chunk, span.ends_blob)?;
        Ok(cut(opened, span.skip, range.end - range.start))
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let meta = self.inner.head(key).await?;
        match self.header(key, meta.size).await? {
            Some(_) => Ok(BlobMeta {
                size: plain_len(meta.size).map_err(seal_error)?,
            }),
            None => self.plain(key).map(|()| meta),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.inner.delete(key).await
    }

    async fn list(&self) -> Result<Vec<BlobKey>, BlobError> {
        self.inner.list().await
    }

    async fn presign(
        &self,
        _: Presign,
        _: &BlobKey,
        _: Duration,
    ) -> Result<Option<String>, BlobError> {
        Ok(None)
    }
}

/// What turns a stream's bytes into others chunk by chunk: a [`Sealer`] or an [`Unsealer`].
trait Chunker: Send + 'static {
    /// Takes more bytes; what the chunks they completed became.
    fn update(&mut self, bytes: &[u8]) -> Result<Vec<u8>, SealError>;
    /// What the final chunk became.
    fn finish(self) -> Result<Vec<u8>, SealError>;
}

impl Chunker for Sealer {
    fn update(&mut self, bytes: &[u8]) -> Result<Vec<u8>, SealError> {
        Sealer::update(self, bytes)
    }
    fn finish(self) -> Result<Vec<u8>, SealError> {
        Sealer::finish(self)
    }
}

impl Chunker for Unsealer {
    fn update(&mut self, bytes: &[u8]) -> Result<Vec<u8>, SealError> {
        Unsealer::update(self, bytes)
    }
    fn finish(self) -> Result<Vec<u8>, SealError> {
        Unsealer::finish(self)
    }
}

/// `body` sealed by `sealer`: the header, the chunks as they fill, the last chunk at the end.
/// An error of the body ends the stream with that error, as it was.
fn sealed(body: ByteStream, sealer: Sealer) -> ByteStream {
    let header = Bytes::copy_from_slice(&sealer.header());
    Box::pin(stream::once(async move { Ok(header) }).chain(chunked(body, sealer)))
}

/// `body` turned chunk by chunk by `chunker`.
fn chunked(body: ByteStream, chunker: impl Chunker) -> ByteStream {
    Box::pin(stream::try_unfold(
        (body, Some(chunker)),
        |(mut body, mut chunker)| async move {
            let Some(mut active) = chunker.take() else {
                return Ok(None);
            };
            loop {
                match body.next().await {
                    Some(Ok(bytes)) => {
                        let out = active.update(&bytes).map_err(seal_error)?;
                        if !out.is_empty() {
                            return Ok(Some((Bytes::from(out), (body, Some(active)))));
                        }
                    }
                    Some(Err(err)) => return Err(err),
                    None => {
                        let last = active.finish().map_err(seal_error)?;
                        return Ok(Some((Bytes::from(last), (body, None))));
                    }
                }
            }
        },
    ))
}

/// `len` bytes of `body` after its first `skip`.
fn cut(body: ByteStream, skip: u64, len: u64) -> ByteStream {
    let state = (body, skip, len);
    Box::pin(stream::try_unfold(
        state,
        |(mut body, mut skip, mut len)| async move {
            while len > 0 {
                let Some(mut bytes) = body.try_next().await? else {
                    return Err(BlobError::Backend("a sealed blob ended early".into()));
                };
                let skipped = skip.min(bytes.len() as u64);
                let _ = bytes.split_to(skipped as usize);
                skip -= skipped;
                let kept = bytes.split_to(len.min(bytes.len() as u64) as usize);
                len -= kept.len() as u64;
                if !kept.is_empty() {
                    return Ok(Some((kept, (body, skip, len))));
                }
            }
            Ok(None)
        },
    ))
}

async fn collect(mut body: ByteStream) -> Result<Vec<u8>, BlobError> {
    let mut all = Vec::new();
    while let Some(bytes) = body.try_next().await? {
        all.extend_from_slice(&bytes);
    }
    Ok(all)
}

fn seal_error(err: SealError) -> BlobError {
    tracing::error!(cause = %err, "a sealed blob failed to seal or open");
    BlobError::backend(err)
}
