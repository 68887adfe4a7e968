//! Vertical text on a page (a watermark or margin note printed top to bottom, one rotated character per
//! word): its characters stack in one narrow column and would otherwise be glued to the start of every
//! text line they cross (`4   Unsere   Menge`), putting stray letters and digits into labels and table
//! headers. Extraction reads a copy of the document without them.

use quire_document::{Document, Page, Word};

/// Fewest stacked characters that make a vertical text run.
const MIN_RUN: usize = 6;

/// The document without vertical text runs, or `None` when it has none (the document is used as it is).
pub fn without_vertical_text(document: &Document) -> Option<Document> {
    let cleaned: Vec<Option<Page>> = document.pages.iter().map(page_without).collect();
    if cleaned.iter().all(Option::is_none) {
        return None;
    }
    let mut copy = document.clone();
    for (page, cleaned) in copy.pages.iter_mut().zip(cleaned) {
        if let Some(cleaned) = cleaned {
            *page = cleaned;
        }
    }
    Some(copy)
}

/// The page rebuilt without its vertical text runs, or `None` when it has none.
fn page_without(page: &Page) -> Option<Page> {
    let vertical = vertical_text_words(&page.words);
    if vertical.is_empty() {
        return None;
    }
    let words: Vec<Word> = page
        .words
        .iter()
        .enumerate()
        .filter(|(index, _)| vertical.binary_search(index).is_err())
        .map(|(_, word)| word.clone())
        .collect();
    Some(Page::from_words(
        page.number,
        page.width,
        page.height,
        page.source,
        words,
        page.ocr.clone(),
    ))
}

/// Indexes (ascending) of single-character words stacked in one column closer than text lines ever are:
/// at least [`MIN_RUN`] of them, each starting less than 0.6 of the page's median word height below the
/// previous one.
pub fn vertical_text_words(words: &[Word]) -> Vec<usize> {
    let mut heights: Vec<f32> = words.iter().map(|w| w.bbox.height()).collect();
    heights.sort_by(f32::total_cmp);
    let Some(&median_height) = heights.get(heights.len() / 2) else {
        return Vec::new();
    };
    let max_pitch = median_height * 0.6;
    let mut singles: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].text.chars().count() == 1)
        .collect();
    // Column by column (x0), top to bottom.
    singles.sort_by(|&a, &b| {
        words[a]
            .bbox
            .x0
            .total_cmp(&words[b].bbox.x0)
            .then(words[a].bbox.y0.total_cmp(&words[b].bbox.y0))
    });
    let mut found = Vec::new();
    let mut used = vec![false; singles.len()];
    for start in 0..singles.len() {
        if used[start] {
            continue;
        }
        let first = words[singles[start]].bbox;
        let mut run = vec![start];
        let mut last = first;
        for (candidate, &index) in singles.iter().enumerate().skip(start + 1) {
            let bbox = words[index].bbox;
            if bbox.x0 - first.x0 > first.width() * 0.5 {
                break;
            }
            if used[candidate] || bbox.y0 < last.y0 {
                continue;
            }
            let pitch = bbox.y0 - last.y0;
            if pitch >= max_pitch {
                break;
            }
            if (bbox.x1 - last.x1).abs() <= last.width() * 0.5 {
                run.push(candidate);
                last = bbox;
            }
        }
        if run.len() >= MIN_RUN {
            for &member in &run {
                used[member] = true;
                found.push(singles[member]);
            }
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_document::BBox;

    #[test]
    fn stacked_single_characters_are_vertical_text_and_table_digits_are_not() {
        let mut words = Vec::new();
        // A column of quantities, one per text line (12 points apart, 10 high).
        for line in 0..10 {
            let y = 100.0 + line as f32 * 12.0;
            words.push(Word::new("1", BBox::new(50.0, y, 56.0, y + 10.0), 100.0));
            words.push(Word::new(
                "Widget",
                BBox::new(70.0, y, 106.0, y + 10.0),
                100.0,
            ));
        }
        // `WATERMARK` printed top to bottom, 3 points per character.
        for (k, c) in "WATERMARK".chars().enumerate() {
            let y = 100.0 + k as f32 * 3.0;
            words.push(Word::new(
                c.to_string(),
                BBox::new(20.0, y, 25.0, y + 2.9),
                100.0,
            ));
        }
        let vertical = vertical_text_words(&words);
        assert_eq!(vertical.len(), 9);
        assert!(vertical.iter().all(|&i| words[i].bbox.x0 == 20.0));
    }
}
