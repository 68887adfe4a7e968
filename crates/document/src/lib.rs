//! Quire's document model: what the reader produces and every later stage (classification, extraction,
//! validation, history, export) consumes.
//!
//! A [`Document`] is a list of [`Page`]s. Each page records where its text came from ([`PageSource`]), the
//! words with their bounding boxes and confidences, the lines those words form, and a layout-preserving text
//! rendering of the page (columns aligned with spaces, as `pdftotext -layout` gives). Coordinates are PDF
//! points (1/72 inch) with the origin at the top-left corner of the page as displayed (after rotation).
//!
//! This crate has no native dependencies, so extraction code and its tests can build documents from plain
//! words without PDFium or Tesseract.

mod geometry;
pub mod layout;

pub use geometry::BBox;
use serde::{Deserialize, Serialize};

/// The detected type of an input file, from its content (magic bytes), never from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mime {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/tiff")]
    Tiff,
    #[serde(rename = "image/bmp")]
    Bmp,
    #[serde(rename = "image/webp")]
    Webp,
}

impl Mime {
    /// The IANA media type, e.g. `application/pdf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mime::Pdf => "application/pdf",
            Mime::Png => "image/png",
            Mime::Jpeg => "image/jpeg",
            Mime::Tiff => "image/tiff",
            Mime::Bmp => "image/bmp",
            Mime::Webp => "image/webp",
        }
    }

    /// Whether this is a raster image type (read through OCR).
    pub fn is_image(self) -> bool {
        !matches!(self, Mime::Pdf)
    }
}

impl std::fmt::Display for Mime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document as read: its identity (content hash), type and pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Lower-case hex SHA-256 of the file's bytes.
    pub content_hash: String,
    pub mime: Mime,
    /// Size of the file in bytes.
    pub size_bytes: u64,
    pub pages: Vec<Page>,
    /// Files embedded in the document (PDF attachments such as a Factur-X / ZUGFeRD invoice XML).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file embedded in a document. Its bytes stay in memory only; JSON carries the name and size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub size_bytes: u64,
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl Document {
    /// Number of pages.
    pub fn n_pages(&self) -> usize {
        self.pages.len()
    }

    /// The layout text of all pages, separated by form feeds (as `pdftotext` does).
    pub fn layout_text(&self) -> String {
        let texts: Vec<&str> = self.pages.iter().map(|p| p.layout_text.as_str()).collect();
        texts.join("\u{c}")
    }
}

/// Where a page's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSource {
    /// The PDF's own text layer, read through PDFium (exact; confidence 100).
    TextLayer,
    /// Optical character recognition (Tesseract) of the page image.
    Ocr,
}

impl PageSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PageSource::TextLayer => "text_layer",
            PageSource::Ocr => "ocr",
        }
    }
}

/// One page of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Width of the page as displayed, in points.
    pub width: f32,
    /// Height of the page as displayed, in points.
    pub height: f32,
    pub source: PageSource,
    /// Words in reading order (lines top to bottom, words left to right).
    pub words: Vec<Word>,
    pub lines: Vec<Line>,
    /// The page's text with its layout preserved: one text line per visual line, words placed at columns
    /// proportional to their horizontal position.
    pub layout_text: String,
    /// Mean word confidence, 0–100 (100 for text-layer pages; 0 for a page without words).
    pub mean_confidence: f32,
    /// How the page was recognised when `source` is OCR.
    #[serde(default)]
    pub ocr: Option<OcrInfo>,
}

impl Page {
    /// Builds a page from words in any order: orders them, groups them into lines and renders the layout
    /// text. This is the one way pages are assembled, for the text layer and for OCR alike.
    pub fn from_words(
        number: u32,
        width: f32,
        height: f32,
        source: PageSource,
        words: Vec<Word>,
        ocr: Option<OcrInfo>,
    ) -> Page {
        let skew_degrees = ocr.as_ref().map_or(0.0, |o| o.skew_degrees);
        let (words, lines) = layout::order_into_lines_deskewed(words, skew_degrees);
        let layout_text = layout::layout_text(&words, &lines);
        let mean_confidence = if words.is_empty() {
            0.0
        } else {
            words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32
        };
        Page {
            number,
            width,
            height,
            source,
            words,
            lines,
            layout_text,
            mean_confidence,
            ocr,
        }
    }

    /// The words of one line.
    pub fn line_words(&self, line: &Line) -> &[Word] {
        &self.words[line.first_word..line.first_word + line.n_words]
    }
}

/// Details of an OCR'd page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrInfo {
    /// Resolution of the image that was recognised, in dots per inch.
    pub dpi: u32,
    /// Clockwise rotation, in degrees (0, 90, 180 or 270), applied to the image to make the text upright.
    pub rotation_applied: u16,
    /// Pixel size of the recognised image.
    pub image_width: u32,
    pub image_height: u32,
    /// Skew of the text lines measured on the image, in degrees (positive: lines run downhill from left to
    /// right). Word boxes are as on the image; line grouping compensates for the skew
    /// ([`layout::order_into_lines_deskewed`]).
    pub skew_degrees: f32,
    /// The Tesseract language(s) the words were read with, e.g. `eng` or `deu+eng` (empty when not
    /// recorded; absent in JSON written before it was).
    #[serde(default)]
    pub language: String,
}

/// A word with its box (points, top-left origin) and recognition confidence (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    pub confidence: f32,
}

impl Word {
    pub fn new(text: impl Into<String>, bbox: BBox, confidence: f32) -> Word {
        Word {
            text: text.into(),
            bbox,
            confidence,
        }
    }
}

/// A visual line: a run of consecutive words in [`Page::words`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The line's words joined by single spaces.
    pub text: String,
    pub bbox: BBox,
    /// Index of the line's first word in [`Page::words`].
    pub first_word: usize,
    pub n_words: usize,
}
