//! The template: what a document type looks like, which values to pull out of it and which rules the values
//! must satisfy.
//!
//! The hosted document-extraction API's template parts (`schema_definition`, `prompt_set`, `validation_rules`)
//! are kept as they are so templates round-trip with it; Quire's local extraction rules live beside them in
//! `recognition` and `extraction`. Templates are JSON, checked against this schema on load
//! ([`Template::from_json_str`]) with errors naming the file, the line and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::check_ledger::{text_digest, CheckLedger};
use crate::error::{ExtractError, Result};
use crate::regex_engine::check_regex_syntax;

/// A document template. `id` + `version` identify exactly which rules produced an extraction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable identifier, e.g. `generic-invoice`.
    pub id: String,
    /// Incremented on every edit; extractions record it.
    pub version: u32,
    /// Display name.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Main language of the documents, e.g. `en`, `de`, `multi`.
    #[serde(default)]
    pub template_language: String,
    /// `invoice`, `receipt`, `bank_statement` or any other type name.
    pub document_type: String,
    pub schema_definition: SchemaDefinition,
    #[serde(default)]
    pub prompt_set: PromptSet,
    #[serde(default)]
    pub validation_rules: ValidationRules,
    /// How documents of this type are recognised.
    #[serde(default)]
    pub recognition: Recognition,
    /// Local extraction rules: where each value is found.
    #[serde(default)]
    pub extraction: ExtractionRules,
}

/// The fields a template extracts: header fields and line-item columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaDefinition {
    #[serde(default)]
    pub general_part: BTreeMap<String, FieldMeta>,
    #[serde(default)]
    pub table_part: BTreeMap<String, FieldMeta>,
}

/// Display and type metadata of one field (the hosted API's field definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMeta {
    /// Display name.
    pub name: String,
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub field_type: FieldType,
    pub format_type: FormatType,
    /// Allowed values of a `multiple_choice` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub format_options: Vec<String>,
    /// Display order.
    #[serde(default)]
    pub position: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub char_limit: Option<u32>,
    #[serde(default = "yes")]
    pub is_editable: bool,
    #[serde(default = "yes")]
    pub is_displayed: bool,
}

fn yes() -> bool {
    true
}

/// Whether a field is a header field or a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    #[default]
    General,
    Table,
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatType {
    Text,
    Number,
    Date,
    Boolean,
    MultipleChoice,
}

/// Instructions for the hosted API's language model; kept for round-tripping, unused locally.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptSet {
    #[serde(default)]
    pub global_instructions: String,
    #[serde(default)]
    pub general_prompt: String,
    #[serde(default)]
    pub table_prompt: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationRules {
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One validation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub rule_name: String,
    pub rule_type: RuleType,
    /// Field paths: `general_part.totalAmount` or `table_part.netAmount` (a table column).
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub config: RuleConfig,
}

/// The kinds of validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// Every target has a value; a table target has at least one row with every required column.
    Required,
    /// Sum of `set_1` equals sum of `set_2` (or an alternative) within `tolerance`.
    CompareTotals,
    /// Every present target matches `pattern`.
    Format,
    /// Every present numeric target lies within `min`..=`max`.
    Range,
    /// Every present target is one of the field's `format_options` (or `config.options`).
    OneOf,
    /// The dates in `targets` are in non-decreasing order (e.g. date then dueDate).
    DateOrder,
    /// Per row: quantity × unitPrice − discount ≈ netAmount and netAmount + taxAmount ≈ totalAmount.
    LineArithmetic,
    /// opening + credits − debits = closing, and each row's running balance.
    StatementBalance,
    /// The same supplier and document id must not already be in history.
    Duplicate,
    /// Warns when a target's OCR confidence is below `threshold`.
    LowConfidence,
}

impl RuleType {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleType::Required => "required",
            RuleType::CompareTotals => "compare_totals",
            RuleType::Format => "format",
            RuleType::Range => "range",
            RuleType::OneOf => "one_of",
            RuleType::DateOrder => "date_order",
            RuleType::LineArithmetic => "line_arithmetic",
            RuleType::StatementBalance => "statement_balance",
            RuleType::Duplicate => "duplicate",
            RuleType::LowConfidence => "low_confidence",
        }
    }
}

/// Configuration of a rule; which parts apply depends on the rule type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_1: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_2: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
    /// `format`: the regex a value must match (whole value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `range` bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// `one_of`: allowed values when the field's `format_options` are not used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `low_confidence`: OCR confidence (0–100) under which a value is flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// `line_arithmetic` / `statement_balance`: column keys, when they differ from the standard names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
    /// Any rule: `warning` makes a failed check a warning (the document stays valid and is listed among
    /// those worth a look), for checks that legitimate documents can fail (a credit note's negative total).
    #[serde(default, skip_serializing_if = "Severity::is_error")]
    pub severity: Severity,
}

/// How much a failed check counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document fails validation.
    #[default]
    Error,
    /// The check warns; the document stays valid.
    Warning,
}

impl Severity {
    fn is_error(&self) -> bool {
        *self == Severity::Error
    }
}

/// An alternative right-hand side for `compare_totals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub set_2: Vec<String>,
    #[serde(default)]
    pub label: String,
}

/// How documents of this template's type are recognised.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recognition {
    /// Every one of these must occur.
    #[serde(default)]
    pub keywords_all: Vec<String>,
    /// At least `min_any` of these must occur.
    #[serde(default)]
    pub keywords_any: Vec<String>,
    #[serde(default = "one")]
    pub min_any: usize,
    /// None of these may occur.
    #[serde(default)]
    pub exclude_keywords: Vec<String>,
    /// Keywords are regexes (as in invoice2data) rather than plain words.
    #[serde(default)]
    pub keywords_are_regex: bool,
    /// Among matching templates, the highest priority wins (then the best score).
    #[serde(default)]
    pub priority: i32,
}

fn one() -> usize {
    1
}

/// Quire's local extraction rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractionRules {
    /// Normalisation options for every field (a field may override them).
    #[serde(default)]
    pub options: NormalizeOptions,
    /// Header field key (a `general_part` field) → where its value is found.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableRule>,
    /// How the page text is transformed before field regexes run on it.
    #[serde(default, skip_serializing_if = "RegexText::is_plain")]
    pub regex_text: RegexText,
    /// Amount relations used to choose among candidate values: when the best candidates of `sum` do not
    /// add up to `equals` but other candidates do, those are taken (net + tax = total).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum_relations: Vec<SumRelation>,
}

/// Transformations of the text that field regexes see (invoice2data options).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegexText {
    /// Spaces removed (line breaks kept), as invoice2data's `remove_whitespace`.
    #[serde(default)]
    pub remove_whitespace: bool,
    /// Lower case.
    #[serde(default)]
    pub lowercase: bool,
    /// Regex substitutions `[pattern, replacement]` applied in order after the other transformations
    /// (invoice2data's `replace`: Python `re.sub`, with `\g<name>`, `\g<1>` and `\1` in the replacement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace: Vec<(String, String)>,
}

impl RegexText {
    pub fn is_plain(&self) -> bool {
        !self.remove_whitespace && !self.lowercase && self.replace.is_empty()
    }
}

/// `sum[0] + sum[1] + … = equals`, over header fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumRelation {
    pub sum: Vec<String>,
    pub equals: String,
    /// A term of the relation computed from the others when no label found it (missing, or only a
    /// fallback guess) or when the computed value lies within 0.05 of what a label found (cash rounding):
    /// `totalAmount + changeAmount = amountTendered` gives a receipt's total as tendered minus change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<String>,
}

/// Order of day and month in ambiguous numeric dates such as 05/08/2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    #[default]
    Dmy,
    Mdy,
    Ymd,
    /// Year first, then day and month (`2015-30-04`), as some invoicing software prints; other numeric
    /// dates day-first.
    Ydm,
}

/// How raw text becomes a typed value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizeOptions {
    #[serde(default)]
    pub date_order: DateOrder,
    /// chrono format strings tried before the built-in date forms, e.g. `%d.%m.%Y`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_formats: Vec<String>,
    /// Forces the decimal separator (`.` or `,`) instead of guessing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_separator: Option<char>,
    /// Currency assumed when the document shows none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    /// Never infer the day/month order from the document's unambiguous dates: always use `date_order`.
    #[serde(default)]
    pub fixed_date_order: bool,
    /// Text replacements applied to raw values before parsing: `[from, to]` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace: Vec<(String, String)>,
    #[serde(default)]
    pub remove_whitespace: bool,
    #[serde(default)]
    pub lowercase: bool,
}

/// Where the value sits relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// The words immediately right of the label, up to the next column gap.
    Right,
    /// Anywhere later on the label's line (the last value that parses).
    SameLine,
    /// Directly below the label (horizontally overlapping), within a few lines.
    Below,
    /// The whole next line.
    NextLine,
    /// The sum of the amounts under the label on the following lines (a VAT summary's "Net" or "VAT"
    /// column, one line per rate).
    ColumnSum,
}

/// Which candidate wins when a field is found several times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// The first in reading order (after label preference).
    #[default]
    First,
    /// The last in reading order (totals repeated on each page, final total).
    Last,
    /// The largest amount.
    Max,
    /// The smallest amount.
    Min,
    /// The sum of every match (invoice2data `group: sum`).
    Sum,
    /// Every match's text joined by spaces, regexes in their order (invoice2data `group: join`).
    Join,
}

/// A fallback strategy when neither label nor regex finds a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The first line of page 1 that looks like a company name (a legal form such as GmbH, Ltd, SARL), else
    /// the first text line that is not a title, date or number.
    CompanyName,
    /// The currency shown most often next to amounts (symbol or code).
    DocumentCurrency,
    /// The largest amount printed on the last page.
    LargestAmount,
    /// The first date on page 1.
    FirstDate,
    /// The name under the sender's one-line return address (`Name, Street 1, 12345 City` printed above a
    /// window envelope's address field): the recipient of the document.
    RecipientName,
}

/// Where one header field's value is found. The strategies are tried in order: static value, label, regex,
/// fallback.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// Label spellings, most specific first; matched case-insensitively on word boundaries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Where the value sits relative to the label, tried in order (default: right, then below).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub position: Vec<Position>,
    /// A regex over the page's layout text; the value is the named group `value`, else group 1, else the
    /// whole match. Several may be given and are tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regex: Vec<String>,
    /// Restricts the search to a normalised box of the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Zone>,
    /// A fixed value (e.g. the supplier of a vendor-specific template).
    #[serde(default, rename = "static", skip_serializing_if = "Option::is_none")]
    pub static_value: Option<String>,
    #[serde(default)]
    pub pick: Pick,
    /// A regex the cleaned value must match to be accepted (e.g. `\\d` for identifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
    /// Which value right of / below the label to take when several parse (0 = the first): the second date of
    /// "Period 01.08.2025 - 31.08.2025" is `nth: 1`.
    #[serde(default)]
    pub nth: usize,
    /// `multiple_choice` fields: option → words that mean it (e.g. `card` ← `visa`, `girocard`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub choices: BTreeMap<String, Vec<String>>,
    /// Numbers must be printed with a two-digit decimal part (money), so "Total 4" (items) is not a total.
    #[serde(default)]
    pub decimals_required: bool,
    /// Numbers are taken without their sign (a discount printed as -5.00 is a discount of 5.00).
    #[serde(default)]
    pub absolute: bool,
    /// The value when nothing is found (e.g. `0` for a discount the document does not show).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The label found on several lines of one page gives the sum of their values (one tax line per rate).
    #[serde(default)]
    pub sum_lines: bool,
    /// Longest text value in words (text fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_words: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// Field-specific normalisation options replacing the template's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<NormalizeOptions>,
}

/// A normalised box (0..1 of the page's width and height), optionally on one page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// 1-based page number; negative counts from the end (-1 is the last page); absent means every page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i32>,
}

/// How the line-item table is found and read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRule {
    /// The table starts after a line matching one of these (plain text); absent means at its header line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_markers: Vec<String>,
    /// The table ends at a line starting with one of these (plain text, e.g. `Subtotal`, `Total`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_markers: Vec<String>,
    /// Column key (a `table_part` field) → header spellings.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnRule>,
    /// Headers of columns that are read (so their words do not spill into neighbours) but not kept: item
    /// numbers, units, tax rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_headers: Vec<String>,
    /// Lines skipped inside the table (regexes): sub-totals, carried-forward lines, repeated notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_lines: Vec<String>,
    /// A line starts a new row only when one of these columns holds a value of its type (default: any
    /// numeric column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_anchor: Vec<String>,
    /// A regex a line must match to start a row (in addition to the anchor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_pattern: Option<String>,
    /// Text-only lines below a row are appended to its description.
    #[serde(default = "yes")]
    pub merge_wrapped: bool,
    /// A table without an end marker continues on the next page (below a repeated header, or at the top).
    #[serde(default = "yes")]
    pub continue_on_next_page: bool,
    /// Regex mode (invoice2data `lines`): each line matching this regex is a row, its named groups being
    /// the column keys. Used instead of header columns when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_regex: Option<String>,
    /// Regex mode: a line matching this starts a new row (invoice2data `first_line`); `line_regex` lines
    /// then add to it (texts appended on new lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_line_regex: Option<String>,
    /// Regex mode: a line matching this completes the current row (invoice2data `last_line`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_line_regex: Option<String>,
    /// Regex mode: the table region starts after the first match of this regex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_regex: Option<String>,
    /// Regex mode: the table region ends at the first match of this regex after the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_regex: Option<String>,
    /// Regex mode: patterns tried after `line_regex`, in order (invoice2data lists several; the first
    /// that matches a line reads it). Likewise for `first_line_regex` and `last_line_regex`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_regex_alternatives: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_line_regex_alternatives: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_line_regex_alternatives: Vec<String>,
    /// Regex mode: further rule sets, each read over the document on its own with its rows appended
    /// (invoice2data's `rules` list, or a template's second `lines` field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_rules: Vec<TableRule>,
    /// Tried when this table finds no rows: e.g. the regex rows of till receipts, whose items have no
    /// column headers. In regex mode, `row_anchor` keeps only rows holding one of its columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Box<TableRule>>,
}

/// Header spellings of one table column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    pub headers: Vec<String>,
}

impl Template {
    /// Parses and checks a template. `file` names the source in errors (a path or `builtin:…`).
    ///
    /// Syntax and type errors carry serde_json's line and column plus the path of the offending field;
    /// consistency errors (unknown rule targets, bad regexes, missing choices) carry the field path and the
    /// line where that field appears.
    pub fn from_json_str(file: &str, text: &str) -> Result<Template> {
        // The quick way first; only a template that does not load is read again tracking the path of
        // each value, for an error that names the field (tracking costs a third of the loading time).
        let mut deserializer = serde_json::Deserializer::from_str(text);
        if let Ok(template) = Template::deserialize(&mut deserializer) {
            template.check(file, text)?;
            return Ok(template);
        }
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let template: Template =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let field = error.path().to_string();
                let inner = error.into_inner();
                ExtractError::TemplateSchema {
                    file: file.to_string(),
                    line: inner.line(),
                    column: inner.column(),
                    field: if field == "." { String::new() } else { field },
                    reason: strip_position(&inner.to_string()),
                }
            })?;
        template.check(file, text)?;
        Ok(template)
    }

    /// Parses a template whose text passed [`Template::check`] in this program before (see
    /// [`crate::check_ledger`]): the check is skipped. A text that does not parse goes the full way, for
    /// its error.
    fn from_checked_json_str(file: &str, text: &str) -> Result<Template> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        match Template::deserialize(&mut deserializer) {
            Ok(template) => Ok(template),
            Err(_) => Template::from_json_str(file, text),
        }
    }

    /// The regexes extraction and validation run (fields, their accept patterns, tables, text replacements,
    /// format rules; not the recognition keywords, which classification handles), for
    /// [`crate::regex_engine::precompile`].
    pub fn extraction_regexes(&self) -> Vec<&str> {
        let mut patterns: Vec<&str> = Vec::new();
        for rule in self.extraction.fields.values() {
            patterns.extend(rule.regex.iter().chain(&rule.accept).map(String::as_str));
        }
        if let Some(table) = &self.extraction.table {
            patterns.extend(table_regexes(table).map(|(_, p)| p.as_str()));
        }
        patterns.extend(
            self.extraction
                .regex_text
                .replace
                .iter()
                .map(|(p, _)| p.as_str()),
        );
        patterns.extend(
            self.validation_rules
                .rules
                .iter()
                .filter_map(|rule| rule.config.pattern.as_deref()),
        );
        patterns
    }

    /// Reads and checks a template file.
    pub fn from_path(path: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path).map_err(|source| ExtractError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::from_json_str(&path.display().to_string(), &text)
    }

    /// The template as pretty JSON.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A copy with the version incremented, for saving an edit.
    pub fn next_version(&self) -> Template {
        let mut next = self.clone();
        next.version += 1;
        next
    }

    /// The header fields' keys in display order.
    pub fn general_keys(&self) -> Vec<&str> {
        ordered_keys(&self.schema_definition.general_part)
    }

    /// The table columns' keys in display order.
    pub fn table_keys(&self) -> Vec<&str> {
        ordered_keys(&self.schema_definition.table_part)
    }

    /// Checks consistency beyond the JSON shape. `text` is the template's source, used to locate fields.
    pub fn check(&self, file: &str, text: &str) -> Result<()> {
        let invalid = |path: &[&str], reason: String| ExtractError::TemplateInvalid {
            file: file.to_string(),
            line: locate_line(text, path),
            field: path.join("."),
            reason,
        };
        if self.id.trim().is_empty() {
            return Err(invalid(&["id"], "must not be empty".into()));
        }
        if self.version == 0 {
            return Err(invalid(&["version"], "must be 1 or more".into()));
        }
        let schema = &self.schema_definition;
        for (part_name, part) in [
            ("general_part", &schema.general_part),
            ("table_part", &schema.table_part),
        ] {
            for (key, meta) in part {
                if meta.format_type == FormatType::MultipleChoice && meta.format_options.is_empty()
                {
                    return Err(invalid(
                        &["schema_definition", part_name, key, "format_options"],
                        "a multiple_choice field needs format_options".into(),
                    ));
                }
            }
        }
        for (key, rule) in &self.extraction.fields {
            let path = ["extraction", "fields", key.as_str()];
            if !schema.general_part.contains_key(key) {
                return Err(invalid(
                    &path,
                    format!("`{key}` is not a field of schema_definition.general_part"),
                ));
            }
            for pattern in rule.regex.iter().chain(&rule.accept) {
                check_regex_syntax(pattern)
                    .map_err(|reason| invalid(&["extraction", "fields", key, "regex"], reason))?;
            }
            if let Some(zone) = &rule.zone {
                let inside = |v: f32| (0.0..=1.0).contains(&v);
                if !(inside(zone.x0) && inside(zone.x1) && inside(zone.y0) && inside(zone.y1))
                    || zone.x0 >= zone.x1
                    || zone.y0 >= zone.y1
                {
                    return Err(invalid(
                        &["extraction", "fields", key, "zone"],
                        "a zone needs 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1".into(),
                    ));
                }
            }
            if rule.labels.is_empty()
                && rule.regex.is_empty()
                && rule.static_value.is_none()
                && rule.zone.is_none()
                && rule.fallback.is_none()
            {
                return Err(invalid(
                    &path,
                    "needs at least one of labels, regex, zone, static or fallback".into(),
                ));
            }
        }
        for relation in &self.extraction.sum_relations {
            for key in relation.sum.iter().chain(std::iter::once(&relation.equals)) {
                let is_number = schema
                    .general_part
                    .get(key)
                    .is_some_and(|m| m.format_type == FormatType::Number);
                if !is_number {
                    return Err(invalid(
                        &["extraction", "sum_relations"],
                        format!("`{key}` is not a number field of schema_definition.general_part"),
                    ));
                }
            }
            if let Some(derived) = &relation.derive {
                if !relation.sum.contains(derived) && &relation.equals != derived {
                    return Err(invalid(
                        &["extraction", "sum_relations", "derive"],
                        format!("`{derived}` is not a term of its relation"),
                    ));
                }
            }
        }
        if let Some(table) = &self.extraction.table {
            for key in table.columns.keys() {
                if !schema.table_part.contains_key(key) {
                    return Err(invalid(
                        &["extraction", "table", "columns", key],
                        format!("`{key}` is not a column of schema_definition.table_part"),
                    ));
                }
            }
            for key in &table.row_anchor {
                if !table.columns.contains_key(key) && table.line_regex.is_none() {
                    return Err(invalid(
                        &["extraction", "table", "row_anchor"],
                        format!("`{key}` is not one of the table's columns"),
                    ));
                }
            }
            let patterns = table_regexes(table);
            for (name, pattern) in patterns {
                check_regex_syntax(pattern)
                    .map_err(|reason| invalid(&["extraction", "table", name], reason))?;
            }
        }
        if self.recognition.keywords_are_regex {
            for keyword in self
                .recognition
                .keywords_all
                .iter()
                .chain(&self.recognition.keywords_any)
                .chain(&self.recognition.exclude_keywords)
            {
                check_regex_syntax(keyword)
                    .map_err(|reason| invalid(&["recognition", "keywords_all"], reason))?;
            }
        }
        for (pattern, _) in &self.extraction.regex_text.replace {
            check_regex_syntax(pattern)
                .map_err(|reason| invalid(&["extraction", "regex_text", "replace"], reason))?;
        }
        for (index, rule) in self.validation_rules.rules.iter().enumerate() {
            let rule_path = ["validation_rules", "rules", rule.rule_name.as_str()];
            let paths = rule
                .targets
                .iter()
                .chain(&rule.config.set_1)
                .chain(&rule.config.set_2)
                .chain(rule.config.alternatives.iter().flat_map(|a| &a.set_2));
            for target in paths {
                if resolve_target(self, target).is_none() {
                    return Err(invalid(
                        &rule_path,
                        format!(
                            "rule {} (`{}`): unknown field path `{target}` (expected general_part.KEY or table_part.KEY)",
                            index + 1,
                            rule.rule_name
                        ),
                    ));
                }
            }
            let missing = |what: &str| {
                invalid(
                    &rule_path,
                    format!(
                        "rule `{}` of type {} needs {what}",
                        rule.rule_name,
                        rule.rule_type.as_str()
                    ),
                )
            };
            match rule.rule_type {
                RuleType::CompareTotals => {
                    if rule.config.set_1.is_empty() || rule.config.set_2.is_empty() {
                        return Err(missing("config.set_1 and config.set_2"));
                    }
                }
                RuleType::Format => match &rule.config.pattern {
                    None => return Err(missing("config.pattern")),
                    Some(pattern) => {
                        check_regex_syntax(pattern)
                            .map_err(|reason| invalid(&rule_path, reason))?;
                    }
                },
                RuleType::Range => {
                    if rule.config.min.is_none() && rule.config.max.is_none() {
                        return Err(missing("config.min or config.max"));
                    }
                }
                RuleType::Required
                | RuleType::OneOf
                | RuleType::DateOrder
                | RuleType::Duplicate
                | RuleType::LowConfidence => {
                    if rule.targets.is_empty() {
                        return Err(missing("targets"));
                    }
                }
                RuleType::LineArithmetic | RuleType::StatementBalance => {}
            }
        }
        Ok(())
    }
}

/// Which part of a template a rule path points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPart {
    General,
    Table,
}

/// Splits `general_part.KEY` / `table_part.KEY` (also `tableItems.KEY`) into its part and key, checking
/// that the key exists.
pub fn resolve_target<'a>(template: &Template, path: &'a str) -> Option<(TargetPart, &'a str)> {
    if path == "table_part" || path == "tableItems" {
        return Some((TargetPart::Table, ""));
    }
    let (part, key) = path.split_once('.')?;
    let key = key.strip_prefix("tableItems.").unwrap_or(key);
    let schema = &template.schema_definition;
    match part {
        "general_part" if schema.general_part.contains_key(key) => Some((TargetPart::General, key)),
        "general_part" if key == "tableItems" => Some((TargetPart::Table, "")),
        "table_part" | "tableItems" if schema.table_part.contains_key(key) => {
            Some((TargetPart::Table, key))
        }
        "table_part" if key.is_empty() => Some((TargetPart::Table, "")),
        _ => None,
    }
}

fn ordered_keys(part: &BTreeMap<String, FieldMeta>) -> Vec<&str> {
    let mut keys: Vec<(&str, u32)> = part.iter().map(|(k, m)| (k.as_str(), m.position)).collect();
    keys.sort_by_key(|&(key, position)| (position, key));
    keys.into_iter().map(|(key, _)| key).collect()
}

/// serde_json appends " at line L column C" to its messages; the error carries those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// The 1-based line where the path's last key appears, following the keys in order through the text
/// (0 when not found).
fn locate_line(text: &str, path: &[&str]) -> usize {
    let mut offset = 0;
    let mut found = None;
    for key in path {
        let quoted = format!("\"{key}\"");
        if let Some(index) = text[offset..].find(&quoted) {
            offset += index;
            found = Some(offset);
        }
    }
    found.map_or(0, |index| text[..index].matches('\n').count() + 1)
}

/// The built-in templates, embedded so the binary works without the templates folder.
pub const BUILTIN_TEMPLATES: [(&str, &str); 3] = [
    (
        "builtin:templates/invoice.json",
        include_str!("../../../templates/invoice.json"),
    ),
    (
        "builtin:templates/receipt.json",
        include_str!("../../../templates/receipt.json"),
    ),
    (
        "builtin:templates/bank_statement.json",
        include_str!("../../../templates/bank_statement.json"),
    ),
];

/// A set of templates to classify against, by id (the highest version of each id is kept).
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    templates: Vec<Template>,
    /// The plain recognition keywords of every template in one automaton, built on first use after a change.
    keyword_index: std::sync::OnceLock<crate::classify::KeywordIndex>,
}

impl TemplateSet {
    /// An empty set.
    pub fn new() -> TemplateSet {
        TemplateSet::default()
    }

    /// The built-in generic templates (invoice, receipt, bank statement).
    pub fn builtin() -> Result<TemplateSet> {
        let mut set = TemplateSet::new();
        for (file, text) in BUILTIN_TEMPLATES {
            set.insert(Template::from_json_str(file, text)?);
        }
        Ok(set)
    }

    /// Loads every `*.json` file of a folder. A broken file does not stop the others: its error is returned
    /// beside the set. `Err` only when the folder itself cannot be read.
    pub fn load_dir(dir: &Path) -> Result<(TemplateSet, Vec<ExtractError>)> {
        let mut set = TemplateSet::new();
        let problems = set.add_dir(dir)?;
        Ok((set, problems))
    }

    /// Adds every `*.json` template of a folder (replacing same-id templates of a lower or equal version);
    /// returns the errors of the files that could not be loaded.
    pub fn add_dir(&mut self, dir: &Path) -> Result<Vec<ExtractError>> {
        self.add_dir_checked(dir, None)
    }

    /// [`TemplateSet::add_dir`], skipping the check of templates the `ledger` knows passed it, and
    /// remembering those that pass now (the caller saves the ledger).
    pub fn add_dir_with(
        &mut self,
        dir: &Path,
        ledger: &mut CheckLedger,
    ) -> Result<Vec<ExtractError>> {
        self.add_dir_checked(dir, Some(ledger))
    }

    fn add_dir_checked(
        &mut self,
        dir: &Path,
        mut ledger: Option<&mut CheckLedger>,
    ) -> Result<Vec<ExtractError>> {
        // Files are read here. Templates the ledger knows are only parsed, here too (a few milliseconds for
        // hundreds: quicker on this thread than on new ones, each growing an allocator arena of its own);
        // the others are parsed and checked on every core (most of a command's start-up with a few hundred
        // templates). All are added in file-name order, as one thread would.
        let paths = template_files(dir)?;
        let mut loaded: Vec<Option<Result<Template>>> = Vec::with_capacity(paths.len());
        let mut to_check = Vec::new();
        let mut unchecked = Vec::new();
        for path in &paths {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(source) => {
                    loaded.push(Some(Err(ExtractError::Io {
                        path: path.clone(),
                        source,
                    })));
                    continue;
                }
            };
            let file = path.display().to_string();
            let digest = ledger.as_ref().map(|_| text_digest(&text));
            if ledger
                .as_deref()
                .zip(digest.as_ref())
                .is_some_and(|(l, d)| l.knows(d))
            {
                loaded.push(Some(Template::from_checked_json_str(&file, &text)));
            } else {
                unchecked.push((loaded.len(), digest));
                loaded.push(None);
                to_check.push((file, text));
            }
        }
        for ((index, digest), result) in unchecked.into_iter().zip(check_in_parallel(&to_check)) {
            if let (Ok(_), Some(ledger), Some(digest)) = (&result, ledger.as_deref_mut(), digest) {
                ledger.remember(digest);
            }
            loaded[index] = Some(result);
        }
        let mut problems = Vec::new();
        for result in loaded.into_iter().flatten() {
            match result {
                Ok(template) => self.insert(template),
                Err(error) => problems.push(error),
            }
        }
        Ok(problems)
    }

    /// Adds a template, replacing one with the same id unless that one has a higher version.
    pub fn insert(&mut self, template: Template) {
        self.keyword_index = std::sync::OnceLock::new();
        match self.templates.iter_mut().find(|t| t.id == template.id) {
            Some(existing) if existing.version <= template.version => *existing = template,
            Some(_) => {}
            None => self.templates.push(template),
        }
    }

    /// The template with this id or (case-insensitive) name.
    pub fn get(&self, id_or_name: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.id == id_or_name)
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(id_or_name))
            })
    }

    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    pub(crate) fn keyword_index(&self) -> &crate::classify::KeywordIndex {
        self.keyword_index
            .get_or_init(|| crate::classify::KeywordIndex::new(&self.templates))
    }

    pub fn len(&self) -> usize {
        self.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }
}

/// The regexes of a table rule (its other rules and fallback included), each with its setting's name.
fn table_regexes(table: &TableRule) -> impl Iterator<Item = (&'static str, &String)> {
    fn named<'a>(name: &'static str, patterns: &'a [String]) -> Vec<(&'static str, &'a String)> {
        patterns.iter().map(|p| (name, p)).collect()
    }
    std::iter::once(table)
        .chain(&table.more_rules)
        .chain(table.fallback.as_deref())
        .flat_map(|table| {
            let mut all = named("skip_lines", &table.skip_lines);
            for (name, pattern) in [
                ("row_pattern", &table.row_pattern),
                ("line_regex", &table.line_regex),
                ("first_line_regex", &table.first_line_regex),
                ("last_line_regex", &table.last_line_regex),
                ("start_regex", &table.start_regex),
                ("end_regex", &table.end_regex),
            ] {
                all.extend(pattern.iter().map(|p| (name, p)));
            }
            all.extend(named(
                "line_regex_alternatives",
                &table.line_regex_alternatives,
            ));
            all.extend(named(
                "first_line_regex_alternatives",
                &table.first_line_regex_alternatives,
            ));
            all.extend(named(
                "last_line_regex_alternatives",
                &table.last_line_regex_alternatives,
            ));
            all
        })
}

/// The `*.json` files of a template folder, sorted by name.
fn template_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let io_error = |source| ExtractError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io_error)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// [`Template::from_json_str`] of each (file name, text), in their order, on up to one thread per core (in
/// chunks, so that a few files stay on one thread).
fn check_in_parallel(files: &[(String, String)]) -> Vec<Result<Template>> {
    const MIN_PER_THREAD: usize = 16;
    let check = |(file, text): &(String, String)| Template::from_json_str(file, text);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n_threads = cores.min(files.len() / MIN_PER_THREAD).max(1);
    if n_threads == 1 {
        return files.iter().map(check).collect();
    }
    let chunk = files.len().div_ceil(n_threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
  "id": "acme",
  "version": 2,
  "name": "ACME",
  "document_type": "invoice",
  "schema_definition": {
    "general_part": {
      "totalAmount": { "name": "Total", "format_type": "number" }
    }
  },
  "validation_rules": { "rules": [
    { "rule_name": "total present", "rule_type": "required", "targets": ["general_part.totalAmount"] }
  ] },
  "recognition": { "keywords_all": ["ACME"] },
  "extraction": { "fields": { "totalAmount": { "labels": ["Total"] } } }
}"#;

    #[test]
    fn the_builtin_templates_load_and_pass_the_check() {
        let set = TemplateSet::builtin().unwrap();
        let ids: Vec<&str> = set.templates().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "generic-invoice",
                "generic-receipt",
                "generic-bank-statement"
            ]
        );
        let invoice = set.get("generic-invoice").unwrap();
        for key in [
            "supplierName",
            "documentId",
            "date",
            "dueDate",
            "currencyCode",
            "totalAmount",
        ] {
            assert!(
                invoice.schema_definition.general_part.contains_key(key),
                "{key}"
            );
        }
        assert_eq!(
            set.get("bank statement").unwrap().document_type,
            "bank_statement"
        );
    }

    #[test]
    fn a_minimal_template_round_trips_through_json() {
        let template = Template::from_json_str("acme.json", MINIMAL).unwrap();
        assert_eq!((template.id.as_str(), template.version), ("acme", 2));
        let again = Template::from_json_str("again.json", &template.to_json_string()).unwrap();
        assert_eq!(again, template);
        assert_eq!(template.next_version().version, 3);
    }

    #[test]
    fn a_type_error_names_the_file_line_and_field() {
        let broken = MINIMAL.replace(r#""format_type": "number""#, r#""format_type": "money""#);
        let error = Template::from_json_str("templates/acme.json", &broken).unwrap_err();
        match &error {
            ExtractError::TemplateSchema {
                file, line, field, ..
            } => {
                assert_eq!(file, "templates/acme.json");
                assert_eq!(*line, 8);
                assert_eq!(
                    field,
                    "schema_definition.general_part.totalAmount.format_type"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            error.to_string().starts_with("templates/acme.json: line 8"),
            "{error}"
        );
        assert_eq!(error.code(), "template_schema");
    }

    #[test]
    fn an_unknown_key_is_a_schema_error() {
        let broken = MINIMAL.replace(r#""labels": ["Total"]"#, r#""lables": ["Total"]"#);
        let error = Template::from_json_str("a.json", &broken).unwrap_err();
        assert!(error.to_string().contains("lables"), "{error}");
        assert!(
            error.to_string().contains("extraction.fields.totalAmount"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_rule_target_names_the_rule_and_its_line() {
        let broken = MINIMAL.replace("general_part.totalAmount\"]", "general_part.total\"]");
        let error = Template::from_json_str("a.json", &broken).unwrap_err();
        match &error {
            ExtractError::TemplateInvalid {
                line,
                field,
                reason,
                ..
            } => {
                assert_eq!(*line, 12);
                assert_eq!(field, "validation_rules.rules.total present");
                assert!(reason.contains("general_part.total"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_bad_field_regex_is_a_template_error() {
        let broken = MINIMAL.replace(r#""labels": ["Total"]"#, r#""regex": ["Total (\\d+"]"#);
        let error = Template::from_json_str("a.json", &broken).unwrap_err();
        assert_eq!(error.code(), "template_invalid");
        assert!(
            error
                .to_string()
                .contains("extraction.fields.totalAmount.regex"),
            "{error}"
        );
    }

    #[test]
    fn load_dir_keeps_good_templates_and_reports_broken_files() {
        let dir =
            std::env::temp_dir().join(format!("quire-extract-load-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("acme.json"), MINIMAL).unwrap();
        std::fs::write(dir.join("broken.json"), "{ \"id\": ").unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        let (set, problems) = TemplateSet::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().contains("broken.json"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn a_large_folder_loads_as_one_thread_would_in_file_name_order() {
        // Enough files to be read on several threads: the result must not depend on which thread read what.
        let dir = std::env::temp_dir().join(format!(
            "quire-extract-load-dir-order-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..60 {
            let text = MINIMAL.replace(r#""id": "acme""#, &format!(r#""id": "t{i:02}""#));
            std::fs::write(dir.join(format!("t{i:02}.json")), text).unwrap();
        }
        // Same id and version in the first and the last file: the later file name wins, as when read one by one.
        for (file, name) in [("a-dup.json", "First"), ("z-dup.json", "Second")] {
            let text = MINIMAL
                .replace(r#""id": "acme""#, r#""id": "dup""#)
                .replace(r#""name": "ACME""#, &format!(r#""name": "{name}""#));
            std::fs::write(dir.join(file), text).unwrap();
        }
        std::fs::write(dir.join("broken-1.json"), "{ \"id\": ").unwrap();
        std::fs::write(dir.join("t45-broken.json"), "[]").unwrap();
        let (set, problems) = TemplateSet::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let ids: Vec<&str> = set.templates().iter().map(|t| t.id.as_str()).collect();
        let mut expected = vec!["dup".to_string()];
        expected.extend((0..60).map(|i| format!("t{i:02}")));
        assert_eq!(ids, expected);
        assert_eq!(set.get("dup").unwrap().name, "Second");
        let problem_files: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problem_files.len(), 2, "{problem_files:?}");
        assert!(
            problem_files[0].contains("broken-1.json"),
            "{problem_files:?}"
        );
        assert!(
            problem_files[1].contains("t45-broken.json"),
            "{problem_files:?}"
        );
    }

    #[test]
    fn with_a_ledger_templates_checked_before_load_alike_and_failing_ones_fail_every_time() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            let text = MINIMAL.replace(r#""id": "acme""#, &format!(r#""id": "t{i:02}""#));
            std::fs::write(dir.path().join(format!("t{i:02}.json")), text).unwrap();
        }
        // Parses, but fails its check (an unknown schema field under extraction).
        let unchecked = MINIMAL
            .replace(r#""id": "acme""#, r#""id": "bad""#)
            .replace(r#""totalAmount": { "labels""#, r#""nowhere": { "labels""#);
        assert!(Template::from_json_str("bad", &unchecked).is_err());
        std::fs::write(dir.path().join("bad.json"), unchecked).unwrap();
        let (plain, plain_problems) = TemplateSet::load_dir(dir.path()).unwrap();
        assert_eq!(plain_problems.len(), 1, "{plain_problems:?}");

        let ledger_path = dir.path().join("cache/checked-templates");
        for run in 0..2 {
            let mut ledger = crate::check_ledger::CheckLedger::open_for(&ledger_path, "test");
            let known = (0..40)
                .filter(|i| {
                    let text = std::fs::read_to_string(dir.path().join(format!("t{i:02}.json")));
                    ledger.knows(&text_digest(&text.unwrap()))
                })
                .count();
            assert_eq!(known, if run == 0 { 0 } else { 40 }, "run {run}");
            let mut set = TemplateSet::new();
            let problems = set.add_dir_with(dir.path(), &mut ledger).unwrap();
            ledger.save().unwrap();
            assert_eq!(set.templates(), plain.templates(), "run {run}");
            assert_eq!(problems.len(), 1, "run {run}: {problems:?}");
            assert!(
                problems[0].to_string().contains("bad.json"),
                "{}",
                problems[0]
            );
        }
    }

    #[test]
    fn a_higher_version_replaces_a_lower_one() {
        let mut set = TemplateSet::new();
        let template = Template::from_json_str("a.json", MINIMAL).unwrap();
        set.insert(template.next_version());
        set.insert(template);
        assert_eq!(set.len(), 1);
        assert_eq!(set.get("acme").unwrap().version, 3);
    }
}
