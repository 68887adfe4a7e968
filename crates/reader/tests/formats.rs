//! Reading each supported format, detected by content: text-layer words and boxes from PDFium, OCR for
//! images (PNG, JPEG, TIFF with several pages, BMP, WebP), orientation correction.

use quire_document::{Mime, PageSource};
use quire_reader::{Reader, ReaderConfig};

use crate::util::{reader, temp_file, tiny_pdf};

#[test]
fn text_layer_words_have_boxes_in_page_space_and_layout_text() {
    let pdf = tiny_pdf(&[&["Invoice number: INV-2025-001", "Total due: 1,234.56 EUR"]]);
    let (_dir, path) = temp_file("a.pdf", &pdf);
    let doc = reader().read_path(&path).unwrap();
    assert_eq!(doc.mime, Mime::Pdf);
    assert_eq!(doc.content_hash.len(), 64);
    let page = &doc.pages[0];
    assert_eq!(page.source, PageSource::TextLayer);
    assert_eq!((page.width, page.height), (595.0, 842.0));
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Invoice",
            "number:",
            "INV-2025-001",
            "Total",
            "due:",
            "1,234.56",
            "EUR"
        ]
    );
    // The first line is drawn at y = 800 from the bottom: 42 points from the top, Helvetica 12.
    let first = &page.words[0].bbox;
    assert!((first.x0 - 50.0).abs() < 1.5, "{first:?}");
    assert!(first.y0 > 30.0 && first.y1 < 46.0, "{first:?}");
    assert_eq!(page.lines.len(), 2);
    assert_eq!(
        page.layout_text,
        "Invoice number: INV-2025-001\nTotal due: 1,234.56 EUR"
    );
    assert_eq!(page.mean_confidence, 100.0);
}

#[test]
fn the_same_bytes_give_the_same_content_hash_whatever_the_name() {
    let pdf = tiny_pdf(&[&["Invoice 7 of many, with enough text to count"]]);
    let (_d1, a) = temp_file("a.pdf", &pdf);
    let (_d2, b) = temp_file("renamed.bin", &pdf);
    let mut reader = reader();
    let (da, db) = (reader.read_path(&a).unwrap(), reader.read_path(&b).unwrap());
    assert_eq!(da.content_hash, db.content_hash);
    assert_eq!(
        db.mime,
        Mime::Pdf,
        "type comes from content, not the .bin extension"
    );
}

#[test]
fn a_page_without_text_is_ocred() {
    // A page whose text layer is too short to be the document ("Page 1") is read through OCR.
    let pdf = tiny_pdf(&[&["Page 1"]]);
    let (_dir, path) = temp_file("blank.pdf", &pdf);
    let doc = reader().read_path(&path).unwrap();
    assert_eq!(doc.pages[0].source, PageSource::Ocr);
    assert!(doc.pages[0].ocr.is_some());
}

/// Renders text into a grayscale image through PDFium, to get real page images without fixtures.
fn rendered_page(lines: &[&str]) -> image::GrayImage {
    let pdf = tiny_pdf(&[lines]);
    let (_dir, path) = temp_file("render.pdf", &pdf);
    // The page has a text layer, so ask for its image explicitly with a threshold above its length.
    let mut reader = Reader::new(ReaderConfig {
        min_text_chars: 10_000,
        ocr_dpi: 200,
        ..Default::default()
    });
    let mut pages = reader.ocr_page_images(&path).unwrap();
    pages.remove(0).image.to_luma8()
}

const LINES: &[&str] = &[
    "INVOICE 2025-0042",
    "Date: 15 August 2025",
    "Consulting services 1,250.00",
    "Total amount due 1,487.50 EUR",
];

fn all_words() -> Vec<String> {
    LINES
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(str::to_string)
        .collect()
}

fn recall(found: &[String]) -> f32 {
    let expected = all_words();
    let hits = expected.iter().filter(|w| found.contains(w)).count();
    hits as f32 / expected.len() as f32
}

fn encode(image: &image::GrayImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn every_image_format_is_detected_and_ocred() {
    let page = rendered_page(LINES);
    let mut reader = reader();
    for (format, mime, name) in [
        (image::ImageFormat::Png, Mime::Png, "scan.bin"),
        (image::ImageFormat::Jpeg, Mime::Jpeg, "scan.png"),
        (image::ImageFormat::Bmp, Mime::Bmp, "scan.bmp"),
        (image::ImageFormat::WebP, Mime::Webp, "scan.webp"),
        (image::ImageFormat::Tiff, Mime::Tiff, "scan.tif"),
    ] {
        let rgb = image::DynamicImage::ImageLuma8(page.clone()).to_rgb8();
        let bytes = match format {
            // The WebP encoder takes RGB(A) only.
            image::ImageFormat::WebP => {
                let mut out = std::io::Cursor::new(Vec::new());
                rgb.write_to(&mut out, format).unwrap();
                out.into_inner()
            }
            _ => encode(&page, format),
        };
        let (_dir, path) = temp_file(name, &bytes);
        let doc = reader
            .read_path(&path)
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(doc.mime, mime, "{name}");
        assert_eq!(doc.pages.len(), 1);
        let page = &doc.pages[0];
        assert_eq!(page.source, PageSource::Ocr);
        let words: Vec<String> = page.words.iter().map(|w| w.text.clone()).collect();
        assert!(recall(&words) >= 0.95, "{format:?}: {words:?}");
        assert!(
            page.mean_confidence > 80.0,
            "{format:?}: {}",
            page.mean_confidence
        );
        assert!(
            page.layout_text.contains("Total amount due"),
            "{}",
            page.layout_text
        );
    }
}

#[test]
fn a_multi_page_tiff_gives_one_page_per_image() {
    let first = rendered_page(&["First page of the scan", "Invoice 2025-0042"]);
    let second = rendered_page(&["Second page of the scan", "Total amount due 99.00"]);
    // The image crate writes one image per TIFF; chain two by writing both with the tiff crate.
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut encoder = tiff::encoder::TiffEncoder::new(&mut bytes).unwrap();
        for page in [&first, &second] {
            encoder
                .write_image::<tiff::encoder::colortype::Gray8>(
                    page.width(),
                    page.height(),
                    page.as_raw(),
                )
                .unwrap();
        }
    }
    let (_dir, path) = temp_file("two-pages.tiff", &bytes.into_inner());
    let doc = reader().read_path(&path).unwrap();
    assert_eq!(doc.mime, Mime::Tiff);
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages[1].number, 2);
    assert!(
        doc.pages[0].layout_text.contains("First page"),
        "{}",
        doc.pages[0].layout_text
    );
    assert!(
        doc.pages[1].layout_text.contains("Second page"),
        "{}",
        doc.pages[1].layout_text
    );
}

#[test]
fn rotated_scans_are_turned_upright() {
    let upright = rendered_page(LINES);
    let mut reader = reader();
    for (rotated, expected_correction) in [
        (image::imageops::rotate180(&upright), 180u16),
        (image::imageops::rotate90(&upright), 270),
        (image::imageops::rotate270(&upright), 90),
    ] {
        let (_dir, path) = temp_file("rotated.png", &encode(&rotated, image::ImageFormat::Png));
        let doc = reader.read_path(&path).unwrap();
        let page = &doc.pages[0];
        let ocr = page.ocr.as_ref().unwrap();
        assert_eq!(
            ocr.rotation_applied, expected_correction,
            "{}",
            page.layout_text
        );
        let words: Vec<String> = page.words.iter().map(|w| w.text.clone()).collect();
        assert!(recall(&words) >= 0.95, "{expected_correction}: {words:?}");
        // The page is described upright: as wide as the unrotated image.
        assert!(
            (page.width - upright.width() as f32 * 72.0 / 300.0).abs() < 1.0
                || page.width > page.height
        );
    }
}

#[test]
fn a_slightly_skewed_scan_keeps_its_lines() {
    let upright = rendered_page(LINES);
    // Rotate by 1.5 degrees (nearest neighbour keeps it simple; the scan stays legible).
    let (w, h) = upright.dimensions();
    let angle = 1.5f32.to_radians();
    let (sin, cos) = angle.sin_cos();
    let mut skewed = image::GrayImage::from_pixel(w, h, image::Luma([255]));
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let sx = (cos * dx + sin * dy + cx).round();
            let sy = (-sin * dx + cos * dy + cy).round();
            if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
                skewed.put_pixel(x, y, *upright.get_pixel(sx as u32, sy as u32));
            }
        }
    }
    let (_dir, path) = temp_file("skewed.png", &encode(&skewed, image::ImageFormat::Png));
    let doc = reader().read_path(&path).unwrap();
    let page = &doc.pages[0];
    let text = &page.layout_text;
    assert!(text.contains("Total amount due 1,487.50 EUR"), "{text}");
    assert!(text.contains("Consulting services 1,250.00"), "{text}");
    let skew = page.ocr.as_ref().unwrap().skew_degrees;
    assert!((skew.abs() - 1.5).abs() < 0.5, "measured skew {skew}");
}
