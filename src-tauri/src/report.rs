//! What the front-end is told about a file it asked to read: the serializable summary of a read document
//! (or of the reason it could not be read), and the progress event sent as each file finishes.

use std::path::Path;

use quire_document::{Document, Mime, Page, PageSource};
use serde::Serialize;

use crate::error::{DesktopError, ErrorBody};

/// Name of the event emitted once per file of a `read_files` batch, as soon as that file is done.
pub const READ_PROGRESS_EVENT: &str = "read-progress";

/// How many characters of a page's layout text the front-end gets as a preview.
pub const PREVIEW_CHARS: usize = 600;

/// The outcome of reading one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// The path as given by the front-end.
    pub path: String,
    /// The last component of the path, for display.
    pub file_name: String,
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

/// Whether the file was read (with its summary) or failed (with the reason), tagged by `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileOutcome {
    Read {
        mime: Mime,
        n_pages: usize,
        pages: Vec<PageSummary>,
    },
    Failed {
        error: ErrorBody,
    },
}

/// One page of a read document, as listed in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageSummary {
    pub number: u32,
    pub source: PageSource,
    pub n_words: usize,
    /// Mean word confidence, 0–100.
    pub mean_confidence: f32,
    /// The start of the page's layout text (whitespace preserved), at most [`PREVIEW_CHARS`] characters.
    pub preview: String,
    /// Whether the layout text went on beyond the preview.
    pub preview_truncated: bool,
}

/// Payload of the [`READ_PROGRESS_EVENT`]: which file of the batch finished, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadProgress {
    /// 0-based position of the file in the batch.
    pub index: usize,
    pub n_total: usize,
    pub report: FileReport,
}

impl FileReport {
    /// The report for one file from what the engine returned for it.
    pub fn new(path: &Path, result: Result<Document, DesktopError>) -> FileReport {
        let outcome = match result {
            Ok(document) => FileOutcome::Read {
                mime: document.mime,
                n_pages: document.n_pages(),
                pages: document.pages.iter().map(PageSummary::from_page).collect(),
            },
            Err(error) => FileOutcome::Failed {
                error: ErrorBody::from(&error),
            },
        };
        FileReport {
            path: path.display().to_string(),
            file_name: file_name_for_display(path),
            outcome,
        }
    }
}

impl PageSummary {
    pub fn from_page(page: &Page) -> PageSummary {
        let (preview, preview_truncated) = cut_preview(&page.layout_text, PREVIEW_CHARS);
        PageSummary {
            number: page.number,
            source: page.source,
            n_words: page.words.len(),
            mean_confidence: page.mean_confidence,
            preview: preview.to_owned(),
            preview_truncated,
        }
    }
}

/// The first `max_chars` characters of `text` (never splitting a character), and whether anything was cut.
fn cut_preview(text: &str, max_chars: usize) -> (&str, bool) {
    match text.char_indices().nth(max_chars) {
        Some((byte_index, _)) => (&text[..byte_index], true),
        None => (text, false),
    }
}

fn file_name_for_display(path: &Path) -> String {
    match path.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use quire_document::{BBox, Word};

    use super::*;

    fn word(text: &str, x0: f32, y0: f32, confidence: f32) -> Word {
        Word::new(
            text,
            BBox::new(x0, y0, x0 + 8.0 * text.len() as f32, y0 + 10.0),
            confidence,
        )
    }

    fn invoice_document() -> Document {
        let first = Page::from_words(
            1,
            595.0,
            842.0,
            PageSource::TextLayer,
            vec![
                word("Invoice", 50.0, 50.0, 100.0),
                word("INV-042", 300.0, 50.0, 100.0),
                word("Total", 50.0, 100.0, 100.0),
            ],
            None,
        );
        let second = Page::from_words(
            2,
            595.0,
            842.0,
            PageSource::Ocr,
            vec![
                word("Page", 50.0, 50.0, 90.0),
                word("two", 100.0, 50.0, 80.0),
            ],
            None,
        );
        Document {
            content_hash: "00".repeat(32),
            mime: Mime::Pdf,
            size_bytes: 1234,
            pages: vec![first, second],
            attachments: Vec::new(),
        }
    }

    #[test]
    fn read_document_is_summarised_per_page_with_source_and_preview() {
        let report = FileReport::new(Path::new("/in/invoice-042.pdf"), Ok(invoice_document()));
        assert_eq!(report.file_name, "invoice-042.pdf");
        let FileOutcome::Read {
            mime,
            n_pages,
            pages,
        } = &report.outcome
        else {
            panic!("expected a read outcome, got {:?}", report.outcome);
        };
        assert_eq!(*mime, Mime::Pdf);
        assert_eq!(*n_pages, 2);
        assert_eq!(pages[0].source, PageSource::TextLayer);
        assert_eq!(pages[0].n_words, 3);
        assert!(
            pages[0].preview.contains("Invoice"),
            "{:?}",
            pages[0].preview
        );
        assert!(
            pages[0].preview.contains("INV-042"),
            "{:?}",
            pages[0].preview
        );
        assert!(!pages[0].preview_truncated);
        assert_eq!(pages[1].number, 2);
        assert_eq!(pages[1].source, PageSource::Ocr);
        assert_eq!(pages[1].mean_confidence, 85.0);
    }

    #[test]
    fn report_serializes_flat_with_status_tag_and_snake_case_source() {
        let report = FileReport::new(Path::new("/in/invoice-042.pdf"), Ok(invoice_document()));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["status"], "read");
        assert_eq!(json["path"], "/in/invoice-042.pdf");
        assert_eq!(json["mime"], "application/pdf");
        assert_eq!(json["n_pages"], 2);
        assert_eq!(json["pages"][0]["source"], "text_layer");
        assert_eq!(json["pages"][1]["source"], "ocr");
    }

    #[test]
    fn failed_file_serializes_its_error_code_and_message() {
        let error = DesktopError::ReaderPanicked {
            path: "/in/broken.pdf".into(),
            reason: "boom".to_owned(),
        };
        let report = FileReport::new(Path::new("/in/broken.pdf"), Err(error));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["status"], "failed");
        assert_eq!(json["file_name"], "broken.pdf");
        assert_eq!(json["error"]["code"], "reader_panicked");
        assert_eq!(
            json["error"]["message"],
            "/in/broken.pdf: the reader crashed: boom"
        );
    }

    #[test]
    fn preview_is_cut_on_a_character_boundary() {
        let text = "é".repeat(PREVIEW_CHARS + 5);
        let (preview, truncated) = cut_preview(&text, PREVIEW_CHARS);
        assert_eq!(preview.chars().count(), PREVIEW_CHARS);
        assert!(truncated);
        assert_eq!(cut_preview("short", PREVIEW_CHARS), ("short", false));
        let exact = "x".repeat(PREVIEW_CHARS);
        assert_eq!(cut_preview(&exact, PREVIEW_CHARS), (exact.as_str(), false));
    }
}
