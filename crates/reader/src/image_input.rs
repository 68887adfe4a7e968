//! Raster image inputs (PNG, JPEG, TIFF with all its pages, BMP, WebP): decoded with a pixel limit,
//! normalised to 8-bit gray or RGB, and OCR'd.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};
use quire_document::{Document, Mime};

use crate::{ReadErrorKind, Reader};

/// Resolution assumed when an image does not state a plausible one.
pub(crate) const DEFAULT_DPI: u32 = 300;

pub(crate) fn read_image(
    reader: &mut Reader,
    mime: Mime,
    bytes: &[u8],
    document: &mut Document,
) -> Result<(), ReadErrorKind> {
    let pages = match mime {
        Mime::Tiff => decode_tiff_pages(bytes, &reader.config)?,
        _ => vec![decode_single(mime, bytes, reader.config.max_image_pixels)?],
    };
    if pages.len() as u64 > u64::from(reader.config.max_pages) {
        return Err(ReadErrorKind::TooManyPages {
            n_pages: pages.len() as u32,
            limit: reader.config.max_pages,
        });
    }
    let dpi = declared_dpi(mime, bytes).unwrap_or(DEFAULT_DPI);
    for (index, gray) in pages.into_iter().enumerate() {
        let number = index as u32 + 1;
        let page = reader.ocr_image_page(number, &gray, dpi)?;
        document.pages.push(page);
    }
    Ok(())
}

/// Every page of an image file as OCR sees it, with the resolution OCR assumes.
pub(crate) fn page_images(
    mime: Mime,
    bytes: &[u8],
    config: &crate::ReaderConfig,
) -> Result<Vec<crate::PageImage>, ReadErrorKind> {
    let pages = match mime {
        Mime::Tiff => decode_tiff_pages(bytes, config)?,
        _ => vec![decode_single(mime, bytes, config.max_image_pixels)?],
    };
    let dpi = declared_dpi(mime, bytes).unwrap_or(DEFAULT_DPI);
    Ok(pages
        .into_iter()
        .enumerate()
        .map(|(i, image)| crate::PageImage {
            page: i as u32 + 1,
            image,
            dpi,
        })
        .collect())
}

fn check_pixels(width: u32, height: u32, limit: u64) -> Result<(), ReadErrorKind> {
    if u64::from(width) * u64::from(height) > limit {
        return Err(ReadErrorKind::ImageTooLarge {
            width,
            height,
            limit,
        });
    }
    Ok(())
}

fn decode_single(mime: Mime, bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, ReadErrorKind> {
    let format = match mime {
        Mime::Png => ImageFormat::Png,
        Mime::Jpeg => ImageFormat::Jpeg,
        Mime::Bmp => ImageFormat::Bmp,
        Mime::Webp => ImageFormat::WebP,
        Mime::Tiff => ImageFormat::Tiff,
        Mime::Pdf => return Err(ReadErrorKind::CorruptImage("not an image".into())),
    };
    let corrupt = |e: image::ImageError| ReadErrorKind::CorruptImage(e.to_string());
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(corrupt)?;
    check_pixels(width, height, max_pixels)?;
    let mut decoder = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    decoder.limits(limits);
    let image = decoder.decode().map_err(corrupt)?;
    Ok(normalise(image))
}

/// The pixel formats OCR takes: 8-bit gray for gray images, 8-bit RGB for colour ones (Tesseract
/// binarises colour photos better from colour than from a gray conversion). Transparency is flattened onto
/// white (scans saved with alpha would otherwise turn black).
pub(crate) fn normalise(image: DynamicImage) -> DynamicImage {
    let has_colour = !matches!(
        image.color(),
        image::ColorType::L8
            | image::ColorType::La8
            | image::ColorType::L16
            | image::ColorType::La16
    );
    match (has_colour, image.color().has_alpha()) {
        (false, false) => DynamicImage::ImageLuma8(image.to_luma8()),
        (false, true) => DynamicImage::ImageLuma8(to_gray(image)),
        (true, false) => DynamicImage::ImageRgb8(image.to_rgb8()),
        (true, true) => {
            let rgba = image.to_rgba8();
            let (w, h) = rgba.dimensions();
            let mut rgb = RgbImage::new(w, h);
            for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
                let a = u32::from(px.0[3]);
                for c in 0..3 {
                    out.0[c] = ((u32::from(px.0[c]) * a + 255 * (255 - a)) / 255) as u8;
                }
            }
            DynamicImage::ImageRgb8(rgb)
        }
    }
}

/// Flattens transparency onto white and converts to 8-bit grayscale.
fn to_gray(image: DynamicImage) -> GrayImage {
    if image.color().has_alpha() {
        let rgba = image.to_rgba8();
        let (w, h) = rgba.dimensions();
        let mut gray = GrayImage::new(w, h);
        for (out, px) in gray.pixels_mut().zip(rgba.pixels()) {
            let [r, g, b, a] = px.0;
            let luma = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
            let a = u32::from(a);
            out.0[0] = ((luma * a + 255 * (255 - a)) / 255) as u8;
        }
        gray
    } else {
        image.to_luma8()
    }
}

fn decode_tiff_pages(
    bytes: &[u8],
    config: &crate::ReaderConfig,
) -> Result<Vec<DynamicImage>, ReadErrorKind> {
    use tiff::decoder::{Decoder, DecodingResult, Limits};
    use tiff::tags::Tag;
    use tiff::ColorType;

    let corrupt = |e: tiff::TiffError| ReadErrorKind::CorruptImage(e.to_string());
    let mut limits = Limits::default();
    limits.decoding_buffer_size =
        usize::try_from(config.max_image_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut decoder = Decoder::new(Cursor::new(bytes))
        .map_err(corrupt)?
        .with_limits(limits);
    let mut pages = Vec::new();
    loop {
        if pages.len() as u64 >= u64::from(config.max_pages) {
            // Count the rest without decoding them, to report the real page count.
            let mut n_pages = pages.len() as u32 + 1;
            while decoder.more_images() && decoder.next_image().is_ok() {
                n_pages += 1;
            }
            return Err(ReadErrorKind::TooManyPages {
                n_pages,
                limit: config.max_pages,
            });
        }
        let (width, height) = decoder.dimensions().map_err(corrupt)?;
        check_pixels(width, height, config.max_image_pixels)?;
        let color = decoder.colortype().map_err(corrupt)?;
        let white_is_zero = decoder.get_tag_u32(Tag::PhotometricInterpretation).ok() == Some(0);
        let data = decoder.read_image().map_err(corrupt)?;
        let samples: Vec<u8> = match data {
            DecodingResult::U8(v) => v,
            DecodingResult::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
            _ => {
                return Err(ReadErrorKind::CorruptImage(
                    "unsupported TIFF sample format".into(),
                ))
            }
        };
        let unsupported = |what: &str| {
            ReadErrorKind::CorruptImage(format!("unsupported TIFF colour type {what}"))
        };
        let page = match color {
            ColorType::Gray(1) => {
                unpack_bilevel(&samples, width, height).map(DynamicImage::ImageLuma8)
            }
            ColorType::Gray(8) | ColorType::Gray(16) => {
                GrayImage::from_raw(width, height, samples).map(DynamicImage::ImageLuma8)
            }
            ColorType::GrayA(8) | ColorType::GrayA(16) => {
                image::GrayAlphaImage::from_raw(width, height, samples)
                    .map(DynamicImage::ImageLumaA8)
            }
            ColorType::RGB(8) | ColorType::RGB(16) => {
                RgbImage::from_raw(width, height, samples).map(DynamicImage::ImageRgb8)
            }
            ColorType::RGBA(8) | ColorType::RGBA(16) => {
                image::RgbaImage::from_raw(width, height, samples).map(DynamicImage::ImageRgba8)
            }
            other => return Err(unsupported(&format!("{other:?}"))),
        }
        .ok_or_else(|| {
            ReadErrorKind::CorruptImage("TIFF page data is shorter than its size".into())
        })?;
        let mut page = normalise(page);
        if white_is_zero {
            if let DynamicImage::ImageLuma8(gray) = &mut page {
                image::imageops::invert(gray);
            }
        }
        pages.push(page);
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(corrupt)?;
    }
    Ok(pages)
}

/// 1-bit rows (padded to whole bytes, 1 = white as in BlackIsZero) to 8-bit gray.
fn unpack_bilevel(packed: &[u8], width: u32, height: u32) -> Option<GrayImage> {
    let row_bytes = (width as usize).div_ceil(8);
    if packed.len() < row_bytes * height as usize {
        return None;
    }
    let mut gray = GrayImage::new(width, height);
    for y in 0..height as usize {
        let row = &packed[y * row_bytes..(y + 1) * row_bytes];
        for x in 0..width as usize {
            let bit = (row[x / 8] >> (7 - (x % 8))) & 1;
            gray.put_pixel(
                x as u32,
                y as u32,
                image::Luma([if bit == 1 { 255 } else { 0 }]),
            );
        }
    }
    Some(gray)
}

/// The resolution an image declares (PNG pHYs, JPEG JFIF density, TIFF XResolution), when plausible for
/// a scan or photo of a document (72 dpi and below is usually a default, not a measurement).
pub(crate) fn declared_dpi(mime: Mime, bytes: &[u8]) -> Option<u32> {
    let dpi = match mime {
        Mime::Png => png_dpi(bytes),
        Mime::Jpeg => jfif_dpi(bytes),
        Mime::Tiff => tiff_dpi(bytes),
        _ => None,
    }?;
    (100..=1200).contains(&dpi).then_some(dpi)
}

fn png_dpi(bytes: &[u8]) -> Option<u32> {
    let mut pos = 8;
    while pos + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        if kind == b"pHYs" && len == 9 && pos + 8 + 9 <= bytes.len() {
            let data = &bytes[pos + 8..pos + 17];
            let per_unit = u32::from_be_bytes(data[0..4].try_into().ok()?);
            // Unit 1 = metre.
            return (data[8] == 1).then(|| (f64::from(per_unit) * 0.0254).round() as u32);
        }
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        pos += 12 + len;
    }
    None
}

fn jfif_dpi(bytes: &[u8]) -> Option<u32> {
    // APP0 "JFIF\0" right after SOI: version(2) units(1) xdensity(2) ydensity(2).
    if bytes.len() < 18 || bytes[2..4] != [0xFF, 0xE0] || &bytes[6..11] != b"JFIF\0" {
        return None;
    }
    let units = bytes[13];
    let x = u32::from(u16::from_be_bytes([bytes[14], bytes[15]]));
    match units {
        1 => Some(x),
        2 => Some((f64::from(x) * 2.54).round() as u32),
        _ => None,
    }
}

fn tiff_dpi(bytes: &[u8]) -> Option<u32> {
    use tiff::tags::Tag;
    let mut decoder = tiff::decoder::Decoder::new(Cursor::new(bytes)).ok()?;
    let unit = decoder.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2);
    let value = decoder.get_tag(Tag::XResolution).ok()?;
    let x = match value {
        tiff::decoder::ifd::Value::Rational(n, d) if d != 0 => f64::from(n) / f64::from(d),
        other => f64::from(other.into_u32().ok()?),
    };
    match unit {
        2 => Some(x.round() as u32),
        3 => Some((x * 2.54).round() as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_resolution_is_read_from_phys() {
        let mut png = Vec::new();
        let img = GrayImage::new(4, 4);
        let mut encoder_out = Cursor::new(&mut png);
        img.write_to(&mut encoder_out, ImageFormat::Png)
            .unwrap_or_default();
        // Insert a pHYs chunk for 11811 px/m (300 dpi) after IHDR (8 + 25 bytes).
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&9u32.to_be_bytes());
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.push(1);
        chunk.extend_from_slice(&[0, 0, 0, 0]);
        png.splice(33..33, chunk);
        assert_eq!(declared_dpi(Mime::Png, &png), Some(300));
    }

    #[test]
    fn seventy_two_dpi_is_treated_as_unknown() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        jpeg.extend_from_slice(b"JFIF\0");
        jpeg.extend_from_slice(&[1, 1, 1, 0, 72, 0, 72, 0, 0]);
        assert_eq!(declared_dpi(Mime::Jpeg, &jpeg), None);
        jpeg[14] = 0x01;
        jpeg[15] = 0x2C; // 300
        assert_eq!(declared_dpi(Mime::Jpeg, &jpeg), Some(300));
    }

    #[test]
    fn bilevel_rows_unpack_to_black_and_white() {
        let gray = unpack_bilevel(&[0b1010_0000, 0b0100_0000], 3, 2).unwrap_or_default();
        assert_eq!(gray.as_raw(), &[255, 0, 255, 0, 255, 0]);
    }

    #[test]
    fn transparent_pixels_flatten_to_white() {
        let rgba =
            image::RgbaImage::from_raw(2, 1, vec![0, 0, 0, 0, 0, 0, 0, 255]).unwrap_or_default();
        let gray = to_gray(DynamicImage::ImageRgba8(rgba));
        assert_eq!(gray.as_raw(), &[255, 0]);
    }
}
