//! Profile pictures: made from one of the person's own uploaded images, rendered to one square
//! size, kept in the blob store under `avatars/<user id>/<name>`, and served to anyone who
//! knows the picture's name (see [`hearth_domain::AvatarRef`] for why that is safe).
//!
//! The uploaded original stays the person's upload; the picture is a new, smaller image with
//! no metadata. Rendering runs on a blocking thread, never on the runtime's. This module never
//! serves a picture under any name but the current one, so a replaced or removed picture is
//! gone for everyone at once.

use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use hearth_domain::{AvatarRef, MediaId, MediaKind, MediaStatus, User, UserId, ValidationErrors};
use hearth_store::{DynStore, ProfileChange, StoreError};

use crate::blobs::{BlobKey, BlobStore, NoBlobs};
use crate::clock::now;
use crate::images::{Fit, ImageError, ImageRenderer, NoImages, PictureBytes, RenderQueue};
use crate::media::{MediaService, blob_error};
use crate::user_names::UserNames;
use crate::{AppError, Caller};

/// The side of every profile picture, in pixels: sharp at 2× on the largest place a client
/// shows one (128 CSS pixels), small enough to fetch for every row of a list.
pub const AVATAR_SIDE: u32 = 256;

/// The largest upload a picture is made from. Larger photos are refused rather than decoded:
/// a 20 MiB JPEG is already ~40 megapixels.
pub const MAX_AVATAR_SOURCE_BYTES: u64 = 20 * 1024 * 1024;

/// Setting, removing and serving profile pictures.
#[derive(Clone, Debug)]
pub struct AvatarService {
    store: DynStore,
    media: MediaService,
    blobs: Arc<dyn BlobStore>,
    images: RenderQueue,
    names: UserNames,
}

/// The error of a picture that cannot be made from the upload `media_id`.
fn unusable(why: impl Into<String>) -> AppError {
    ValidationErrors::field("media_id", why).into()
}

impl AvatarService {
    /// Pictures over no blob store and no renderer until [`AvatarService::with_blobs`] and
    /// [`AvatarService::with_images`].
    pub(crate) fn new(store: DynStore, media: MediaService, names: UserNames) -> Self {
        Self {
            store,
            media,
            blobs: Arc::new(NoBlobs),
            images: RenderQueue::new(Arc::new(NoImages)),
            names,
        }
    }

    /// The same service reading uploads through `media` and keeping pictures in `blobs`.
    pub(crate) fn with_blobs(mut self, media: MediaService, blobs: Arc<dyn BlobStore>) -> Self {
        self.media = media;
        self.blobs = blobs;
        self
    }

    /// The same service rendering with `images`.
    pub(crate) fn with_images(mut self, images: Arc<dyn ImageRenderer>) -> Self {
        self.images = RenderQueue::new(images);
        self
    }

    /// Where a picture is kept. A user id and an avatar name always make a valid key; the
    /// error is for the impossible case, never a panic.
    fn key_of(user: UserId, avatar: &AvatarRef) -> Result<BlobKey, AppError> {
        BlobKey::new(&format!("avatars/{user}/{avatar}")).ok_or_else(|| {
            AppError::internal(StoreError::Backend(
                "an avatar's blob key is malformed".into(),
            ))
        })
    }

    /// Makes the caller's profile picture from `media_id`, one of their own ready image
    /// uploads, and returns the account as it is now. The previous picture is deleted.
    #[tracing::instrument(skip(self), fields(user_id = %caller.user_id))]
    pub async fn set(&self, caller: Caller, media_id: MediaId) -> Result<User, AppError> {
        let record = self.media.get(caller, media_id).await?;
        if record.owner_id != caller.user_id {
            return Err(AppError::NotFound("media"));
        }
        if record.status != MediaStatus::Ready {
            return Err(unusable("must be a confirmed upload"));
        }
        if record.kind() != MediaKind::Image {
            return Err(unusable("must be an image (JPEG, PNG, GIF or WebP)"));
        }
        if record.size.unwrap_or(0) > MAX_AVATAR_SOURCE_BYTES {
            return Err(unusable(format!(
                "must be at most {} MiB to become a profile picture",
                MAX_AVATAR_SOURCE_BYTES / (1024 * 1024)
            )));
        }
        let Some(source) = self
            .media
            .read_whole(&record, MAX_AVATAR_SOURCE_BYTES)
            .await?
        else {
            return Err(unusable("is too large to become a profile picture"));
        };
        let rendered = self
            .images
            .render(source, vec![Fit::Square { side: AVATAR_SIDE }])
            .await
            .map_err(|err| match err {
                ImageError::Unreadable(_) => unusable("is not a readable image"),
                ImageError::TooLarge(why) => unusable(why),
                ImageError::Unsupported => AppError::Unavailable(StoreError::Unavailable(
                    "this server renders no images".into(),
                )),
            })?
            .pop()
            .ok_or_else(|| unusable("is not a readable image"))?;

        let before = self.current(caller.user_id).await?;
        let avatar = AvatarRef::new(rendered.format);
        let key = Self::key_of(caller.user_id, &avatar)?;
        let body = futures::stream::once(async move { Ok(Bytes::from(rendered.bytes)) }).boxed();
        self.blobs.put(&key, body).await.map_err(blob_error)?;
        let user = match self.change(caller.user_id, Some(avatar)).await {
            Ok(user) => user,
            Err(err) => {
                self.delete_blob(&key).await;
                return Err(err);
            }
        };
        if let Some(old) = before.avatar {
            self.delete_blob(&Self::key_of(caller.user_id, &old)?).await;
        }
        Ok(user)
    }

    /// Removes the caller's profile picture (if any) and returns the account as it is now.
    #[tracing::instrument(skip(self), fields(user_id = %caller.user_id))]
    pub async fn remove(&self, caller: Caller) -> Result<User, AppError> {
        let before = self.current(caller.user_id).await?;
        let Some(old) = before.avatar else {
            return Ok(before);
        };
        let user = self.change(caller.user_id, None).await?;
        self.delete_blob(&Self::key_of(caller.user_id, &old)?).await;
        Ok(user)
    }

    /// The picture `user` has under `name`: `NotFound` unless it is their current one. Needs
    /// no caller: the name is the credential.
    pub async fn picture(&self, user: UserId, name: &str) -> Result<PictureBytes, AppError> {
        let avatar: AvatarRef = name.parse().map_err(|_| AppError::NotFound("avatar"))?;
        let current = self.store.user(user).await?.and_then(|u| u.avatar);
        if current != Some(avatar) {
            return Err(AppError::NotFound("avatar"));
        }
        let body = self
            .blobs
            .get(&Self::key_of(user, &avatar)?, None)
            .await
            .map_err(|err| match blob_error(err) {
                AppError::NotFound(_) => AppError::NotFound("avatar"),
                other => other,
            })?;
        Ok(PictureBytes {
            format: avatar.format(),
            length: None,
            body,
        })
    }

    /// Deletes the picture of an account being erased (the row's name is cleared by the
    /// erasure itself).
    pub(crate) async fn forget_picture(&self, user: UserId, avatar: Option<AvatarRef>) {
        if let Some(key) = avatar.and_then(|avatar| Self::key_of(user, &avatar).ok()) {
            self.delete_blob(&key).await;
        }
    }

    async fn current(&self, user: UserId) -> Result<User, AppError> {
        self.store
            .user(user)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))
    }

    async fn change(&self, user: UserId, avatar: Option<AvatarRef>) -> Result<User, AppError> {
        let change = ProfileChange {
            avatar: Some(avatar),
            ..ProfileChange::default()
        };
        let user_now = self
            .store
            .update_profile(user, change, now())
            .await
            .map_err(|err| match AppError::from(err) {
                AppError::NotFound(_) => AppError::Unauthorized("account no longer exists"),
                other => other,
            })?;
        // Events name senders from this cache; the next ones carry the new picture.
        self.names.forget(user);
        Ok(user_now)
    }

    /// Deletes a picture's blob; a failure leaves an unreachable file behind and is logged,
    /// never reported: the person's change has already happened.
    async fn delete_blob(&self, key: &BlobKey) {
        if let Err(err) = self.blobs.delete(key).await {
            tracing::warn!(key = %key, error = %err, "could not delete an old profile picture");
        }
    }
}
