//! Validation rules: each rule of a template checks the extracted values and gives pass, fail, warn or
//! skipped with a message naming the fields and the numbers. Results are data on the document, never errors.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::regex_engine::cached_regex;
use crate::template::{resolve_target, Rule, RuleType, Severity, TargetPart, Template};
use crate::value::{Field, Row, Value};

/// The outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Pass,
    Fail,
    Warn,
    /// The rule could not be evaluated (the message says why).
    Skipped,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule_name: String,
    pub rule_type: RuleType,
    pub status: RuleStatus,
    pub message: String,
}

/// The history of processed documents, asked by the `duplicate` rule. The history store implements it.
pub trait DuplicateLookup {
    /// A description of an already processed document with this supplier and document id (e.g. its file
    /// name and date), or `None`.
    fn find_duplicate(&self, supplier: &str, document_id: &str) -> Option<String>;
}

/// No history: nothing is ever a duplicate.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHistory;

impl DuplicateLookup for NoHistory {
    fn find_duplicate(&self, _supplier: &str, _document_id: &str) -> Option<String> {
        None
    }
}

/// An in-memory history, for tests and single batch runs.
#[derive(Debug, Clone, Default)]
pub struct InMemoryHistory {
    /// (normalised supplier, normalised document id) → description.
    entries: BTreeMap<(String, String), String>,
}

impl InMemoryHistory {
    pub fn new() -> InMemoryHistory {
        InMemoryHistory::default()
    }

    /// Records a processed document.
    pub fn insert(&mut self, supplier: &str, document_id: &str, description: &str) {
        self.entries.insert(
            (normalise_key(supplier), normalise_key(document_id)),
            description.to_string(),
        );
    }
}

impl DuplicateLookup for InMemoryHistory {
    fn find_duplicate(&self, supplier: &str, document_id: &str) -> Option<String> {
        self.entries
            .get(&(normalise_key(supplier), normalise_key(document_id)))
            .cloned()
    }
}

/// Case- and whitespace-insensitive key for duplicate matching.
fn normalise_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Default tolerance of amount comparisons.
pub(crate) const DEFAULT_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
/// Default OCR confidence under which `low_confidence` warns.
const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 60.0;

/// Runs every rule of the template.
pub fn validate(
    template: &Template,
    fields: &BTreeMap<String, Field>,
    rows: &[Row],
    duplicates: &dyn DuplicateLookup,
) -> Vec<RuleResult> {
    let values = Values {
        template,
        fields,
        rows,
    };
    template
        .validation_rules
        .rules
        .iter()
        .map(|rule| {
            let (status, message) = match rule.rule_type {
                RuleType::Required => values.required(rule),
                RuleType::CompareTotals => values.compare_totals(rule),
                RuleType::Format => values.format(rule),
                RuleType::Range => values.range(rule),
                RuleType::OneOf => values.one_of(rule),
                RuleType::DateOrder => values.date_order(rule),
                RuleType::LineArithmetic => values.line_arithmetic(rule),
                RuleType::StatementBalance => values.statement_balance(rule),
                RuleType::Duplicate => values.duplicate(rule, duplicates),
                RuleType::LowConfidence => values.low_confidence(rule),
            };
            let status = match (status, rule.config.severity) {
                (RuleStatus::Fail, Severity::Warning) => RuleStatus::Warn,
                (status, _) => status,
            };
            RuleResult {
                rule_name: rule.rule_name.clone(),
                rule_type: rule.rule_type,
                status,
                message,
            }
        })
        .collect()
}

struct Values<'a> {
    template: &'a Template,
    fields: &'a BTreeMap<String, Field>,
    rows: &'a [Row],
}

type Outcome = (RuleStatus, String);

/// An amount as printed in messages: with the scale it was read with (`119.00`).
/// What a line's net amount should be: quantity × unit price − |discount|, rounded to the net amount's
/// precision (`net_scale`, at least 2) when prices have more decimals.
pub(crate) fn line_product(
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
    net_scale: u32,
) -> Decimal {
    (quantity * unit_price - discount.abs()).round_dp(net_scale.max(2))
}

fn money(value: Decimal) -> String {
    value.to_string()
}

/// `a 1 + b 2 = 3`, or just `a 1` for a single term.
fn with_sum(terms: &str, n_terms: usize, total: Decimal) -> String {
    if n_terms > 1 {
        format!("{terms} = {}", money(total))
    } else {
        terms.to_string()
    }
}

impl Values<'_> {
    fn general(&self, key: &str) -> Option<&Value> {
        self.fields
            .get(key)
            .map(|f| &f.value)
            .filter(|v| !v.is_blank())
    }

    /// The amount at a path: a header field's value, or the sum of a table column (None when missing).
    fn amount(&self, path: &str) -> Result<Decimal, String> {
        match resolve_target(self.template, path) {
            Some((TargetPart::General, key)) => match self.general(key) {
                Some(Value::Decimal(value)) => Ok(*value),
                Some(other) => Err(format!(
                    "{path} is not a number ({})",
                    other.normalized_string()
                )),
                None => Err(format!("{path} is missing")),
            },
            Some((TargetPart::Table, key)) => {
                let values: Vec<Decimal> =
                    self.rows.iter().filter_map(|r| r.decimal(key)).collect();
                if values.is_empty() {
                    Err(format!("{path} has no values (no table rows with it)"))
                } else {
                    Ok(values.iter().sum())
                }
            }
            None => Err(format!("{path} is not a field of the template")),
        }
    }

    fn sum(&self, paths: &[String]) -> Result<(Decimal, String), String> {
        let mut total = Decimal::ZERO;
        let mut parts = Vec::new();
        for path in paths {
            let value = self.amount(path)?;
            total += value;
            parts.push(format!("{} {}", short(path), money(value)));
        }
        Ok((total, parts.join(" + ")))
    }

    fn required(&self, rule: &Rule) -> Outcome {
        let mut missing = Vec::new();
        for target in &rule.targets {
            match resolve_target(self.template, target) {
                Some((TargetPart::General, key)) => {
                    if self.general(key).is_none() {
                        missing.push(target.clone());
                    }
                }
                Some((TargetPart::Table, key)) => {
                    if self.rows.is_empty() {
                        missing.push(format!("{target} (no table rows)"));
                    } else if !key.is_empty() {
                        let rows_without: Vec<String> = self
                            .rows
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.cells.get(key).is_none_or(|c| c.value.is_blank()))
                            .map(|(i, _)| (i + 1).to_string())
                            .collect();
                        if !rows_without.is_empty() {
                            missing.push(format!("{target} (rows {})", rows_without.join(", ")));
                        }
                    }
                }
                None => missing.push(format!("{target} (unknown field)")),
            }
        }
        if missing.is_empty() {
            (
                RuleStatus::Pass,
                format!("all {} required values present", rule.targets.len()),
            )
        } else {
            (RuleStatus::Fail, format!("missing: {}", missing.join(", ")))
        }
    }

    fn compare_totals(&self, rule: &Rule) -> Outcome {
        let tolerance = rule.config.tolerance.unwrap_or(DEFAULT_TOLERANCE).abs();
        let (left, left_text) = match self.sum(&rule.config.set_1) {
            Ok(found) => found,
            Err(reason) => return (RuleStatus::Skipped, format!("cannot compare: {reason}")),
        };
        let mut tried = Vec::new();
        let sets = std::iter::once((&rule.config.set_2, None)).chain(
            rule.config
                .alternatives
                .iter()
                .map(|a| (&a.set_2, Some(a.label.as_str()))),
        );
        let mut n_evaluated = 0;
        let mut first_skip = None;
        for (set_2, label) in sets {
            let (right, right_text) = match self.sum(set_2) {
                Ok(found) => found,
                Err(reason) => {
                    first_skip.get_or_insert(reason);
                    continue;
                }
            };
            n_evaluated += 1;
            let difference = (left - right).abs();
            if difference <= tolerance {
                let via = label.map_or(String::new(), |l| format!(" (alternative: {l})"));
                return (
                    RuleStatus::Pass,
                    format!(
                        "{} equals {}{via} within {}",
                        with_sum(&left_text, rule.config.set_1.len(), left),
                        with_sum(&right_text, set_2.len(), right),
                        money(tolerance)
                    ),
                );
            }
            tried.push(format!(
                "{} but {} (difference {}){}",
                with_sum(&left_text, rule.config.set_1.len(), left),
                with_sum(&right_text, set_2.len(), right),
                money(difference),
                label.map_or(String::new(), |l| format!(" [{l}]"))
            ));
        }
        if n_evaluated == 0 {
            return (
                RuleStatus::Skipped,
                format!("cannot compare: {}", first_skip.unwrap_or_default()),
            );
        }
        (
            RuleStatus::Fail,
            format!("{}; tolerance {}", tried.join("; "), money(tolerance)),
        )
    }

    /// Present values of the targets, as (path, value) (table targets give one per row).
    fn target_values(&self, rule: &Rule) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for target in &rule.targets {
            match resolve_target(self.template, target) {
                Some((TargetPart::General, key)) => {
                    if let Some(value) = self.general(key) {
                        out.push((target.clone(), value.clone()));
                    }
                }
                Some((TargetPart::Table, key)) => {
                    for (index, row) in self.rows.iter().enumerate() {
                        if let Some(cell) = row.cells.get(key).filter(|c| !c.value.is_blank()) {
                            out.push((format!("{target}[{}]", index + 1), cell.value.clone()));
                        }
                    }
                }
                None => {}
            }
        }
        out
    }

    fn format(&self, rule: &Rule) -> Outcome {
        let Some(pattern) = rule.config.pattern.as_deref() else {
            return (RuleStatus::Skipped, "no pattern configured".into());
        };
        let regex = match cached_regex(pattern) {
            Ok(regex) => regex,
            Err(reason) => return (RuleStatus::Skipped, reason),
        };
        let values = self.target_values(rule);
        if values.is_empty() {
            return (
                RuleStatus::Skipped,
                format!("no value for {}", rule.targets.join(", ")),
            );
        }
        let bad: Vec<String> = values
            .iter()
            .filter(|(_, v)| !regex.is_match(&v.normalized_string()).unwrap_or(false))
            .map(|(path, v)| format!("{} `{}`", short(path), v.normalized_string()))
            .collect();
        if bad.is_empty() {
            (
                RuleStatus::Pass,
                format!("{} value(s) match {pattern}", values.len()),
            )
        } else {
            (
                RuleStatus::Fail,
                format!("{} do(es) not match {pattern}", bad.join(", ")),
            )
        }
    }

    fn range(&self, rule: &Rule) -> Outcome {
        let values = self.target_values(rule);
        let numbers: Vec<(String, Decimal)> = values
            .into_iter()
            .filter_map(|(path, v)| v.as_decimal().map(|d| (path, d)))
            .collect();
        if numbers.is_empty() {
            return (
                RuleStatus::Skipped,
                format!("no number for {}", rule.targets.join(", ")),
            );
        }
        let (min, max) = (rule.config.min, rule.config.max);
        let bounds = match (min, max) {
            (Some(lo), Some(hi)) => format!("between {} and {}", money(lo), money(hi)),
            (Some(lo), None) => format!("at least {}", money(lo)),
            (None, Some(hi)) => format!("at most {}", money(hi)),
            (None, None) => return (RuleStatus::Skipped, "no bounds configured".into()),
        };
        let outside: Vec<String> = numbers
            .iter()
            .filter(|(_, v)| min.is_some_and(|lo| *v < lo) || max.is_some_and(|hi| *v > hi))
            .map(|(path, v)| format!("{} {}", short(path), money(*v)))
            .collect();
        if outside.is_empty() {
            (
                RuleStatus::Pass,
                format!("{} value(s) {bounds}", numbers.len()),
            )
        } else {
            (
                RuleStatus::Fail,
                format!("{} not {bounds}", outside.join(", ")),
            )
        }
    }

    fn one_of(&self, rule: &Rule) -> Outcome {
        let values = self.target_values(rule);
        if values.is_empty() {
            return (
                RuleStatus::Skipped,
                format!("no value for {}", rule.targets.join(", ")),
            );
        }
        let mut bad = Vec::new();
        for (path, value) in &values {
            let key = path.split_once('.').map_or("", |(_, k)| k);
            let key = key.split('[').next().unwrap_or(key);
            let options: Vec<&String> = if rule.config.options.is_empty() {
                let schema = &self.template.schema_definition;
                schema
                    .general_part
                    .get(key)
                    .or_else(|| schema.table_part.get(key))
                    .map(|m| m.format_options.iter().collect())
                    .unwrap_or_default()
            } else {
                rule.config.options.iter().collect()
            };
            let text = value.normalized_string();
            if !options.iter().any(|o| o.eq_ignore_ascii_case(&text)) {
                bad.push(format!(
                    "{} `{text}` is not one of {}",
                    short(path),
                    options
                        .iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if bad.is_empty() {
            (
                RuleStatus::Pass,
                format!("{} value(s) among the options", values.len()),
            )
        } else {
            (RuleStatus::Fail, bad.join("; "))
        }
    }

    fn date_order(&self, rule: &Rule) -> Outcome {
        let dates: Vec<(String, chrono::NaiveDate)> = self
            .target_values(rule)
            .into_iter()
            .filter_map(|(path, v)| v.as_date().map(|d| (path, d)))
            .collect();
        if dates.len() < 2 {
            return (
                RuleStatus::Skipped,
                format!(
                    "needs two dates among {}, found {}",
                    rule.targets.join(", "),
                    dates.len()
                ),
            );
        }
        for pair in dates.windows(2) {
            if pair[1].1 < pair[0].1 {
                return (
                    RuleStatus::Fail,
                    format!(
                        "{} {} is before {} {}",
                        short(&pair[1].0),
                        pair[1].1,
                        short(&pair[0].0),
                        pair[0].1
                    ),
                );
            }
        }
        let listed: Vec<String> = dates
            .iter()
            .map(|(p, d)| format!("{} {d}", short(p)))
            .collect();
        (
            RuleStatus::Pass,
            format!("in order: {}", listed.join(" ≤ ")),
        )
    }

    fn column<'c>(&self, rule: &'c Rule, standard: &'c str) -> &'c str {
        rule.config
            .columns
            .get(standard)
            .map_or(standard, String::as_str)
    }

    fn line_arithmetic(&self, rule: &Rule) -> Outcome {
        let tolerance = rule.config.tolerance.unwrap_or(DEFAULT_TOLERANCE).abs();
        let [quantity, unit_price, discount, net, tax, total] = [
            "quantity",
            "unitPrice",
            "discountAmount",
            "netAmount",
            "taxAmount",
            "totalAmount",
        ]
        .map(|name| self.column(rule, name));
        let mut n_checked = 0;
        let mut failures = Vec::new();
        for (index, row) in self.rows.iter().enumerate() {
            let row_number = index + 1;
            let discount_value = row.decimal(discount).unwrap_or(Decimal::ZERO);
            if let (Some(q), Some(p), Some(n)) = (
                row.decimal(quantity),
                row.decimal(unit_price),
                row.decimal(net),
            ) {
                n_checked += 1;
                let rounded = line_product(q, p, discount_value, n.scale());
                if (rounded - n).abs() > tolerance {
                    failures.push(format!(
                        "row {row_number}: {quantity} {} × {unit_price} {} − {discount} {} = {} but {net} is {}",
                        money(q),
                        money(p),
                        money(discount_value),
                        money(rounded),
                        money(n)
                    ));
                }
            }
            if let (Some(n), Some(t), Some(g)) =
                (row.decimal(net), row.decimal(tax), row.decimal(total))
            {
                n_checked += 1;
                if (n + t - g).abs() > tolerance {
                    failures.push(format!(
                        "row {row_number}: {net} {} + {tax} {} = {} but {total} is {}",
                        money(n),
                        money(t),
                        money(n + t),
                        money(g)
                    ));
                }
            }
        }
        if n_checked == 0 {
            return (
                RuleStatus::Skipped,
                format!(
                    "no row has {quantity}, {unit_price} and {net} (or {net}, {tax} and {total}) ({} rows)",
                    self.rows.len()
                ),
            );
        }
        // Values OCR misread that the rows' own sums repaired (`crate::row_repair`): a person may check them.
        let repairs: Vec<String> = self
            .rows
            .iter()
            .enumerate()
            .flat_map(|(index, row)| {
                row.cells.iter().filter_map(move |(key, cell)| {
                    let read = cell.repaired_from.as_ref()?.normalized_string();
                    let value = cell.value.normalized_string();
                    let row_number = index + 1;
                    Some(if read.is_empty() {
                        format!("row {row_number}: {key} not read, {value} from the row's sums")
                    } else {
                        format!("row {row_number}: {key} read as {read}, repaired to {value}")
                    })
                })
            })
            .collect();
        let repaired = if repairs.is_empty() {
            String::new()
        } else {
            format!(
                " after {} OCR repair(s) ({})",
                repairs.len(),
                repairs.join("; ")
            )
        };
        if failures.is_empty() {
            let status = if repairs.is_empty() {
                RuleStatus::Pass
            } else {
                RuleStatus::Warn
            };
            (
                status,
                format!(
                    "{n_checked} line check(s) on {} row(s) add up{repaired}",
                    self.rows.len()
                ),
            )
        } else {
            (
                RuleStatus::Fail,
                format!("{}{repaired}", failures.join("; ")),
            )
        }
    }

    fn statement_balance(&self, rule: &Rule) -> Outcome {
        let tolerance = rule.config.tolerance.unwrap_or(DEFAULT_TOLERANCE).abs();
        let [opening_key, closing_key, credit, debit, balance] = [
            "openingBalance",
            "closingBalance",
            "creditAmount",
            "debitAmount",
            "balanceAmount",
        ]
        .map(|name| self.column(rule, name));
        let opening = self.general(opening_key).and_then(Value::as_decimal);
        let closing = self.general(closing_key).and_then(Value::as_decimal);
        let credits: Decimal = self
            .rows
            .iter()
            .filter_map(|r| r.decimal(credit))
            .map(|d| d.abs())
            .sum();
        let debits: Decimal = self
            .rows
            .iter()
            .filter_map(|r| r.decimal(debit))
            .map(|d| d.abs())
            .sum();
        let mut failures = Vec::new();
        let mut checks = Vec::new();
        if let (Some(open), Some(close)) = (opening, closing) {
            let expected = open + credits - debits;
            if (expected - close).abs() > tolerance {
                failures.push(format!(
                    "{opening_key} {} + credits {} − debits {} = {} but {closing_key} is {}",
                    money(open),
                    money(credits),
                    money(debits),
                    money(expected),
                    money(close)
                ));
            } else {
                checks.push(format!(
                    "{opening_key} {} + credits {} − debits {} = {closing_key} {}",
                    money(open),
                    money(credits),
                    money(debits),
                    money(close)
                ));
            }
        }
        let mut running = opening;
        let mut n_running = 0;
        for (index, row) in self.rows.iter().enumerate() {
            let change = row.decimal(credit).map_or(Decimal::ZERO, |d| d.abs())
                - row.decimal(debit).map_or(Decimal::ZERO, |d| d.abs());
            match (running, row.decimal(balance)) {
                (Some(before), Some(printed)) => {
                    n_running += 1;
                    let expected = before + change;
                    if (expected - printed).abs() > tolerance {
                        failures.push(format!(
                            "row {}: balance {} + {} = {} but {balance} is {}",
                            index + 1,
                            money(before),
                            money(change),
                            money(expected),
                            money(printed)
                        ));
                    }
                    running = Some(printed);
                }
                (None, Some(printed)) => running = Some(printed),
                (Some(before), None) => running = Some(before + change),
                (None, None) => {}
            }
        }
        if n_running > 0 {
            checks.push(format!("{n_running} running balance(s) agree"));
        }
        if !failures.is_empty() {
            return (RuleStatus::Fail, failures.join("; "));
        }
        if checks.is_empty() {
            return (
                RuleStatus::Skipped,
                format!("needs {opening_key} and {closing_key} or rows with {balance}"),
            );
        }
        (RuleStatus::Pass, checks.join("; "))
    }

    fn duplicate(&self, rule: &Rule, duplicates: &dyn DuplicateLookup) -> Outcome {
        let mut texts = Vec::new();
        for target in &rule.targets {
            match resolve_target(self.template, target) {
                Some((TargetPart::General, key)) => match self.general(key) {
                    Some(value) => texts.push(value.normalized_string()),
                    None => {
                        return (RuleStatus::Skipped, format!("{target} is missing"));
                    }
                },
                _ => {
                    return (
                        RuleStatus::Skipped,
                        format!("{target} is not a header field"),
                    )
                }
            }
        }
        let (supplier, document_id) = match texts.as_slice() {
            [supplier, document_id, ..] => (supplier.as_str(), document_id.as_str()),
            [document_id] => ("", document_id.as_str()),
            [] => return (RuleStatus::Skipped, "no targets".into()),
        };
        match duplicates.find_duplicate(supplier, document_id) {
            Some(existing) => (
                RuleStatus::Fail,
                format!(
                    "supplier `{supplier}` document `{document_id}` already processed: {existing}"
                ),
            ),
            None => (
                RuleStatus::Pass,
                format!("supplier `{supplier}` document `{document_id}` not seen before"),
            ),
        }
    }

    fn low_confidence(&self, rule: &Rule) -> Outcome {
        let threshold = rule
            .config
            .threshold
            .unwrap_or(DEFAULT_CONFIDENCE_THRESHOLD);
        let mut low = Vec::new();
        let mut n_checked = 0;
        for target in &rule.targets {
            match resolve_target(self.template, target) {
                Some((TargetPart::General, key)) => {
                    if let Some(field) = self.fields.get(key) {
                        n_checked += 1;
                        let confidence = field.confidence();
                        if confidence < threshold {
                            low.push(format!(
                                "{} `{}` read with confidence {confidence:.0}",
                                short(target),
                                field.value.normalized_string()
                            ));
                        }
                    }
                }
                Some((TargetPart::Table, key)) => {
                    for (index, row) in self.rows.iter().enumerate() {
                        if let Some(cell) = row.cells.get(key) {
                            n_checked += 1;
                            let confidence =
                                cell.provenance.as_ref().map_or(100.0, |p| p.confidence);
                            if confidence < threshold {
                                low.push(format!(
                                    "{}[{}] `{}` read with confidence {confidence:.0}",
                                    short(target),
                                    index + 1,
                                    cell.value.normalized_string()
                                ));
                            }
                        }
                    }
                }
                None => {}
            }
        }
        if n_checked == 0 {
            return (
                RuleStatus::Skipped,
                format!("no value for {}", rule.targets.join(", ")),
            );
        }
        if low.is_empty() {
            (
                RuleStatus::Pass,
                format!("{n_checked} value(s) read with confidence ≥ {threshold:.0}"),
            )
        } else {
            (
                RuleStatus::Warn,
                format!("{} (threshold {threshold:.0})", low.join("; ")),
            )
        }
    }
}

/// `general_part.totalAmount` → `totalAmount`, `table_part.netAmount` → `tableItems.netAmount`.
fn short(path: &str) -> String {
    if let Some(key) = path.strip_prefix("general_part.") {
        key.to_string()
    } else if let Some(key) = path.strip_prefix("table_part.") {
        format!("tableItems.{key}")
    } else {
        path.to_string()
    }
}
