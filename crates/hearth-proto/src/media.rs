//! Uploaded files on the wire.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// An uploaded file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MediaDto {
    /// Its id (attach it to a message by this id once `status` is `ready`).
    pub id: Uuid,
    /// The name it is offered under.
    pub file_name: String,
    /// `pending` (not confirmed yet: it cannot be attached) or `ready`.
    pub status: String,
    /// `image` (JPEG, PNG, GIF or WebP: shown inline, with thumbnails) or `document`
    /// (anything else: offered as a download).
    pub kind: String,
    /// Its content type as the server sniffed it from its bytes (`null` while pending).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Its size in bytes (`null` while pending).
    #[serde(default)]
    pub size: Option<u64>,
    /// When it was uploaded (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// An image's thumbnails (`small`, `medium`, `large`), once the server made them — shortly
    /// after the upload is ready; empty until then, for documents, and for images that cannot
    /// have any.
    #[serde(default)]
    pub thumbnails: Vec<ThumbnailDto>,
}

/// A thumbnail of an image upload: JPEG, or PNG when the image has transparency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThumbnailDto {
    /// `small` (at most 160 px a side), `medium` (480) or `large` (1280).
    pub size: String,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Where to fetch it (with the bearer token, like the file): a path on this server.
    pub url: String,
}

/// `POST /v1/media`: the multipart form of a direct upload.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The file, with its name as the part's `filename` (1–255 characters, no path
    /// separators).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// `POST /v1/media/uploads`: begin a presigned upload.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BeginUploadRequest {
    /// The file's name, 1–255 characters, no path separators.
    pub file_name: String,
    /// Its exact size in bytes; the upload must be exactly this long.
    pub size: u64,
}

/// A presigned upload begun: `PUT` the bytes to `upload_url`, then confirm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PresignedUploadDto {
    /// The pending upload.
    pub media: MediaDto,
    /// Where to send the bytes: an absolute URL (the bucket's), or a path on this server.
    pub upload_url: String,
    /// The method to send them with (`PUT`).
    pub method: String,
    /// When the URL stops working (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}
