//! Header field extraction: finds each field's value by static value, label (right of, same line, below,
//! next line), regex, page zone or fallback, types it, and records where it was printed.

use std::collections::BTreeMap;

use fancy_regex::Regex;
use quire_document::Document;

use rust_decimal::Decimal;

use crate::error::{ExtractError, Result};
use crate::normalize::{
    clean_text, currency_code, find_currency, find_dates, parse_amount, parse_bool, parse_date,
};
use crate::page_view::{match_key, PageView};
use crate::regex_engine::{cached_regex, is_backtrack_limit};
use crate::template::{
    DateOrder, Fallback, FieldMeta, FieldRule, FormatType, NormalizeOptions, Pick, Position,
    RegexText, SumRelation, Template, Zone,
};
use crate::value::{Field, Method, Provenance, Value};

/// Longest label spelling, in words, that is tried.
const MAX_LABEL_WORDS: usize = 8;

/// A typed value found somewhere, before the best one is picked.
struct Candidate {
    value: Value,
    provenance: Option<Provenance>,
    method: Method,
    label: Option<String>,
    /// Preference rank of the label spelling (0 = most preferred).
    label_rank: usize,
    /// Rank of the position (right, below…) in the field's list.
    position_rank: usize,
    /// Reading order: page, then line, then word.
    order: (u32, usize, usize),
}

/// Extracts every header field of the template from the document.
pub fn extract_fields(
    document: &Document,
    views: &[PageView<'_>],
    template: &Template,
) -> Result<BTreeMap<String, Field>> {
    let mut fields: BTreeMap<String, Vec<Field>> = BTreeMap::new();
    let table_header_lines = crate::tables::header_lines(views, template)?;
    // Every field's labels: a label only anchors its field where no longer label of another field matches
    // ("VAT" does not anchor the tax amount in "VAT No", "Total" not the total in "Total VAT").
    let all_labels: Vec<(String, String)> = template
        .extraction
        .fields
        .iter()
        .flat_map(|(key, rule)| rule.labels.iter().map(move |l| (key.clone(), match_key(l))))
        .filter(|(_, label)| !label.is_empty())
        .collect();
    // Reading the document's date order scans every page: once for the template's options, and again
    // only for a field with options of its own.
    let template_options = effective_options(&template.extraction.options, document);
    // `decimals_required` keeps item counts and codes out of a till receipt's amounts, which all print
    // cents; a document that prints no amount with cents (`Total $4,950`) has its amounts whole.
    let prints_cents = {
        let (n_comma, n_point) = count_amounts_with_cents(document);
        n_comma + n_point > 0
    };
    for (key, meta) in &template.schema_definition.general_part {
        let Some(template_rule) = template.extraction.fields.get(key) else {
            continue;
        };
        let whole_amounts_rule;
        let rule = if template_rule.decimals_required && !prints_cents {
            whole_amounts_rule = FieldRule {
                decimals_required: false,
                ..template_rule.clone()
            };
            &whole_amounts_rule
        } else {
            template_rule
        };
        let field_options;
        let options = match &rule.options {
            Some(own) => {
                field_options = effective_options(own, document);
                &field_options
            }
            None => &template_options,
        };
        let context =
            FieldContext {
                template,
                key,
                meta,
                rule,
                options,
                all_labels: &all_labels,
                table_header_lines: &table_header_lines,
                accept: match &rule.accept {
                    Some(pattern) => Some(cached_regex(pattern).map_err(|reason| {
                        ExtractError::TemplateInvalid {
                            file: template.id.clone(),
                            line: 0,
                            field: format!("extraction.fields.{key}.accept"),
                            reason,
                        }
                    })?),
                    None => None,
                },
            };
        let found = context.find(document, views)?;
        if !found.is_empty() {
            fields.insert(key.clone(), found);
        }
    }
    apply_sum_relations(&mut fields, &template.extraction.sum_relations);
    let mut best: BTreeMap<String, Field> = fields
        .into_iter()
        .filter_map(|(key, mut found)| (!found.is_empty()).then(|| (key, found.swap_remove(0))))
        .collect();
    derive_terms(&mut best, &template.extraction.sum_relations);
    Ok(best)
}

/// Largest difference between a label's value and the value a relation computes that still counts as
/// the same amount printed before rounding (cash rounding to 0.05).
const DERIVE_ROUNDING: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

/// Fills each relation's `derive` term from the others (`total = tendered − change`) when it was not
/// found by a label or regex, or when what was found differs from the computed value only by rounding.
fn derive_terms(fields: &mut BTreeMap<String, Field>, relations: &[SumRelation]) {
    for relation in relations {
        let Some(target) = relation.derive.as_deref() else {
            continue;
        };
        let amount = |key: &str| {
            fields
                .get(key)
                .filter(|f| matches!(f.method, Method::Label | Method::Regex))
                .and_then(|f| f.value.as_decimal())
        };
        let computed = if relation.equals == target {
            relation
                .sum
                .iter()
                .map(|key| amount(key))
                .sum::<Option<Decimal>>()
        } else {
            let others: Option<Decimal> = relation
                .sum
                .iter()
                .filter(|key| key.as_str() != target)
                .map(|key| amount(key))
                .sum();
            amount(&relation.equals)
                .zip(others)
                .map(|(whole, parts)| whole - parts)
        };
        let Some(computed) = computed.filter(|c| *c > Decimal::ZERO) else {
            continue;
        };
        let replace = match fields.get(target) {
            None => true,
            Some(found) if !matches!(found.method, Method::Label | Method::Regex) => true,
            Some(found) => found.value.as_decimal().is_some_and(|value| {
                value != computed && (value - computed).abs() <= DERIVE_ROUNDING
            }),
        };
        if replace {
            fields.insert(
                target.to_string(),
                Field {
                    value: Value::Decimal(computed),
                    provenance: None,
                    method: Method::Computed,
                    label: None,
                },
            );
        }
    }
}

/// Normalisation options with the day/month order the document itself shows: when some numeric date on it
/// is only valid day-first (25/08/2025) and none only month-first (or the reverse), that order is used for
/// its ambiguous dates too, unless the options fix the order. Likewise the decimal separator, when the
/// options leave it open and the document's amounts all use the same one (so `1,789 €/l` on a German
/// receipt is 1.789, not 1789).
pub fn effective_options(options: &NormalizeOptions, document: &Document) -> NormalizeOptions {
    let mut effective = options.clone();
    if effective.decimal_separator.is_none() {
        effective.decimal_separator = infer_decimal_separator(document);
    }
    if options.fixed_date_order {
        return effective;
    }
    match infer_date_order(document) {
        Some(order) => effective.date_order = order,
        // No unambiguous date: US-dollar documents write month first.
        None if options.date_order == DateOrder::Dmy
            && document_currency(document) == Some("USD") =>
        {
            effective.date_order = DateOrder::Mdy
        }
        None => {}
    }
    effective
}

/// The decimal separator of the document's amounts: numbers with exactly two decimals (`74,01`, `3.20`),
/// not part of a longer number or a date, all with the same separator, at least two of them.
fn infer_decimal_separator(document: &Document) -> Option<char> {
    match count_amounts_with_cents(document) {
        (c, 0) if c >= 2 => Some(','),
        (0, p) if p >= 2 => Some('.'),
        _ => None,
    }
}

/// How many amounts with exactly two decimals (`74,01`, `3.20`; not part of a longer number or a date) the
/// document prints with a decimal comma, and how many with a decimal point.
fn count_amounts_with_cents(document: &Document) -> (usize, usize) {
    // `(?<![\d.,])…(?![\d.,])` as a linear-time search: the character before is matched (or the start), the
    // one after is checked (fancy-regex's backtracking VM ran this over the whole text at every position).
    static REGEX: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let regex = REGEX
        .get_or_init(|| regex::Regex::new(r"(?:^|[^\d.,])\d{1,3}(?:[.,' ]\d{3})*([.,])\d{2}").ok())
        .as_ref();
    let Some(regex) = regex else {
        return (0, 0);
    };
    let (mut n_comma, mut n_point) = (0usize, 0usize);
    for page in &document.pages {
        for captures in regex.captures_iter(&page.layout_text) {
            if !ends_before(&page.layout_text, &captures, |c| {
                c.is_ascii_digit() || c == '.' || c == ','
            }) {
                continue;
            }
            match captures.get(1).map(|m| m.as_str()) {
                Some(",") => n_comma += 1,
                Some(".") => n_point += 1,
                _ => {}
            }
        }
    }
    (n_comma, n_point)
}

fn infer_date_order(document: &Document) -> Option<DateOrder> {
    // `(?<![\d./])…(?!\d)` as a linear-time search, as in `infer_decimal_separator`.
    static REGEX: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let regex = REGEX
        .get_or_init(|| {
            regex::Regex::new(
                r"(?:^|[^\d./])(?:(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})|\d{4}-(\d{1,2})-(\d{1,2}))",
            )
            .ok()
        })
        .as_ref()?;
    let (mut n_day_first, mut n_month_first) = (0, 0);
    let (mut n_year_day_month, mut n_year_month_day) = (0, 0);
    for page in &document.pages {
        for captures in regex.captures_iter(&page.layout_text) {
            if !ends_before(&page.layout_text, &captures, |c| c.is_ascii_digit()) {
                continue;
            }
            let number = |i: usize| {
                captures
                    .get(i)
                    .and_then(|m| m.as_str().parse::<u32>().ok())
                    .unwrap_or(0)
            };
            let day_before_month = |a: u32, b: u32| a > 12 && a <= 31 && (1..=12).contains(&b);
            if captures.get(1).is_some() {
                let (a, b) = (number(1), number(2));
                if day_before_month(a, b) {
                    n_day_first += 1;
                } else if day_before_month(b, a) {
                    n_month_first += 1;
                }
            } else {
                // Year first: `2015-30-01` is year, day, month; `2015-01-30` year, month, day.
                let (b, c) = (number(3), number(4));
                if day_before_month(b, c) {
                    n_year_day_month += 1;
                } else if day_before_month(c, b) {
                    n_year_month_day += 1;
                }
            }
        }
    }
    if n_year_day_month > 0 && n_year_month_day == 0 && n_month_first == 0 {
        return Some(DateOrder::Ydm);
    }
    match (n_day_first, n_month_first) {
        (d, 0) if d > 0 => Some(DateOrder::Dmy),
        (0, m) if m > 0 => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// Whether the match is not followed by a character `excluded` (the negative lookahead the `regex` crate
/// does not have).
fn ends_before(
    text: &str,
    captures: &regex::Captures<'_>,
    excluded: impl Fn(char) -> bool,
) -> bool {
    let end = captures.get(0).map_or(0, |m| m.end());
    !text[end..].chars().next().is_some_and(excluded)
}

/// How many of each field's best candidates are combined when checking sum relations.
const N_RELATION_CANDIDATES: usize = 12;

/// Where the best candidates disagree with a sum relation (net + tax = total) but other candidates agree,
/// moves the agreeing combination with the best ranks to the front.
fn apply_sum_relations(fields: &mut BTreeMap<String, Vec<Field>>, relations: &[SumRelation]) {
    for relation in relations {
        let mut keys: Vec<&str> = relation.sum.iter().map(String::as_str).collect();
        keys.push(relation.equals.as_str());
        let lists: Vec<Vec<(usize, Decimal)>> = keys
            .iter()
            .map(|key| {
                fields
                    .get(*key)
                    .map(|found| {
                        found
                            .iter()
                            .take(N_RELATION_CANDIDATES)
                            .enumerate()
                            .filter_map(|(rank, f)| f.value.as_decimal().map(|d| (rank, d)))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        if lists.iter().any(Vec::is_empty) {
            continue;
        }
        let tolerance = Decimal::new(1, 2);
        let mut best: Option<(usize, Vec<usize>)> = None;
        let mut choice = vec![0usize; lists.len()];
        loop {
            let n_terms = lists.len() - 1;
            let sum: Decimal = (0..n_terms).map(|i| lists[i][choice[i]].1).sum();
            let total = lists[n_terms][choice[n_terms]].1;
            let includes_a_best = (0..lists.len()).any(|i| lists[i][choice[i]].0 == 0);
            if (sum - total).abs() <= tolerance && total != Decimal::ZERO && includes_a_best {
                let rank_sum: usize = (0..lists.len()).map(|i| lists[i][choice[i]].0).sum();
                if best.as_ref().is_none_or(|(b, _)| rank_sum < *b) {
                    best = Some((
                        rank_sum,
                        (0..lists.len()).map(|i| lists[i][choice[i]].0).collect(),
                    ));
                }
            }
            // Next combination (odometer).
            let mut position = 0;
            loop {
                if position == lists.len() {
                    break;
                }
                choice[position] += 1;
                if choice[position] < lists[position].len() {
                    break;
                }
                choice[position] = 0;
                position += 1;
            }
            if position == lists.len() {
                break;
            }
        }
        if let Some((_, ranks)) = best {
            for (key, rank) in keys.iter().zip(ranks) {
                if let Some(found) = fields.get_mut(*key) {
                    let chosen = found.remove(rank);
                    found.insert(0, chosen);
                }
            }
        }
    }
}

struct FieldContext<'t> {
    template: &'t Template,
    key: &'t str,
    meta: &'t FieldMeta,
    rule: &'t FieldRule,
    options: &'t NormalizeOptions,
    all_labels: &'t [(String, String)],
    /// (page, line) of line-item table headers, whose words are column names, not labels.
    table_header_lines: &'t std::collections::BTreeSet<(u32, usize)>,
    accept: Option<std::sync::Arc<Regex>>,
}

impl FieldContext<'_> {
    /// Every value found for the field, best first (empty when none).
    fn find(&self, document: &Document, views: &[PageView<'_>]) -> Result<Vec<Field>> {
        if let Some(text) = &self.rule.static_value {
            return Ok(self
                .typed(text)
                .map(|value| Field {
                    value,
                    provenance: None,
                    method: Method::Static,
                    label: None,
                })
                .into_iter()
                .collect());
        }
        let n_pages = views.len();
        let in_scope = |view: &PageView<'_>| match self.rule.zone.and_then(|z| z.page) {
            None => true,
            Some(page) if page > 0 => view.page.number == page as u32,
            Some(page) => {
                let from_end = (-page) as usize;
                from_end <= n_pages && view.page.number as usize == n_pages + 1 - from_end
            }
        };
        let mut candidates = Vec::new();
        for view in views.iter().filter(|v| in_scope(v)) {
            self.label_candidates(view, &mut candidates);
        }
        if candidates.is_empty() {
            for (pattern_index, pattern) in self.rule.regex.iter().enumerate() {
                for view in views.iter().filter(|v| in_scope(v)) {
                    self.regex_candidates(view, pattern, pattern_index, &mut candidates)?;
                }
                // The first regex that matches gives the value; `join` joins every regex's matches.
                if !candidates.is_empty() && self.rule.pick != Pick::Join {
                    break;
                }
            }
        }
        if candidates.is_empty() && self.rule.labels.is_empty() && self.rule.regex.is_empty() {
            if let Some(zone) = &self.rule.zone {
                for view in views.iter().filter(|v| in_scope(v)) {
                    self.zone_candidate(view, zone, &mut candidates);
                }
            }
        }
        let mut ranked = self.rank(candidates);
        if self.rule.sum_lines {
            ranked = self.sum_lines(ranked);
        }
        if !ranked.is_empty() {
            return Ok(ranked
                .into_iter()
                .map(|best| Field {
                    value: best.value,
                    provenance: best.provenance,
                    method: best.method,
                    label: best.label,
                })
                .collect());
        }
        let fallback = self
            .rule
            .fallback
            .and_then(|fallback| self.fallback(fallback, document, views));
        let default = || {
            let value = self.typed(self.rule.default.as_deref()?)?;
            Some(Field {
                value,
                provenance: None,
                method: Method::Default,
                label: None,
            })
        };
        Ok(fallback.or_else(default).into_iter().collect())
    }

    /// With `sum_lines`: the best candidate's label found on several lines of one page (a tax line per
    /// rate) gives the sum of those lines, placed first.
    fn sum_lines(&self, ranked: Vec<Candidate>) -> Vec<Candidate> {
        let Some(best) = ranked.first() else {
            return ranked;
        };
        let same_group: Vec<&Candidate> = ranked
            .iter()
            .filter(|c| {
                c.position_rank == best.position_rank
                    && c.label_rank == best.label_rank
                    && c.order.0 == best.order.0
            })
            .collect();
        let mut lines: Vec<usize> = same_group.iter().map(|c| c.order.1).collect();
        lines.sort_unstable();
        lines.dedup();
        if lines.len() < 2 || lines.len() != same_group.len() {
            return ranked;
        }
        let values: Option<Vec<Decimal>> =
            same_group.iter().map(|c| c.value.as_decimal()).collect();
        let Some(values) = values else {
            return ranked;
        };
        let mut provenance = best.provenance.clone();
        if let Some(p) = provenance.as_mut() {
            let mut raw = Vec::new();
            for candidate in &same_group {
                if let Some(other) = &candidate.provenance {
                    p.bbox = p.bbox.union(&other.bbox);
                    p.confidence = p.confidence.min(other.confidence);
                    raw.push(other.raw_text.clone());
                }
            }
            p.raw_text = raw.join(" + ");
        }
        let sum = Candidate {
            value: Value::Decimal(values.iter().sum()),
            provenance,
            method: Method::Label,
            label: best.label.clone(),
            label_rank: best.label_rank,
            position_rank: best.position_rank,
            order: best.order,
        };
        std::iter::once(sum).chain(ranked).collect()
    }

    /// Candidates best first: by position preference, then label preference, then the pick rule.
    fn rank(&self, mut candidates: Vec<Candidate>) -> Vec<Candidate> {
        let pick = self.rule.pick;
        candidates.sort_by(|a, b| {
            (a.position_rank, a.label_rank)
                .cmp(&(b.position_rank, b.label_rank))
                .then_with(|| match pick {
                    Pick::First => a.order.cmp(&b.order),
                    Pick::Last => b.order.cmp(&a.order),
                    // Amounts, or dates (invoice2data's `group: max` on a date field).
                    Pick::Max => (b.value.as_decimal(), b.value.as_date())
                        .cmp(&(a.value.as_decimal(), a.value.as_date())),
                    Pick::Min => (a.value.as_decimal(), a.value.as_date())
                        .cmp(&(b.value.as_decimal(), b.value.as_date())),
                    Pick::Sum | Pick::Join => a.order.cmp(&b.order),
                })
        });
        match pick {
            Pick::Sum => return sum_candidates(candidates),
            Pick::Join => return join_candidates(candidates),
            _ => {}
        }
        candidates
    }

    /// The value as this field's type, or `None` when the text is not one.
    fn typed(&self, raw: &str) -> Option<Value> {
        typed_value(
            raw,
            self.meta,
            self.rule,
            self.options,
            self.accept.as_deref(),
        )
    }

    fn label_candidates(&self, view: &PageView<'_>, out: &mut Vec<Candidate>) {
        let label_keys: Vec<String> = self.rule.labels.iter().map(|l| match_key(l)).collect();
        let words = view.words();
        let positions: &[Position] = if self.rule.position.is_empty() {
            &[Position::Right, Position::Below]
        } else {
            &self.rule.position
        };
        for (line_index, _) in view.page.lines.iter().enumerate() {
            if self
                .table_header_lines
                .contains(&(view.page.number, line_index))
            {
                continue;
            }
            let range = view.line_range(line_index);
            let mut word_index = range.start;
            while word_index < range.end {
                // The longest label spelling starting at this word, best rank among equals.
                let mut matched: Option<(usize, usize)> = None; // (end word exclusive, label index)
                for (label_index, label_key) in label_keys.iter().enumerate() {
                    if label_key.is_empty() {
                        continue;
                    }
                    if let Some(end) = match_label_at(view, word_index, range.end, label_key) {
                        let better = match matched {
                            None => true,
                            Some((best_end, _)) => end > best_end,
                        };
                        if better {
                            matched = Some((end, label_index));
                        }
                    }
                }
                let Some((label_end, label_index)) = matched else {
                    word_index += 1;
                    continue;
                };
                let shadowed = self.all_labels.iter().any(|(key, label)| {
                    key != self.key
                        && match_label_at(view, word_index, range.end, label)
                            .is_some_and(|end| end > label_end)
                });
                if shadowed
                    || !(starts_a_cell(view, range.start, word_index)
                        || self.follows_a_label(view, range.start, word_index))
                    || self.label_runs_on(view, label_end, range.end)
                {
                    word_index = label_end;
                    continue;
                }
                let label_words: Vec<usize> = (word_index..label_end).collect();
                for (position_rank, position) in positions.iter().enumerate() {
                    let found = match position {
                        Position::Right => self.value_right(view, label_end, range.end, false),
                        Position::SameLine => self.value_right(view, label_end, range.end, true),
                        Position::Below => self.value_below(view, line_index, &label_words),
                        Position::NextLine => self.value_next_line(view, line_index),
                        Position::ColumnSum => self.column_sum(view, line_index, &label_words),
                    };
                    let found = found.map(|(value, value_words)| {
                        let (value, value_words) =
                            self.complete_wrapped_iban(view, word_index, value, value_words);
                        complete_wrapped_name(view, value, value_words)
                    });
                    if let Some((value, value_words)) = found {
                        out.push(Candidate {
                            value,
                            provenance: view.provenance(&value_words),
                            method: Method::Label,
                            label: Some(
                                words[word_index..label_end]
                                    .iter()
                                    .map(|w| w.text.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                            label_rank: label_index,
                            position_rank,
                            order: (view.page.number, line_index, word_index),
                        });
                        break;
                    }
                }
                word_index = label_end;
            }
        }
    }

    /// Whether the word at `word_index` qualifies another label before it in the cell
    /// (`Rechnungssumme Netto`, `Steuerbasisbetrag USt.`): the qualifier (net, gross, a tax name) then
    /// starts the field's label. `Tax Total` is not one: `Total` qualifies nothing.
    fn follows_a_label(&self, view: &PageView<'_>, line_start: usize, word_index: usize) -> bool {
        if !QUALIFIER_LABELS.contains(&view.keys[word_index].as_str()) {
            return false;
        }
        let earliest = word_index.saturating_sub(MAX_LABEL_WORDS).max(line_start);
        (earliest..word_index).any(|start| {
            starts_a_cell(view, line_start, start)
                && self.all_labels.iter().any(|(_, label)| {
                    match_label_exactly(view, start, word_index, label) == Some(word_index)
                })
        })
    }

    /// An IBAN whose checksum fails and whose last group wrapped onto the next line
    /// (`DE15 6119 0110 0412 8836` / `00`): the words under its label and value complete it when the
    /// completed number passes the checksum. Any other value is returned as it is.
    fn complete_wrapped_iban(
        &self,
        view: &PageView<'_>,
        label_start: usize,
        value: Value,
        value_words: Vec<usize>,
    ) -> (Value, Vec<usize>) {
        let Value::Text(text) = &value else {
            return (value, value_words);
        };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if !looks_like_iban(&compact) || iban_checksum_holds(&compact) {
            return (value, value_words);
        }
        let words = view.words();
        let (Some(&first), Some(&last)) = (value_words.first(), value_words.last()) else {
            return (value, value_words);
        };
        let value_x0 = words[first].bbox.x0.min(words[label_start].bbox.x0) - view.char_width;
        let value_x1 = words[last].bbox.x1 + view.char_width;
        let value_bottom = words[last].bbox.y1;
        let continuation: Vec<usize> = (last + 1..words.len())
            .filter(|&i| {
                let word = &words[i];
                word.bbox.y0 >= value_bottom - view.line_height * 0.3
                    && word.bbox.y0 - value_bottom < view.line_height * 1.2
                    && word.bbox.x1 > value_x0
                    && word.bbox.x0 < value_x1
            })
            .take(2)
            .collect();
        let mut completed = compact;
        let mut taken = value_words.clone();
        for index in continuation {
            let part = &words[index].text;
            if part.len() > 4 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                break;
            }
            completed.push_str(&part.to_ascii_uppercase());
            taken.push(index);
            if iban_checksum_holds(&completed) {
                if let Some(completed_value) = self.typed(&completed) {
                    return (completed_value, taken);
                }
            }
        }
        (value, value_words)
    }

    /// Whether a label of a text field is only the start of a longer phrase ("Lieferant GmbH"): the next
    /// word follows closely, has no digit, and no colon or filler separates them.
    fn label_runs_on(&self, view: &PageView<'_>, label_end: usize, line_end: usize) -> bool {
        if self.meta.format_type != FormatType::Text || label_end >= line_end {
            return false;
        }
        let words = view.words();
        let last_label_word = &words[label_end - 1].text;
        let next = &words[label_end].text;
        // `Banque du Lac`, `Bank of Scotland`: a particle right after the label continues a name.
        let is_particle = matches!(
            next.as_str(),
            "du" | "de" | "des" | "of" | "von" | "der" | "la" | "di" | "del"
        );
        !last_label_word.ends_with([':', '.', '#', '°'])
            && (!is_filler(next) || is_particle)
            && !next.chars().any(|c| c.is_ascii_digit())
            && view.gap(label_end - 1, label_end) < view.char_width * 1.5
    }

    /// The value right of a label on its line. `anywhere`: the value may come after other words (the last
    /// one that parses wins for amounts); otherwise only filler may separate label and value.
    fn value_right(
        &self,
        view: &PageView<'_>,
        start: usize,
        line_end: usize,
        anywhere: bool,
    ) -> Option<(Value, Vec<usize>)> {
        let words = view.words();
        let mut first = start;
        while first < line_end && is_filler(&words[first].text) {
            first += 1;
        }
        if first >= line_end {
            return None;
        }
        // The value is not another label ("Bill to:      Invoice No: 42").
        if !anywhere {
            let starts_label = self
                .all_labels
                .iter()
                .any(|(_, label)| match_label_at(view, first, line_end, label).is_some());
            if starts_label {
                return None;
            }
        }
        match self.meta.format_type {
            FormatType::Number => {
                let mut found = Vec::new();
                let mut index = first;
                let is_rate = |i: usize| words[i].text.trim_end_matches([')', ':']).ends_with('%');
                let mut rate_seen = (start..first).any(is_rate);
                while index < line_end {
                    // "19 %": a rate, not an amount; OCR may put a stray word before the sign
                    // (`5,5 fe) %`).
                    if index + 1 < line_end && words[index + 1].text.starts_with('%') {
                        index += 2;
                        rate_seen = true;
                        continue;
                    }
                    let stray_before_percent = view.page.source == quire_document::PageSource::Ocr
                        && index + 2 < line_end
                        && words[index].text.chars().any(|c| c.is_ascii_digit())
                        && !words[index + 1].text.chars().any(|c| c.is_ascii_digit())
                        && words[index + 2].text.starts_with('%');
                    if stray_before_percent {
                        index += 3;
                        rate_seen = true;
                        continue;
                    }
                    // `(excl. USt.)`, `(inkl. MwSt)`: a qualifier of the label in parentheses.
                    if found.is_empty() {
                        if let Some(after) = parenthesis_end(view, index, line_end) {
                            index = after;
                            continue;
                        }
                    }
                    let money_like = !anywhere || looks_like_money(&view.words()[index].text);
                    if let Some((value, taken)) = money_like
                        .then(|| self.amount_at(view, index, line_end))
                        .flatten()
                    {
                        found.push((value, taken.clone()));
                        index = *taken.last().unwrap_or(&index) + 1;
                        if !anywhere && found.len() > self.rule.nth {
                            // `USt. 19% 198,00 37,62`: after a rate, base and amount; the amount is last.
                            let next_amount = (rate_seen && self.rule.nth == 0 && index < line_end)
                                .then(|| {
                                    looks_like_money(&words[index].text)
                                        .then(|| self.amount_at(view, index, line_end))
                                        .flatten()
                                })
                                .flatten();
                            if let Some(second) = next_amount {
                                found = vec![second];
                            }
                            break;
                        }
                        continue;
                    }
                    rate_seen |= is_rate(index);
                    // `RH 33,90`: an OCR-misread currency code right before an amount (`Total GST 1.65` is
                    // the tax's longer label, which shadows `Total`).
                    let misread_currency = view.page.source == quire_document::PageSource::Ocr
                        && found.is_empty()
                        && is_short_letters(&words[index].text)
                        && words
                            .get(index + 1)
                            .filter(|_| index + 1 < line_end)
                            .is_some_and(|next| looks_like_money(&next.text));
                    // Anywhere on the line (`COUPON 10% OFF STAIN -4.50`): words before a later amount are
                    // what the amount is for.
                    let before_a_later_amount = anywhere
                        && found.is_empty()
                        && (index + 1..line_end).any(|i| looks_like_money(&words[i].text));
                    let skippable = is_filler(&words[index].text)
                        || misread_currency
                        || before_a_later_amount
                        || (anywhere && is_connector(&words[index].text));
                    if !skippable {
                        break;
                    }
                    index += 1;
                }
                if anywhere {
                    found.pop()
                } else {
                    found.into_iter().nth(self.rule.nth)
                }
            }
            FormatType::Date => {
                let run: Vec<usize> = if anywhere {
                    (first..line_end).collect()
                } else {
                    self.run_from(view, first, line_end, 12)
                };
                self.date_in_words(view, &run, anywhere)
            }
            FormatType::Text | FormatType::Boolean | FormatType::MultipleChoice => {
                let max_words = self.rule.max_words.unwrap_or(12);
                let run = self.run_from(view, first, line_end, max_words);
                let text = join_words(view, &run);
                if is_legal_form_only(&text) {
                    return None;
                }
                self.typed(&text)
                    .map(|value| (value, run))
                    .or_else(|| self.ocr_iban(view, first, line_end))
            }
        }
    }

    /// On an OCR page, an IBAN read with a letter in its check digits (`GBO9`) or its groups spread by
    /// wide gaps (`2033 8161    4088 23`): the groups from `first` on, check digits repaired, as soon as
    /// the ISO 13616 checksum holds.
    fn ocr_iban(
        &self,
        view: &PageView<'_>,
        first: usize,
        line_end: usize,
    ) -> Option<(Value, Vec<usize>)> {
        if view.page.source != quire_document::PageSource::Ocr {
            return None;
        }
        let words = view.words();
        let mut compact = String::new();
        let mut taken = Vec::new();
        for (index, word) in words.iter().enumerate().take(line_end).skip(first) {
            let part = &word.text;
            let is_group = part.len() <= 4 && part.chars().all(|c| c.is_ascii_alphanumeric());
            if !is_group || (index > first && view.gap(index - 1, index) > view.char_width * 8.0) {
                break;
            }
            compact.push_str(&part.to_ascii_uppercase());
            taken.push(index);
            if compact.len() < 15 {
                continue;
            }
            let repaired: String = compact
                .chars()
                .enumerate()
                .map(|(position, c)| match (position, c) {
                    (2 | 3, 'O' | 'D' | 'Q') => '0',
                    (2 | 3, 'I' | 'L') => '1',
                    (2 | 3, 'S') => '5',
                    (2 | 3, 'B') => '8',
                    _ => c,
                })
                .collect();
            if iban_checksum_holds(&repaired) {
                return self.typed(&repaired).map(|value| (value, taken));
            }
        }
        None
    }

    /// Consecutive words from `first` up to a column gap, at most `max_words`.
    fn run_from(
        &self,
        view: &PageView<'_>,
        first: usize,
        line_end: usize,
        max_words: usize,
    ) -> Vec<usize> {
        let mut run = vec![first];
        let gap_limit = view.char_width * 2.5;
        let mut index = first + 1;
        while index < line_end && run.len() < max_words {
            if view.gap(index - 1, index) > gap_limit {
                break;
            }
            run.push(index);
            index += 1;
        }
        run
    }

    /// The first amount starting at word `index` (up to three words: `1 234,56`, `EUR 12.50`, `12,50 €`).
    fn amount_at(
        &self,
        view: &PageView<'_>,
        index: usize,
        line_end: usize,
    ) -> Option<(Value, Vec<usize>)> {
        let words = view.words();
        let mut best = None;
        let mut text = String::new();
        for end in index..line_end.min(index + 3) {
            if end > index {
                // OCR splits `39.80` into `39.` and `80`: the cents join without a space.
                let split_cents = is_split_cents(&words[end - 1].text, &words[end].text);
                let gap_limit = if split_cents { 3.0 } else { 1.5 };
                if view.gap(end - 1, end) > view.char_width * gap_limit {
                    break;
                }
                if !split_cents {
                    text.push(' ');
                }
            }
            text.push_str(&words[end].text);
            if let Some(value) = self.typed(&text) {
                best = Some((value, (index..=end).collect::<Vec<_>>()));
            } else if end == index && view.page.source == quire_document::PageSource::Ocr {
                // `15.u0`, `o.00`: digits OCR read as look-alike letters.
                if let Some(value) = repair_ocr_amount(&text).and_then(|t| self.typed(&t)) {
                    best = Some((value, vec![index]));
                }
            }
        }
        best
    }

    fn date_in_words(
        &self,
        view: &PageView<'_>,
        run: &[usize],
        anywhere: bool,
    ) -> Option<(Value, Vec<usize>)> {
        // Next to a label on an OCR page, `1202/2018` is `12/02/2018` with a separator lost.
        let repair = !anywhere && view.page.source == quire_document::PageSource::Ocr;
        let mut text = String::new();
        let mut starts = Vec::new();
        for &index in run {
            if !text.is_empty() {
                text.push(' ');
            }
            let word_text = &view.words()[index].text;
            let repaired = repair.then(|| restore_date_separator(word_text)).flatten();
            let piece = repaired.as_deref().unwrap_or(word_text);
            starts.push((text.len(), text.len() + piece.len(), index));
            text.push_str(piece);
        }
        for format in &self.options.date_formats {
            for &(_, _, index) in &starts {
                let word_text = &view.words()[index].text;
                if let Ok(date) = chrono::NaiveDate::parse_from_str(word_text, format) {
                    return Some((Value::Date(date), vec![index]));
                }
            }
        }
        let dates = find_dates(&text, self.options);
        let wanted = if anywhere && self.rule.nth == 0 {
            dates.first()
        } else {
            dates.get(self.rule.nth)
        }?;
        if !anywhere && self.rule.nth == 0 {
            // The date must come first (after filler), not somewhere later in the cell.
            let before = &text[..wanted.start];
            if before.split_whitespace().any(|w| !is_filler(w)) {
                return None;
            }
        }
        let covered: Vec<usize> = starts
            .iter()
            .filter(|&&(start, end, _)| start < wanted.end && end > wanted.start)
            .map(|&(_, _, index)| index)
            .collect();
        Some((Value::Date(wanted.date), covered))
    }

    /// The value directly below a label: the first following line (within three line heights) holding
    /// words under the label decides.
    fn value_below(
        &self,
        view: &PageView<'_>,
        line_index: usize,
        label_words: &[usize],
    ) -> Option<(Value, Vec<usize>)> {
        let words = view.words();
        let first = *label_words.first()?;
        let last = *label_words.last()?;
        let label_x0 = words[first].bbox.x0 - view.char_width;
        let label_x1 = words[last].bbox.x1 + view.char_width * 2.0;
        let label_bottom = words[first].bbox.y1;
        for next_line in line_index + 1..view.page.lines.len() {
            let line = &view.page.lines[next_line];
            if line.bbox.y0 - label_bottom > view.line_height * 3.5 {
                return None;
            }
            let range = view.line_range(next_line);
            let under: Vec<usize> = range
                .clone()
                .filter(|&i| words[i].bbox.x1 > label_x0 && words[i].bbox.x0 < label_x1)
                .collect();
            let Some(&start) = under.first() else {
                continue;
            };
            return match self.meta.format_type {
                FormatType::Number => {
                    let found = under
                        .iter()
                        .find_map(|&i| self.amount_at(view, i, range.end))?;
                    Some(
                        self.column_total_below(view, next_line, label_x0, label_x1, &found)
                            .unwrap_or(found),
                    )
                }
                FormatType::Date => {
                    let run = self.run_from(view, start, range.end, 6);
                    self.date_in_words(view, &run, false)
                }
                _ => {
                    let max_words = self.rule.max_words.unwrap_or(12);
                    let mut run = self.run_from(view, start, range.end, max_words);
                    // "Nummer: 549910" under "Seller": another label's line, look further down;
                    // "Name:   ACME GmbH": the value follows the name label. The colon may be its own
                    // word (`Nummer : 42`).
                    let run_end = run.last().map_or(start, |&i| i + 1);
                    let cell_end = if run_end < range.end && words[run_end].text == ":" {
                        run_end + 1
                    } else {
                        run_end
                    };
                    let colon = (start..cell_end)
                        .take(4)
                        .position(|i| words[i].text.ends_with(':'));
                    if let Some(colon) = colon {
                        let colon_word = start + colon;
                        let label =
                            match_key(&join_words(view, &(start..=colon_word).collect::<Vec<_>>()));
                        if !NAME_LABELS.contains(&label.as_str()) || colon_word + 1 >= range.end {
                            continue;
                        }
                        run = self.run_from(view, colon_word + 1, range.end, max_words);
                    }
                    // Another field's label under this one is not its value.
                    let is_label = run.first().is_some_and(|&first| {
                        self.all_labels.iter().any(|(_, label)| {
                            match_label_at(view, first, range.end, label).is_some()
                        })
                    });
                    let text = join_words(view, &run);
                    if is_legal_form_only(&text) || is_label {
                        return None;
                    }
                    self.typed(&text).map(|value| (value, run))
                }
            };
        }
        None
    }

    /// In a totals table with one line per rate and a sum line (`-4,85` / `-2,82` / `-7,67` under
    /// `Nettobetrag`): the sum line, when the amounts under the label after `first_line` end with one that
    /// equals the sum of those before it.
    fn column_total_below(
        &self,
        view: &PageView<'_>,
        first_line: usize,
        x0: f32,
        x1: f32,
        first: &(Value, Vec<usize>),
    ) -> Option<(Value, Vec<usize>)> {
        let words = view.words();
        let mut amounts: Vec<(Decimal, (Value, Vec<usize>))> =
            vec![(first.0.as_decimal()?, first.clone())];
        let mut bottom = view.page.lines[first_line].bbox.y1;
        for next_line in first_line + 1..view.page.lines.len() {
            let line = &view.page.lines[next_line];
            if line.bbox.y0 - bottom > view.line_height * 2.5 {
                break;
            }
            let range = view.line_range(next_line);
            let found = range
                .clone()
                .filter(|&i| words[i].bbox.x1 > x0 && words[i].bbox.x0 < x1)
                .find_map(|i| self.amount_at(view, i, range.end));
            let Some(found) = found else {
                break;
            };
            let Some(value) = found.0.as_decimal() else {
                break;
            };
            amounts.push((value, found));
            bottom = line.bbox.y1;
        }
        if amounts.len() < 3 {
            return None;
        }
        let (total, found) = amounts.pop()?;
        let sum: Decimal = amounts.iter().map(|(value, _)| *value).sum();
        ((sum - total).abs() <= Decimal::new(1, 2)).then_some(found)
    }

    /// The sum of the amounts under a column label on consecutive following lines.
    fn column_sum(
        &self,
        view: &PageView<'_>,
        line_index: usize,
        label_words: &[usize],
    ) -> Option<(Value, Vec<usize>)> {
        if self.meta.format_type != FormatType::Number {
            return None;
        }
        let words = view.words();
        let first = *label_words.first()?;
        let last = *label_words.last()?;
        let x0 = words[first].bbox.x0 - view.char_width * 2.0;
        let x1 = words[last].bbox.x1 + view.char_width * 2.0;
        let mut bottom = words[first].bbox.y1;
        let mut total = Decimal::ZERO;
        let mut taken = Vec::new();
        for next_line in line_index + 1..view.page.lines.len() {
            let line = &view.page.lines[next_line];
            if line.bbox.y0 - bottom > view.line_height * 1.5 {
                break;
            }
            let range = view.line_range(next_line);
            let amount = range
                .clone()
                .filter(|&i| words[i].bbox.x1 > x0 && words[i].bbox.x0 < x1)
                .find_map(|i| {
                    looks_like_money(&words[i].text)
                        .then(|| parse_amount(&words[i].text, self.options))
                        .flatten()
                        .map(|a| (a.value, i))
                });
            let Some((value, index)) = amount else {
                break;
            };
            total += value;
            taken.push(index);
            bottom = line.bbox.y1;
        }
        (!taken.is_empty()).then_some((Value::Decimal(total), taken))
    }

    fn value_next_line(
        &self,
        view: &PageView<'_>,
        line_index: usize,
    ) -> Option<(Value, Vec<usize>)> {
        let next_line = line_index + 1;
        if next_line >= view.page.lines.len() {
            return None;
        }
        let range = view.line_range(next_line);
        let run = self.run_from(
            view,
            range.start,
            range.end,
            self.rule.max_words.unwrap_or(12),
        );
        match self.meta.format_type {
            FormatType::Number => self.amount_at(view, range.start, range.end),
            FormatType::Date => self.date_in_words(view, &run, true),
            _ => {
                let text = join_words(view, &run);
                self.typed(&text).map(|value| (value, run))
            }
        }
    }

    fn regex_candidates(
        &self,
        view: &PageView<'_>,
        pattern: &str,
        pattern_index: usize,
        out: &mut Vec<Candidate>,
    ) -> Result<()> {
        let regex = cached_regex(pattern).map_err(|reason| ExtractError::TemplateInvalid {
            file: self.template.id.clone(),
            line: 0,
            field: format!("extraction.fields.{}.regex", self.key),
            reason,
        })?;
        let transform = &self.template.extraction.regex_text;
        let transformed = view.regex_text(transform);
        // Maps a byte offset of the transformed text back to the layout text.
        let original = |offset: usize| transformed.original(offset, view.page.layout_text.len());
        for captures in regex.captures_iter(transformed.text.as_ref()) {
            let captures = match captures {
                Ok(captures) => captures,
                Err(error) if is_backtrack_limit(&error) => {
                    return Err(ExtractError::RegexTooComplex {
                        template: self.template.id.clone(),
                        field: self.key.to_string(),
                        pattern: pattern.to_string(),
                    })
                }
                Err(_) => break,
            };
            let Some(group) = captures
                .name("value")
                .or_else(|| captures.get(1))
                .or_else(|| captures.get(0))
            else {
                continue;
            };
            let Some(value) = self.typed(group.as_str()) else {
                continue;
            };
            // Found by its shape alone, an IBAN must pass its checksum (`OD304175096047380001` is an
            // order id).
            if let Value::Text(text) = &value {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                if self.key == "iban" && looks_like_iban(&compact) && !iban_checksum_holds(&compact)
                {
                    continue;
                }
            }
            let word_indexes = view.words_in_span(original(group.start()), original(group.end()));
            if let Some(zone) = &self.rule.zone {
                if !word_indexes.iter().all(|&i| view.word_in_zone(i, zone)) {
                    continue;
                }
            }
            let mut provenance = view.provenance(&word_indexes);
            if let Some(p) = provenance.as_mut() {
                p.raw_text = group.as_str().to_string();
            }
            let first_word = word_indexes.first().copied().unwrap_or(0);
            out.push(Candidate {
                value,
                provenance,
                method: Method::Regex,
                label: None,
                label_rank: pattern_index,
                position_rank: 0,
                order: (
                    view.page.number,
                    view.line_of_word.get(first_word).copied().unwrap_or(0),
                    original(group.start()),
                ),
            });
        }
        Ok(())
    }

    fn zone_candidate(&self, view: &PageView<'_>, zone: &Zone, out: &mut Vec<Candidate>) {
        let inside: Vec<usize> = (0..view.words().len())
            .filter(|&i| view.word_in_zone(i, zone))
            .collect();
        if inside.is_empty() {
            return;
        }
        let text = join_words(view, &inside);
        let value = match self.meta.format_type {
            FormatType::Number => inside
                .iter()
                .find_map(|&i| parse_amount(&view.words()[i].text, self.options))
                .map(|a| Value::Decimal(a.value)),
            FormatType::Date => find_dates(&text, self.options)
                .first()
                .map(|d| Value::Date(d.date)),
            _ => self.typed(&text),
        };
        if let Some(value) = value {
            out.push(Candidate {
                value,
                provenance: view.provenance(&inside),
                method: Method::Zone,
                label: None,
                label_rank: 0,
                position_rank: 0,
                order: (view.page.number, 0, 0),
            });
        }
    }

    fn fallback(
        &self,
        fallback: Fallback,
        document: &Document,
        views: &[PageView<'_>],
    ) -> Option<Field> {
        let field = |value: Value, provenance: Option<Provenance>| Field {
            value,
            provenance,
            method: Method::Fallback,
            label: None,
        };
        match fallback {
            Fallback::CompanyName => {
                let (text, words) = company_name(views.first()?)?;
                let value = self.typed(&text)?;
                Some(field(value, views[0].provenance(&words)))
            }
            Fallback::DocumentCurrency => {
                let code = document_currency(document)
                    .or_else(|| tax_country_currency(document))
                    .or_else(|| {
                        self.options
                            .default_currency
                            .as_deref()
                            .and_then(currency_code)
                    })?;
                Some(field(Value::Text(code.to_string()), None))
            }
            Fallback::LargestAmount => {
                let view = views.last()?;
                let words = view.words();
                let mut best: Option<(rust_decimal::Decimal, Vec<usize>)> = None;
                for (index, word) in words.iter().enumerate() {
                    // `73.` `00` on one line: OCR split the cents off.
                    let split_cents = words.get(index + 1).filter(|next| {
                        is_split_cents(&word.text, &next.text)
                            && next.bbox.y0 < word.bbox.y1
                            && next.bbox.x0 > word.bbox.x0
                            && view.gap(index, index + 1) <= view.char_width * 3.0
                    });
                    let (text, taken) = match split_cents {
                        Some(next) => (
                            format!("{}{}", word.text, next.text),
                            vec![index, index + 1],
                        ),
                        None => (word.text.clone(), vec![index]),
                    };
                    if !looks_like_money(text.trim_end_matches(['-', ')'])) {
                        continue;
                    }
                    if let Some(amount) = parse_amount(&text, self.options) {
                        if best.as_ref().is_none_or(|(b, _)| amount.value > *b) {
                            best = Some((amount.value, taken));
                        }
                    }
                }
                let (value, taken) = best?;
                Some(field(Value::Decimal(value), view.provenance(&taken)))
            }
            Fallback::RecipientName => {
                let view = views.first()?;
                let (start, line_end) = recipient_start(view)?;
                let max_words = self.rule.max_words.unwrap_or(8);
                let run = self.run_from(view, start, line_end, max_words);
                let value = self.typed(&join_words(view, &run))?;
                Some(field(value, view.provenance(&run)))
            }
            Fallback::FirstDate => {
                let view = views.first()?;
                for line_index in 0..view.page.lines.len() {
                    let run: Vec<usize> = view.line_range(line_index).collect();
                    if let Some((value, words)) = self.date_in_words(view, &run, true) {
                        return Some(field(value, view.provenance(&words)));
                    }
                }
                None
            }
        }
    }
}

/// Turns raw text into the field's typed value, or `None` when it is not one (or fails `accept`).
pub fn typed_value(
    raw: &str,
    meta: &FieldMeta,
    rule: &FieldRule,
    options: &NormalizeOptions,
    accept: Option<&Regex>,
) -> Option<Value> {
    let value = match meta.format_type {
        FormatType::Text => {
            let text = clean_text(raw, options);
            if text.is_empty() {
                return None;
            }
            if let Some(limit) = meta.char_limit {
                if text.chars().count() > limit as usize {
                    return None;
                }
            }
            // A currency field holds an ISO code: map symbols and words.
            if let Some(code) = is_currency_field(meta)
                .then(|| currency_code(&text))
                .flatten()
            {
                Value::Text(code.to_string())
            } else if is_currency_field(meta) {
                return None;
            } else {
                Value::Text(text)
            }
        }
        FormatType::Number => {
            if rule.decimals_required && !looks_like_money(raw.trim_end_matches([')', ']', '-'])) {
                return None;
            }
            let value = parse_amount(raw, options)?.value;
            Value::Decimal(if rule.absolute { value.abs() } else { value })
        }
        FormatType::Date => Value::Date(parse_date(raw, options)?),
        FormatType::Boolean => Value::Bool(parse_bool(raw)?),
        FormatType::MultipleChoice => Value::Choice(choose(raw, meta, rule)?),
    };
    if let Some(regex) = accept {
        let text = value.normalized_string();
        if !regex.is_match(&text).unwrap_or(false) {
            return None;
        }
    }
    Some(value)
}

fn is_currency_field(meta: &FieldMeta) -> bool {
    let name = meta.name.to_lowercase();
    name == "currency" || name == "currency code" || name == "währung" || name == "devise"
}

/// The option a raw text stands for: an option itself, or one of its synonyms, found as a word.
fn choose(raw: &str, meta: &FieldMeta, rule: &FieldRule) -> Option<String> {
    let lower = raw.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |phrase: &str| {
        let phrase = phrase.to_lowercase();
        if phrase.contains(' ') {
            lower.contains(&phrase)
        } else {
            words.contains(&phrase.as_str())
        }
    };
    for option in &meta.format_options {
        if has(option) {
            return Some(option.clone());
        }
        if let Some(synonyms) = rule.choices.get(option) {
            if synonyms.iter().any(|s| has(s)) {
                return Some(option.clone());
            }
        }
    }
    None
}

/// Whether label `key` matches the words from `start`, returning the end (exclusive) of the match.
fn match_label_at(view: &PageView<'_>, start: usize, line_end: usize, key: &str) -> Option<usize> {
    if let Some(end) = match_label_exactly(view, start, line_end, key) {
        return Some(end);
    }
    let is_ocr = view.page.source == quire_document::PageSource::Ocr;
    // A label whose accents OCR lost (`Facturé a` for `Facturé à`), over all its words.
    if is_ocr && !key.is_ascii() {
        let folded_key = fold_accents(key);
        let mut joined = String::new();
        for index in start..line_end.min(start + MAX_LABEL_WORDS) {
            if index > start && view.gap(index - 1, index) > view.char_width * 4.0 {
                break;
            }
            joined.push_str(&fold_accents(&view.keys[index]));
            if joined == folded_key {
                return Some(index + 1);
            }
            if !folded_key.starts_with(joined.as_str()) {
                break;
            }
        }
    }
    // OCR misreads one character of a word ("Tota]", "HTotal"): a single-word label of five or more
    // characters still matches one word with one character replaced, or one added or lost at an end
    // (not inside: `Ordner` is not `Order`).
    if is_ocr && key.chars().count() >= 5 && start < line_end {
        let word_key = &view.keys[start];
        if word_key.chars().count() >= 5 && is_ocr_variant(word_key, key) {
            return Some(start + 1);
        }
    }
    None
}

/// Whether `word` is `key` with one character replaced, or one character added or lost at its start or end.
fn is_ocr_variant(word: &str, key: &str) -> bool {
    let word: Vec<char> = word.chars().collect();
    let key: Vec<char> = key.chars().collect();
    if word.len() == key.len() {
        return word.iter().zip(&key).filter(|(a, b)| a != b).count() <= 1;
    }
    let (shorter, longer) = if word.len() < key.len() {
        (&word, &key)
    } else {
        (&key, &word)
    };
    longer.len() == shorter.len() + 1
        && (longer[1..] == shorter[..] || longer[..shorter.len()] == shorter[..])
}

/// Lower-case text with the accents of Latin letters dropped (`facturéà` → `facturea`).
fn fold_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            _ => c,
        })
        .collect()
}

fn match_label_exactly(
    view: &PageView<'_>,
    start: usize,
    line_end: usize,
    key: &str,
) -> Option<usize> {
    view.spells(start, line_end, key, MAX_LABEL_WORDS, 4.0)
}

/// A label starts a cell when it is first on its line, or far from the previous word, or the previous word
/// is punctuation or ends with a colon.
fn starts_a_cell(view: &PageView<'_>, line_start: usize, word_index: usize) -> bool {
    if word_index == line_start {
        return true;
    }
    let previous = &view.words()[word_index - 1].text;
    view.gap(word_index - 1, word_index) > view.char_width * 1.5
        || previous.ends_with(':')
        || previous.chars().all(|c| !c.is_alphanumeric())
        || LABEL_PREFIXES.contains(&previous.to_lowercase().as_str())
}

/// Label words that qualify a label before them (`Rechnungssumme Netto`, `Summe USt.`) as match keys.
const QUALIFIER_LABELS: [&str; 12] = [
    "netto", "brutto", "net", "gross", "ht", "ttc", "ust", "mwst", "vat", "tva", "gst", "steuer",
];

/// The index after a parenthesised qualifier of at most four words starting at `index` (`(excl. USt.)`),
/// or `None` when no such qualifier starts there.
fn parenthesis_end(view: &PageView<'_>, index: usize, line_end: usize) -> Option<usize> {
    let words = view.words();
    let first = &words[index].text;
    if !first.starts_with('(') || first.ends_with(')') {
        return None;
    }
    (index + 1..line_end.min(index + 4)).find_map(|close| {
        let text = &words[close].text;
        (text.ends_with(')') && !text.chars().any(|c| c.is_ascii_digit())).then_some(close + 1)
    })
}

/// Words that may precede a label in the same cell: `zzgl. MwSt 19 %`, `abzgl. Rabatt`, `plus VAT`.
const LABEL_PREFIXES: [&str; 14] = [
    "zzgl.",
    "zzgl",
    "abzgl.",
    "abzgl",
    "plus",
    "inkl.",
    "incl.",
    "hiervon",
    "davon",
    "darin",
    "enthaltene",
    "enthaltene:",
    "less",
    "moins",
];

/// Words that may stand between a label and its value: punctuation, currency, rates, `(EUR)`, `in`.
fn is_filler(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.chars().all(|c| !c.is_alphanumeric()) && !trimmed.contains(['€', '$', '£', '¥'])
    {
        return true;
    }
    // `EUR`, `€:`; not `€75`, a glued amount.
    let has_digit = trimmed.chars().any(|c| c.is_ascii_digit());
    if currency_code(trimmed).is_some()
        || find_currency(trimmed).is_some() && trimmed.len() <= 5 && !has_digit
    {
        return true;
    }
    if trimmed.ends_with('%') || trimmed.ends_with("%)") || trimmed.ends_with("%:") {
        return true;
    }
    if trimmed.starts_with('(') && trimmed.ends_with(')') && trimmed.chars().count() <= 7 {
        return true;
    }
    let lower = trimmed.to_lowercase();
    matches!(
        lower.as_str(),
        "in" | "en"
            | "am"
            | "le"
            | "du"
            | "vom"
            | "on"
            | "of"
            | "at"
            | "à"
            | "n°"
            | "nr"
            | "nr."
            | "no"
            | "no."
            | "zzgl."
            | "abzgl."
            | "plus"
            | "incl."
            | "inkl."
            | "excl."
            | "exkl."
    )
}

/// Words that may stand between a label and its amount on the same line besides filler and other
/// amounts: `MwSt 19% auf 100,00 = 19,00`.
fn is_connector(text: &str) -> bool {
    let lower = text.to_lowercase();
    matches!(
        lower.trim_end_matches(':'),
        "auf"
            | "von"
            | "on"
            | "of"
            | "sur"
            | "de"
            | "x"
            | "="
            | "@"
            | "from"
            | "aus"
            | "für"
            | "for"
    ) || text.chars().any(|c| c.is_ascii_digit()) && !text.chars().any(char::is_alphabetic)
}

/// Whether a word looks like a money amount: digits with a two-digit decimal part.
fn looks_like_money(text: &str) -> bool {
    let digits: String = text
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .rev()
        .take(3)
        .collect();
    let mut chars = digits.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(a), Some(b), Some('.' | ','))
            if a.is_ascii_digit() && b.is_ascii_digit()
    )
}

/// Two capital letters, two check digits and a 10–30 character account part.
fn looks_like_iban(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    (14..=34).contains(&bytes.len())
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(u8::is_ascii_alphanumeric)
}

/// The ISO 13616 check: the number, rearranged and read with letters as 10–35, is 1 modulo 97.
fn iban_checksum_holds(compact: &str) -> bool {
    if !looks_like_iban(compact) {
        return false;
    }
    let rearranged = compact[4..].chars().chain(compact[..4].chars());
    let mut remainder: u32 = 0;
    for c in rearranged {
        let Some(digit) = c.to_digit(36) else {
            return false;
        };
        remainder = if digit < 10 {
            (remainder * 10 + digit) % 97
        } else {
            (remainder * 100 + digit) % 97
        };
    }
    remainder == 1
}

/// One to three capital letters (`RM`, `RH`, `S`): a currency code or its OCR misreading.
fn is_short_letters(text: &str) -> bool {
    let letters = text.trim_start_matches('-');
    (1..=3).contains(&letters.len()) && letters.chars().all(|c| c.is_ascii_uppercase())
}

/// An OCR-read amount with one or two digits misread as look-alike letters (`15.u0`, `o.00`, `1S.90`)
/// spelled with digits: two decimals after the separator, at least two real digits, nothing else.
fn repair_ocr_amount(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n < 4 || !matches!(chars[n - 3], '.' | ',') {
        return None;
    }
    let (mut n_digits, mut n_repaired) = (0, 0);
    let mut repaired = String::with_capacity(n);
    for (position, &c) in chars.iter().enumerate() {
        let digit = match c {
            '0'..='9' => {
                n_digits += 1;
                c
            }
            '.' | ',' if position + 3 >= n || position > 0 => c,
            'o' | 'O' | 'u' | 'U' | 'D' | 'Q' => '0',
            'l' | 'I' | 'i' | '|' => '1',
            'S' | 's' => '5',
            'B' => '8',
            'Z' | 'z' => '2',
            _ => return None,
        };
        if digit != c {
            n_repaired += 1;
        }
        repaired.push(digit);
    }
    (n_repaired > 0 && n_repaired <= 2 && n_digits >= 2).then_some(repaired)
}

/// A numeric date whose first separator OCR lost (`1202/2018`, `2512.2018`): four digits, a separator and
/// a two- or four-digit year become `12/02/2018`. `None` for anything else.
fn restore_date_separator(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let separator = *bytes.get(4)?;
    let year_len = bytes.len().checked_sub(5)?;
    let is_date_shape = matches!(separator, b'/' | b'.' | b'-')
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && (year_len == 2 || year_len == 4)
        && bytes[5..].iter().all(u8::is_ascii_digit);
    is_date_shape.then(|| format!("{}{}{}", &text[..2], separator as char, &text[2..]))
}

/// `39.` followed by `80`: an amount whose decimal part OCR split off into its own word.
fn is_split_cents(left: &str, right: &str) -> bool {
    let Some(integer_part) = left.strip_suffix(['.', ',']) else {
        return false;
    };
    let integer_digits = integer_part.trim_start_matches(|c: char| !c.is_ascii_digit());
    !integer_digits.is_empty()
        && integer_digits.chars().all(|c| c.is_ascii_digit())
        && right.len() == 2
        && right.chars().all(|c| c.is_ascii_digit())
}

fn join_words(view: &PageView<'_>, indexes: &[usize]) -> String {
    indexes
        .iter()
        .map(|&i| view.words()[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Labels that introduce a name inside an address block.
const NAME_LABELS: [&str; 6] = [
    "name",
    "firma",
    "nom",
    "company",
    "raisonsociale",
    "firmenname",
];

/// Whether a text is nothing but a legal form ("GmbH" right after the label "Lieferant").
fn is_legal_form_only(text: &str) -> bool {
    let mut words = text.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|w| LEGAL_FORMS.contains(&w.to_lowercase().trim_end_matches(',')) || w == "&")
}

/// Whether a word is a legal form in a company name: capitalised as legal forms are (`KG`, `GmbH`, not
/// `kg`) and not a unit after a number (`0.782 KG`).
fn is_legal_form_word(word: &str, previous: &str) -> bool {
    let key = word.to_lowercase();
    let key = key.trim_end_matches(',');
    // Two-letter forms must be capitalised (`KG`, not the unit `kg`); `plc`, `ltd` are written lower case.
    let capitalised =
        word.starts_with(|c: char| c.is_uppercase()) || key == "e.k." || key.len() >= 3;
    let after_number = previous.chars().any(|c| c.is_ascii_digit());
    LEGAL_FORMS.contains(&key) && capitalised && !after_number
}

/// Legal forms that mark a company name.
const LEGAL_FORMS: [&str; 41] = [
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "gbr",
    "ug",
    "e.k.",
    "mbh",
    "se",
    "ltd",
    "ltd.",
    "limited",
    "llc",
    "inc",
    "inc.",
    "plc",
    "corp",
    "corp.",
    "co.",
    "sarl",
    "s.a.r.l.",
    "sas",
    "s.a.s.",
    "sa",
    "s.a.",
    "eurl",
    "snc",
    "b.v.",
    "bv",
    "n.v.",
    "sdn",
    "bhd",
    "bhd.",
    "s.l.",
    "s.p.a.",
    "spa",
    "oy",
    "ab",
    "gmbh&co.kg",
    "enterprise",
    "a.g.",
];

/// Words that title a document rather than name its issuer.
const TITLE_WORDS: [&str; 16] = [
    "invoice",
    "rechnung",
    "facture",
    "receipt",
    "quittung",
    "beleg",
    "gutschrift",
    "avoir",
    "statement",
    "kontoauszug",
    "relevé",
    "page",
    "seite",
    "tax",
    "original",
    "copy",
];

/// The issuer's name on the first page: the first line (in the top half) carrying a legal form, cut at
/// separators; else the first line of letters that is not a document title.
fn company_name(view: &PageView<'_>) -> Option<(String, Vec<usize>)> {
    let words = view.words();
    let top_limit = view.page.height * 0.5;
    let cells = |line_index: usize| -> Vec<Vec<usize>> {
        let mut cells: Vec<Vec<usize>> = Vec::new();
        for index in view.line_range(line_index) {
            let text = words[index].text.as_str();
            let separator = matches!(text, "·" | "|" | "•" | "-" | "–");
            let new_cell = cells.last().is_none_or(|cell| {
                let previous = *cell.last().unwrap_or(&index);
                view.gap(previous, index) > view.char_width * 2.5
                    || words[previous].text.ends_with(',')
                    || separator
            });
            if separator {
                cells.push(Vec::new());
                continue;
            }
            if new_cell {
                cells.push(vec![index]);
            } else if let Some(cell) = cells.last_mut() {
                cell.push(index);
            }
        }
        cells.retain(|c| !c.is_empty());
        cells
    };
    for line_index in 0..view.page.lines.len() {
        if view.page.lines[line_index].bbox.y0 > top_limit {
            break;
        }
        // A short line is one name even when its words are spread out ("Northbridge    Bank    plc").
        let whole: Vec<usize> = view.line_range(line_index).collect();
        let mut line_cells = cells(line_index);
        let has_colon = whole.iter().any(|&i| words[i].text.contains(':'));
        if whole.len() <= 5 && line_cells.len() > 1 && !has_colon {
            line_cells.insert(0, whole);
        }
        for cell in line_cells {
            if is_attention_line(view, &cell) {
                continue;
            }
            if let Some(form_at) = legal_form_in(words, &cell) {
                // Keep a run of legal forms ("Sdn Bhd", "GmbH & Co. KG").
                let mut end = form_at + 1;
                while end < cell.len() {
                    let key = words[cell[end]].text.to_lowercase();
                    if LEGAL_FORMS.contains(&key.trim_end_matches(',')) || key == "&" {
                        end += 1;
                    } else {
                        break;
                    }
                }
                // The name starts after the end of a sentence before it on the line (`… erfolgte am
                // 10.11.2017 14:25 Uhr. DB Fernverkehr AG`), not at the start of the line.
                let start = (0..form_at)
                    .rev()
                    .find(|&k| ends_a_sentence(&words[cell[k]].text))
                    .map_or(0, |k| k + 1);
                let mut run = cell[start..end].to_vec();
                if start == 0 {
                    if let Some(mut above) = name_line_above(view, line_index, cell[0]) {
                        above.extend(run);
                        run = above;
                    }
                }
                return Some((join_words(view, &run), run));
            }
        }
    }
    let mut lower_case = None;
    for line_index in 0..view.page.lines.len().min(12) {
        // A short line is one name even when its words are spread out (centred titles).
        let whole: Vec<usize> = view.line_range(line_index).collect();
        let mut line_cells = cells(line_index);
        let has_colon = whole.iter().any(|&i| words[i].text.contains(':'));
        if whole.len() <= 5 && line_cells.len() > 1 && !has_colon {
            line_cells.insert(0, whole);
        }
        for cell in line_cells {
            if is_attention_line(view, &cell) {
                continue;
            }
            let text = join_words(view, &cell);
            let n_letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let n_digits = text.chars().filter(|c| c.is_ascii_digit()).count();
            let lower = text.to_lowercase();
            let is_title = lower
                .split_whitespace()
                .any(|w| TITLE_WORDS.contains(&w.trim_end_matches([':', '.'])));
            // `Facturé à :`, `Bill to:`, `Guest Name: Sanjay`: a label (with its value), not a name.
            let is_label = cell.iter().any(|&i| words[i].text.ends_with(':'));
            if n_letters >= 3
                && n_digits * 2 < n_letters
                && !is_title
                && !is_label
                && !text.contains('@')
            {
                // A line of lower-case letters only (`tan chay yee`: a name written or stamped above
                // the printed header) is a name only when nothing better follows.
                if !text.chars().any(char::is_uppercase) {
                    lower_case.get_or_insert((text, cell));
                    continue;
                }
                return Some(continued_on_next_line(view, line_index, text, cell));
            }
        }
    }
    lower_case
}

/// A name whose line ends with `&` goes on at the start of the next line (`HOME MASTER HARDWARE &` /
/// `ELECTRICAL`).
fn continued_on_next_line(
    view: &PageView<'_>,
    line_index: usize,
    text: String,
    mut cell: Vec<usize>,
) -> (String, Vec<usize>) {
    let words = view.words();
    let ends_line = cell.last() == Some(&(view.line_range(line_index).end - 1));
    let dangling = cell
        .last()
        .is_some_and(|&i| matches!(words[i].text.as_str(), "&" | "+"));
    if !ends_line || !dangling || line_index + 1 >= view.page.lines.len() {
        return (text, cell);
    }
    let next: Vec<usize> = view.line_range(line_index + 1).collect();
    let close = view.page.lines[line_index + 1].bbox.y0 - view.page.lines[line_index].bbox.y1
        <= view.line_height;
    let letters_only = next.iter().all(|&i| {
        let word = words[i].text.trim_end_matches([',', '.']);
        !word.is_empty() && word.chars().all(char::is_alphabetic)
    });
    if !close || next.is_empty() || next.len() > 4 || !letters_only {
        return (text, cell);
    }
    cell.extend(next);
    (join_words(view, &cell), cell)
}

/// A name under its label that wrapped onto the next line, the legal form on the second
/// (`Verkäufer:` / `MVM Musterhafter` / `Versicherungsverein Musterstadt a.G.`): the next line, starting at
/// the name's left edge and ending with a legal form, completes it. Any other value is returned as it is.
fn complete_wrapped_name(
    view: &PageView<'_>,
    value: Value,
    value_words: Vec<usize>,
) -> (Value, Vec<usize>) {
    let words = view.words();
    let (Value::Text(_), Some(&first), Some(&last)) =
        (&value, value_words.first(), value_words.last())
    else {
        return (value, value_words);
    };
    let line_index = view.line_of_word[last];
    let Some(next_line) = view.page.lines.get(line_index + 1) else {
        return (value, value_words);
    };
    if legal_form_in(words, &value_words).is_some()
        || last + 1 != view.line_range(line_index).end
        || next_line.bbox.y0 - view.page.lines[line_index].bbox.y1 > view.line_height
    {
        return (value, value_words);
    }
    // The next line's first cell, starting where the name starts.
    let Some(cell) = column_cells(view, line_index + 1).into_iter().next() else {
        return (value, value_words);
    };
    if (words[cell[0]].bbox.x0 - words[first].bbox.x0).abs() > view.char_width * 1.5 {
        return (value, value_words);
    }
    let plain = cell.iter().all(|&i| {
        let text = &words[i].text;
        !text.contains(':') && !text.chars().any(|c| c.is_ascii_digit())
    });
    let ends_with_form = cell.len() >= 2
        && is_legal_form_word(
            &words[cell[cell.len() - 1]].text,
            &words[cell[cell.len() - 2]].text,
        );
    if !plain || !ends_with_form || value_words.len() + cell.len() > 12 {
        return (value, value_words);
    }
    let mut joined = value_words;
    joined.extend(cell);
    (Value::Text(join_words(view, &joined)), joined)
}

/// The first line of a name whose legal form wrapped onto the next line (`MVM Musterhafter` above
/// `Versicherungsverein Musterstadt a.G.`): the whole line right above, starting at the same left edge, of
/// at most four words of letters, none a document title or a label.
fn name_line_above(view: &PageView<'_>, line_index: usize, first: usize) -> Option<Vec<usize>> {
    let words = view.words();
    let above_index = line_index.checked_sub(1)?;
    let (above, line) = (&view.page.lines[above_index], &view.page.lines[line_index]);
    let range = view.line_range(above_index);
    let aligned =
        (words[range.start].bbox.x0 - words[first].bbox.x0).abs() <= view.char_width * 1.5;
    if line.bbox.y0 - above.bbox.y1 > view.line_height * 0.8 || !aligned || range.len() > 4 {
        return None;
    }
    let mut cells = column_cells(view, above_index);
    let indexes = cells.pop().filter(|_| cells.is_empty())?;
    let name_like = indexes.iter().all(|&i| {
        let text = &words[i].text;
        let key = text.to_lowercase();
        text.chars().any(char::is_alphabetic)
            && !text.contains([':', '@'])
            && !text.chars().any(|c| c.is_ascii_digit())
            && !TITLE_WORDS.contains(&key.trim_end_matches(['.', ',']))
    });
    name_like.then_some(indexes)
}

/// Where the first legal form of a cell is (after at least one word of name).
fn legal_form_in(words: &[quire_document::Word], cell: &[usize]) -> Option<usize> {
    (1..cell.len()).find(|&k| is_legal_form_word(&words[cell[k]].text, &words[cell[k - 1]].text))
}

/// A line's cells: its words split at column gaps (wider than two and a half characters).
fn column_cells(view: &PageView<'_>, line_index: usize) -> Vec<Vec<usize>> {
    let mut cells: Vec<Vec<usize>> = Vec::new();
    for index in view.line_range(line_index) {
        match cells.last_mut() {
            Some(cell) if view.gap(index - 1, index) <= view.char_width * 2.5 => cell.push(index),
            _ => cells.push(vec![index]),
        }
    }
    cells
}

/// Whether a word ends a sentence: a full stop after a word of three or more letters that is no legal form
/// (`Uhr.`, `belastet.`; not `Co.`, `Inc.`, `St.`, `Nr.`).
fn ends_a_sentence(word: &str) -> bool {
    let Some(stem) = word.strip_suffix('.') else {
        return false;
    };
    stem.chars().count() >= 3
        && stem.chars().all(char::is_alphabetic)
        && !LEGAL_FORMS.contains(&word.to_lowercase().as_str())
        && !LEGAL_FORMS.contains(&stem.to_lowercase().as_str())
}

/// Whether a cell is an addressee's attention line (`ATTN: iViveLabs Limited`, `z. Hd. Frau Meier`,
/// `c/o …`): the recipient, never the issuer.
fn is_attention_line(view: &PageView<'_>, cell: &[usize]) -> bool {
    let words = view.words();
    let first = |n: usize| {
        cell.iter()
            .take(n)
            .map(|&i| words[i].text.to_lowercase())
            .collect::<String>()
    };
    let one = first(1);
    let one = one.trim_end_matches([':', '.', ',']);
    matches!(one, "attn" | "attention" | "c/o" | "fao" | "z.hd" | "zhd")
        || first(2).trim_end_matches([':', '.']) == "z.hd"
}

/// Where the recipient's name starts on a page with a window-envelope address field: the first word of
/// the line right under the sender's one-line return address (a cell in the upper half with at least two
/// comma- or dot-separated parts, one of them a postcode) and starting at its left edge. Returns the word
/// and the end of its line.
fn recipient_start(view: &PageView<'_>) -> Option<(usize, usize)> {
    let words = view.words();
    let lines = &view.page.lines;
    for line_index in 0..lines.len() {
        if lines[line_index].bbox.y0 > view.page.height * 0.5 {
            break;
        }
        for cell in column_cells(view, line_index) {
            let n_separators = cell
                .iter()
                .filter(|&&i| {
                    words[i].text.ends_with(',')
                        || matches!(words[i].text.as_str(), "·" | "•" | "|")
                })
                .count();
            let has_postcode = cell.iter().any(|&i| {
                let text = words[i].text.trim_end_matches(',');
                (4..=5).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit())
            });
            let first_letters = words[cell[0]].text.chars().any(char::is_alphabetic);
            if n_separators < 2 || !has_postcode || !first_letters {
                continue;
            }
            let left = words[cell[0]].bbox.x0;
            let bottom = lines[line_index].bbox.y1;
            for (next, next_line) in lines.iter().enumerate().skip(line_index + 1) {
                if next_line.bbox.y0 - bottom > view.line_height * 3.0 {
                    break;
                }
                let next_range = view.line_range(next);
                let Some(start) = next_range
                    .clone()
                    .find(|&i| (words[i].bbox.x0 - left).abs() <= view.char_width * 2.0)
                else {
                    continue;
                };
                let has_letters = words[start]
                    .text
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .count()
                    >= 2;
                return has_letters.then_some((start, next_range.end));
            }
        }
    }
    None
}

/// The currency of the country in the first VAT id or IBAN printed on the document (`TVA FR 19 812…`,
/// `USt-IdNr. DE123…`, `IBAN DE89…`), for documents that print no currency at all.
pub fn tax_country_currency(document: &Document) -> Option<&'static str> {
    const ID_WORDS: [&str; 9] = [
        "tva", "vat", "ust", "mwst", "iban", "btw", "iva", "uid", "gst",
    ];
    for page in &document.pages {
        for line in &page.lines {
            let lower = line.text.to_lowercase();
            if !ID_WORDS.iter().any(|w| lower.contains(w)) {
                continue;
            }
            let words = page.line_words(line);
            for (k, word) in words.iter().enumerate() {
                let text = word.text.as_str();
                let (Some(country), rest) = (text.get(..2), text.get(2..).unwrap_or("")) else {
                    continue;
                };
                let followed_by_digits = if rest.is_empty() {
                    words
                        .get(k + 1)
                        .is_some_and(|next| next.text.starts_with(|c: char| c.is_ascii_digit()))
                } else {
                    rest.starts_with(|c: char| c.is_ascii_digit())
                };
                if !followed_by_digits || !country.chars().all(|c| c.is_ascii_uppercase()) {
                    continue;
                }
                let currency = match country {
                    "AT" | "BE" | "CY" | "DE" | "EE" | "ES" | "FI" | "FR" | "GR" | "EL" | "HR"
                    | "IE" | "IT" | "LT" | "LU" | "LV" | "MT" | "NL" | "PT" | "SI" | "SK" => {
                        Some("EUR")
                    }
                    "GB" => Some("GBP"),
                    "CH" => Some("CHF"),
                    "PL" => Some("PLN"),
                    "CZ" => Some("CZK"),
                    "DK" => Some("DKK"),
                    "SE" => Some("SEK"),
                    "HU" => Some("HUF"),
                    _ => None,
                };
                if currency.is_some() {
                    return currency;
                }
            }
        }
    }
    None
}

/// The currency printed most often on the document (symbols and ISO codes as words).
pub fn document_currency(document: &Document) -> Option<&'static str> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for page in &document.pages {
        for word in &page.words {
            let text = word.text.trim();
            let code = if text.len() <= 4 {
                currency_code(text).filter(|_| {
                    // Plain words like "euro" count; two-letter "rm", "rs" only capitalised.
                    text.chars().any(|c| !c.is_ascii_lowercase())
                })
            } else {
                find_currency(text)
            };
            if let Some(code) = code {
                *counts.entry(code).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(code, n)| (n, std::cmp::Reverse(code)))
        .map(|(code, _)| code)
}

/// The text regexes run on, transformed as the template says (invoice2data's `remove_whitespace`,
/// `lowercase`, `replace`), and the way back to offsets in the original text.
#[derive(Debug, Clone)]
pub struct TransformedText<'a> {
    pub text: std::borrow::Cow<'a, str>,
    /// Each byte's offset in the original text (plus one past the end); `None` when the text is the
    /// original (no transformation), so the offsets are the identity.
    offsets: Option<Vec<usize>>,
}

impl TransformedText<'_> {
    /// The offset in the original text of byte `offset` of the transformed text (the original's end for
    /// an offset past the end).
    pub fn original(&self, offset: usize, original_len: usize) -> usize {
        match &self.offsets {
            None => offset.min(original_len),
            Some(offsets) => offsets.get(offset).copied().unwrap_or(original_len),
        }
    }
}

/// Transforms `text` as `transform` says; the plain transformation borrows the text as it is.
pub fn transform_text<'a>(text: &'a str, transform: &RegexText) -> TransformedText<'a> {
    if transform.is_plain() {
        return TransformedText {
            text: std::borrow::Cow::Borrowed(text),
            offsets: None,
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    for (index, c) in text.char_indices() {
        if transform.remove_whitespace && c == ' ' {
            continue;
        }
        let piece: String = if transform.lowercase {
            c.to_lowercase().collect()
        } else {
            c.to_string()
        };
        for _ in 0..piece.len() {
            offsets.push(index);
        }
        out.push_str(&piece);
    }
    offsets.push(text.len());
    for (pattern, replacement) in &transform.replace {
        // Checked when the template is loaded; a pattern that fails here is skipped.
        let Ok(regex) = cached_regex(pattern) else {
            continue;
        };
        let mut replaced = String::with_capacity(out.len());
        let mut replaced_offsets = Vec::with_capacity(offsets.len());
        let mut copied_to = 0;
        for captures in regex.captures_iter(out.as_str()) {
            let Ok(captures) = captures else {
                break;
            };
            let Some(whole) = captures.get(0) else {
                continue;
            };
            replaced.push_str(&out[copied_to..whole.start()]);
            replaced_offsets.extend_from_slice(&offsets[copied_to..whole.start()]);
            // The replacement's text points at the start of what it replaces.
            let expanded = expand_python_replacement(replacement, &captures);
            replaced_offsets.extend(std::iter::repeat_n(offsets[whole.start()], expanded.len()));
            replaced.push_str(&expanded);
            copied_to = whole.end();
        }
        replaced.push_str(&out[copied_to..]);
        replaced_offsets.extend_from_slice(&offsets[copied_to..]);
        out = replaced;
        offsets = replaced_offsets;
    }
    TransformedText {
        text: std::borrow::Cow::Owned(out),
        offsets: Some(offsets),
    }
}

/// A Python `re.sub` replacement with its groups filled in: `\g<name>`, `\g<1>`, `\1`…`\9`, and the
/// escapes `\\`, `\n`, `\t`.
fn expand_python_replacement(
    replacement: &str,
    captures: &fancy_regex::Captures<'_, str>,
) -> String {
    let mut out = String::with_capacity(replacement.len());
    let mut chars = replacement.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|&(_, next)| next) {
            Some('g') if replacement[index + 2..].starts_with('<') => {
                let rest = &replacement[index + 3..];
                if let Some(close) = rest.find('>') {
                    let name = &rest[..close];
                    let group = match name.parse::<usize>() {
                        Ok(number) => captures.get(number),
                        Err(_) => captures.name(name),
                    };
                    out.push_str(group.map_or("", |m| m.as_str()));
                    // Skip `g<name>`.
                    for _ in 0..name.chars().count() + 3 {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            Some(digit @ '1'..='9') => {
                chars.next();
                let number = digit as usize - '0' as usize;
                out.push_str(captures.get(number).map_or("", |m| m.as_str()));
            }
            Some('n') => {
                chars.next();
                out.push('\n');
            }
            Some('t') => {
                chars.next();
                out.push('\t');
            }
            Some('\\') => {
                chars.next();
                out.push('\\');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every candidate's text joined by spaces as the first candidate (for `pick: join`), the others after it.
fn join_candidates(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let Some(first) = candidates.first() else {
        return candidates;
    };
    let text = candidates
        .iter()
        .map(|c| c.value.normalized_string())
        .collect::<Vec<_>>()
        .join(" ");
    let joined = Candidate {
        value: Value::Text(text),
        provenance: first.provenance.clone(),
        method: first.method,
        label: first.label.clone(),
        label_rank: first.label_rank,
        position_rank: first.position_rank,
        order: first.order,
    };
    std::iter::once(joined).chain(candidates).collect()
}

/// The sum of every candidate's amount as the first candidate (for `pick: sum`), the others after it.
fn sum_candidates(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let amounts: Option<Vec<Decimal>> = candidates.iter().map(|c| c.value.as_decimal()).collect();
    let (Some(amounts), Some(first)) = (amounts, candidates.first()) else {
        return candidates;
    };
    let sum = Candidate {
        value: Value::Decimal(amounts.iter().sum()),
        provenance: first.provenance.clone(),
        method: first.method,
        label: first.label.clone(),
        label_rank: first.label_rank,
        position_rank: first.position_rank,
        order: first.order,
    };
    std::iter::once(sum).chain(candidates).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::TemplateSet;
    use crate::test_pages::document_from_layout;

    #[test]
    fn regex_text_removes_spaces_not_line_breaks_and_replaces_with_python_groups() {
        let transform = RegexText {
            remove_whitespace: true,
            lowercase: false,
            replace: vec![(
                r"No\.(?P<number>\d+)".to_string(),
                r"Number \g<number>\n\1".to_string(),
            )],
        };
        let text = "Invoice No. 42\nTotal 5";
        let transformed = transform_text(text, &transform);
        let out = &transformed.text;
        assert_eq!(out, "InvoiceNumber 42\n42\nTotal5");
        let original = |offset| transformed.original(offset, text.len());
        assert_eq!(original(out.len()), text.len());
        // "Total" still points at its place in the original text; the replacement at what it replaced.
        let total = out.find("Total").unwrap();
        assert_eq!(&text[original(total)..original(total) + 5], "Total");
        assert_eq!(&text[original(7)..original(7) + 3], "No.");
        // The plain transformation is the text itself, offsets unchanged.
        let plain = transform_text(text, &RegexText::default());
        assert!(matches!(plain.text, std::borrow::Cow::Borrowed(_)));
        assert_eq!(plain.original(8, text.len()), 8);
    }

    #[test]
    fn the_decimal_separator_is_the_one_all_amounts_share() {
        let separator = |text: &str| infer_decimal_separator(&document_from_layout(text));
        assert_eq!(
            separator("Diesel 1,789 €/l\nSumme 74,01\nMwSt 11,82\n"),
            Some(',')
        );
        assert_eq!(separator("Subtotal 1,234.56\nTax 3.20\n"), Some('.'));
        assert_eq!(separator("Gesamt 1.234,56\nNetto 1 037,44\n"), Some(','));
        // Mixed, or a single amount: no inference.
        assert_eq!(separator("Total 12,50\nPaid 12.50\n"), None);
        assert_eq!(separator("Total 12,50\n"), None);
        // Not amounts: part of a longer number, or followed by another separator.
        assert_eq!(separator("Ref 12345,67 and 1.000,00, 2.000,00.\n"), None);
        assert_eq!(separator("v1.2.34 build 5.6.78\n"), None);
    }

    #[test]
    fn the_date_order_is_the_one_an_unambiguous_date_shows() {
        let order = |text: &str| infer_date_order(&document_from_layout(text));
        assert_eq!(
            order("Date 25/08/2025\nDue 01/09/2025\n"),
            Some(DateOrder::Dmy)
        );
        assert_eq!(order("Date 08/25/2025\n"), Some(DateOrder::Mdy));
        assert_eq!(order("Date 25.08.25\n"), Some(DateOrder::Dmy));
        assert_eq!(order("Date 01/02/2025\n"), None);
        assert_eq!(order("25/08/2025 and 08/25/2025\n"), None);
        // Part of a longer number: not a date.
        assert_eq!(order("Ref 125/08/2025 and 25/08/20251\n"), None);
    }

    /// A field's value as its normalised string.
    fn value_of(fields: &BTreeMap<String, Field>, key: &str) -> Option<String> {
        fields.get(key).map(|f| f.value.normalized_string())
    }

    fn invoice_fields(text: &str) -> BTreeMap<String, Field> {
        let document = document_from_layout(text);
        let views: Vec<PageView<'_>> = document.pages.iter().map(PageView::new).collect();
        let templates = TemplateSet::builtin().unwrap();
        let template = templates.get("generic-invoice").unwrap();
        extract_fields(&document, &views, template).unwrap()
    }

    #[test]
    fn an_iban_wrapped_onto_the_next_line_is_completed_by_its_checksum() {
        let text = "ACME Tools GmbH\nRechnungsnummer: 2025-17\nGesamtbetrag: 119,00 EUR\n\n\
                    Musterstr. 1          Bank: Volksbank      IBAN: DE89 3704 0044 0532 0130\n\
                    12345 Musterstadt                               00\n";
        let fields = invoice_fields(text);
        assert_eq!(
            fields.get("iban").map(|f| &f.value),
            Some(&Value::Text("DE89370400440532013000".into()))
        );
    }

    #[test]
    fn an_ocr_iban_with_a_letter_in_its_check_digits_and_wide_gaps_is_read() {
        let text = "ACME Tools Ltd\nInvoice No: 2025-17\n\n\
                    IBAN: GBO9 NBRG 2033 8161    4088 23\n";
        let mut document = document_from_layout(text);
        let page = &document.pages[0];
        document.pages[0] = quire_document::Page::from_words(
            1,
            page.width,
            page.height,
            quire_document::PageSource::Ocr,
            page.words.clone(),
            None,
        );
        let views: Vec<PageView<'_>> = document.pages.iter().map(PageView::new).collect();
        let templates = TemplateSet::builtin().unwrap();
        let template = templates.get("generic-invoice").unwrap();
        let fields = extract_fields(&document, &views, template).unwrap();
        assert_eq!(
            fields.get("iban").map(|f| &f.value),
            Some(&Value::Text("GB09NBRG20338161408823".into()))
        );
    }

    #[test]
    fn a_complete_iban_takes_nothing_from_the_next_line() {
        let text = "ACME Tools GmbH\nRechnungsnummer: 2025-17\n\n\
                    IBAN: DE89 3704 0044 0532 0130 00\n\
                    12                                \n";
        let fields = invoice_fields(text);
        assert_eq!(
            fields.get("iban").map(|f| &f.value),
            Some(&Value::Text("DE89370400440532013000".into()))
        );
    }

    #[test]
    fn a_document_without_a_currency_takes_its_vat_ids_country_currency() {
        let french =
            document_from_layout("CAFE DES ARTS\nTVA  FR  19  812  345  676\nTOTAL  49,10\n");
        assert_eq!(tax_country_currency(&french), Some("EUR"));
        let british = document_from_layout("Shop Ltd\nVAT No. GB 391 2048 63\n");
        assert_eq!(tax_country_currency(&british), Some("GBP"));
        let none = document_from_layout("Shop\nTOTAL 12.00\nDE 12 is not an id\n");
        assert_eq!(tax_country_currency(&none), None);
    }

    #[test]
    fn ocr_variants_change_one_character_or_an_end_but_not_the_inside() {
        assert!(is_ocr_variant("tota]", "total"));
        assert!(is_ocr_variant("htotal", "total"));
        assert!(is_ocr_variant("tota", "total"));
        assert!(!is_ocr_variant("ordner", "order"));
        assert!(!is_ocr_variant("subtotal", "total"));
        assert!(!is_ocr_variant("tatol", "total"));
    }

    #[test]
    fn the_iban_checksum_accepts_valid_and_rejects_truncated_numbers() {
        assert!(iban_checksum_holds("DE89370400440532013000"));
        assert!(iban_checksum_holds("GB82WEST12345698765432"));
        assert!(!iban_checksum_holds("DE893704004405320130"));
        assert!(!iban_checksum_holds("DE89370400440532013001"));
        assert!(!looks_like_iban("Rechnung"));
    }

    #[test]
    fn ocr_letters_in_amounts_are_read_as_digits() {
        assert_eq!(repair_ocr_amount("15.u0").as_deref(), Some("15.00"));
        assert_eq!(repair_ocr_amount("o.00").as_deref(), Some("0.00"));
        assert_eq!(repair_ocr_amount("1S,90").as_deref(), Some("15,90"));
        assert_eq!(repair_ocr_amount("12.50"), None);
        assert_eq!(repair_ocr_amount("LG.ua"), None);
        assert_eq!(repair_ocr_amount("Sl.oo"), None);
        assert_eq!(repair_ocr_amount("Total"), None);
    }

    #[test]
    fn a_lost_date_separator_is_restored() {
        assert_eq!(
            restore_date_separator("1202/2018").as_deref(),
            Some("12/02/2018")
        );
        assert_eq!(
            restore_date_separator("2512.18").as_deref(),
            Some("25.12.18")
        );
        assert_eq!(restore_date_separator("12/02/2018"), None);
        assert_eq!(restore_date_separator("1234"), None);
        assert_eq!(restore_date_separator("ABCD/2018"), None);
    }

    #[test]
    fn ocr_split_cents_are_recognised() {
        assert!(is_split_cents("39.", "80"));
        assert!(is_split_cents("RM33,", "92"));
        assert!(!is_split_cents("39", "80"));
        assert!(!is_split_cents("39.", "800"));
        assert!(!is_split_cents("Nr.", "12"));
    }

    #[test]
    fn money_looks_like_two_decimals() {
        assert!(looks_like_money("12.50"));
        assert!(looks_like_money("1.234,56"));
        assert!(!looks_like_money("4"));
        assert!(!looks_like_money("0.5"));
    }

    #[test]
    fn amounts_with_a_glued_currency_sign_and_french_labels() {
        let fields = invoice_fields(
            "Facture FA02/2015/020059      N\u{b0} BC      Date\n\
             \u{20}                             BC06263   2015-30-01\n\n\
             \u{20}               Montant HT             \u{20ac}75 974,00\n\
             \u{20}                  Taxes                 \u{20ac}6029,30\n\
             \u{20}             Montant TTC             \u{20ac} 82 003,30\n",
        );
        let value = |key: &str| value_of(&fields, key);
        // `€75` is the amount's first group, not a currency word to skip (it gave 974,00).
        let amount = |key: &str| fields.get(key).and_then(|f| f.value.as_decimal());
        assert_eq!(amount("netAmount"), Some(Decimal::new(7_597_400, 2)));
        assert_eq!(amount("taxAmount"), Some(Decimal::new(602_930, 2)));
        assert_eq!(amount("totalAmount"), Some(Decimal::new(8_200_330, 2)));
        assert_eq!(value("orderNumber").as_deref(), Some("BC06263"));
        assert_eq!(value("date").as_deref(), Some("2015-01-30"));
    }

    #[test]
    fn a_document_with_year_day_month_dates_reads_its_ambiguous_ones_so() {
        let text = "Invoice 42\nDate - 2015-30-01\nA r\u{e9}gler avant: 2015-04-07\nTotal 10,00\n";
        let fields = invoice_fields(text);
        let value = |key: &str| value_of(&fields, key);
        assert_eq!(value("date").as_deref(), Some("2015-01-30"));
        assert_eq!(value("dueDate").as_deref(), Some("2015-07-04"));
        // Without the unambiguous date, year-first dates are year, month, day.
        let fields = invoice_fields("Invoice 42\nA r\u{e9}gler avant: 2015-04-07\nTotal 10,00\n");
        assert_eq!(value_of(&fields, "dueDate").as_deref(), Some("2015-04-07"));
    }

    #[test]
    fn a_company_named_after_a_sentence_on_its_line_starts_after_the_sentence() {
        let fields = invoice_fields(
            "Rechnung 118NP8\nDie Buchung erfolgte am 10.11.2017 14:25 Uhr. DB Fernverkehr AG, Stephensonstr. 1\nSumme 78,75\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("DB Fernverkehr AG")
        );
    }

    #[test]
    fn an_order_id_shaped_like_an_iban_is_not_taken_as_one() {
        let fields =
            invoice_fields("Invoice No: 42\nOrder ID: OD304175096047380001\nTotal 319.00\n");
        assert!(!fields.contains_key("iban"), "{:?}", fields.get("iban"));
        let fields =
            invoice_fields("Invoice No: 42\nPay to DE89 3704 0044 0532 0130 00\nTotal 319.00\n");
        assert_eq!(
            value_of(&fields, "iban").as_deref(),
            Some("DE89370400440532013000")
        );
    }

    #[test]
    fn an_attention_line_is_the_recipient_not_the_supplier() {
        let fields = invoice_fields(
            "ATTN: iViveLabs Limited\nAmazon Web Services LLC\nInvoice Number: 42183017\nTotal 10,00\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("Amazon Web Services LLC")
        );
    }

    #[test]
    fn a_lower_case_line_above_the_header_is_not_the_supplier_and_a_name_ending_in_and_goes_on() {
        let fields = invoice_fields(
            "   tan chay yee\n  HOME MASTER HARDWARE &\n        ELECTRICAL\n  JALAN SETIA 13, SELANGOR\n\
             Invoice No: CS 47832\nTotal 10.00\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("HOME MASTER HARDWARE & ELECTRICAL")
        );
        // Lower case alone, it is still the best there is.
        let fields = invoice_fields("   acme tools\nInvoice No: 17\nTotal 10.00\n");
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("acme tools")
        );
        // An address line after `&` is not part of the name.
        let fields =
            invoice_fields("  Smith &\n  12 High Street, Leeds\nInvoice No: 17\nTotal 10.00\n");
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("Smith &")
        );
    }

    #[test]
    fn a_name_whose_legal_form_wrapped_onto_the_next_line_is_read_whole() {
        // Under its label.
        let fields = invoice_fields(
            "Rechnung Nr. 17 vom 06.12.2018\n\nVerk\u{e4}ufer:\nMVM Musterhafter\n\
             Versicherungsverein Musterstadt a.G.\nMusterstr. 12\nGesamtbetrag: 119,00 EUR\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("MVM Musterhafter Versicherungsverein Musterstadt a.G.")
        );
        // Without a label: the line above the legal form's line.
        let fields = invoice_fields(
            "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.\nMusterstr. 12\n\
             Rechnung Nr. 17\nGesamtbetrag: 119,00 EUR\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("MVM Musterhafter Versicherungsverein Musterstadt a.G.")
        );
        // A title or an address above it is not part of the name.
        let fields = invoice_fields(
            "INVOICE\nNorthwind Traders Ltd\n12 High Street\nInvoice No: 17\nTotal 10.00\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("Northwind Traders Ltd")
        );
    }

    #[test]
    fn a_date_is_never_the_document_number() {
        let fields = invoice_fields(
            "ACME Versicherung AG\n\
             Rechnung      des   Versicherers       Nr.   01.234.567.8-2018-1     vom\n\
             06.12.2018\nGesamtbetrag: 119,00 EUR\n",
        );
        assert_eq!(
            value_of(&fields, "documentId").as_deref(),
            Some("01.234.567.8-2018-1")
        );
    }

    #[test]
    fn a_request_to_pay_by_a_date_gives_the_due_date() {
        let fields = invoice_fields(
            "Bei Spiel GmbH\nRechnung # RE-20140703/502 vom 03.07.2014\nSumme netto: 496,00 \u{20ac}\n\
             Bitte \u{fc}berweisen Sie bis zum 24.07.2014:\nSumme inkl. USt: 571,04 \u{20ac}\n",
        );
        assert_eq!(value_of(&fields, "dueDate").as_deref(), Some("2014-07-24"));
        assert_eq!(value_of(&fields, "date").as_deref(), Some("2014-07-03"));
    }

    #[test]
    fn a_label_with_its_value_is_not_the_supplier() {
        let fields = invoice_fields(
            "Guest Name: Sanjay                 Date: 31/12/2017\nOYO Rooms\nInvoice No: 17\nTotal 10.00\n",
        );
        assert_eq!(
            value_of(&fields, "supplierName").as_deref(),
            Some("OYO Rooms")
        );
    }

    #[test]
    fn a_number_label_after_n_degree_and_a_label_cell_is_not_the_supplier() {
        let fields = invoice_fields(
            "            Factur\u{e9} a:               N\u{b0} Facture # - FA01/2015/032414\n\
             \u{20}                                    N\u{b0} BC #- BC05299\n\
             \u{20}           YourCompany\n",
        );
        let value = |key: &str| value_of(&fields, key);
        assert_eq!(value("documentId").as_deref(), Some("FA01/2015/032414"));
        assert_eq!(value("orderNumber").as_deref(), Some("BC05299"));
        assert_eq!(value("supplierName").as_deref(), Some("YourCompany"));
    }
}
