//! PDF inputs through PDFium: per page, the text layer's words when it has usable text, otherwise OCR of
//! the page's embedded scan (at its native resolution) or of the page rendered at the OCR resolution.

use image::{DynamicImage, GrayImage};
use pdfium_render::prelude::*;
use quire_document::{Attachment, BBox, Document, Page, PageSource, Word};

use crate::{backend, ReadErrorKind, Reader};

pub(crate) fn read_pdf(
    reader: &mut Reader,
    bytes: &[u8],
    document: &mut Document,
) -> Result<(), ReadErrorKind> {
    read_pdf_reporting(reader, bytes, document, &mut |_| {})
}

/// [`read_pdf`], calling `page_done(number)` after each page (the reading helper reports its progress).
pub(crate) fn read_pdf_reporting(
    reader: &mut Reader,
    bytes: &[u8],
    document: &mut Document,
    page_done: &mut dyn FnMut(u32),
) -> Result<(), ReadErrorKind> {
    let pdfium = backend::pdfium(&reader.config).map_err(ReadErrorKind::PdfBackendMissing)?;
    // PDFium repairs many damaged files and would read a cut-off file's first pages as if that were all:
    // a missing end-of-file marker means the file did not arrive whole.
    let complete = has_eof_marker(bytes);
    let pdf = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(|e| {
        if complete {
            load_error(e)
        } else {
            ReadErrorKind::TruncatedPdf
        }
    })?;
    if !complete {
        return Err(ReadErrorKind::TruncatedPdf);
    }
    let n_pages = i64::from(pdf.pages().len());
    if n_pages == 0 {
        return Err(ReadErrorKind::CorruptPdf("the PDF has no pages".into()));
    }
    if n_pages > i64::from(reader.config.max_pages) {
        return Err(ReadErrorKind::TooManyPages {
            n_pages: n_pages as u32,
            limit: reader.config.max_pages,
        });
    }
    for attachment in pdf.attachments().iter() {
        if let Ok(data) = attachment.save_to_bytes() {
            document.attachments.push(Attachment {
                name: attachment.name(),
                size_bytes: data.len() as u64,
                data,
            });
        }
    }
    for index in 0..n_pages {
        let number = index as u32 + 1;
        let page_failed = |e: PdfiumError| ReadErrorKind::PageFailed {
            page: number,
            message: e.to_string(),
        };
        let page = pdf.pages().get(index as _).map_err(page_failed)?;
        let read = read_page(reader, &page, number)?;
        document.pages.push(read);
        page_done(number);
    }
    Ok(())
}

/// Loads the PDF, each page and each page's text through PDFium and nothing more (no words, no OCR):
/// what any text-layer reading through PDFium costs at least. For benchmarks; returns the number of
/// characters PDFium found.
pub(crate) fn pdfium_load_only(reader: &Reader, bytes: &[u8]) -> Result<usize, ReadErrorKind> {
    let pdfium = backend::pdfium(&reader.config).map_err(ReadErrorKind::PdfBackendMissing)?;
    let pdf = pdfium
        .load_pdf_from_byte_slice(bytes, None)
        .map_err(load_error)?;
    let mut n_chars = 0;
    for (index, page) in pdf.pages().iter().enumerate() {
        let text = page.text().map_err(|e| ReadErrorKind::PageFailed {
            page: index as u32 + 1,
            message: e.to_string(),
        })?;
        n_chars += text.chars().len();
    }
    Ok(n_chars)
}

/// The images OCR would recognise for the PDF's pages that have no usable text layer.
pub(crate) fn ocr_page_images(
    reader: &mut Reader,
    bytes: &[u8],
) -> Result<Vec<crate::PageImage>, ReadErrorKind> {
    let pdfium = backend::pdfium(&reader.config).map_err(ReadErrorKind::PdfBackendMissing)?;
    let pdf = pdfium
        .load_pdf_from_byte_slice(bytes, None)
        .map_err(load_error)?;
    let mut images = Vec::new();
    for (index, page) in pdf.pages().iter().enumerate() {
        let number = index as u32 + 1;
        let page_failed = |e: PdfiumError| ReadErrorKind::PageFailed {
            page: number,
            message: e.to_string(),
        };
        let (width, height) = (page.width().value, page.height().value);
        let to_display = ToDisplay::of_page(&page, width, height).map_err(page_failed)?;
        let words = text_layer_words(&page, &to_display).map_err(page_failed)?;
        if text_is_usable(&words, reader.config.min_text_chars) {
            continue;
        }
        let config = &reader.config;
        let (image, dpi) =
            match embedded_scan(&page, &to_display, width, height, config.max_image_pixels) {
                Some((gray, placement)) => {
                    let dpi = (gray.width() as f32 / (placement.width() / 72.0)).round() as u32;
                    (gray, dpi)
                }
                None => {
                    let (gray, dpi) = render_gray(
                        &page,
                        width,
                        height,
                        config.ocr_dpi,
                        config.max_image_pixels,
                    )
                    .map_err(page_failed)?;
                    (DynamicImage::ImageLuma8(gray), dpi)
                }
            };
        images.push(crate::PageImage {
            page: number,
            image,
            dpi,
        });
    }
    Ok(images)
}

fn load_error(e: PdfiumError) -> ReadErrorKind {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            ReadErrorKind::EncryptedPdf
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            ReadErrorKind::CorruptPdf("not a valid PDF structure".into())
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
            ReadErrorKind::CorruptPdf("unsupported security handler".into())
        }
        other => ReadErrorKind::CorruptPdf(other.to_string()),
    }
}

fn has_eof_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

/// Maps PDF user space (unrotated, y up) to display space (rotated as the page is shown, points, y down).
#[derive(Debug, Clone, Copy)]
struct ToDisplay {
    a: f32,
    b: f32,
    c: f32,
    d: f32,
    e: f32,
    f: f32,
}

impl ToDisplay {
    /// Measures the page's display transform through PDFium (which applies the page's /Rotate and its
    /// media box origin) at 10 pixels per point, so rounding costs at most 0.1 point.
    fn of_page(page: &PdfPage, width: f32, height: f32) -> Result<ToDisplay, PdfiumError> {
        const SCALE: f32 = 10.0;
        let config = PdfRenderConfig::new()
            .set_target_width((width * SCALE).round() as Pixels)
            .set_maximum_height((height * SCALE).round() as Pixels + 1);
        let at = |x: f32, y: f32| -> Result<(f32, f32), PdfiumError> {
            let (px, py) = page.points_to_pixels(PdfPoints::new(x), PdfPoints::new(y), &config)?;
            Ok((px as f32 / SCALE, py as f32 / SCALE))
        };
        let (e, f) = at(0.0, 0.0)?;
        let (x1, y1) = at(1000.0, 0.0)?;
        let (x2, y2) = at(0.0, 1000.0)?;
        Ok(ToDisplay {
            a: (x1 - e) / 1000.0,
            b: (y1 - f) / 1000.0,
            c: (x2 - e) / 1000.0,
            d: (y2 - f) / 1000.0,
            e,
            f,
        })
    }

    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.a * x + self.c * y + self.e,
            self.b * x + self.d * y + self.f,
        )
    }

    fn rect(&self, left: f32, bottom: f32, right: f32, top: f32) -> BBox {
        let (x0, y0) = self.point(left, bottom);
        let (x1, y1) = self.point(right, top);
        BBox::new(x0, y0, x1, y1)
    }
}

fn read_page(reader: &mut Reader, page: &PdfPage, number: u32) -> Result<Page, ReadErrorKind> {
    let page_failed = |e: PdfiumError| ReadErrorKind::PageFailed {
        page: number,
        message: e.to_string(),
    };
    let width = page.width().value;
    let height = page.height().value;
    let to_display = ToDisplay::of_page(page, width, height).map_err(page_failed)?;
    let words = text_layer_words(page, &to_display).map_err(page_failed)?;
    if text_is_usable(&words, reader.config.min_text_chars) {
        return Ok(Page::from_words(
            number,
            width,
            height,
            PageSource::TextLayer,
            words,
            None,
        ));
    }
    if let Some((gray, placement)) = embedded_scan(
        page,
        &to_display,
        width,
        height,
        reader.config.max_image_pixels,
    ) {
        let points_per_pixel = placement.width() / gray.width() as f32;
        let dpi = (72.0 / points_per_pixel).round().max(1.0) as u32;
        return reader.ocr_page(
            number,
            &gray,
            dpi,
            points_per_pixel,
            (placement.x0, placement.y0),
        );
    }
    let (gray, dpi) = render_gray(
        page,
        width,
        height,
        reader.config.ocr_dpi,
        reader.config.max_image_pixels,
    )
    .map_err(page_failed)?;
    let image = DynamicImage::ImageLuma8(gray);
    reader.ocr_page(number, &image, dpi, 72.0 / dpi as f32, (0.0, 0.0))
}

/// Words of the page's text layer, from PDFium's characters: a word ends at whitespace, at a horizontal gap
/// wider than a fifth of the character height, or where the next character is on another line.
fn text_layer_words(page: &PdfPage, to_display: &ToDisplay) -> Result<Vec<Word>, PdfiumError> {
    let text = page.text()?;
    let mut words = Vec::new();
    let mut current = String::new();
    let mut current_box: Option<BBox> = None;
    let mut last_box = BBox::default();
    let mut flush = |current: &mut String, current_box: &mut Option<BBox>| {
        if let Some(bbox) = current_box.take() {
            if !current.is_empty() {
                words.push(Word::new(std::mem::take(current), bbox, 100.0));
            }
        }
        current.clear();
    };
    for ch in text.chars().iter() {
        let Some(c) = ch.unicode_char() else {
            continue;
        };
        if c.is_whitespace() || c.is_control() || c == '\u{fffe}' {
            flush(&mut current, &mut current_box);
            continue;
        }
        let Ok(rect) = ch.loose_bounds() else {
            continue;
        };
        let bbox = to_display.rect(
            rect.left().value,
            rect.bottom().value,
            rect.right().value,
            rect.top().value,
        );
        if current_box.is_some() {
            let h = last_box.height().max(bbox.height()).max(1.0);
            let gap = bbox.x0 - last_box.x1;
            let other_line = (bbox.center_y() - last_box.center_y()).abs() > 0.5 * h;
            if gap > 0.2 * h || other_line || bbox.x1 < last_box.x0 {
                flush(&mut current, &mut current_box);
            }
        }
        current.push(c);
        current_box = Some(match current_box {
            Some(b) => b.union(&bbox),
            None => bbox,
        });
        last_box = bbox;
    }
    flush(&mut current, &mut current_box);
    Ok(words)
}

/// A text layer is usable when it has enough characters and they are mostly real text (a broken font
/// encoding gives replacement or private-use characters).
fn text_is_usable(words: &[Word], min_text_chars: usize) -> bool {
    let mut n_chars = 0usize;
    let mut n_bad = 0usize;
    for c in words.iter().flat_map(|w| w.text.chars()) {
        n_chars += 1;
        if c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c) {
            n_bad += 1;
        }
    }
    n_chars >= min_text_chars.max(1) && n_bad * 4 < n_chars
}

/// The page's scan as stored in the PDF, when the page is essentially one image covering it (the usual
/// shape of scanned documents): OCR at the image's native resolution beats re-rendering it.
fn embedded_scan(
    page: &PdfPage,
    to_display: &ToDisplay,
    width: f32,
    height: f32,
    max_pixels: u64,
) -> Option<(DynamicImage, BBox)> {
    let mut images = page
        .objects()
        .iter()
        .filter(|o| o.object_type() == PdfPageObjectType::Image);
    let object = images.next()?;
    if images.next().is_some() {
        return None;
    }
    let bounds = object.bounds().ok()?;
    let placement = to_display.rect(
        bounds.left().value,
        bounds.bottom().value,
        bounds.right().value,
        bounds.top().value,
    );
    if placement.width() * placement.height() < 0.85 * width * height {
        return None;
    }
    let image_object = object.as_image_object()?;
    let (pixel_w, pixel_h) = (image_object.width().ok()?, image_object.height().ok()?);
    if pixel_w <= 0 || pixel_h <= 0 || (pixel_w as u64) * (pixel_h as u64) > max_pixels {
        return None;
    }
    // The raw image ignores the placement's rotation or flip: only use it when it is placed upright,
    // which the aspect ratio and the page's rotation tell.
    let aspect_image = pixel_w as f32 / pixel_h as f32;
    let aspect_placed = placement.width() / placement.height().max(1.0);
    if (aspect_image / aspect_placed - 1.0).abs() > 0.02
        || !matches!(page.rotation(), Ok(PdfPageRenderRotation::None))
    {
        return None;
    }
    let dpi = pixel_w as f32 / (placement.width() / 72.0);
    if !(100.0..=1200.0).contains(&dpi) {
        return None;
    }
    let image = image_object.get_raw_image().ok()?;
    let image = crate::image_input::normalise(image);
    (image.width() == pixel_w as u32).then_some((image, placement))
}

/// Renders the page to 8-bit gray at `dpi` (lowered if the page would exceed the pixel limit).
fn render_gray(
    page: &PdfPage,
    width: f32,
    height: f32,
    dpi: u32,
    max_pixels: u64,
) -> Result<(GrayImage, u32), PdfiumError> {
    let mut dpi = dpi.max(36);
    let pixels =
        |dpi: u32| (width / 72.0 * dpi as f32) as u64 * (height / 72.0 * dpi as f32) as u64;
    while dpi > 36 && pixels(dpi) > max_pixels {
        dpi = dpi * 3 / 4;
    }
    let target_w = ((width / 72.0) * dpi as f32).round().max(1.0) as Pixels;
    let target_h = ((height / 72.0) * dpi as f32).round().max(1.0) as Pixels;
    // Gray without reverse_byte_order(false) aborts PDFium on pages with text (platform notes).
    let config = PdfRenderConfig::new()
        .set_target_width(target_w)
        .set_maximum_height(target_h + 1)
        .set_format(PdfBitmapFormat::Gray)
        .set_reverse_byte_order(false)
        .render_form_data(true);
    let bitmap = page.render_with_config(&config)?;
    let (w, h) = (bitmap.width() as u32, bitmap.height() as u32);
    let raw = bitmap.as_raw_bytes();
    let stride = if h > 0 { raw.len() / h as usize } else { 0 };
    let mut gray = GrayImage::new(w, h);
    if stride >= w as usize {
        for (y, row) in raw.chunks_exact(stride).take(h as usize).enumerate() {
            let start = y * w as usize;
            gray.as_mut()[start..start + w as usize].copy_from_slice(&row[..w as usize]);
        }
    }
    Ok((gray, dpi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eof_marker_must_be_near_the_end() {
        assert!(has_eof_marker(b"%PDF-1.4 ... trailer ... %%EOF\n"));
        let mut cut = b"%PDF-1.4 %%EOF".to_vec();
        cut.extend(std::iter::repeat_n(b'x', 4096));
        assert!(!has_eof_marker(&cut));
    }

    #[test]
    fn a_layer_of_replacement_characters_is_not_usable() {
        let word = |t: &str| Word::new(t, BBox::new(0.0, 0.0, 10.0, 10.0), 100.0);
        assert!(text_is_usable(
            &[word("Invoice"), word("number"), word("12345678")],
            20
        ));
        assert!(!text_is_usable(&[word("Page"), word("1")], 20));
        let broken = "\u{fffd}".repeat(30);
        assert!(!text_is_usable(&[word(&broken)], 20));
    }
}
