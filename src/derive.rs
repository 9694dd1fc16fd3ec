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

/// `img` scaled so its long edge is at most `long_edge` (never enlarged), with a
/// bilinear convolution whose support grows with the reduction, so every source pixel is
/// averaged and large reductions stay free of aliasing. SIMD (fast_image_resize) does
/// the work; pixel types it cannot take are converted to 8-bit grey or RGB first.
pub fn scaled(img: &DynamicImage, long_edge: u32) -> DynamicImage {
    let (w, h) = (img.width(), img.height());
    if w.max(h) <= long_edge || w == 0 || h == 0 {
        return img.clone();
    }
    let ratio = f64::from(long_edge) / f64::from(w.max(h));
    let nw = ((f64::from(w) * ratio).round() as u32).max(1);
    let nh = ((f64::from(h) * ratio).round() as u32).max(1);
    let src = match img {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => img.clone(),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLuma8(img.to_luma8()),
        _ => DynamicImage::ImageRgb8(img.to_rgb8()),
    };
    let mut dst = match src {
        DynamicImage::ImageLuma8(_) => DynamicImage::ImageLuma8(image::GrayImage::new(nw, nh)),
        _ => DynamicImage::ImageRgb8(image::RgbImage::new(nw, nh)),
    };
    let options = fast_image_resize::ResizeOptions::new().resize_alg(
        fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Bilinear),
    );
    match fast_image_resize::Resizer::new().resize(&src, &mut dst, &options) {
        Ok(()) => dst,
        // Not expected for these pixel types; fall back to the image crate.
        Err(_) => img.resize(long_edge, long_edge, image::imageops::FilterType::Triangle),
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
