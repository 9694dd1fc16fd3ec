//! Images: technical metadata, EXIF, and every page decoded (multi-page TIFFs split).

use std::io::{BufReader, Cursor};

use image::{
    DynamicImage, GrayImage, ImageBuffer, ImageDecoder, ImageReader, Luma, Rgb, RgbImage, Rgba,
};
use serde_json::{json, Map, Value};

use crate::derive;

/// Technical metadata of an image file (from its headers; no pixels decoded).
pub fn describe(bytes: &[u8], media_type: &str) -> Result<Value, String> {
    let mut r = ImageReader::new(BufReader::new(Cursor::new(bytes)))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    r.limits(limits());
    let decoder = r.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    let color = decoder.original_color_type();
    let mut m = Map::new();
    m.insert("media_type".into(), json!(media_type));
    m.insert("width".into(), json!(w));
    m.insert("height".into(), json!(h));
    m.insert("color_type".into(), json!(color_name(color)));
    m.insert("bit_depth".into(), json!(bit_depth(color)));
    m.insert("channels".into(), json!(channels(color)));
    if media_type == "image/tiff" {
        if let Ok(n) = tiff_pages(bytes) {
            m.insert("pages".into(), json!(n));
        }
    } else {
        m.insert("pages".into(), json!(1));
    }
    if let Some(exif) = exif(bytes) {
        m.insert("exif".into(), exif);
    }
    Ok(Value::Object(m))
}

fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(derive::MAX_SIDE);
    l.max_image_height = Some(derive::MAX_SIDE);
    l.max_alloc = Some(derive::MAX_ALLOC);
    l
}

fn color_name(c: image::ExtendedColorType) -> String {
    use image::ExtendedColorType as E;
    match c {
        E::L1 => "bilevel".into(),
        E::L2 | E::L4 | E::L8 | E::L16 => "greyscale".into(),
        E::La1 | E::La2 | E::La4 | E::La8 | E::La16 => "greyscale+alpha".into(),
        E::Rgb1 | E::Rgb2 | E::Rgb4 | E::Rgb8 | E::Rgb16 | E::Rgb32F => "rgb".into(),
        E::Rgba1 | E::Rgba2 | E::Rgba4 | E::Rgba8 | E::Rgba16 | E::Rgba32F => "rgba".into(),
        E::Cmyk8 | E::Cmyk16 => "cmyk".into(),
        E::Unknown(_) => "palette or other".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn bit_depth(c: image::ExtendedColorType) -> u16 {
    let ch = channels(c).max(1);
    c.bits_per_pixel() / ch
}

fn channels(c: image::ExtendedColorType) -> u16 {
    u16::from(c.channel_count())
}

/// Number of pages (image directories) of a TIFF.
pub fn tiff_pages(bytes: &[u8]) -> Result<usize, String> {
    let mut d = tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut n = 1;
    while d.more_images() {
        if n >= 10_000 {
            return Err("more than 10,000 pages".into());
        }
        d.next_image().map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

/// Every page of an image file, decoded within the limits, EXIF orientation applied to
/// single-page images. Pages that cannot be decoded come back as errors, in place.
pub fn pages(bytes: &[u8], media_type: &str, name: &str) -> Vec<Result<DynamicImage, String>> {
    let first = derive::decode(Cursor::new(bytes), name).map_err(|e| e.to_string());
    if media_type != "image/tiff" {
        return vec![first];
    }
    let n = tiff_pages(bytes).unwrap_or(1);
    let mut out = vec![first];
    for k in 1..n.min(2000) {
        out.push(tiff_page(bytes, k).map_err(|e| format!("{name} page {}: {e}", k + 1)));
    }
    out
}

/// Page `k` (0-based) of a TIFF, for the common colour types of scans.
fn tiff_page(bytes: &[u8], k: usize) -> Result<DynamicImage, String> {
    use tiff::decoder::{Decoder, DecodingResult, Limits};
    use tiff::ColorType as C;
    let mut l = Limits::default();
    l.decoding_buffer_size = derive::MAX_ALLOC as usize;
    l.intermediate_buffer_size = derive::MAX_ALLOC as usize;
    let mut d = Decoder::new(Cursor::new(bytes))
        .map_err(|e| e.to_string())?
        .with_limits(l);
    d.seek_to_image(k).map_err(|e| e.to_string())?;
    let (w, h) = d.dimensions().map_err(|e| e.to_string())?;
    if w > derive::MAX_SIDE || h > derive::MAX_SIDE {
        return Err(format!("{w}x{h} pixels is over the limit"));
    }
    let white_is_zero = d
        .get_tag_u32(tiff::tags::Tag::PhotometricInterpretation)
        .map(|p| p == 0)
        .unwrap_or(false);
    let color = d.colortype().map_err(|e| e.to_string())?;
    let data = d.read_image().map_err(|e| e.to_string())?;
    let bad = || format!("unexpected pixel data for {color:?}");
    let img = match (color, data) {
        (C::Gray(1), DecodingResult::U8(v)) => {
            let row = (w as usize).div_ceil(8);
            GrayImage::from_fn(w, h, |x, y| {
                let byte = v
                    .get(y as usize * row + x as usize / 8)
                    .copied()
                    .unwrap_or(0);
                let bit = (byte >> (7 - (x % 8))) & 1;
                Luma([if (bit == 1) ^ white_is_zero { 255 } else { 0 }])
            })
            .into()
        }
        (C::Gray(8), DecodingResult::U8(v)) => {
            let mut g = GrayImage::from_raw(w, h, v).ok_or_else(bad)?;
            if white_is_zero {
                image::imageops::invert(&mut g);
            }
            g.into()
        }
        (C::Gray(16), DecodingResult::U16(v)) => ImageBuffer::<Luma<u16>, _>::from_raw(w, h, v)
            .map(DynamicImage::ImageLuma16)
            .ok_or_else(bad)?,
        (C::RGB(8), DecodingResult::U8(v)) => RgbImage::from_raw(w, h, v).ok_or_else(bad)?.into(),
        (C::RGB(16), DecodingResult::U16(v)) => ImageBuffer::<Rgb<u16>, _>::from_raw(w, h, v)
            .map(DynamicImage::ImageRgb16)
            .ok_or_else(bad)?,
        (C::RGBA(8), DecodingResult::U8(v)) => ImageBuffer::<Rgba<u8>, _>::from_raw(w, h, v)
            .map(DynamicImage::ImageRgba8)
            .ok_or_else(bad)?,
        (C::CMYK(8), DecodingResult::U8(v)) => {
            let px = |i: usize| v.get(i).copied().unwrap_or(0) as u32;
            RgbImage::from_fn(w, h, |x, y| {
                let i = (y as usize * w as usize + x as usize) * 4;
                let k = 255 - px(i + 3);
                let c = |ch: u32| ((255 - ch) * k / 255) as u8;
                Rgb([c(px(i)), c(px(i + 1)), c(px(i + 2))])
            })
            .into()
        }
        (other, _) => {
            return Err(format!(
                "colour type {other:?} is not supported for later pages"
            ))
        }
    };
    Ok(img)
}

/// EXIF fields archivists ask about, when the file has them.
pub fn exif(bytes: &[u8]) -> Option<Value> {
    use exif::{In, Tag, Value as EV};
    let data = exif::Reader::new()
        .read_from_container(&mut BufReader::new(Cursor::new(bytes)))
        .ok()?;
    let mut m = Map::new();
    let text = |tag: Tag| {
        data.get_field(tag, In::PRIMARY)
            .map(|f| {
                f.display_value()
                    .to_string()
                    .trim_matches('"')
                    .trim()
                    .to_string()
            })
            .filter(|s| !s.is_empty())
    };
    for (key, tag) in [
        ("make", Tag::Make),
        ("model", Tag::Model),
        ("software", Tag::Software),
        ("date_time_original", Tag::DateTimeOriginal),
        ("date_time", Tag::DateTime),
        ("artist", Tag::Artist),
        ("copyright", Tag::Copyright),
    ] {
        if let Some(v) = text(tag) {
            m.insert(key.into(), json!(v));
        }
    }
    if let Some(o) = data
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
    {
        m.insert("orientation".into(), json!(o));
    }
    let rational = |tag: Tag| match data.get_field(tag, In::PRIMARY).map(|f| &f.value) {
        Some(EV::Rational(v)) if !v.is_empty() && v[0].denom != 0 => Some(v[0].to_f64()),
        _ => None,
    };
    if let (Some(x), Some(y)) = (rational(Tag::XResolution), rational(Tag::YResolution)) {
        let unit = data
            .get_field(Tag::ResolutionUnit, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .map(|u| if u == 3 { "cm" } else { "inch" })
            .unwrap_or("inch");
        m.insert("resolution".into(), json!({"x": x, "y": y, "unit": unit}));
    }
    let dms = |tag: Tag, reference: Tag, negative: &str| -> Option<f64> {
        let f = data.get_field(tag, In::PRIMARY)?;
        let EV::Rational(v) = &f.value else {
            return None;
        };
        if v.len() < 3 || v.iter().any(|r| r.denom == 0) {
            return None;
        }
        let deg = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
        let r = data
            .get_field(reference, In::PRIMARY)
            .map(|f| f.display_value().to_string())
            .unwrap_or_default();
        Some(if r.contains(negative) { -deg } else { deg })
    };
    if let (Some(lat), Some(lon)) = (
        dms(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S"),
        dms(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W"),
    ) {
        if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
            m.insert(
                "gps".into(),
                json!({"lat": (lat * 1e6).round() / 1e6, "lon": (lon * 1e6).round() / 1e6}),
            );
        }
    }
    (!m.is_empty()).then_some(Value::Object(m))
}
