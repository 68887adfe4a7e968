//! Pages built from layout text: each character is one 6-point cell, each text line 12 points, so a page
//! written as plain text (as `pdftotext -layout` prints it) becomes words with boxes. Used by tests and to
//! evaluate against text dumps when no reader output is at hand.

use quire_document::{BBox, Document, Mime, Page, PageSource, Word};

/// Width of one character cell, in points.
pub const CHAR_WIDTH: f32 = 6.0;
/// Distance between text lines, in points.
pub const LINE_PITCH: f32 = 12.0;

/// A text-layer page whose words sit at the character columns and lines of `text`.
pub fn page_from_layout(number: u32, text: &str) -> Page {
    page_from_layout_with_confidence(number, text, PageSource::TextLayer, 100.0)
}

/// Like [`page_from_layout`], with a source and a confidence for every word (for OCR-like pages).
pub fn page_from_layout_with_confidence(
    number: u32,
    text: &str,
    source: PageSource,
    confidence: f32,
) -> Page {
    let mut words = Vec::new();
    let mut n_columns = 0;
    let n_lines = text.lines().count();
    for (line_index, line) in text.lines().enumerate() {
        let y = 36.0 + line_index as f32 * LINE_PITCH;
        let chars: Vec<char> = line.chars().collect();
        n_columns = n_columns.max(chars.len());
        let mut column = 0;
        while column < chars.len() {
            if chars[column].is_whitespace() {
                column += 1;
                continue;
            }
            let start = column;
            while column < chars.len() && !chars[column].is_whitespace() {
                column += 1;
            }
            let word: String = chars[start..column].iter().collect();
            let x = 36.0 + start as f32 * CHAR_WIDTH;
            let bbox = BBox::new(x, y, x + (column - start) as f32 * CHAR_WIDTH, y + 10.0);
            words.push(Word::new(word, bbox, confidence));
        }
    }
    let width = (72.0 + n_columns as f32 * CHAR_WIDTH).max(595.0);
    let height = (72.0 + n_lines as f32 * LINE_PITCH).max(842.0);
    Page::from_words(number, width, height, source, words, None)
}

/// A PDF-typed document of text-layer pages, one per layout text (as `pdftotext -layout` separates them by
/// form feeds).
pub fn document_from_layout(text: &str) -> Document {
    let pages = text
        .split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .enumerate()
        .map(|(index, page)| page_from_layout(index as u32 + 1, page))
        .collect();
    Document {
        content_hash: String::new(),
        mime: Mime::Pdf,
        size_bytes: text.len() as u64,
        pages,
        attachments: Vec::new(),
    }
}
