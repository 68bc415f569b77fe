//! The image port's adapter: decoding with `image` (JPEG, PNG, GIF, WebP), resizing with
//! `fast_image_resize` (SIMD Lanczos), encoding JPEG or PNG.
//!
//! Input is untrusted: the decoder is bounded before it allocates (sides and memory), so a
//! small file announcing a huge picture is refused, not decoded. The output carries no
//! metadata at all (EXIF, XMP, ICC, text chunks): the picture is re-encoded from pixels, after
//! its EXIF orientation is applied. This module never touches the network or the disk.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, IntoImageView, ResizeAlg, ResizeOptions, Resizer};
use hearth_app::images::{Fit, ImageError, ImageRenderer, RenderedImage};
use hearth_domain::PictureFormat;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader, Limits,
    metadata::Orientation,
};

/// The longest side decoded, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// The most memory one decode may allocate: a 64-megapixel RGBA picture.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// JPEG quality of rendered pictures: no visible loss at thumbnail sizes.
const JPEG_QUALITY: u8 = 85;

/// Renders pictures with `image` and `fast_image_resize`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RasterImages;

impl ImageRenderer for RasterImages {
    fn render(&self, source: &[u8], fits: &[Fit]) -> Result<Vec<RenderedImage>, ImageError> {
        let picture = drop_opaque_alpha(decode_upright(source)?);
        let mut resizer = Resizer::new();
        fits.iter()
            .map(|&fit| {
                let (width, height) = target_size(fit, picture.width(), picture.height());
                let resized = resize(&mut resizer, &picture, width, height)?;
                encode(&resized, width, height)
            })
            .collect()
    }
}

/// Decodes `source` within the limits and turns it as its EXIF orientation says.
fn decode_upright(source: &[u8]) -> Result<DynamicImage, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(source))
        .with_guessed_format()
        .map_err(|err| ImageError::Unreadable(err.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

fn decode_error(err: image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::TooLarge(format!(
            "images may be at most {MAX_SIDE} pixels a side and {} megapixels",
            MAX_DECODE_BYTES / 4 / 1_000_000
        )),
        other => ImageError::Unreadable(other.to_string()),
    }
}

/// The picture as 8-bit RGB, or RGBA when any pixel is not fully opaque: a PNG or WebP with
/// an alpha channel it does not use is encoded as JPEG, a fraction of the size.
fn drop_opaque_alpha(picture: DynamicImage) -> DynamicImage {
    if !picture.color().has_alpha() {
        return DynamicImage::ImageRgb8(picture.into_rgb8());
    }
    let rgba = picture.into_rgba8();
    if rgba.pixels().all(|pixel| pixel[3] == u8::MAX) {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8())
    } else {
        DynamicImage::ImageRgba8(rgba)
    }
}

/// The output's size for a `width` × `height` picture.
fn target_size(fit: Fit, width: u32, height: u32) -> (u32, u32) {
    match fit {
        Fit::Square { side } => (side, side),
        Fit::Within { max } if width <= max && height <= max => (width, height),
        Fit::Within { max } => {
            let scale = f64::from(max) / f64::from(width.max(height));
            let side = |n: u32| ((f64::from(n) * scale).round() as u32).clamp(1, max);
            (side(width), side(height))
        }
    }
}

/// `picture` scaled to cover `width` × `height`, centred, the overflow cropped.
fn resize(
    resizer: &mut Resizer,
    picture: &DynamicImage,
    width: u32,
    height: u32,
) -> Result<Image<'static>, ImageError> {
    let pixel_type = picture
        .pixel_type()
        .ok_or_else(|| ImageError::Unreadable("unsupported pixel layout".to_owned()))?;
    let mut out = Image::new(width, height, pixel_type);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .fit_into_destination(Some((0.5, 0.5)));
    resizer
        .resize(picture, &mut out, &options)
        .map_err(|err| ImageError::Unreadable(err.to_string()))?;
    Ok(out)
}

/// JPEG for opaque pictures, PNG for those with transparency.
fn encode(picture: &Image<'_>, width: u32, height: u32) -> Result<RenderedImage, ImageError> {
    let mut bytes = Vec::new();
    let transparent = picture.pixel_type() == fast_image_resize::PixelType::U8x4;
    let written = if transparent {
        PngEncoder::new(&mut bytes).write_image(
            picture.buffer(),
            width,
            height,
            ExtendedColorType::Rgba8,
        )
    } else {
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).write_image(
            picture.buffer(),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
    };
    written.map_err(|err| ImageError::Unreadable(err.to_string()))?;
    Ok(RenderedImage {
        bytes,
        format: if transparent {
            PictureFormat::Png
        } else {
            PictureFormat::Jpeg
        },
        width,
        height,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use image::{GenericImageView, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

    use super::*;

    fn render_one(source: &[u8], fit: Fit) -> Result<RenderedImage, ImageError> {
        RasterImages
            .render(source, &[fit])
            .map(|mut out| out.remove(0))
    }

    fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    /// A landscape picture, red on its left half and blue on its right.
    fn halves(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        }))
    }

    #[test]
    fn a_square_fit_is_exactly_the_side_and_crops_the_middle() {
        let source = encoded(&halves(600, 200), ImageFormat::Png);
        let out = render_one(&source, Fit::Square { side: 64 }).unwrap();
        assert_eq!((out.width, out.height), (64, 64));
        assert_eq!(
            out.format,
            PictureFormat::Jpeg,
            "opaque pictures become JPEG"
        );
        let picture = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!(picture.dimensions(), (64, 64));
        let left = picture.get_pixel(2, 32);
        let right = picture.get_pixel(61, 32);
        assert!(left[0] > 200 && left[2] < 60, "left is red: {left:?}");
        assert!(right[2] > 200 && right[0] < 60, "right is blue: {right:?}");
    }

    #[test]
    fn a_within_fit_keeps_the_aspect_and_never_enlarges() {
        let source = encoded(&halves(400, 100), ImageFormat::Jpeg);
        let out = render_one(&source, Fit::Within { max: 200 }).unwrap();
        assert_eq!((out.width, out.height), (200, 50));
        let small = encoded(&halves(40, 10), ImageFormat::Jpeg);
        let out = render_one(&small, Fit::Within { max: 200 }).unwrap();
        assert_eq!((out.width, out.height), (40, 10));
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let source = DynamicImage::ImageRgba8(RgbaImage::from_pixel(50, 50, Rgba([0, 0, 0, 0])));
        let out = render_one(
            &encoded(&source, ImageFormat::Png),
            Fit::Square { side: 32 },
        )
        .unwrap();
        assert_eq!(out.format, PictureFormat::Png);
        let picture = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!(picture.get_pixel(16, 16)[3], 0);
    }

    #[test]
    fn an_unused_alpha_channel_is_dropped() {
        let source = DynamicImage::ImageRgba8(RgbaImage::from_pixel(50, 50, Rgba([9, 9, 9, 255])));
        let out = render_one(
            &encoded(&source, ImageFormat::Png),
            Fit::Square { side: 32 },
        )
        .unwrap();
        assert_eq!(out.format, PictureFormat::Jpeg);
    }

    #[test]
    fn bytes_that_are_no_picture_are_unreadable() {
        let err =
            render_one(b"<html><script>alert(1)</script>", Fit::Square { side: 32 }).unwrap_err();
        assert!(matches!(err, ImageError::Unreadable(_)), "{err:?}");
    }

    #[test]
    fn a_picture_announcing_huge_sides_is_refused_before_decoding() {
        // A valid GIF whose screen descriptor announces 60000 × 60000 pixels.
        let mut gif = encoded(&halves(2, 2), ImageFormat::Gif);
        gif[6..8].copy_from_slice(&60_000u16.to_le_bytes());
        gif[8..10].copy_from_slice(&60_000u16.to_le_bytes());
        let err = render_one(&gif, Fit::Square { side: 32 }).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge(_)), "{err:?}");
    }

    #[test]
    fn exif_orientation_is_applied_and_metadata_dropped() {
        // A 40 × 20 JPEG (red left, blue right) whose EXIF says "rotate 90° clockwise".
        let mut jpeg = encoded(&halves(40, 20), ImageFormat::Jpeg);
        let exif: &[u8] = &[
            0xFF, 0xE1, 0x00, 0x22, b'E', b'x', b'i', b'f', 0, 0, b'M', b'M', 0x00, 0x2A, 0x00,
            0x00, 0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00,
            0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        jpeg.splice(2..2, exif.iter().copied());
        let out = render_one(&jpeg, Fit::Within { max: 100 }).unwrap();
        assert_eq!((out.width, out.height), (20, 40), "turned upright");
        let picture = image::load_from_memory(&out.bytes).unwrap();
        let top = picture.get_pixel(10, 2);
        assert!(
            top[0] > 200 && top[2] < 60,
            "the red half is now on top: {top:?}"
        );
        assert!(
            !out.bytes.windows(4).any(|w| w == b"Exif"),
            "no EXIF block is written"
        );
    }
}
