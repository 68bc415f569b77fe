//! Uploaded files' records: who uploaded what, under which storage key, and whether its bytes
//! were checked. The bytes themselves live in a blob store (a port of `hearth-app`), never
//! here.

pub use hearth_domain::Media as MediaRecord;
use hearth_domain::{ConversationId, FileName, MediaId, Seq, Timestamp, UserId};

use crate::StoreError;

/// A pending upload to record.
#[derive(Clone, Debug)]
pub struct NewMedia {
    /// Its id.
    pub id: MediaId,
    /// The uploader.
    pub owner_id: UserId,
    /// The name it is offered under.
    pub file_name: FileName,
    /// The size announced for a presigned upload.
    pub declared_size: Option<u64>,
    /// Where its bytes go in the blob store.
    pub storage_key: String,
    /// Now.
    pub created_at: Timestamp,
    /// When it is deleted unless confirmed.
    pub expires_at: Timestamp,
}

/// Storage of media records.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync {
    /// Records a pending upload. An unknown owner is `NotFound(User)`.
    async fn create_media(&self, media: NewMedia) -> Result<MediaRecord, StoreError>;

    /// The record of `id`, pending or ready.
    async fn media(&self, id: MediaId) -> Result<Option<MediaRecord>, StoreError>;

    /// Marks a pending upload ready with its measured size and sniffed type (its expiry is
    /// cleared). A record that does not exist or is not pending any more is
    /// `NotFound(Media)`: of two racing confirmations one succeeds.
    async fn confirm_media(
        &self,
        id: MediaId,
        size: u64,
        content_type: &str,
        at: Timestamp,
    ) -> Result<MediaRecord, StoreError>;

    /// Pending uploads whose expiry is at or before `now`, oldest first, at most `limit`.
    async fn expired_media(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError>;

    /// The uploads of `owner`, pending or ready, by id (oldest first), after `after` when
    /// given, at most `limit`.
    async fn media_of(
        &self,
        owner: UserId,
        after: Option<MediaId>,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError>;

    /// Ready images that have no thumbnails yet (`thumbnails` unset), longest waiting first,
    /// at most `limit`.
    async fn media_awaiting_thumbnails(&self, limit: u32) -> Result<Vec<MediaRecord>, StoreError>;

    /// Records the thumbnails made of `id` (an empty list: none can be made), once: whether
    /// the record had none and still exists.
    async fn set_thumbnails(
        &self,
        id: MediaId,
        thumbnails: &[hearth_domain::Thumbnail],
    ) -> Result<bool, StoreError>;

    /// Deletes the record of `id`; whether there was one. Its attachments go with it.
    async fn delete_media(&self, id: MediaId) -> Result<bool, StoreError>;

    /// Where `member` may have been shown file `id`: for each conversation they are a member
    /// of now that holds a message (not deleted) carrying it, the highest seq of such a
    /// message. The caller applies history visibility to the seqs; none means the file was
    /// never attached where `member` is.
    async fn attachment_places(
        &self,
        id: MediaId,
        member: UserId,
    ) -> Result<Vec<(ConversationId, Seq)>, StoreError>;
}
