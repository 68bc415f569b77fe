//! Thumbnails of uploaded images: three sizes, each fitted within a square (never enlarged),
//! made once by the server off the request path.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::PictureFormat;

/// The sizes every image upload gets a thumbnail of (seed 001's `ThumbnailSize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThumbnailSize {
    /// For lists and replies: at most 160 px a side.
    Small,
    /// For the timeline: at most 480 px a side.
    Medium,
    /// For a viewer on a large screen: at most 1280 px a side.
    Large,
}

impl ThumbnailSize {
    /// Every size, smallest first.
    pub const ALL: [Self; 3] = [Self::Small, Self::Medium, Self::Large];

    /// The longest side, in pixels.
    pub fn max_side(self) -> u32 {
        match self {
            Self::Small => 160,
            Self::Medium => 480,
            Self::Large => 1280,
        }
    }

    /// Its name in URLs and payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
}

impl fmt::Display for ThumbnailSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no thumbnail size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a thumbnail size (small, medium or large)")]
pub struct NotAThumbnailSize;

impl FromStr for ThumbnailSize {
    type Err = NotAThumbnailSize;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|size| size.as_str() == raw)
            .ok_or(NotAThumbnailSize)
    }
}

/// A thumbnail that was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Which size it is.
    pub size: ThumbnailSize,
    /// How it is encoded.
    pub format: PictureFormat,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Its length in bytes.
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_back_by_name_and_grow() {
        for size in ThumbnailSize::ALL {
            assert_eq!(size.as_str().parse::<ThumbnailSize>(), Ok(size));
        }
        assert_eq!("huge".parse::<ThumbnailSize>(), Err(NotAThumbnailSize));
        assert!(ThumbnailSize::Small.max_side() < ThumbnailSize::Medium.max_side());
        assert!(ThumbnailSize::Medium.max_side() < ThumbnailSize::Large.max_side());
    }
}
