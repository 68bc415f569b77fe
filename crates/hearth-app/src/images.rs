//! The image port: turning an uploaded picture into a smaller one (a profile picture now,
//! thumbnails of attachments next).
//!
//! Decoding pictures is CPU work on untrusted input, so an adapter must bound what it decodes
//! (dimensions and memory, before allocating), must apply the picture's EXIF orientation and
//! must drop every other piece of metadata (a photo's location never leaves the server). Use
//! cases call it on a blocking thread, never on the async runtime's.

use std::fmt;

use hearth_domain::PictureFormat;

/// How the output is fitted to the size asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Exactly `side` × `side`: scaled to cover the square, the overflow cropped evenly.
    Square {
        /// The side in pixels.
        side: u32,
    },
    /// Scaled down (never up) so that neither side exceeds `max`, the aspect kept.
    Within {
        /// The longest side in pixels.
        max: u32,
    },
}

/// A rendered picture.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedImage {
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// How they are encoded: JPEG, or PNG when the picture has transparency.
    pub format: PictureFormat,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

impl fmt::Debug for RenderedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedImage")
            .field("bytes", &self.bytes.len())
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// A rendered picture's bytes as served (a profile picture, a thumbnail).
pub struct PictureBytes {
    /// How they are encoded.
    pub format: PictureFormat,
    /// Their length, when the record knows it.
    pub length: Option<u64>,
    /// The bytes.
    pub body: crate::blobs::ByteStream,
}

impl fmt::Debug for PictureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PictureBytes")
            .field("format", &self.format)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// Why a picture could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not a picture this server reads (or a broken one).
    #[error("not a readable image: {0}")]
    Unreadable(String),
    /// The picture is larger than the server decodes (names the limit).
    #[error("the image is too large: {0}")]
    TooLarge(String),
    /// This server renders no pictures (no adapter configured).
    #[error("this server does not process images")]
    Unsupported,
}

/// Renders pictures.
pub trait ImageRenderer: Send + Sync + fmt::Debug {
    /// Decodes `source` (JPEG, PNG, GIF's first frame or WebP) once, turns it upright, and
    /// for each of `fits` scales it as that fit says and encodes it without metadata, in the
    /// order given. CPU-bound: call it off the async runtime.
    fn render(&self, source: &[u8], fits: &[Fit]) -> Result<Vec<RenderedImage>, ImageError>;
}

/// The renderer of a server with none configured: every picture is
/// [`ImageError::Unsupported`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoImages;

impl ImageRenderer for NoImages {
    fn render(&self, _: &[u8], _: &[Fit]) -> Result<Vec<RenderedImage>, ImageError> {
        Err(ImageError::Unsupported)
    }
}

/// Renders on the blocking pool, at most as many pictures at once as there are cores, so a
/// burst of uploads queues instead of taking every core and a decode's memory each.
#[derive(Clone, Debug)]
pub(crate) struct RenderQueue {
    images: std::sync::Arc<dyn ImageRenderer>,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl RenderQueue {
    /// A queue rendering with `images`.
    pub(crate) fn new(images: std::sync::Arc<dyn ImageRenderer>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            images,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// Renders `source` as each of `fits` says, once a core is free.
    pub(crate) async fn render(
        &self,
        source: Vec<u8>,
        fits: Vec<Fit>,
    ) -> Result<Vec<RenderedImage>, ImageError> {
        // The semaphore is never closed, and a render that panicked is no picture.
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ImageError::Unsupported)?;
        let images = self.images.clone();
        tokio::task::spawn_blocking(move || images.render(&source, &fits))
            .await
            .unwrap_or_else(|_| Err(ImageError::Unreadable("the renderer failed".to_owned())))
    }
}
