//! Access copies and thumbnails of image pages: JPEG, long edge bounded, EXIF
//! orientation applied, 16-bit, greyscale, palette and bilevel scans converted.
//!
//! Decoding is bounded (pixels and memory) so a hostile header cannot exhaust memory;
//! a file the decoder refuses yields an error naming it, never a panic.

use std::io::{BufReader, Cursor, Read, Seek};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::error::{Error, Result};

/// Largest image accepted, in pixels per side.
pub const MAX_SIDE: u32 = 40_000;
/// Most memory a decoder may allocate for one image.
pub const MAX_ALLOC: u64 = 2 << 30;

/// A made JPEG and its size in pixels.
#[derive(Debug, Clone)]
pub struct Derived {
    /// JPEG bytes.
    pub bytes: Vec<u8>,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// Whether a media type is an image this module decodes.
pub fn decodable(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/jpeg" | "image/png" | "image/tiff" | "image/gif" | "image/webp"
    )
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

/// Decode an image (first page of a multi-page file) with EXIF orientation applied.
pub fn decode(reader: impl Read + Seek, name: &str) -> Result<DynamicImage> {
    let bad =
        |e: image::ImageError| Error::invalid(format!("{name}: the image cannot be decoded ({e})"));
    let mut r = ImageReader::new(BufReader::new(reader))
        .with_guessed_format()
        .map_err(|e| Error::invalid(format!("{name}: {e}")))?;
    r.limits(limits());
    let mut decoder = r.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// `img` scaled so its long edge is at most `long_edge` (never enlarged). A triangle
/// (bilinear) filter whose support grows with the reduction averages every source pixel,
/// so large reductions stay free of aliasing at a fraction of the cost of Catmull-Rom.
pub fn scaled(img: &DynamicImage, long_edge: u32) -> DynamicImage {
    if img.width().max(img.height()) > long_edge {
        img.resize(long_edge, long_edge, image::imageops::FilterType::Triangle)
    } else {
        img.clone()
    }
}

/// The access copy and thumbnail of a page, and the image the thumbnail was made from
/// (the thumbnail is scaled from the access copy, not again from the full page).
pub fn access_and_thumbnail(
    img: &DynamicImage,
    access_edge: u32,
    thumb_edge: u32,
    quality: u8,
) -> Result<(Derived, Derived, DynamicImage)> {
    let access = scaled(img, access_edge);
    let thumb = scaled(&access, thumb_edge);
    Ok((encode(&access, quality)?, encode(&thumb, quality)?, thumb))
}

/// A JPEG of `img` whose long edge is at most `long_edge` (never enlarged).
pub fn jpeg(img: &DynamicImage, long_edge: u32, quality: u8) -> Result<Derived> {
    encode(&scaled(img, long_edge), quality)
}

/// `img` as a JPEG (8-bit grey or RGB).
fn encode(scaled: &DynamicImage, quality: u8) -> Result<Derived> {
    let scaled = scaled.clone();
    // JPEG holds 8-bit grey or RGB: 16-bit, alpha, palette and bilevel become one of those.
    let flat = match scaled {
        DynamicImage::ImageLuma8(g) => DynamicImage::ImageLuma8(g),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLuma8(scaled.to_luma8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    let mut out = Cursor::new(Vec::new());
    let enc = JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    flat.write_with_encoder(enc)
        .map_err(|e| Error::invalid(format!("JPEG encoding failed: {e}")))?;
    Ok(Derived {
        bytes: out.into_inner(),
        width: flat.width(),
        height: flat.height(),
    })
}
