//! Thumbnails of image uploads: small, medium and large, made once by a background worker as
//! soon as an image is ready (never on the request that uploaded it), kept in the blob store
//! under `thumbnails/<media id>/<size>.<jpg|png>` and recorded on the media record.
//!
//! The queue is the store itself (ready images whose thumbnails are unset), so an image whose
//! node stopped before its thumbnails were made gets them from the next worker that looks;
//! every node may run a worker, and two that make the same image's thumbnails write the same
//! keys and record them once. An image the renderer cannot read gets an empty list, so it is
//! never tried again. Who may fetch a thumbnail is who may fetch the file itself
//! ([`MediaService::get`]). This module never renders on the async runtime's threads.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use hearth_domain::{MediaId, MediaKind, MediaStatus, Thumbnail, ThumbnailSize};
use hearth_store::{DynStore, MediaRecord, StoreError};
use tokio::sync::Notify;

use crate::blobs::{BlobKey, BlobStore, NoBlobs};
use crate::images::{Fit, ImageError, ImageRenderer, NoImages, PictureBytes, RenderQueue};
use crate::media::{MediaService, blob_error};
use crate::{AppError, Caller};

/// The largest upload thumbnails are made of; larger images get none (a 50 MiB JPEG is
/// already far past the decoder's 64 megapixels).
pub const MAX_THUMBNAIL_SOURCE_BYTES: u64 = 50 * 1024 * 1024;

/// Where the thumbnail `thumbnail` of upload `media` is kept.
pub(crate) fn thumbnail_key(media: MediaId, thumbnail: &Thumbnail) -> Result<BlobKey, AppError> {
    BlobKey::new(&format!(
        "thumbnails/{media}/{}.{}",
        thumbnail.size,
        thumbnail.format.extension()
    ))
    .ok_or_else(|| AppError::internal(StoreError::Backend("a thumbnail key is malformed".into())))
}

/// Making and serving thumbnails.
#[derive(Clone, Debug)]
pub struct ThumbnailService {
    store: DynStore,
    media: MediaService,
    blobs: Arc<dyn BlobStore>,
    images: RenderQueue,
    images_ready: Arc<Notify>,
}

impl ThumbnailService {
    /// Thumbnails of `media`'s uploads, over no blob store and no renderer until
    /// [`ThumbnailService::with_blobs`] and [`ThumbnailService::with_images`].
    pub(crate) fn new(store: DynStore, media: MediaService) -> Self {
        Self {
            store,
            images_ready: media.images_ready(),
            media,
            blobs: Arc::new(NoBlobs),
            images: RenderQueue::new(Arc::new(NoImages)),
        }
    }

    /// The same service over `media`'s uploads, keeping thumbnails in `blobs`.
    pub(crate) fn with_blobs(mut self, media: MediaService, blobs: Arc<dyn BlobStore>) -> Self {
        self.images_ready = media.images_ready();
        self.media = media;
        self.blobs = blobs;
        self
    }

    /// The same service rendering with `images`.
    pub(crate) fn with_images(mut self, images: Arc<dyn ImageRenderer>) -> Self {
        self.images = RenderQueue::new(images);
        self
    }

    /// Makes the thumbnails of up to `batch` images waiting for them; how many images were
    /// done (an unreadable one counts: it is done, with none).
    #[tracing::instrument(skip(self))]
    pub async fn make_waiting(&self, batch: u32) -> Result<usize, AppError> {
        let waiting = self.store.media_awaiting_thumbnails(batch).await?;
        let mut done = 0;
        for record in &waiting {
            if self.make(record).await?.is_some() {
                done += 1;
            }
        }
        Ok(done)
    }

    /// Runs the worker until the task is aborted: whatever is waiting, then again whenever an
    /// image becomes ready on this node, or every `interval` (for other nodes' images and for
    /// passes that failed).
    pub async fn run(self, interval: Duration) {
        const BATCH: u32 = 16;
        loop {
            let waited = match self.make_waiting(BATCH).await {
                Ok(done) if done == BATCH as usize => continue,
                Ok(_) => interval,
                Err(err) => {
                    tracing::warn!(cause = %err, "a pass of the thumbnail worker failed");
                    interval
                }
            };
            tokio::select! {
                () = self.images_ready.notified() => {}
                () = tokio::time::sleep(waited) => {}
            }
        }
    }

    /// Makes and records the thumbnails of `record`: the list recorded, or `None` when this
    /// server renders no images (nothing is recorded, so a server that does can later).
    async fn make(&self, record: &MediaRecord) -> Result<Option<Vec<Thumbnail>>, AppError> {
        let started = std::time::Instant::now();
        let made = match self.render(record).await? {
            Rendered::Unsupported => return Ok(None),
            Rendered::Refused(why) => {
                tracing::info!(media = %record.id, why, "no thumbnails for this image");
                Vec::new()
            }
            Rendered::Made(made) => made,
        };
        if !self.store.set_thumbnails(record.id, &made).await? {
            // Another worker recorded them first (same keys, same bytes), or the upload was
            // deleted meanwhile: then what was just written belongs to nothing.
            if self.store.media(record.id).await?.is_none() {
                self.media.delete_thumbnail_blobs(record.id, &made).await;
            }
        }
        tracing::debug!(
            media = %record.id,
            thumbnails = made.len(),
            elapsed_ms = started.elapsed().as_millis(),
            "thumbnails made"
        );
        Ok(Some(made))
    }

    async fn render(&self, record: &MediaRecord) -> Result<Rendered, AppError> {
        if record.size.unwrap_or(0) > MAX_THUMBNAIL_SOURCE_BYTES {
            return Ok(Rendered::Refused("larger than thumbnails are made of"));
        }
        let Some(source) = self
            .media
            .read_whole(record, MAX_THUMBNAIL_SOURCE_BYTES)
            .await?
        else {
            return Ok(Rendered::Refused("larger than thumbnails are made of"));
        };
        let fits = ThumbnailSize::ALL
            .iter()
            .map(|size| Fit::Within {
                max: size.max_side(),
            })
            .collect();
        let rendered = match self.images.render(source, fits).await {
            Ok(rendered) => rendered,
            Err(ImageError::Unsupported) => return Ok(Rendered::Unsupported),
            Err(ImageError::Unreadable(_)) => return Ok(Rendered::Refused("unreadable")),
            Err(ImageError::TooLarge(_)) => return Ok(Rendered::Refused("too many pixels")),
        };
        let mut made = Vec::with_capacity(rendered.len());
        for (size, picture) in ThumbnailSize::ALL.into_iter().zip(rendered) {
            let thumbnail = Thumbnail {
                size,
                format: picture.format,
                width: picture.width,
                height: picture.height,
                bytes: picture.bytes.len() as u64,
            };
            let key = thumbnail_key(record.id, &thumbnail)?;
            let body = futures::stream::once(async move { Ok(Bytes::from(picture.bytes)) }).boxed();
            self.blobs.put(&key, body).await.map_err(blob_error)?;
            made.push(thumbnail);
        }
        Ok(Rendered::Made(made))
    }

    /// The thumbnail `size` of a file the caller may see. `NotFound` when there is none (not
    /// an image, not made yet, or none could be made).
    pub async fn download(
        &self,
        caller: Caller,
        id: MediaId,
        size: ThumbnailSize,
    ) -> Result<PictureBytes, AppError> {
        let record = self.media.get(caller, id).await?;
        let thumbnail = record
            .thumbnails
            .iter()
            .flatten()
            .find(|t| t.size == size)
            .copied()
            .ok_or(AppError::NotFound("thumbnail"))?;
        let body = self
            .blobs
            .get(&thumbnail_key(id, &thumbnail)?, None)
            .await
            .map_err(|err| match blob_error(err) {
                AppError::NotFound(_) => AppError::NotFound("thumbnail"),
                other => other,
            })?;
        Ok(PictureBytes {
            format: thumbnail.format,
            length: Some(thumbnail.bytes),
            body,
        })
    }

    /// A file the caller may see, with its thumbnails made now if it is a ready image still
    /// waiting for them (GraphQL's `generateMediaThumbnail`).
    pub async fn ensure(&self, caller: Caller, id: MediaId) -> Result<MediaRecord, AppError> {
        let record = self.media.get(caller, id).await?;
        let waiting = record.status == MediaStatus::Ready
            && record.kind() == MediaKind::Image
            && record.thumbnails.is_none();
        if !waiting {
            return Ok(record);
        }
        if self.make(&record).await?.is_none() {
            return Err(AppError::Unavailable(StoreError::Unavailable(
                "this server renders no images".into(),
            )));
        }
        self.store
            .media(id)
            .await?
            .ok_or(AppError::NotFound("media"))
    }
}

/// What rendering an upload's thumbnails came to.
enum Rendered {
    /// This server has no renderer.
    Unsupported,
    /// The image cannot have thumbnails (why, for the log).
    Refused(&'static str),
    /// Made and stored.
    Made(Vec<Thumbnail>),
}
