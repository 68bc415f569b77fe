//! Uploads and downloads of files: the rules of the media pipeline, over the blob store port
//! (bytes) and the store's media records (who uploaded what, whether it was checked).
//!
//! An upload is pending until its bytes were stored, measured and sniffed; only then may its
//! owner attach it. A direct upload streams through the server (counted and sniffed on the
//! way, cut off at the limit); a presigned upload goes straight to the blob store (S3) or to
//! Hearth's own signed URL (the local folder), then the owner confirms it and the server
//! checks the stored bytes. Pending uploads that are never confirmed are deleted, blob and
//! record, by [`MediaService::sweep_expired`]. This module never buffers a whole file and
//! never trusts a client's claim about a file's type.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hearth_domain::{FileName, MediaId, MediaStatus, Timestamp, UserId};
use hearth_store::{DynStore, MediaRecord, NewMedia, StoreError};

use crate::blobs::{BlobError, BlobKey, BlobStore, ByteStream, NoBlobs, Presign};
use crate::media_access::visible;
use crate::media_inspect::{Inspector, SNIFF_BYTES, allowed, sniff};
use crate::media_urls::UrlSigner;
use crate::{AppError, Caller, ConversationService};

/// The largest file any configuration may accept (5 TiB, S3's largest object); a presigned
/// upload announcing more is invalid input rather than merely too large for this server.
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024 * 1024 * 1024;

/// The rules of uploads, from the configuration.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Largest file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Sniffed content types accepted: `type/subtype`, `type/*` or `*/*`.
    pub allowed_types: Vec<String>,
    /// How long a presigned upload URL works.
    pub upload_url_ttl: Duration,
    /// How long a download URL (a presigned GET) works.
    pub download_url_ttl: Duration,
    /// How long an upload may stay unconfirmed before it is deleted.
    pub pending_ttl: Duration,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            max_upload_bytes: 100 * 1024 * 1024,
            allowed_types: vec!["*/*".to_owned()],
            upload_url_ttl: Duration::from_secs(15 * 60),
            download_url_ttl: Duration::from_secs(5 * 60),
            pending_ttl: Duration::from_secs(60 * 60),
        }
    }
}

/// A presigned upload begun: where to `PUT` the bytes, until when.
#[derive(Clone, Debug)]
pub struct PresignedUpload {
    /// The pending record.
    pub media: MediaRecord,
    /// The URL to `PUT` the bytes to: absolute (the bucket's) or a path on this server.
    pub url: String,
    /// When the URL stops working.
    pub expires_at: Timestamp,
}

/// What a download answers.
pub enum Download {
    /// The bytes, streamed through this server.
    Bytes {
        /// The record (type, name, size).
        media: MediaRecord,
        /// The part sent: the whole file, or the satisfiable range asked for.
        range: Range<u64>,
        /// Whether `range` answers a range request (206) rather than the whole file.
        partial: bool,
        /// The bytes of `range`.
        body: ByteStream,
    },
    /// The range asked for starts at or past the end of the file (HTTP 416).
    Unsatisfiable {
        /// The file's size, for `Content-Range: bytes */size`.
        size: u64,
    },
    /// Fetch the bytes from the blob store at this presigned URL.
    Redirect {
        /// The record.
        media: MediaRecord,
        /// The presigned GET URL.
        url: String,
    },
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes {
                media,
                range,
                partial,
                ..
            } => f
                .debug_struct("Bytes")
                .field("media", &media.id)
                .field("range", range)
                .field("partial", partial)
                .finish_non_exhaustive(),
            Self::Unsatisfiable { size } => {
                f.debug_struct("Unsatisfiable").field("size", size).finish()
            }
            Self::Redirect { media, .. } => f
                .debug_struct("Redirect")
                .field("media", &media.id)
                .finish_non_exhaustive(),
        }
    }
}

/// A byte range as a request asks for it (HTTP `Range: bytes=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `first-last`, inclusive.
    Bounded(u64, u64),
    /// `first-`: from `first` to the end.
    From(u64),
    /// `-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The bytes this range names of a blob of `size` bytes, or `None` when it names none of
    /// them (the request is then answered with the whole file).
    pub fn resolve(self, size: u64) -> Option<Range<u64>> {
        let range = match self {
            Self::Bounded(first, last) if first <= last => first..last.saturating_add(1).min(size),
            Self::Bounded(..) => return None,
            Self::From(first) => first..size,
            Self::Suffix(0) => return None,
            Self::Suffix(n) => size.saturating_sub(n)..size,
        };
        (range.start < range.end).then_some(range)
    }

    /// Whether this well-formed range names no byte of a blob of `size` bytes because it
    /// starts at or past its end (or asks for the last 0 bytes): RFC 9110 answers 416. A
    /// malformed range (`first > last`) is not unsatisfiable but ignored.
    pub fn is_unsatisfiable(self, size: u64) -> bool {
        match self {
            Self::Bounded(first, last) => first <= last && first >= size,
            Self::From(first) => first >= size,
            Self::Suffix(n) => n == 0,
        }
    }
}

/// Uploads, confirmations, downloads and the sweeping of abandoned uploads.
#[derive(Clone, Debug)]
pub struct MediaService {
    store: DynStore,
    conversations: ConversationService,
    blobs: Arc<dyn BlobStore>,
    settings: Arc<MediaSettings>,
    signer: UrlSigner,
    /// Told whenever an image becomes ready: the thumbnail worker waits on it.
    images_ready: Arc<tokio::sync::Notify>,
}

/// How a blob store failure reaches the caller.
pub(crate) fn blob_error(err: BlobError) -> AppError {
    match err {
        BlobError::NotFound => AppError::NotFound("media"),
        BlobError::Unavailable(why) => AppError::Unavailable(StoreError::Unavailable(why)),
        BlobError::Body(why) => AppError::BadRequest(why),
        other => AppError::internal(other),
    }
}

impl MediaService {
    /// Media over no blob store (every transfer is `Unavailable`) until
    /// [`MediaService::with_blobs`]; URLs signed under a key derived from `secret`.
    pub(crate) fn new(store: DynStore, conversations: ConversationService, secret: &[u8]) -> Self {
        Self {
            store,
            conversations,
            blobs: Arc::new(NoBlobs),
            settings: Arc::new(MediaSettings::default()),
            signer: UrlSigner::new(secret),
            images_ready: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The same service over `blobs`, with `settings`.
    pub(crate) fn with_blobs(mut self, blobs: Arc<dyn BlobStore>, settings: MediaSettings) -> Self {
        self.blobs = blobs;
        self.settings = Arc::new(settings);
        self
    }

    /// What is told whenever an upload becomes a ready image.
    pub(crate) fn images_ready(&self) -> Arc<tokio::sync::Notify> {
        self.images_ready.clone()
    }

    /// `ready`, once the thumbnail worker was told of it if it is an image.
    fn announce_ready(&self, ready: MediaRecord) -> MediaRecord {
        if ready.kind() == hearth_domain::MediaKind::Image {
            self.images_ready.notify_one();
        }
        ready
    }

    /// The rules in force.
    pub fn settings(&self) -> &MediaSettings {
        &self.settings
    }

    fn key_of(record: &MediaRecord) -> Result<BlobKey, AppError> {
        BlobKey::new(&record.storage_key).ok_or_else(|| {
            AppError::internal(StoreError::Backend("a stored blob key is malformed".into()))
        })
    }

    async fn create(
        &self,
        caller: Caller,
        file_name: &str,
        declared_size: Option<u64>,
    ) -> Result<MediaRecord, AppError> {
        let file_name = FileName::parse(file_name)?;
        let id = MediaId::new();
        let now = crate::now();
        let pending = NewMedia {
            id,
            owner_id: caller.user_id,
            file_name,
            declared_size,
            storage_key: format!("media/{id}"),
            created_at: now,
            expires_at: now + self.settings.pending_ttl,
        };
        Ok(self.store.create_media(pending).await?)
    }

    /// Removes an upload: its blob, its thumbnails' and its record (what a failed upload
    /// left, or one its owner deletes).
    async fn discard(&self, record: &MediaRecord) {
        if let Ok(key) = Self::key_of(record)
            && let Err(err) = self.blobs.delete(&key).await
        {
            tracing::warn!(media = %record.id, cause = %err, "cannot delete a refused upload's blob");
        }
        self.delete_thumbnails(record).await;
        if let Err(err) = self.store.delete_media(record.id).await {
            tracing::warn!(media = %record.id, cause = %err, "cannot delete a refused upload's record");
        }
    }

    /// The sniffed type of `head`, if the rules accept it.
    fn accepted_type(&self, head: &[u8]) -> Result<String, AppError> {
        let content_type = sniff(head);
        if allowed(&content_type, &self.settings.allowed_types) {
            Ok(content_type)
        } else {
            Err(AppError::UnsupportedType(format!(
                "files of type {content_type} are not accepted here"
            )))
        }
    }

    fn too_large(&self) -> AppError {
        AppError::TooLarge(format!(
            "files may be at most {} bytes",
            self.settings.max_upload_bytes
        ))
    }

    /// A direct upload: `body` is streamed into the blob store (counted, cut off past the
    /// limit, its first bytes sniffed), then the upload is ready. A refused or failed upload
    /// leaves nothing behind.
    #[tracing::instrument(skip(self, body), fields(user_id = %caller.user_id))]
    pub async fn upload(
        &self,
        caller: Caller,
        file_name: &str,
        body: ByteStream,
    ) -> Result<MediaRecord, AppError> {
        let record = self.create(caller, file_name, None).await?;
        match self
            .store_and_check(&record, body, self.settings.max_upload_bytes)
            .await
        {
            Ok((size, content_type)) => {
                let ready = self
                    .store
                    .confirm_media(record.id, size, &content_type, crate::now())
                    .await;
                match ready {
                    Ok(ready) => Ok(self.announce_ready(ready)),
                    Err(err) => {
                        self.discard(&record).await;
                        Err(err.into())
                    }
                }
            }
            Err(err) => {
                self.discard(&record).await;
                Err(err)
            }
        }
    }

    /// Streams `body` under the record's key, at most `limit` bytes; the size and accepted
    /// type of what was stored.
    async fn store_and_check(
        &self,
        record: &MediaRecord,
        body: ByteStream,
        limit: u64,
    ) -> Result<(u64, String), AppError> {
        let key = Self::key_of(record)?;
        let inspector = Inspector::default();
        let stored = self.blobs.put(&key, inspector.wrap(body, limit)).await;
        let (over, head) = inspector.with(|seen| (seen.over_limit, seen.head.clone()));
        if over {
            return Err(self.too_large());
        }
        let size = stored.map_err(blob_error)?;
        if size == 0 {
            return Err(hearth_domain::ValidationErrors::field("file", "must not be empty").into());
        }
        Ok((size, self.accepted_type(&head)?))
    }

    /// Begins a presigned upload of `size` bytes: a pending record and the URL to `PUT` them
    /// to (the bucket's own presigned URL, or Hearth's signed one for the local folder).
    #[tracing::instrument(skip(self), fields(user_id = %caller.user_id))]
    pub async fn begin_upload(
        &self,
        caller: Caller,
        file_name: &str,
        size: u64,
    ) -> Result<PresignedUpload, AppError> {
        if size == 0 || size > MAX_UPLOAD_BYTES {
            let rule = format!("must be 1–{MAX_UPLOAD_BYTES}");
            return Err(hearth_domain::ValidationErrors::field("size", rule).into());
        }
        if size > self.settings.max_upload_bytes {
            return Err(self.too_large());
        }
        let record = self.create(caller, file_name, Some(size)).await?;
        let ttl = self.settings.upload_url_ttl;
        let expires_at = crate::now() + ttl;
        let signed = self
            .blobs
            .presign(Presign::Put, &Self::key_of(&record)?, ttl)
            .await;
        let url = match signed {
            Ok(Some(url)) => url,
            Ok(None) => self.signer.upload_url(record.id, expires_at),
            Err(err) => {
                self.discard(&record).await;
                return Err(blob_error(err));
            }
        };
        Ok(PresignedUpload {
            media: record,
            url,
            expires_at,
        })
    }

    /// The bytes of a presigned upload sent to Hearth's signed URL (the local folder):
    /// refused unless the signature is genuine and unexpired and the upload still pending;
    /// at most the announced size is accepted. The owner confirms afterwards.
    #[tracing::instrument(skip(self, signature, body))]
    pub async fn upload_signed(
        &self,
        id: MediaId,
        expires: i64,
        signature: &str,
        body: ByteStream,
    ) -> Result<(), AppError> {
        if !self.signer.verify(id, expires, signature, crate::now()) {
            return Err(AppError::Forbidden(
                "this upload link is invalid or has expired",
            ));
        }
        let record = self
            .store
            .media(id)
            .await?
            .ok_or(AppError::NotFound("media"))?;
        if record.status != MediaStatus::Pending {
            return Err(AppError::Conflict(
                "this upload was confirmed already".to_owned(),
            ));
        }
        let limit = record
            .declared_size
            .unwrap_or(self.settings.max_upload_bytes);
        let key = Self::key_of(&record)?;
        let inspector = Inspector::default();
        let stored = self.blobs.put(&key, inspector.wrap(body, limit)).await;
        if inspector.with(|seen| seen.over_limit) {
            return Err(AppError::TooLarge(format!(
                "this upload was announced as {limit} bytes"
            )));
        }
        stored.map(drop).map_err(blob_error)
    }

    /// Confirms a presigned upload: the stored bytes are measured (they must be the announced
    /// size) and sniffed (the type must be accepted), and the upload is ready. Refused bytes
    /// are deleted with their record. Confirming a ready upload answers it again.
    #[tracing::instrument(skip(self), fields(user_id = %caller.user_id))]
    pub async fn confirm(&self, caller: Caller, id: MediaId) -> Result<MediaRecord, AppError> {
        let record = self.owned(caller, id).await?;
        if record.status == MediaStatus::Ready {
            return Ok(record);
        }
        if record.expires_at.is_some_and(|at| at <= crate::now()) {
            self.discard(&record).await;
            return Err(AppError::NotFound("media"));
        }
        let key = Self::key_of(&record)?;
        let size = match self.blobs.head(&key).await {
            Ok(meta) => meta.size,
            Err(BlobError::NotFound) => {
                return Err(AppError::Conflict("nothing was uploaded yet".to_owned()));
            }
            Err(err) => return Err(blob_error(err)),
        };
        let checked = self.check_stored(&record, &key, size).await;
        let content_type = match checked {
            Ok(content_type) => content_type,
            Err(err) => {
                self.discard(&record).await;
                return Err(err);
            }
        };
        let ready = self
            .store
            .confirm_media(id, size, &content_type, crate::now())
            .await?;
        Ok(self.announce_ready(ready))
    }

    /// The accepted type of stored bytes of `size`, after their size was checked.
    async fn check_stored(
        &self,
        record: &MediaRecord,
        key: &BlobKey,
        size: u64,
    ) -> Result<String, AppError> {
        if size > self.settings.max_upload_bytes {
            return Err(self.too_large());
        }
        if record
            .declared_size
            .is_some_and(|declared| declared != size)
        {
            return Err(hearth_domain::ValidationErrors::field(
                "size",
                format!(
                    "{size} bytes were uploaded, not the {} announced",
                    record.declared_size.unwrap_or_default()
                ),
            )
            .into());
        }
        let head_len = size.min(SNIFF_BYTES as u64);
        let mut head = Vec::new();
        let mut stream = self
            .blobs
            .get(key, Some(0..head_len))
            .await
            .map_err(blob_error)?;
        while let Some(chunk) = stream.next().await {
            head.extend_from_slice(&chunk.map_err(blob_error)?);
        }
        self.accepted_type(&head)
    }

    /// Deletes an upload of the caller's (blob and record), as if it had never been made.
    pub async fn remove(&self, caller: Caller, id: MediaId) -> Result<(), AppError> {
        let record = self.owned(caller, id).await?;
        self.discard(&record).await;
        Ok(())
    }

    /// The record of `id` if the caller owns it (else, as for a missing one, `NotFound`).
    async fn owned(&self, caller: Caller, id: MediaId) -> Result<MediaRecord, AppError> {
        match self.store.media(id).await? {
            Some(record) if record.owner_id == caller.user_id => Ok(record),
            _ => Err(AppError::NotFound("media")),
        }
    }

    /// The record of a file the caller may see: one they uploaded, or one attached to a
    /// message they may read (see `media_access`); anything else is `NotFound`.
    pub async fn get(&self, caller: Caller, id: MediaId) -> Result<MediaRecord, AppError> {
        visible(&self.store, &self.conversations, caller, id).await
    }

    /// A ready file's bytes for a caller who may see it ([`get`](Self::get)'s rule), or the
    /// part of them `range` names; a presigned
    /// GET URL instead when the blob store signs them (S3) and `redirect` is allowed.
    #[tracing::instrument(skip(self), fields(user_id = %caller.user_id))]
    pub async fn download(
        &self,
        caller: Caller,
        id: MediaId,
        range: Option<ByteRange>,
        redirect: bool,
    ) -> Result<Download, AppError> {
        let media = self.get(caller, id).await?;
        let (MediaStatus::Ready, Some(size)) = (media.status, media.size) else {
            return Err(AppError::NotFound("media"));
        };
        let key = Self::key_of(&media)?;
        if redirect
            && let Some(url) = self
                .blobs
                .presign(Presign::Get, &key, self.settings.download_url_ttl)
                .await
                .map_err(blob_error)?
        {
            return Ok(Download::Redirect { media, url });
        }
        if range.is_some_and(|range| range.is_unsatisfiable(size)) {
            return Ok(Download::Unsatisfiable { size });
        }
        let asked = range.and_then(|range| range.resolve(size));
        let (range, partial) = match asked {
            Some(range) => (range, true),
            None => (0..size, false),
        };
        let body = self
            .blobs
            .get(&key, partial.then(|| range.clone()))
            .await
            .map_err(blob_error)?;
        Ok(Download::Bytes {
            media,
            range,
            partial,
            body,
        })
    }

    /// Every upload of `owner`, pending or ready, oldest first: part of their data export.
    pub(crate) async fn all_of(&self, owner: UserId) -> Result<Vec<MediaRecord>, AppError> {
        const PAGE: u32 = 500;
        let mut all: Vec<MediaRecord> = Vec::new();
        loop {
            let after = all.last().map(|m| m.id);
            let page = self.store.media_of(owner, after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// Deletes every upload of `owner` (blob, then record), pending or ready: part of deleting
    /// their account. How many were deleted.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn remove_all_of(&self, owner: UserId) -> Result<usize, AppError> {
        let mut deleted = 0;
        loop {
            let page = self.store.media_of(owner, None, 100).await?;
            if page.is_empty() {
                return Ok(deleted);
            }
            for record in &page {
                let key = Self::key_of(record)?;
                self.blobs.delete(&key).await.map_err(blob_error)?;
                self.delete_thumbnails(record).await;
                if self.store.delete_media(record.id).await? {
                    deleted += 1;
                }
            }
        }
    }

    /// The whole blob of a ready upload, for a use case that derives a picture from it; `None`
    /// when it holds more than `limit` bytes (reading stops there). No access check: the
    /// caller has made it.
    pub(crate) async fn read_whole(
        &self,
        record: &MediaRecord,
        limit: u64,
    ) -> Result<Option<Vec<u8>>, AppError> {
        let key = Self::key_of(record)?;
        let mut body = self.blobs.get(&key, None).await.map_err(blob_error)?;
        let expected = record.size.unwrap_or(0).min(limit);
        let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        while let Some(chunk) = body.next().await {
            bytes.extend_from_slice(&chunk.map_err(blob_error)?);
            if bytes.len() as u64 > limit {
                return Ok(None);
            }
        }
        Ok(Some(bytes))
    }

    /// Deletes the blobs of `record`'s thumbnails.
    async fn delete_thumbnails(&self, record: &MediaRecord) {
        self.delete_thumbnail_blobs(record.id, record.thumbnails.as_deref().unwrap_or_default())
            .await;
    }

    /// Deletes the blobs of `thumbnails` of upload `media`; a failure is logged, never
    /// reported (nothing refers to them any more).
    pub(crate) async fn delete_thumbnail_blobs(
        &self,
        media: MediaId,
        thumbnails: &[hearth_domain::Thumbnail],
    ) {
        for thumbnail in thumbnails {
            let Ok(key) = crate::thumbnails::thumbnail_key(media, thumbnail) else {
                continue;
            };
            if let Err(err) = self.blobs.delete(&key).await {
                tracing::warn!(%media, cause = %err, "cannot delete a thumbnail");
            }
        }
    }

    /// Deletes the uploads left unconfirmed past their expiry (blob, then record), at most
    /// `batch` of them; how many were deleted.
    #[tracing::instrument(skip(self))]
    pub async fn sweep_expired(&self, now: Timestamp, batch: u32) -> Result<usize, AppError> {
        let expired = self.store.expired_media(now, batch).await?;
        let mut deleted = 0;
        for record in &expired {
            let key = Self::key_of(record)?;
            self.blobs.delete(&key).await.map_err(blob_error)?;
            if self.store.delete_media(record.id).await? {
                deleted += 1;
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "deleted unconfirmed uploads");
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_against_the_size() {
        assert_eq!(ByteRange::Bounded(0, 9).resolve(100), Some(0..10));
        assert_eq!(ByteRange::Bounded(90, 200).resolve(100), Some(90..100));
        assert_eq!(ByteRange::From(95).resolve(100), Some(95..100));
        assert_eq!(ByteRange::Suffix(10).resolve(100), Some(90..100));
        assert_eq!(ByteRange::Suffix(500).resolve(100), Some(0..100));
        assert_eq!(ByteRange::From(100).resolve(100), None);
        assert_eq!(ByteRange::Bounded(5, 4).resolve(100), None);
        assert_eq!(ByteRange::Suffix(0).resolve(100), None);
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable_and_malformed_ones_are_not() {
        assert!(ByteRange::From(100).is_unsatisfiable(100));
        assert!(ByteRange::Bounded(100, 200).is_unsatisfiable(100));
        assert!(ByteRange::Suffix(0).is_unsatisfiable(100));
        assert!(
            !ByteRange::Bounded(5, 4).is_unsatisfiable(100),
            "malformed: ignored"
        );
        assert!(!ByteRange::From(99).is_unsatisfiable(100));
        assert!(!ByteRange::Suffix(500).is_unsatisfiable(100));
    }
}
