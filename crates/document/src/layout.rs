//! Layout analysis: grouping words into visual lines and rendering a page as layout-preserving text.
//!
//! The rendering follows what `pdftotext -layout` gives: one text line per visual line, each word starting at
//! the column its left edge falls on (page x divided by the page's typical character width), so that table
//! columns stay aligned and label/value pairs stay on one line. Large vertical gaps become blank lines.
//! Template regexes written against `pdftotext -layout` output rely on exactly this.

use crate::{BBox, Line, Word};

/// Orders words into reading order and groups them into lines.
///
/// A word joins a line when each one's vertical centre lies within the other's vertical extent (the line's
/// extent being the running mean of its words' extents), so words of different sizes on one baseline join,
/// while a tall word spanning two small lines does not merge them. Lines are ordered top to bottom, words
/// within a line left to right. Returns the reordered words and the lines as ranges over them.
pub fn order_into_lines(words: Vec<Word>) -> (Vec<Word>, Vec<Line>) {
    order_into_lines_deskewed(words, 0.0)
}

/// Like [`order_into_lines`], for a page whose lines are skewed by `skew_degrees`: a line's y grows by
/// `tan(skew) * x` from left to right (positive skew: lines run downhill, in page coordinates where y grows
/// downwards). Grouping uses deskewed positions; the words keep their boxes.
pub fn order_into_lines_deskewed(
    mut words: Vec<Word>,
    skew_degrees: f32,
) -> (Vec<Word>, Vec<Line>) {
    words.retain(|w| !w.text.trim().is_empty());
    let slope = skew_degrees.to_radians().tan();
    // Vertical offset to remove from a word at x so that skewed lines become horizontal.
    let shift = |w: &Word| slope * w.bbox.center_x();
    words.sort_by(|a, b| {
        (a.bbox.center_y() - shift(a))
            .total_cmp(&(b.bbox.center_y() - shift(b)))
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });

    struct Group {
        /// Running mean of the members' top and bottom edges.
        y0: f32,
        y1: f32,
        members: Vec<usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let dy = shift(word);
        let (wy0, wy1, wc) = (
            word.bbox.y0 - dy,
            word.bbox.y1 - dy,
            word.bbox.center_y() - dy,
        );
        let mut best: Option<(usize, f32)> = None;
        // Words arrive sorted by centre, so only the last few groups can still match.
        for (g_index, group) in groups.iter().enumerate().rev().take(8) {
            let gc = (group.y0 + group.y1) / 2.0;
            let mutual = wc >= group.y0 && wc <= group.y1 && gc >= wy0 && gc <= wy1;
            let distance = (gc - wc).abs();
            if mutual && best.is_none_or(|(_, d)| distance < d) {
                best = Some((g_index, distance));
            }
        }
        match best {
            Some((g_index, _)) => {
                let group = &mut groups[g_index];
                let n = group.members.len() as f32;
                group.y0 = (group.y0 * n + wy0) / (n + 1.0);
                group.y1 = (group.y1 * n + wy1) / (n + 1.0);
                group.members.push(i);
            }
            None => groups.push(Group {
                y0: wy0,
                y1: wy1,
                members: vec![i],
            }),
        }
    }

    groups.sort_by(|a, b| (a.y0 + a.y1).total_cmp(&(b.y0 + b.y1)));
    let mut ordered: Vec<Word> = Vec::with_capacity(words.len());
    let mut lines: Vec<Line> = Vec::with_capacity(groups.len());
    let mut slots: Vec<Option<Word>> = words.into_iter().map(Some).collect();
    for mut group in groups {
        group
            .members
            .sort_by(|&a, &b| slot_x0(&slots, a).total_cmp(&slot_x0(&slots, b)));
        let first_word = ordered.len();
        let mut bbox: Option<BBox> = None;
        for &m in &group.members {
            if let Some(word) = slots[m].take() {
                bbox = Some(match bbox {
                    Some(b) => b.union(&word.bbox),
                    None => word.bbox,
                });
                ordered.push(word);
            }
        }
        let n_words = ordered.len() - first_word;
        let text = ordered[first_word..]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line {
            text,
            bbox: bbox.unwrap_or_default(),
            first_word,
            n_words,
        });
    }
    (ordered, lines)
}

fn slot_x0(slots: &[Option<Word>], i: usize) -> f32 {
    slots[i].as_ref().map_or(0.0, |w| w.bbox.x0)
}

/// The typical width of one character on the page: the median of each word's width divided by its number of
/// characters. Robust against a few large headings.
pub fn char_width(words: &[Word]) -> f32 {
    let mut widths: Vec<f32> = words
        .iter()
        .filter_map(|w| {
            let n = w.text.chars().count();
            (n > 0 && w.bbox.width() > 0.0).then(|| w.bbox.width() / n as f32)
        })
        .collect();
    if widths.is_empty() {
        return 5.0;
    }
    let mid = widths.len() / 2;
    let (_, median, _) = widths.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    median.max(0.5)
}

/// The widest gap between two words that still counts as one space: about half the text height (a normal
/// space is a quarter to a third of the font size, a justified one up to about half), and never less than
/// one typical character width.
fn word_gap(left: &Word, right: &Word, char_width: f32) -> f32 {
    let height = left.bbox.height().min(right.bbox.height());
    (0.5 * height).max(char_width)
}

/// Renders lines of words (as produced by [`order_into_lines`]) as layout-preserving text.
pub fn layout_text(words: &[Word], lines: &[Line]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let cw = char_width(words);
    let min_x = words
        .iter()
        .map(|w| w.bbox.x0)
        .fold(f32::INFINITY, f32::min);
    let origin = if min_x.is_finite() {
        min_x.max(0.0)
    } else {
        0.0
    };
    let mut heights: Vec<f32> = lines.iter().map(|l| l.bbox.height()).collect();
    heights.sort_by(f32::total_cmp);
    let line_h = heights[heights.len() / 2].max(1.0);

    let mut out = String::new();
    let mut previous: Option<&Line> = None;
    for line in lines {
        if let Some(prev) = previous {
            out.push('\n');
            // A gap of more than about one and a half empty lines becomes one blank line.
            let gap = line.bbox.y0 - prev.bbox.y1;
            if gap > 1.5 * line_h {
                out.push('\n');
            }
        }
        let mut col = 0usize;
        let mut previous_word: Option<&Word> = None;
        for word in &words[line.first_word..line.first_word + line.n_words] {
            let target = ((word.bbox.x0 - origin) / cw).round().max(0.0) as usize;
            let start = match previous_word {
                None => target,
                // A gap no wider than a wide (justified) space joins the words with one space, as
                // `pdftotext -layout` does, so that running text reads "Amazon Web Services"; wider
                // gaps separate columns and keep at least two spaces.
                Some(prev) if word.bbox.x0 - prev.bbox.x1 <= word_gap(prev, word, cw) => col + 1,
                Some(_) => target.max(col + 2),
            };
            out.extend(std::iter::repeat_n(' ', start - col));
            out.push_str(&word.text);
            col = start + word.text.chars().count();
            previous_word = Some(word);
        }
        previous = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Page, PageSource};

    /// A word whose box is `n_chars * 6` points wide and 10 points high, at (x, y).
    fn word(text: &str, x: f32, y: f32) -> Word {
        let w = text.chars().count() as f32 * 6.0;
        Word::new(text, BBox::new(x, y, x + w, y + 10.0), 100.0)
    }

    #[test]
    fn words_on_one_baseline_form_one_line_in_x_order() {
        let words = vec![word("world", 60.0, 100.0), word("hello", 0.0, 101.0)];
        let (words, lines) = order_into_lines(words);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "hello world");
        assert_eq!(words[0].text, "hello");
    }

    #[test]
    fn lines_are_ordered_top_to_bottom() {
        let words = vec![word("second", 0.0, 130.0), word("first", 0.0, 100.0)];
        let (_, lines) = order_into_lines(words);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["first", "second"]);
    }

    #[test]
    fn columns_stay_aligned_across_lines() {
        let words = vec![
            word("Item", 0.0, 100.0),
            word("Amount", 300.0, 100.0),
            word("Coffee", 0.0, 112.0),
            word("3.50", 300.0, 112.0),
        ];
        let page = Page::from_words(1, 600.0, 800.0, PageSource::TextLayer, words, None);
        let lines: Vec<&str> = page.layout_text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].find("Amount"), lines[1].find("3.50"));
        assert_eq!(lines[0].find("Amount"), Some(50));
    }

    #[test]
    fn adjacent_words_keep_at_least_one_space() {
        // "Total:" ends at x=36 and "12.00" starts at x=37: closer than one character width.
        let words = vec![word("Total:", 0.0, 0.0), word("12.00", 37.0, 0.0)];
        let page = Page::from_words(1, 600.0, 800.0, PageSource::TextLayer, words, None);
        assert_eq!(page.layout_text, "Total: 12.00");
    }

    #[test]
    fn justified_text_keeps_single_spaces_and_columns_keep_two() {
        // Word gaps of 5 points (justified, under half the 10-point height) and a 60-point column gap.
        let words = vec![
            word("Amazon", 0.0, 0.0),
            word("Web", 41.0, 0.0),
            word("Services", 64.0, 0.0),
            word("Total", 172.0, 0.0),
            word("9.99", 208.0, 0.0),
        ];
        let page = Page::from_words(1, 600.0, 800.0, PageSource::TextLayer, words, None);
        assert!(
            page.layout_text.starts_with("Amazon Web Services  "),
            "{}",
            page.layout_text
        );
        assert!(
            page.layout_text.ends_with("Total 9.99"),
            "{}",
            page.layout_text
        );
    }

    #[test]
    fn a_large_vertical_gap_becomes_a_blank_line() {
        let words = vec![word("Header", 0.0, 0.0), word("Footer", 0.0, 200.0)];
        let page = Page::from_words(1, 600.0, 800.0, PageSource::TextLayer, words, None);
        assert_eq!(page.layout_text, "Header\n\nFooter");
    }

    #[test]
    fn a_tall_word_does_not_merge_neighbouring_lines() {
        let mut words = vec![word("a", 0.0, 100.0), word("b", 0.0, 112.0)];
        // A 30-point-high heading to the right that spans both lines.
        words.push(Word::new(
            "BIG",
            BBox::new(200.0, 98.0, 260.0, 124.0),
            100.0,
        ));
        let (_, lines) = order_into_lines(words);
        assert!(lines.len() >= 2, "{lines:?}");
    }

    #[test]
    fn skewed_lines_are_grouped_when_the_skew_is_known() {
        // Two lines of five words, running downhill by 2 degrees: over 480 points a line drops ~17 points,
        // more than its height, so without the skew the words would scatter over several lines.
        let slope = 2f32.to_radians().tan();
        let mut words = Vec::new();
        for (row, y) in [(0, 100.0), (1, 116.0)] {
            for k in 0..5 {
                let x = k as f32 * 120.0;
                words.push(word(&format!("w{row}{k}"), x, y + slope * (x + 9.0)));
            }
        }
        let (_, naive) = order_into_lines(words.clone());
        assert!(naive.len() > 2);
        let (_, lines) = order_into_lines_deskewed(words, 2.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["w00 w01 w02 w03 w04", "w10 w11 w12 w13 w14"]);
    }

    #[test]
    fn blank_words_are_dropped() {
        let (words, lines) = order_into_lines(vec![word(" ", 0.0, 0.0), word("x", 10.0, 0.0)]);
        assert_eq!(words.len(), 1);
        assert_eq!(lines[0].n_words, 1);
    }

    #[test]
    fn mean_confidence_averages_words() {
        let mut a = word("a", 0.0, 0.0);
        a.confidence = 90.0;
        let mut b = word("b", 20.0, 0.0);
        b.confidence = 70.0;
        let page = Page::from_words(1, 100.0, 100.0, PageSource::Ocr, vec![a, b], None);
        assert_eq!(page.mean_confidence, 80.0);
        let empty = Page::from_words(1, 100.0, 100.0, PageSource::Ocr, vec![], None);
        assert_eq!(empty.mean_confidence, 0.0);
        assert_eq!(empty.layout_text, "");
    }
}
