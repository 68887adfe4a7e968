//! Line-item tables: finds the header line by its column header spellings, turns the headers into column
//! x-ranges, reads the lines below into rows (typed cells with provenance), merges descriptions that wrap
//! onto following lines, skips sub-total and carried-forward lines, and follows the table onto the next page.
//! A regex mode (invoice2data's `lines` parser) reads each matching line as a row instead.

use std::collections::BTreeMap;

use fancy_regex::Regex;

use crate::error::{ExtractError, Result};
use crate::normalize::{clean_text, currency_code, find_date, parse_amount, parse_date};
use crate::page_view::{match_key, PageView};
use crate::regex_engine::{cached_regex, compile_regex, is_backtrack_limit};
use crate::template::{FieldMeta, FormatType, NormalizeOptions, TableRule, Template};
use crate::value::{Cell, Provenance, Row, Value};

/// A column found on a header line: its key (`None` for an ignored column) and x-range.
#[derive(Debug, Clone)]
struct Column {
    key: Option<String>,
    x0: f32,
    x1: f32,
}

struct Compiled<'t> {
    template: &'t Template,
    /// The template's normalisation options with the document's day/month order.
    options: NormalizeOptions,
    table: &'t TableRule,
    /// (column key or None for ignored, header match key)
    header_keys: Vec<(Option<&'t str>, String)>,
    end_keys: Vec<String>,
    start_keys: Vec<String>,
    skip: Vec<Regex>,
    row_pattern: Option<Regex>,
}

/// Reads the template's line-item table from the pages.
pub fn extract_table(
    views: &[PageView<'_>],
    template: &Template,
    table: &TableRule,
    options: &NormalizeOptions,
) -> Result<Vec<Row>> {
    let rows = if let Some(line_regex) = &table.line_regex {
        extract_with_line_regex(views, template, table, line_regex, options)?
    } else {
        let mut compiled = compile(template, table)?;
        compiled.options = options.clone();
        compiled.read(views)?
    };
    match &table.fallback {
        Some(fallback) if rows.is_empty() => extract_table(views, template, fallback, options),
        _ => Ok(rows),
    }
}

/// The lines (page number, line index) that are the table's column headers: their words are not header
/// field labels ("Net", "VAT", "Total" over columns).
pub fn header_lines(
    views: &[PageView<'_>],
    template: &Template,
) -> Result<std::collections::BTreeSet<(u32, usize)>> {
    let mut lines = std::collections::BTreeSet::new();
    let Some(table) = template
        .extraction
        .table
        .as_ref()
        .filter(|t| t.line_regex.is_none())
    else {
        return Ok(lines);
    };
    let compiled = compile(template, table)?;
    for view in views {
        for line_index in 0..view.page.lines.len() {
            if let Some((_, n_continuation)) = compiled.find_header(view, line_index) {
                for header_line in line_index..=line_index + n_continuation {
                    lines.insert((view.page.number, header_line));
                }
            }
        }
    }
    Ok(lines)
}

fn compile<'t>(template: &'t Template, table: &'t TableRule) -> Result<Compiled<'t>> {
    let invalid = |name: &str, reason: String| ExtractError::TemplateInvalid {
        file: template.id.clone(),
        line: 0,
        field: format!("extraction.table.{name}"),
        reason,
    };
    let mut header_keys = Vec::new();
    for (key, column) in &table.columns {
        for header in &column.headers {
            header_keys.push((Some(key.as_str()), match_key(header)));
        }
    }
    for header in &table.ignore_headers {
        header_keys.push((None, match_key(header)));
    }
    let compiled = Compiled {
        template,
        options: template.extraction.options.clone(),
        table,
        header_keys,
        end_keys: table.end_markers.iter().map(|m| match_key(m)).collect(),
        start_keys: table.start_markers.iter().map(|m| match_key(m)).collect(),
        skip: table
            .skip_lines
            .iter()
            .map(|p| compile_regex(p).map_err(|r| invalid("skip_lines", r)))
            .collect::<Result<_>>()?,
        row_pattern: table
            .row_pattern
            .as_deref()
            .map(|p| compile_regex(p).map_err(|r| invalid("row_pattern", r)))
            .transpose()?,
    };
    Ok(compiled)
}

/// How one line of a table reads.
enum LineKind {
    Skip,
    End,
    Row(BTreeMap<String, (String, Vec<usize>)>),
    Text(BTreeMap<String, (String, Vec<usize>)>),
    /// Values without a row anchor (the amounts of a multi-line entry printed on its last line).
    Values(BTreeMap<String, (String, Vec<usize>)>),
}

impl Compiled<'_> {
    fn read(&self, views: &[PageView<'_>]) -> Result<Vec<Row>> {
        let mut rows: Vec<Row> = Vec::new();
        let mut columns: Option<Vec<Column>> = None;
        let mut active = false;
        let mut started_by_marker = self.start_keys.is_empty();
        for view in views {
            let mut row_open = false;
            let mut pending: Vec<(String, Vec<usize>)> = Vec::new();
            let mut previous_bottom: Option<f32> = None;
            // The bottom of the last line read inside the table (rows, wrapped text and notes alike).
            let mut last_line_bottom: Option<f32> = None;
            // Where the rows read so far start: text further left (a sidebar beside the table) is not in it.
            let mut rows_left: Option<f32> = None;
            let mut n_line = 0;
            while n_line < view.page.lines.len() {
                let line_index = n_line;
                n_line += 1;
                if !started_by_marker {
                    if line_starts_with_any(view, line_index, &self.start_keys) {
                        started_by_marker = true;
                    }
                    continue;
                }
                if let Some((found, n_continuation)) = self.find_header(view, line_index) {
                    // The header's second and third lines (`Netto-` / `betrag`) are read with it.
                    n_line += n_continuation;
                    let line_index = line_index + n_continuation;
                    columns = Some(found);
                    active = true;
                    row_open = false;
                    rows_left = None;
                    pending.clear();
                    previous_bottom = Some(view.page.lines[line_index].bbox.y1);
                    last_line_bottom = previous_bottom;
                    continue;
                }
                let Some(current_columns) = columns.as_ref().filter(|_| active) else {
                    continue;
                };
                let line_box = view.page.lines[line_index].bbox;
                if let Some(bottom) = last_line_bottom {
                    if line_box.y0 - bottom > view.line_height * 6.0 && row_open {
                        // A large empty gap after the rows: the table is over on this page.
                        break;
                    }
                }
                let table_left = rows_left.map(|x| x - view.char_width * 2.0);
                let kind = self.classify_line(view, line_index, current_columns, table_left)?;
                if !matches!(kind, LineKind::Skip) {
                    // Sub-total and page-number lines do not keep the table going.
                    last_line_bottom = Some(line_box.y1);
                }
                match kind {
                    LineKind::Skip => {}
                    LineKind::End => {
                        active = false;
                        break;
                    }
                    LineKind::Row(cells)
                        if row_open && self.completes_open_row(rows.last(), &cells) =>
                    {
                        // The amounts of a multi-line entry on a later line than its start.
                        if let Some(row) = rows.last_mut() {
                            let mut cells = cells;
                            if let Some((text, words)) = cells.remove("description") {
                                self.append_description(view, row, &text, &words);
                            }
                            let mut extra = self.make_row(view, cells);
                            row.cells.append(&mut extra.cells);
                        }
                        previous_bottom = Some(line_box.y1);
                    }
                    LineKind::Row(cells)
                        if is_item_detail(
                            &cells,
                            &view.page.lines[line_index].text,
                            row_open,
                            !rows.is_empty(),
                        ) =>
                    {
                        // `Bruttopreis : 158,88` or `1 Stk` under an item: a detail of the open row.
                        previous_bottom = Some(line_box.y1);
                    }
                    LineKind::Row(cells) => {
                        let row_x0 = cells
                            .values()
                            .flat_map(|(_, words)| words.iter())
                            .map(|&i| view.words()[i].bbox.x0)
                            .reduce(f32::min);
                        rows_left = match (rows_left, row_x0) {
                            (Some(left), Some(x0)) => Some(left.min(x0)),
                            (left, x0) => left.or(x0),
                        };
                        let mut row = self.make_row(view, cells);
                        if !pending.is_empty() && !row.cells.contains_key("description") {
                            let texts: Vec<&str> =
                                pending.iter().map(|(t, _)| t.as_str()).collect();
                            let words: Vec<usize> = pending
                                .iter()
                                .flat_map(|(_, w)| w.iter().copied())
                                .collect();
                            self.set_text_cell(
                                view,
                                &mut row,
                                "description",
                                &texts.join(" "),
                                &words,
                            );
                        }
                        pending.clear();
                        rows.push(row);
                        row_open = true;
                        previous_bottom = Some(line_box.y1);
                    }
                    LineKind::Values(cells) => {
                        // Fills the open row's empty numeric cells when none of them is taken.
                        let Some(row) = rows
                            .last_mut()
                            .filter(|_| row_open && self.table.merge_wrapped)
                        else {
                            continue;
                        };
                        let numeric: Vec<&String> = cells
                            .keys()
                            .filter(|k| {
                                self.meta(k)
                                    .is_some_and(|m| m.format_type != FormatType::Text)
                            })
                            .collect();
                        if numeric.iter().any(|k| row.cells.contains_key(*k)) {
                            continue;
                        }
                        let mut cells = cells;
                        if let Some((text, words)) = cells.remove("description") {
                            self.append_description(view, row, &text, &words);
                        }
                        let mut extra = self.make_row(view, cells);
                        row.cells.append(&mut extra.cells);
                        previous_bottom = Some(line_box.y1);
                    }
                    LineKind::Text(cells) => {
                        if !self.table.merge_wrapped {
                            continue;
                        }
                        let Some((text, words)) = cells.get("description").cloned() else {
                            continue;
                        };
                        // A wrapped line sits right under the row; text further down is not part of it.
                        let close = previous_bottom
                            .is_some_and(|bottom| line_box.y0 - bottom <= view.line_height * 0.9);
                        if row_open && !close {
                            row_open = false;
                            continue;
                        }
                        if row_open {
                            if let Some(row) = rows.last_mut() {
                                self.append_description(view, row, &text, &words);
                                previous_bottom = Some(line_box.y1);
                            }
                        } else {
                            pending.push((text, words));
                        }
                    }
                }
            }
            if !self.table.continue_on_next_page {
                active = false;
            }
        }
        repair_column_roles(&mut rows);
        self.quantity_from_description(&mut rows);
        Ok(rows)
    }

    /// Whether a line's values only fill columns the open row lacks (and it adds no new description
    /// start when the row has its amounts already).
    fn completes_open_row(
        &self,
        open_row: Option<&Row>,
        cells: &BTreeMap<String, (String, Vec<usize>)>,
    ) -> bool {
        let Some(row) = open_row else {
            return false;
        };
        let numeric: Vec<&String> = cells
            .keys()
            .filter(|k| {
                self.meta(k)
                    .is_some_and(|m| m.format_type != FormatType::Text)
            })
            .collect();
        !numeric.is_empty() && numeric.iter().all(|k| !row.cells.contains_key(*k))
    }

    /// The columns of a header line, when at least two known columns' headers are on it and they make up
    /// most of the line.
    /// Whether a line inside the table is the header of another table (a VAT breakdown: "Steuersatz
    /// Basisbetrag Steuerbetrag"): two or more known headers making up most of the line, and no amounts.
    fn is_other_table_header(&self, view: &PageView<'_>, line_index: usize) -> bool {
        let range = view.line_range(line_index);
        let words = view.words();
        let mut n_headers = 0;
        let mut n_covered = 0;
        let mut index = range.start;
        while index < range.end {
            let end = self
                .header_keys
                .iter()
                .filter_map(|(_, key)| match_words(view, index, range.end, key))
                .max();
            match end {
                Some(end) => {
                    n_headers += 1;
                    n_covered += end - index;
                    index = end;
                }
                None => index += 1,
            }
        }
        let has_amount = range.clone().any(|i| {
            words[i].text.chars().any(|c| c.is_ascii_digit())
                && parse_amount(&words[i].text, &self.options).is_some()
        });
        n_headers >= 2 && n_covered * 2 >= range.len() && !has_amount
    }

    fn header_columns(&self, view: &PageView<'_>, line_index: usize) -> Option<Vec<Column>> {
        let range = view.line_range(line_index);
        let words = view.words();
        // (column key, first word, end word, rank of the header spelling in the template's lists)
        let mut found: Vec<(Option<&str>, usize, usize, usize)> = Vec::new();
        let mut index = range.start;
        let mut n_covered = 0;
        while index < range.end {
            let mut best: Option<(usize, Option<&str>, usize)> = None;
            for (rank, (key, header_key)) in self.header_keys.iter().enumerate() {
                if let Some(end) = match_words(view, index, range.end, header_key) {
                    if best.is_none_or(|(best_end, _, _)| end > best_end) {
                        best = Some((end, *key, rank));
                    }
                }
            }
            match best {
                Some((end, key, rank)) => {
                    found.push((key, index, end, rank));
                    n_covered += end - index;
                    index = end;
                }
                None => index += 1,
            }
        }
        // Two headers of one column key (`TVA` for the rate, `Taxes` for the amount): the spelling listed
        // first in the template keeps the key, the other column is read as an unknown one.
        let best_rank = |key: &str| {
            found
                .iter()
                .filter(|(k, ..)| *k == Some(key))
                .map(|&(.., rank)| rank)
                .min()
        };
        let mut seen = Vec::new();
        let mut columns = Vec::new();
        for &(key, start, end, rank) in &found {
            let key = key.filter(|k| !seen.contains(k) && best_rank(k) == Some(rank));
            if let Some(k) = key {
                seen.push(k);
            }
            columns.push(Column {
                key: key.map(str::to_string),
                x0: words[start].bbox.x0,
                x1: words[end - 1].bbox.x1,
            });
        }
        let n_words = range.len();
        if seen.len() < 2 || n_covered * 10 < n_words * 6 {
            return None;
        }
        // Column headers carry no amounts ("Net Total  €9,280.00" is a totals line).
        let has_amount = range.clone().any(|i| {
            words[i].text.chars().any(|c| c.is_ascii_digit())
                && parse_amount(&words[i].text, &self.options).is_some()
        });
        if has_amount {
            return None;
        }
        // A table with a description column is only recognised with it (not a tax summary's headers).
        if self.table.columns.contains_key("description") && !seen.contains(&"description") {
            return None;
        }
        Some(self.widen_text_columns(view, columns))
    }

    /// The table header starting at a line: its columns and how many more lines it takes. A header printed
    /// over several lines (`Positions` / `betrag` / `ohne USt.`, `Preis/` / `Einheit`) is read with the
    /// lines below it when that recognises more columns than the first line alone.
    fn find_header(&self, view: &PageView<'_>, line_index: usize) -> Option<(Vec<Column>, usize)> {
        let single = self.header_columns(view, line_index);
        let n_known = |columns: &[Column]| columns.iter().filter(|c| c.key.is_some()).count();
        match self.stacked_header_columns(view, line_index) {
            Some((stacked, n_continuation))
                if single
                    .as_ref()
                    .is_none_or(|single| n_known(&stacked) > n_known(single)) =>
            {
                Some((stacked, n_continuation))
            }
            _ => single.map(|columns| (columns, 0)),
        }
    }

    /// Header columns from a line and up to three lines right under it that hold no digits: each cell of
    /// the first line is read together with the words printed below it (a trailing hyphen joins the
    /// parts), and words below that sit under no cell are cells of their own.
    fn stacked_header_columns(
        &self,
        view: &PageView<'_>,
        line_index: usize,
    ) -> Option<(Vec<Column>, usize)> {
        let words = view.words();
        let lines = &view.page.lines;
        let mut continuation = Vec::new();
        let mut bottom = lines[line_index].bbox.y1;
        for (next, line) in lines.iter().enumerate().skip(line_index + 1).take(3) {
            let has_digit = view
                .line_range(next)
                .any(|i| words[i].text.chars().any(|c| c.is_ascii_digit()));
            if has_digit || line.bbox.y0 - bottom > view.line_height * 0.8 {
                break;
            }
            continuation.push(next);
            bottom = line.bbox.y1;
        }
        if continuation.is_empty() {
            return None;
        }
        let has_digit = view
            .line_range(line_index)
            .any(|i| words[i].text.chars().any(|c| c.is_ascii_digit()));
        if has_digit {
            return None;
        }
        // Cells: runs of words split at column gaps.
        let cells_of = |line: usize| -> Vec<Vec<usize>> {
            let mut cells: Vec<Vec<usize>> = Vec::new();
            for index in view.line_range(line) {
                match cells.last_mut() {
                    Some(cell)
                        if view.gap(*cell.last().unwrap_or(&index), index)
                            <= view.char_width * 1.5 =>
                    {
                        cell.push(index)
                    }
                    _ => cells.push(vec![index]),
                }
            }
            cells
        };
        // The first line's cells also split where a column header starts (`MwSt-% Nettowert`).
        let mut stacks: Vec<Vec<usize>> = Vec::new();
        for cell in cells_of(line_index) {
            let mut part: Vec<usize> = Vec::new();
            for &index in &cell {
                let starts_header = self.header_keys.iter().any(|(_, key)| {
                    match_words(view, index, cell[cell.len() - 1] + 1, key).is_some()
                });
                if starts_header && !part.is_empty() {
                    stacks.push(std::mem::take(&mut part));
                }
                part.push(index);
            }
            stacks.push(part);
        }
        let top_cells: Vec<(f32, f32)> = stacks
            .iter()
            .map(|cell| (words[cell[0]].bbox.x0, words[cell[cell.len() - 1]].bbox.x1))
            .collect();
        for &line in &continuation {
            for cell in cells_of(line) {
                let (x0, x1) = (words[cell[0]].bbox.x0, words[cell[cell.len() - 1]].bbox.x1);
                // The first line's cell this one sits under: the largest overlap, at least 30 % of the
                // narrower of the two.
                let mut above: Option<(usize, f32)> = None;
                for (stack_index, top) in top_cells.iter().enumerate() {
                    let overlap = x1.min(top.1) - x0.max(top.0);
                    let needed = 0.3 * (x1 - x0).min(top.1 - top.0);
                    if overlap > needed && above.is_none_or(|(_, best)| overlap > best) {
                        above = Some((stack_index, overlap));
                    }
                }
                match above {
                    Some((stack_index, _)) => stacks[stack_index].extend(cell),
                    None => stacks.push(cell),
                }
            }
        }
        let mut columns = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut n_covered = 0;
        for stack in &stacks {
            // The longest run of the stack's words from its top that spells a header.
            let mut best: Option<Option<&str>> = None;
            let mut joined = String::new();
            for &index in stack {
                let part = match_key(&words[index].text);
                let trimmed = joined.strip_suffix('-').unwrap_or(&joined).to_string();
                joined = trimmed + &part;
                if let Some((key, _)) = self.header_keys.iter().find(|(_, k)| *k == joined) {
                    best = Some(*key);
                }
            }
            if best.is_none() {
                // `Art-Nr-Lieferant` over `Artikelbezeichnung`: one of the stacked words alone.
                best = stack.iter().find_map(|&index| {
                    let part = match_key(&words[index].text);
                    self.header_keys
                        .iter()
                        .find(|(key, k)| key.is_some() && *k == part)
                        .map(|(key, _)| *key)
                });
            }
            let x0 = stack
                .iter()
                .map(|&i| words[i].bbox.x0)
                .fold(f32::MAX, f32::min);
            let x1 = stack
                .iter()
                .map(|&i| words[i].bbox.x1)
                .fold(f32::MIN, f32::max);
            let key = match best {
                Some(key) => {
                    n_covered += 1;
                    key.filter(|k| !seen.contains(k))
                }
                None => None,
            };
            if let Some(k) = key {
                seen.push(k);
            }
            columns.push(Column {
                key: key.map(str::to_string),
                x0,
                x1,
            });
        }
        let has_description =
            seen.contains(&"description") || !self.table.columns.contains_key("description");
        if seen.len() < 2 || n_covered * 10 < stacks.len() * 6 || !has_description {
            return None;
        }
        Some((self.widen_text_columns(view, columns), continuation.len()))
    }

    /// Columns in x order, text columns reaching to the next column's start (descriptions are wider than
    /// their header).
    fn widen_text_columns(&self, view: &PageView<'_>, mut columns: Vec<Column>) -> Vec<Column> {
        columns.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        for i in 0..columns.len() {
            let is_text = columns[i]
                .key
                .as_deref()
                .and_then(|k| self.meta(k))
                .is_some_and(|m| m.format_type == FormatType::Text);
            if is_text {
                let next_x0 = columns.get(i + 1).map_or(view.page.width, |c| c.x0);
                columns[i].x1 = columns[i].x1.max(next_x0 - view.char_width * 2.0);
            }
        }
        columns
    }

    fn meta(&self, key: &str) -> Option<&FieldMeta> {
        self.template.schema_definition.table_part.get(key)
    }

    fn classify_line(
        &self,
        view: &PageView<'_>,
        line_index: usize,
        columns: &[Column],
        table_left: Option<f32>,
    ) -> Result<LineKind> {
        let line_text = &view.page.lines[line_index].text;
        for regex in &self.skip {
            match regex.is_match(line_text) {
                Ok(true) => return Ok(LineKind::Skip),
                Ok(false) => {}
                Err(error) if is_backtrack_limit(&error) => {
                    return Err(ExtractError::RegexTooComplex {
                        template: self.template.id.clone(),
                        field: "extraction.table.skip_lines".into(),
                        pattern: regex.as_str().to_string(),
                    })
                }
                Err(_) => {}
            }
        }
        if line_starts_with_any(view, line_index, &self.end_keys)
            || self.summary_block_starts(view, line_index)
            || self.ends_after_its_date(view, line_index)
            || self.is_other_table_header(view, line_index)
        {
            return Ok(LineKind::End);
        }
        let mut cells = assign_to_columns(view, line_index, columns, table_left);
        rejoin_split_thousands(view, &mut cells, |key| {
            self.meta(key)
                .is_some_and(|m| m.format_type == FormatType::Number)
        });
        let anchors: Vec<&str> = if self.table.row_anchor.is_empty() {
            cells
                .keys()
                .map(String::as_str)
                .filter(|k| {
                    self.meta(k)
                        .is_some_and(|m| m.format_type == FormatType::Number)
                })
                .collect()
        } else {
            self.table.row_anchor.iter().map(String::as_str).collect()
        };
        // A quantity alone (`30 Tagen netto`, `10 Tagen bis` in payment terms) does not make a row when the
        // table has amount columns.
        let has_amount_columns = columns.iter().any(|c| {
            c.key.as_deref().is_some_and(|k| {
                k != "quantity"
                    && self
                        .meta(k)
                        .is_some_and(|m| m.format_type == FormatType::Number)
            })
        });
        let anchored = anchors
            .iter()
            .filter(|key| !(has_amount_columns && **key == "quantity"))
            .any(|key| {
                let Some((text, _)) = cells.get(*key) else {
                    return false;
                };
                match self.meta(key).map(|m| m.format_type) {
                    // The amount opens its cell (`1 Stk`, `160,00 €`, `€ 12`), not `§ 2 62.000` in a note.
                    Some(FormatType::Number) => {
                        first_amount(text, self).is_some_and(|(_, offset)| {
                            text.split_whitespace()
                                .take(offset)
                                .all(|word| currency_code(word).is_some())
                        })
                    }
                    Some(FormatType::Date) => find_date(text, &self.options)
                        .is_some_and(|d| d.start == 0 || text[..d.start].trim().is_empty()),
                    _ => !text.trim().is_empty(),
                }
            });
        let pattern_ok = match &self.row_pattern {
            Some(regex) => regex.is_match(line_text).unwrap_or(false),
            None => true,
        };
        if anchored && pattern_ok {
            Ok(LineKind::Row(cells))
        } else {
            let only_text = cells.keys().all(|k| {
                self.meta(k)
                    .is_some_and(|m| m.format_type == FormatType::Text)
            });
            if only_text {
                Ok(LineKind::Text(cells))
            } else {
                Ok(LineKind::Values(cells))
            }
        }
    }

    /// Whether a block of the line after a wide gap starts with an end marker while nothing before it is an
    /// amount: the totals box beside the bank details or payment terms
    /// (`Bankverbindung … Zwischensumme 6.182,00 €`) ends the table as a line starting with it would.
    fn summary_block_starts(&self, view: &PageView<'_>, line_index: usize) -> bool {
        let range = view.line_range(line_index);
        let words = view.words();
        let wide_gap = view.char_width * SUMMARY_BLOCK_GAP_CHARS;
        for index in range.start + 1..range.end {
            if parse_amount(&words[index - 1].text, &self.options).is_some() {
                return false;
            }
            if view.gap(index - 1, index) > wide_gap
                && self
                    .end_keys
                    .iter()
                    .any(|key| match_words(view, index, range.end, key).is_some())
            {
                return true;
            }
        }
        false
    }

    /// Whether an end marker follows the line's leading date (`07/31/2025  Ending Balance  4,404.26`).
    fn ends_after_its_date(&self, view: &PageView<'_>, line_index: usize) -> bool {
        let range = view.line_range(line_index);
        let Some(first) = view.words().get(range.start) else {
            return false;
        };
        let is_date = find_date(&first.text, &self.options)
            .is_some_and(|d| d.start == 0 && d.end == first.text.len());
        is_date
            && self
                .end_keys
                .iter()
                .any(|key| match_words(view, range.start + 1, range.end, key).is_some())
    }

    fn make_row(&self, view: &PageView<'_>, cells: BTreeMap<String, (String, Vec<usize>)>) -> Row {
        let mut row = Row {
            cells: BTreeMap::new(),
            page: view.page.number,
        };
        for (key, (text, words)) in cells {
            let Some(meta) = self.meta(&key) else {
                continue;
            };
            match meta.format_type {
                FormatType::Number => {
                    if let Some((value, offset)) = first_amount(&text, self) {
                        let taken: Vec<usize> =
                            words.iter().skip(offset).take(1).copied().collect();
                        let mut provenance =
                            view.provenance(if taken.is_empty() { &words } else { &taken });
                        if let Some(p) = provenance.as_mut() {
                            p.raw_text = text.clone();
                        }
                        row.cells.insert(key, Cell::new(value, provenance));
                    }
                }
                FormatType::Date => {
                    let options = &self.options;
                    let date = parse_date(&text, options)
                        .or_else(|| find_date(&text, options).map(|d| d.date));
                    if let Some(date) = date {
                        row.cells
                            .insert(key, Cell::new(Value::Date(date), view.provenance(&words)));
                    }
                }
                _ => self.set_text_cell(view, &mut row, &key, &text, &words),
            }
        }
        row
    }

    fn set_text_cell(
        &self,
        view: &PageView<'_>,
        row: &mut Row,
        key: &str,
        text: &str,
        words: &[usize],
    ) {
        let cleaned = clean_text(text, &self.options);
        if cleaned.is_empty() {
            return;
        }
        row.cells.insert(
            key.to_string(),
            Cell::new(Value::Text(cleaned), view.provenance(words)),
        );
    }

    fn append_description(&self, view: &PageView<'_>, row: &mut Row, text: &str, words: &[usize]) {
        let addition = clean_text(text, &self.options);
        if addition.is_empty() {
            return;
        }
        let extra = view.provenance(words);
        match row.cells.get_mut("description") {
            Some(cell) => {
                if let Value::Text(existing) = &mut cell.value {
                    existing.push(' ');
                    existing.push_str(&addition);
                }
                if let (Some(p), Some(e)) = (cell.provenance.as_mut(), extra) {
                    // Boxes only merge on one page; a description wrapping onto the next page keeps its start.
                    if p.page == e.page {
                        p.bbox = p.bbox.union(&e.bbox);
                    }
                    p.raw_text.push('\n');
                    p.raw_text.push_str(&e.raw_text);
                    p.confidence = p.confidence.min(e.confidence);
                }
            }
            None => {
                row.cells.insert(
                    "description".into(),
                    Cell::new(Value::Text(addition), extra),
                );
            }
        }
    }
}

/// Renames columns whose headers were misleading (`Amount` over the quantities, `Total` over the net line
/// amounts) when the rows' arithmetic shows their roles: in a table without a quantity column, when one
/// column times the unit price gives another on every row that has them, those are the quantity and the
/// net amount.
fn repair_column_roles(rows: &mut [Row]) {
    let has = |key: &str| rows.iter().any(|row| row.cells.contains_key(key));
    if has("quantity") || !has("unitPrice") {
        return;
    }
    let mut keys: Vec<String> = rows
        .iter()
        .flat_map(|row| row.cells.keys().cloned())
        .filter(|key| key != "unitPrice" && key != "description")
        .collect();
    keys.sort();
    keys.dedup();
    let tolerance = crate::validate::DEFAULT_TOLERANCE;
    for factor in &keys {
        for product in keys.iter().filter(|k| *k != factor) {
            let mut n_checked = 0;
            let holds = rows.iter().all(|row| {
                match (
                    row.decimal(factor),
                    row.decimal("unitPrice"),
                    row.decimal(product),
                ) {
                    (Some(f), Some(price), Some(p)) => {
                        n_checked += 1;
                        (f * price - p).abs() <= tolerance
                    }
                    _ => true,
                }
            });
            if holds && n_checked > 0 {
                for row in rows.iter_mut() {
                    let factor_cell = row.cells.remove(factor);
                    let product_cell = row.cells.remove(product);
                    if let Some(cell) = factor_cell {
                        row.cells.insert("quantity".into(), cell);
                    }
                    if let Some(cell) = product_cell {
                        row.cells.insert("netAmount".into(), cell);
                    }
                }
                return;
            }
        }
    }
}

impl Compiled<'_> {
    /// In a table without a quantity column (its header unrecognised: `Qantité`), a number ending a
    /// row's description (`Chaise de bureau noire 83.0 €`) that times the unit price gives the net amount
    /// is the row's quantity; it and a currency sign after it leave the description.
    fn quantity_from_description(&self, rows: &mut [Row]) {
        if rows.iter().any(|row| row.cells.contains_key("quantity")) {
            return;
        }
        for row in rows.iter_mut() {
            let (Some(price), Some(net)) = (row.decimal("unitPrice"), row.decimal("netAmount"))
            else {
                continue;
            };
            let Some(Value::Text(description)) =
                row.cells.get("description").map(|c| c.value.clone())
            else {
                continue;
            };
            let mut words: Vec<&str> = description.split_whitespace().collect();
            while words.last().is_some_and(|w| currency_code(w).is_some()) {
                words.pop();
            }
            let Some(last) = words.pop().filter(|_| !words.is_empty()) else {
                continue;
            };
            let Some(quantity) = parse_amount(last, &self.options).map(|a| a.value) else {
                continue;
            };
            if (quantity * price - net).abs() > crate::validate::DEFAULT_TOLERANCE {
                continue;
            }
            let text = words.join(" ");
            let provenance = row
                .cells
                .get("description")
                .and_then(|c| c.provenance.clone());
            if let Some(cell) = row.cells.get_mut("description") {
                cell.value = Value::Text(text);
            }
            let quantity_provenance = provenance.map(|p| Provenance {
                raw_text: last.to_string(),
                ..p
            });
            row.cells.insert(
                "quantity".into(),
                Cell::new(Value::Decimal(quantity), quantity_provenance),
            );
        }
    }
}

/// Whether a line that would start a row is a detail of the item above: a labelled value
/// (`Bruttopreis : 158,88`, also at the top of a following page) or, right under an open row, a lone value.
fn is_item_detail(
    cells: &BTreeMap<String, (String, Vec<usize>)>,
    line_text: &str,
    row_open: bool,
    has_rows: bool,
) -> bool {
    let property = is_property_line(cells, line_text);
    (has_rows && property) || (row_open && is_lone_value(cells))
}

/// Whether a line is a label ending with a colon and at most one amount column (`Bruttopreis : 158,88`):
/// a property of the item above printed with its value, not an item of its own (items carry several
/// amounts).
fn is_property_line(cells: &BTreeMap<String, (String, Vec<usize>)>, line_text: &str) -> bool {
    // The line opens with a label of at most four words and a colon (`Bruttopreis :5,50`).
    let labelled = line_text.split_once(':').is_some_and(|(label, _)| {
        !label.trim().is_empty()
            && !label.chars().any(|c| c.is_ascii_digit())
            && label.split_whitespace().count() <= 4
    });
    let n_values = cells
        .iter()
        .filter(|(key, (text, _))| {
            key.as_str() != "description" && text.chars().any(|c| c.is_ascii_digit())
        })
        .count();
    labelled && n_values <= 1
}

/// Whether a line holds a single value and no description (`1 Stk` under a price basis): too little for
/// an item of its own.
fn is_lone_value(cells: &BTreeMap<String, (String, Vec<usize>)>) -> bool {
    !cells.contains_key("description")
        && cells
            .values()
            .filter(|(text, _)| text.chars().any(|c| c.is_ascii_digit()))
            .count()
            <= 1
}

/// The first amount among a cell's words, with the index of the word it came from: the whole cell first
/// (`2 357,58`, also with a stray mark after it), then word by word. A number glued to a short unit (`3h`,
/// `12Stk.`, `2j`) counts as that number.
fn first_amount(text: &str, compiled: &Compiled<'_>) -> Option<(Value, usize)> {
    let options = &compiled.options;
    // A stray mark after the amount (`2 357,58,` on a scan) ends nothing.
    let trimmed = text.trim_end_matches([',', '.', ';', ':', '\'']);
    if let Some(amount) = parse_amount(text, options).or_else(|| parse_amount(trimmed, options)) {
        return Some((Value::Decimal(amount.value), 0));
    }
    text.split_whitespace()
        .enumerate()
        .find_map(|(index, word)| {
            parse_amount(word, options)
                .or_else(|| parse_amount(strip_glued_unit(word)?, options))
                .map(|a| (Value::Decimal(a.value), index))
        })
}

/// The number of a word made of a number and a short unit written without a space (`3h` → `3`,
/// `2,5Std.` → `2,5`); `None` for anything else.
fn strip_glued_unit(word: &str) -> Option<&str> {
    static REGEX: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let regex = REGEX
        .get_or_init(|| regex::Regex::new(r"^(\d+(?:[.,]\d+)?)\p{Alphabetic}{1,4}\.?$").ok())
        .as_ref()?;
    Some(regex.captures(word)?.get(1)?.as_str())
}

/// Puts a number printed with a space between its thousands (`2 000`) back together when the columns split
/// it (`2` right-aligned past the column's left edge, `000` inside it): a number column's cell that starts
/// with a three-digit group takes the one to three digits just before it from the neighbouring cell.
fn rejoin_split_thousands(
    view: &PageView<'_>,
    cells: &mut BTreeMap<String, (String, Vec<usize>)>,
    is_number_column: impl Fn(&str) -> bool,
) {
    let words = view.words();
    let is_group = |text: &str| text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit());
    let is_lead =
        |text: &str| (1..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    let mut moves: Vec<(String, String, usize)> = Vec::new();
    for (key, (_, indexes)) in cells.iter() {
        let Some(&first) = indexes.first() else {
            continue;
        };
        if !is_number_column(key) || first == 0 || !is_group(&words[first].text) {
            continue;
        }
        let before = first - 1;
        if !is_lead(&words[before].text) || view.gap(before, first) > view.char_width * 1.2 {
            continue;
        }
        let owner = cells.iter().find(|(other, (_, other_indexes))| {
            *other != key && other_indexes.last() == Some(&before)
        });
        if let Some((owner, _)) = owner {
            moves.push((owner.clone(), key.clone(), before));
        }
    }
    for (from, to, index) in moves {
        let rejoin = |(text, indexes): &mut (String, Vec<usize>)| {
            let joined: Vec<&str> = indexes.iter().map(|&i| words[i].text.as_str()).collect();
            *text = joined.join(" ");
        };
        if let Some(cell) = cells.get_mut(&from) {
            cell.1.retain(|&i| i != index);
            rejoin(cell);
            if cell.1.is_empty() {
                cells.remove(&from);
            }
        }
        if let Some(cell) = cells.get_mut(&to) {
            cell.1.insert(0, index);
            rejoin(cell);
        }
    }
}

/// Whether the words from `start` spell `key` (compared by match keys), returning the end of the match.
fn match_words(view: &PageView<'_>, start: usize, end: usize, key: &str) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    view.spells(start, end, key, 6, 2.0)
}

/// How wide a gap (in character widths) separates blocks side by side on a line.
const SUMMARY_BLOCK_GAP_CHARS: f32 = 4.0;

fn line_starts_with_any(view: &PageView<'_>, line_index: usize, keys: &[String]) -> bool {
    let range = view.line_range(line_index);
    keys.iter()
        .any(|key| match_words(view, range.start, range.end, key).is_some())
}

/// Assigns each word of a line to the column it overlaps most (or the nearest), joining each column's
/// words. Ignored columns absorb their words; words ending left of `table_left` are outside the table.
fn assign_to_columns(
    view: &PageView<'_>,
    line_index: usize,
    columns: &[Column],
    table_left: Option<f32>,
) -> BTreeMap<String, (String, Vec<usize>)> {
    let words = view.words();
    let mut cells: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for index in view.line_range(line_index) {
        let bbox = words[index].bbox;
        if table_left.is_some_and(|left| bbox.x1 < left) {
            continue;
        }
        let mut best: Option<(usize, f32)> = None;
        for (column_index, column) in columns.iter().enumerate() {
            let overlap = bbox.x1.min(column.x1) - bbox.x0.max(column.x0);
            // Positive overlap ranks first; otherwise the (negative) distance ranks the nearest.
            if best.is_none_or(|(_, b)| overlap > b) {
                best = Some((column_index, overlap));
            }
        }
        let Some((column_index, _)) = best else {
            continue;
        };
        let Some(key) = &columns[column_index].key else {
            continue;
        };
        let entry = cells.entry(key.clone()).or_default();
        if !entry.0.is_empty() {
            entry.0.push(' ');
        }
        entry.0.push_str(&words[index].text);
        entry.1.push(index);
    }
    cells
}

/// Regex mode: every line between the start and end regexes matching `line_regex` is a row; named groups
/// are column keys.
fn extract_with_line_regex(
    views: &[PageView<'_>],
    template: &Template,
    table: &TableRule,
    line_regex: &str,
    options: &NormalizeOptions,
) -> Result<Vec<Row>> {
    let compile = |name: &str, pattern: &str| {
        cached_regex(pattern).map_err(|reason| ExtractError::TemplateInvalid {
            file: template.id.clone(),
            line: 0,
            field: format!("extraction.table.{name}"),
            reason,
        })
    };
    // Each kind of line may have several patterns: the first that matches reads the line.
    let compile_all = |name: &str, first: Option<&str>, more: &[String]| -> Result<Vec<_>> {
        first
            .into_iter()
            .chain(more.iter().map(String::as_str))
            .map(|pattern| compile(name, pattern))
            .collect()
    };
    let line = compile_all(
        "line_regex",
        Some(line_regex),
        &table.line_regex_alternatives,
    )?;
    let start = table
        .start_regex
        .as_deref()
        .map(|p| compile("start_regex", p))
        .transpose()?;
    let end = table
        .end_regex
        .as_deref()
        .map(|p| compile("end_regex", p))
        .transpose()?;
    let skip: Vec<std::sync::Arc<Regex>> = table
        .skip_lines
        .iter()
        .map(|p| compile("skip_lines", p))
        .collect::<Result<_>>()?;
    let too_complex = |pattern: &str| ExtractError::RegexTooComplex {
        template: template.id.clone(),
        field: "extraction.table".into(),
        pattern: pattern.to_string(),
    };
    let matches = |regex: &Regex, text: &str| -> Result<bool> {
        match regex.is_match(text) {
            Ok(found) => Ok(found),
            Err(error) if is_backtrack_limit(&error) => Err(too_complex(regex.as_str())),
            Err(_) => Ok(false),
        }
    };
    let first_line = compile_all(
        "first_line_regex",
        table.first_line_regex.as_deref(),
        &table.first_line_regex_alternatives,
    )?;
    let last_line = compile_all(
        "last_line_regex",
        table.last_line_regex.as_deref(),
        &table.last_line_regex_alternatives,
    )?;
    let mut rows = Vec::new();
    // With a first-line regex, rows are assembled over several lines.
    let mut open_row: Option<Row> = None;
    let mut inside = start.is_none();
    for view in views {
        // The template's text transformations (invoice2data's `replace`, `remove_whitespace`, ...) apply
        // to the lines too; `offsets` maps the transformed text back to the layout text for provenance.
        let transformed = view.regex_text(&template.extraction.regex_text);
        let text: &str = &transformed.text;
        let mut offset = 0;
        for text_line in text.split('\n') {
            let line_start = offset;
            offset += text_line.len() + 1;
            if !inside {
                if let Some(regex) = &start {
                    inside = matches(regex, text_line)?;
                }
                continue;
            }
            if let Some(regex) = &end {
                if matches(regex, text_line)? {
                    rows.extend(open_row.take());
                    inside = false;
                    if start.is_some() {
                        continue;
                    }
                    break;
                }
            }
            if skip.iter().any(|r| matches(r, text_line).unwrap_or(false)) {
                continue;
            }
            let read = |regex: &Regex, captures: &fancy_regex::Captures<'_, str>| {
                let span = |start: usize, end: usize| {
                    let original = |at: usize| {
                        transformed.original(line_start + at, view.page.layout_text.len())
                    };
                    (original(start), original(end))
                };
                row_from_captures(regex, captures, view, &span, template, options)
            };
            if let Some((regex, captures)) =
                first_pattern_match(&first_line, text_line, &template.id)?
            {
                rows.extend(open_row.take());
                open_row = Some(read(&regex, &captures));
                continue;
            }
            if let Some((regex, captures)) =
                first_pattern_match(&last_line, text_line, &template.id)?
            {
                let part = read(&regex, &captures);
                match open_row.take() {
                    Some(mut row) => {
                        merge_row(&mut row, part);
                        rows.push(row);
                    }
                    None => rows.push(part),
                }
                continue;
            }
            if let Some((regex, captures)) = first_pattern_match(&line, text_line, &template.id)? {
                let part = read(&regex, &captures);
                match (first_line.is_empty(), open_row.as_mut()) {
                    (false, Some(row)) => merge_row(row, part),
                    (false, None) => {}
                    (true, _) => {
                        if !part.cells.is_empty() {
                            rows.push(part);
                        }
                    }
                }
            }
        }
    }
    rows.extend(open_row.take());
    rows.retain(|row| {
        !row.cells.is_empty()
            && (table.row_anchor.is_empty()
                || table
                    .row_anchor
                    .iter()
                    .any(|key| row.cells.contains_key(key)))
    });
    for more in &table.more_rules {
        if let Some(more_line_regex) = &more.line_regex {
            rows.extend(extract_with_line_regex(
                views,
                template,
                more,
                more_line_regex,
                options,
            )?);
        }
    }
    Ok(rows)
}

/// A row from one regex match: each named group is a column, typed by the template's table part. `span`
/// maps a group's byte range in the line to the page's layout text (for provenance).
fn row_from_captures(
    regex: &Regex,
    captures: &fancy_regex::Captures<'_, str>,
    view: &PageView<'_>,
    span: &dyn Fn(usize, usize) -> (usize, usize),
    template: &Template,
    options: &NormalizeOptions,
) -> Row {
    let mut row = Row {
        cells: BTreeMap::new(),
        page: view.page.number,
    };
    for name in regex.capture_names().flatten() {
        let Some(group) = captures.name(name) else {
            continue;
        };
        let meta = template.schema_definition.table_part.get(name);
        let value = match meta.map(|m| m.format_type) {
            Some(FormatType::Number) => {
                parse_amount(group.as_str(), options).map(|a| Value::Decimal(a.value))
            }
            Some(FormatType::Date) => parse_date(group.as_str(), options).map(Value::Date),
            _ => {
                let cleaned = clean_text(group.as_str(), options);
                (!cleaned.is_empty()).then_some(Value::Text(cleaned))
            }
        };
        let Some(value) = value else {
            continue;
        };
        let (start, end) = span(group.start(), group.end());
        let words = view.words_in_span(start, end);
        let mut provenance = view.provenance(&words);
        if let Some(p) = provenance.as_mut() {
            p.raw_text = group.as_str().to_string();
        }
        row.cells
            .insert(name.to_string(), Cell::new(value, provenance));
    }
    row
}

/// Adds a continuation line's cells to a row: texts are appended (new line), other values fill gaps.
fn merge_row(row: &mut Row, part: Row) {
    for (key, cell) in part.cells {
        match row.cells.get_mut(&key) {
            Some(existing) => {
                if let (Value::Text(text), Value::Text(addition)) =
                    (&mut existing.value, &cell.value)
                {
                    text.push('\n');
                    text.push_str(addition);
                }
            }
            None => {
                row.cells.insert(key, cell);
            }
        }
    }
}

/// A regex's captures on a line; the backtracking limit is a template error.
/// The first of several patterns that matches a line, with its captures.
fn first_pattern_match<'t>(
    regexes: &[std::sync::Arc<Regex>],
    text: &'t str,
    template_id: &str,
) -> Result<Option<(std::sync::Arc<Regex>, fancy_regex::Captures<'t, str>)>> {
    for regex in regexes {
        if let Some(captures) = captures_of(regex, text, template_id)? {
            return Ok(Some((std::sync::Arc::clone(regex), captures)));
        }
    }
    Ok(None)
}

fn captures_of<'t>(
    regex: &Regex,
    text: &'t str,
    template_id: &str,
) -> Result<Option<fancy_regex::Captures<'t, str>>> {
    match regex.captures(text) {
        Ok(found) => Ok(found),
        Err(error) if is_backtrack_limit(&error) => Err(ExtractError::RegexTooComplex {
            template: template_id.to_string(),
            field: "extraction.table".into(),
            pattern: regex.as_str().to_string(),
        }),
        Err(_) => Ok(None),
    }
}
