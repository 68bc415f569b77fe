//! Uploaded files: the name a file is offered under, its state, and what kind of content it
//! is, decided from the bytes the server sniffed and never from what the client claimed.

use serde::{Deserialize, Serialize};

use crate::{MediaId, Thumbnail, Timestamp, UserId, ValidationErrors};

/// The name an uploaded file keeps (shown beside a document and offered to a download): 1–255
/// characters, no control characters, no path separators, not `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileName(String);

impl FileName {
    /// Longest allowed name, in Unicode scalar values.
    pub const MAX_CHARS: usize = 255;

    /// Validates a file name as the client sent it (surrounding spaces removed).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let name = raw.trim();
        let bad = |why: &str| Err(ValidationErrors::field("file_name", why));
        if name.is_empty() {
            return bad("must not be empty");
        }
        if name.chars().count() > Self::MAX_CHARS {
            return bad("must be at most 255 characters");
        }
        if name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return bad("must not contain control characters or path separators");
        }
        if name == "." || name == ".." {
            return bad("must name a file");
        }
        Ok(Self(name.to_owned()))
    }

    /// Wraps a name read back from storage.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an upload is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    /// Created, its bytes not (yet) checked: it may not be attached, and it is deleted when it
    /// expires.
    Pending,
    /// Its bytes were stored, measured and sniffed: the owner may attach it.
    Ready,
}

impl MediaStatus {
    /// A stable name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
        }
    }

    /// The status a stored name names.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "pending" => Some(Self::Pending),
            "ready" => Some(Self::Ready),
            _ => None,
        }
    }
}

/// How a file is shown: as an image (thumbnails, shown inline) or as a document (name, size,
/// a download).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// A raster image of a type browsers show safely inline (JPEG, PNG, GIF, WebP).
    Image,
    /// Anything else: always offered as a download, never shown inline.
    Document,
}

impl MediaKind {
    /// The content types shown inline as images. Everything else is a document, whatever its
    /// name says (an SVG can carry script, so it is a document too).
    pub const SAFE_IMAGE_TYPES: &'static [&'static str] =
        &["image/jpeg", "image/png", "image/gif", "image/webp"];

    /// The kind of content of a sniffed content type.
    pub fn of(content_type: &str) -> Self {
        if Self::SAFE_IMAGE_TYPES.contains(&content_type) {
            Self::Image
        } else {
            Self::Document
        }
    }

    /// A stable name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Document => "document",
        }
    }
}

/// One uploaded file: its record (the bytes are in a blob store under `storage_key`). It
/// travels between nodes inside the messages it is attached to (serde, as rows read back do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Its id.
    pub id: MediaId,
    /// Who uploaded it (the only one who may attach it).
    pub owner_id: UserId,
    /// Pending until its bytes were stored and checked.
    pub status: MediaStatus,
    /// The name it is offered under.
    pub file_name: FileName,
    /// The size the client announced for a presigned upload (`None`: a direct upload).
    pub declared_size: Option<u64>,
    /// Its size in bytes, measured (`None` while pending).
    pub size: Option<u64>,
    /// Its content type as sniffed from its bytes (`None` while pending).
    pub content_type: Option<String>,
    /// Where its bytes are in the blob store.
    pub storage_key: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// While pending: when it is deleted unless confirmed (`None` once ready).
    pub expires_at: Option<Timestamp>,
    /// When its bytes were checked (`None` while pending).
    pub confirmed_at: Option<Timestamp>,
    /// Its thumbnails, smallest first, once the server made them (`None`: not yet — an image
    /// gets them shortly after it is ready; an empty list: none can be made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnails: Option<Vec<Thumbnail>>,
}

impl Media {
    /// Most files one message may carry.
    pub const MAX_PER_MESSAGE: usize = 10;

    /// How it is shown, from its sniffed type (a pending upload is a document).
    pub fn kind(&self) -> MediaKind {
        MediaKind::of(self.content_type.as_deref().unwrap_or_default())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn file_names_refuse_paths_controls_and_emptiness() {
        assert_eq!(
            FileName::parse("  photo.jpg ").unwrap().as_str(),
            "photo.jpg"
        );
        for bad in [
            "",
            "   ",
            "a/b",
            "a\\b",
            "..",
            ".",
            "a\nb",
            &"x".repeat(256),
        ] {
            assert!(FileName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_raster_types_are_images() {
        assert_eq!(MediaKind::of("image/png"), MediaKind::Image);
        assert_eq!(MediaKind::of("image/svg+xml"), MediaKind::Document);
        assert_eq!(MediaKind::of("text/html"), MediaKind::Document);
    }
}
