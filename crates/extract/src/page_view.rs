//! A page prepared for extraction: its words with normalised match keys, the typical character width, and
//! where each word sits in the page's layout text (so regex matches map back to boxes).

use quire_document::{layout, BBox, Page, Word};

use crate::fields::{transform_text, TransformedText};
use crate::template::RegexText;
use crate::value::Provenance;

/// One page with lookup structures for label, regex and table matching.
pub struct PageView<'a> {
    pub page: &'a Page,
    /// Typical character width in points.
    pub char_width: f32,
    /// Median line height in points.
    pub line_height: f32,
    /// Per word: lower-case text without trailing `:` `.` `#` (the label-matching key).
    pub keys: Vec<String>,
    /// Per word: its byte range in `page.layout_text`, when found.
    pub spans: Vec<Option<(usize, usize)>>,
    /// Per word: the index of its line in `page.lines`.
    pub line_of_word: Vec<usize>,
    /// The layout text as a template's regexes see it, made once per page (every field and table regex
    /// of the template runs on it), with the transformation it was made with.
    regex_text: std::cell::OnceCell<(RegexText, TransformedText<'a>)>,
}

/// The label-matching key of a text: lower case, inner whitespace removed, trailing `:` `.` `#` trimmed.
pub fn match_key(text: &str) -> String {
    let lower: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    let key = lower
        .trim_end_matches([':', '.', '#', '*', ','])
        .trim_start_matches('*');
    // `#` alone is a word of its own (a table's position column), not punctuation to drop.
    if key.is_empty() && lower == "#" {
        return lower;
    }
    key.to_string()
}

impl<'a> PageView<'a> {
    pub fn new(page: &'a Page) -> PageView<'a> {
        let char_width = layout::char_width(&page.words);
        let mut heights: Vec<f32> = page.lines.iter().map(|l| l.bbox.height()).collect();
        heights.sort_by(f32::total_cmp);
        let line_height = heights
            .get(heights.len() / 2)
            .copied()
            .unwrap_or(10.0)
            .max(1.0);
        let keys = page.words.iter().map(|w| match_key(&w.text)).collect();
        let mut line_of_word = vec![0; page.words.len()];
        for (line_index, line) in page.lines.iter().enumerate() {
            for slot in line_of_word
                .iter_mut()
                .skip(line.first_word)
                .take(line.n_words)
            {
                *slot = line_index;
            }
        }
        let mut spans = Vec::with_capacity(page.words.len());
        let text = page.layout_text.as_str();
        let mut cursor = 0;
        for word in &page.words {
            match text[cursor..].find(word.text.as_str()) {
                Some(offset) => {
                    let start = cursor + offset;
                    let end = start + word.text.len();
                    spans.push(Some((start, end)));
                    cursor = end;
                }
                None => spans.push(None),
            }
        }
        PageView {
            page,
            char_width,
            line_height,
            keys,
            spans,
            line_of_word,
            regex_text: std::cell::OnceCell::new(),
        }
    }

    /// The layout text transformed as `transform` says (see [`transform_text`]), made on first use and
    /// kept for the page's other regexes (a different transformation is made afresh each time).
    pub fn regex_text(&self, transform: &RegexText) -> std::borrow::Cow<'_, TransformedText<'a>> {
        let (kept_for, text) = self.regex_text.get_or_init(|| {
            (
                transform.clone(),
                transform_text(&self.page.layout_text, transform),
            )
        });
        if kept_for == transform {
            std::borrow::Cow::Borrowed(text)
        } else {
            std::borrow::Cow::Owned(transform_text(&self.page.layout_text, transform))
        }
    }

    pub fn words(&self) -> &'a [Word] {
        &self.page.words
    }

    /// Word index range of a line.
    pub fn line_range(&self, line_index: usize) -> std::ops::Range<usize> {
        let line = &self.page.lines[line_index];
        line.first_word..line.first_word + line.n_words
    }

    /// Indexes of the words overlapping a byte range of the layout text.
    pub fn words_in_span(&self, start: usize, end: usize) -> Vec<usize> {
        self.spans
            .iter()
            .enumerate()
            .filter_map(|(index, span)| {
                let (s, e) = (*span)?;
                (s < end && e > start).then_some(index)
            })
            .collect()
    }

    /// Whether a word's centre lies inside a normalised zone of the page.
    pub fn word_in_zone(&self, word_index: usize, zone: &crate::template::Zone) -> bool {
        let bbox = self.page.words[word_index]
            .bbox
            .normalized(self.page.width, self.page.height);
        let (cx, cy) = (bbox.center_x(), bbox.center_y());
        cx >= zone.x0 && cx <= zone.x1 && cy >= zone.y0 && cy <= zone.y1
    }

    /// Whether the words from `start` (before `end`, at most `max_words`, no gap wider than `max_gap_chars`
    /// character widths) spell `key` when their match keys are joined; returns the end of the match.
    pub fn spells(
        &self,
        start: usize,
        end: usize,
        key: &str,
        max_words: usize,
        max_gap_chars: f32,
    ) -> Option<usize> {
        let mut joined = String::new();
        for index in start..end.min(start + max_words) {
            if index > start && self.gap(index - 1, index) > self.char_width * max_gap_chars {
                return None;
            }
            joined.push_str(&self.keys[index]);
            if joined == key {
                return Some(index + 1);
            }
            if !key.starts_with(joined.as_str()) {
                return None;
            }
        }
        None
    }

    /// Horizontal gap between two words of a line (points).
    pub fn gap(&self, left: usize, right: usize) -> f32 {
        self.page.words[right].bbox.x0 - self.page.words[left].bbox.x1
    }

    /// Provenance of a run of words: their union box, texts joined by spaces, lowest confidence.
    pub fn provenance(&self, word_indexes: &[usize]) -> Option<Provenance> {
        let words = &self.page.words;
        let first = *word_indexes.first()?;
        let mut bbox: BBox = words[first].bbox;
        let mut confidence = words[first].confidence;
        for &index in &word_indexes[1..] {
            bbox = bbox.union(&words[index].bbox);
            confidence = confidence.min(words[index].confidence);
        }
        let raw_text = word_indexes
            .iter()
            .map(|&i| words[i].text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Some(Provenance {
            page: self.page.number,
            bbox,
            raw_text,
            confidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::page_from_layout;

    #[test]
    fn match_keys_ignore_case_spaces_and_trailing_punctuation() {
        assert_eq!(match_key("Invoice No.:"), "invoiceno");
        assert_eq!(match_key("VAT Reg. No."), "vatregno");
        assert_eq!(match_key("Total"), "total");
        assert_eq!(match_key("N°"), "n°");
    }

    #[test]
    fn words_map_to_their_place_in_the_layout_text() {
        let page = page_from_layout(1, "Invoice   Total\n12.00     13.50");
        let view = PageView::new(&page);
        let start = page.layout_text.find("13.50").unwrap();
        let hits = view.words_in_span(start, start + 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(page.words[hits[0]].text, "13.50");
        assert_eq!(view.line_of_word[hits[0]], 1);
    }
}
