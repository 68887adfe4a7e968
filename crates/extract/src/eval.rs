//! The accuracy harness: corpus adapters that pair documents with their ground truth (sample-docs, zugferd,
//! sroie, invoices9, invoice2data), and the comparison of extractions with it: per-field normalised exact
//! match, line-item precision / recall / F1, validation outcomes and time per document.
//!
//! Reading documents is the caller's job (the CLI passes the reader), so this module has no native
//! dependencies and its tests run on text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use quire_document::Document;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::classify::{chosen, classify};
use crate::error::{ExtractError, Result};
use crate::extraction::{extract, ExtractOptions, Extraction};
use crate::normalize::parse_date;
use crate::template::{FormatType, NormalizeOptions, TemplateSet};
use crate::value::Row;

/// The ground-truth layouts the harness understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorpusKind {
    /// Quire's sample-docs: `<stem>.json` next to each file, hosted-API field names.
    SampleDocs,
    /// ZUGFeRD / Factur-X PDFs in `pdf/`, truth in `ground_truth/<same path>.json`.
    Zugferd,
    /// SROIE receipts: `img/NNN.jpg`, truth in `key/NNN.json`.
    Sroie,
    /// invoices9: `model_K/images/<id>.jpg`, truth in `model_K/gt_json/<id>.json`.
    Invoices9,
    /// invoice2data's compare set: `<name>.pdf|txt` with `<name>.json` (a one-element list).
    Invoice2data,
}

impl CorpusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CorpusKind::SampleDocs => "sample_docs",
            CorpusKind::Zugferd => "zugferd",
            CorpusKind::Sroie => "sroie",
            CorpusKind::Invoices9 => "invoices9",
            CorpusKind::Invoice2data => "invoice2data",
        }
    }

    /// The template a corpus is evaluated with: a fixed generic template, or classification.
    pub fn template_choice(self) -> Option<&'static str> {
        match self {
            CorpusKind::SampleDocs | CorpusKind::Invoice2data => None,
            CorpusKind::Zugferd | CorpusKind::Invoices9 => Some("generic-invoice"),
            CorpusKind::Sroie => Some("generic-receipt"),
        }
    }
}

/// One document with its expected values (normalised strings in the hosted API's field names, or the
/// template's own names for invoice2data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalCase {
    /// Path relative to the corpus folder.
    pub name: String,
    pub document_path: PathBuf,
    /// `invoice`, `receipt`, `bank_statement` when known.
    pub document_type: Option<String>,
    /// `text` for text-layer documents, `scan` for images and scanned PDFs, when known.
    pub rendering: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub line_items: Vec<BTreeMap<String, String>>,
}

/// A corpus: its kind and its cases.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub kind: CorpusKind,
    pub root: PathBuf,
    pub cases: Vec<EvalCase>,
}

fn read_json(path: &Path) -> Result<Json> {
    let text = std::fs::read_to_string(path).map_err(|source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|error| ExtractError::BadInput {
        file: path.display().to_string(),
        reason: format!("invalid JSON: {error}"),
    })
}

/// Scalar JSON as a string (`null` and empty strings as absent).
/// A ground truth's `lines`, each projected onto our column keys: `(ours, theirs)` pairs.
fn truth_lines(truth: &Json, columns: &[(&str, &str)]) -> Vec<BTreeMap<String, String>> {
    let Some(lines) = truth.get("lines").and_then(Json::as_array) else {
        return Vec::new();
    };
    lines
        .iter()
        .map(|line| {
            columns
                .iter()
                .filter_map(|(ours, theirs)| {
                    scalar(line.get(*theirs)).map(|value| (ours.to_string(), value))
                })
                .collect()
        })
        .collect()
}

fn scalar(value: Option<&Json>) -> Option<String> {
    match value? {
        Json::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Json::Number(number) => Some(number.to_string()),
        Json::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

const DOCUMENT_EXTENSIONS: [&str; 8] = ["pdf", "png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp"];

fn is_document(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_lowercase().as_str()))
}

/// Recognises a corpus folder's layout and loads its cases. Cases whose ground truth is malformed are
/// returned as errors beside the corpus (one broken file does not stop the evaluation).
pub fn discover(root: &Path) -> Result<(Corpus, Vec<ExtractError>)> {
    if !root.is_dir() {
        return Err(ExtractError::BadInput {
            file: root.display().to_string(),
            reason: "not a folder".into(),
        });
    }
    let kind = if root.join("ground_truth").is_dir() && root.join("pdf").is_dir() {
        CorpusKind::Zugferd
    } else if root.join("key").is_dir() && root.join("img").is_dir() {
        CorpusKind::Sroie
    } else if root.join("gt_json").is_dir()
        || std::fs::read_dir(root)
            .map(|mut entries| {
                entries
                    .any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("model_")))
            })
            .unwrap_or(false)
    {
        CorpusKind::Invoices9
    } else if root.join("compare").is_dir() || root.join("templates_reference").is_dir() {
        CorpusKind::Invoice2data
    } else {
        CorpusKind::SampleDocs
    };
    let mut files = Vec::new();
    let scan_root = if kind == CorpusKind::Invoice2data && root.join("compare").is_dir() {
        root.join("compare")
    } else {
        root.to_path_buf()
    };
    files_under(&scan_root, &mut files);
    files.sort();
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let loaded = match kind {
            CorpusKind::Zugferd => zugferd_case(root, &path),
            CorpusKind::Sroie => sroie_case(root, &path),
            CorpusKind::Invoices9 => invoices9_case(root, &path),
            CorpusKind::Invoice2data => invoice2data_case(root, &path),
            CorpusKind::SampleDocs => sample_docs_case(root, &path),
        };
        match loaded {
            Ok(Some(case)) => cases.push(case),
            Ok(None) => {}
            Err(error) => problems.push(error),
        }
    }
    Ok((
        Corpus {
            kind,
            root: root.to_path_buf(),
            cases,
        },
        problems,
    ))
}

fn sample_docs_case(root: &Path, path: &Path) -> Result<Option<EvalCase>> {
    if !is_document(path) {
        return Ok(None);
    }
    let truth_path = path.with_extension("json");
    if !truth_path.is_file() {
        return Ok(None);
    }
    let truth = read_json(&truth_path)?;
    let mut fields = BTreeMap::new();
    if let Some(Json::Object(map)) = truth.get("fields") {
        for (key, value) in map {
            if let Some(text) = scalar(Some(value)) {
                fields.insert(key.clone(), text);
            }
        }
    }
    let line_items = truth
        .get("line_items")
        .and_then(Json::as_array)
        .map(|items| items.iter().map(object_strings).collect())
        .unwrap_or_default();
    let rendering = scalar(truth.get("rendering")).map(|r| {
        let lower = r.to_lowercase();
        if lower.contains("scan") || lower.contains("photo") || lower.contains("image") {
            "scan".to_string()
        } else {
            "text".to_string()
        }
    });
    Ok(Some(EvalCase {
        name: relative(root, path),
        document_path: path.to_path_buf(),
        document_type: scalar(truth.get("document_type")),
        rendering,
        fields,
        line_items,
    }))
}

fn object_strings(value: &Json) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Json::Object(map) = value {
        for (key, value) in map {
            if let Some(text) = scalar(Some(value)) {
                out.insert(key.clone(), text);
            }
        }
    }
    out
}

fn zugferd_case(root: &Path, path: &Path) -> Result<Option<EvalCase>> {
    let pdf_root = root.join("pdf");
    if !is_document(path) || !path.starts_with(&pdf_root) {
        return Ok(None);
    }
    let relative_path = path.strip_prefix(&pdf_root).unwrap_or(path);
    let truth_path = root
        .join("ground_truth")
        .join(relative_path)
        .with_extension("json");
    if !truth_path.is_file() {
        return Ok(None);
    }
    let truth = read_json(&truth_path)?;
    let mut fields = BTreeMap::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            fields.insert(key.to_string(), value);
        }
    };
    put("documentId", scalar(truth.get("invoice_number")));
    put("date", scalar(truth.get("issue_date")));
    put("dueDate", scalar(truth.get("due_date")));
    put("currencyCode", scalar(truth.get("currency")));
    put("supplierName", scalar(truth.pointer("/seller/name")));
    put(
        "netAmount",
        scalar(truth.pointer("/totals/tax_basis_total")),
    );
    put("taxAmount", scalar(truth.pointer("/totals/tax_total")));
    put("totalAmount", scalar(truth.pointer("/totals/grand_total")));
    let line_items = truth_lines(
        &truth,
        &[
            ("description", "name"),
            ("quantity", "quantity"),
            ("unitPrice", "unit_price_net"),
            ("netAmount", "line_total"),
        ],
    );
    Ok(Some(EvalCase {
        name: relative(root, path),
        document_path: path.to_path_buf(),
        document_type: Some("invoice".into()),
        rendering: Some("text".into()),
        fields,
        line_items,
    }))
}

fn sroie_case(root: &Path, path: &Path) -> Result<Option<EvalCase>> {
    if !is_document(path) || !path.starts_with(root.join("img")) {
        return Ok(None);
    }
    let Some(stem) = path.file_stem() else {
        return Ok(None);
    };
    let truth_path = root.join("key").join(stem).with_extension("json");
    if !truth_path.is_file() {
        return Ok(None);
    }
    let truth = read_json(&truth_path)?;
    let mut fields = BTreeMap::new();
    if let Some(company) = scalar(truth.get("company")) {
        fields.insert("supplierName".into(), company);
    }
    if let Some(date) = scalar(truth.get("date")) {
        // Printed as on the receipt: normalise (Malaysian receipts are day-first).
        let normalised = crate::normalize::find_date(&date, &NormalizeOptions::default())
            .map(|d| d.date.to_string())
            .unwrap_or(date);
        fields.insert("date".into(), normalised);
    }
    if let Some(total) = scalar(truth.get("total")) {
        fields.insert("totalAmount".into(), total);
    }
    Ok(Some(EvalCase {
        name: relative(root, path),
        document_path: path.to_path_buf(),
        document_type: Some("receipt".into()),
        rendering: Some("scan".into()),
        fields,
        line_items: Vec::new(),
    }))
}

fn invoices9_case(root: &Path, path: &Path) -> Result<Option<EvalCase>> {
    if !is_document(path) {
        return Ok(None);
    }
    let (Some(stem), Some(images_dir)) = (path.file_stem(), path.parent()) else {
        return Ok(None);
    };
    let Some(model_dir) = images_dir.parent() else {
        return Ok(None);
    };
    let truth_path = model_dir.join("gt_json").join(stem).with_extension("json");
    if !truth_path.is_file() {
        return Ok(None);
    }
    let truth = read_json(&truth_path)?;
    let mut fields = BTreeMap::new();
    for (ours, theirs) in [
        ("supplierName", "supplier"),
        ("documentId", "invoice_number"),
        ("orderNumber", "po_number"),
        ("date", "invoice_date"),
        ("dueDate", "invoice_date_due"),
        ("currencyCode", "currency_id"),
        ("netAmount", "total_untaxed"),
        ("taxAmount", "tax_amount"),
        ("totalAmount", "total_amount"),
    ] {
        if let Some(value) = scalar(truth.get(theirs)) {
            fields.insert(ours.to_string(), value);
        }
    }
    let line_items = truth_lines(
        &truth,
        &[
            ("description", "description"),
            ("quantity", "quantity"),
            ("unitPrice", "price"),
            ("netAmount", "sub_total"),
        ],
    );
    Ok(Some(EvalCase {
        name: relative(root, path),
        document_path: path.to_path_buf(),
        document_type: Some("invoice".into()),
        rendering: Some("scan".into()),
        fields,
        line_items,
    }))
}

fn invoice2data_case(root: &Path, path: &Path) -> Result<Option<EvalCase>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    if extension != "pdf" && extension != "txt" {
        return Ok(None);
    }
    let truth_path = path.with_extension("json");
    if !truth_path.is_file() {
        return Ok(None);
    }
    let truth = read_json(&truth_path)?;
    let object = truth
        .as_array()
        .and_then(|list| list.first())
        .unwrap_or(&truth);
    let mut fields = object_strings(object);
    fields.remove("desc");
    let line_items = invoice2data_lines(object)
        .map(|items| items.iter().map(object_strings).collect())
        .unwrap_or_default();
    Ok(Some(EvalCase {
        name: relative(root, path),
        document_path: path.to_path_buf(),
        document_type: Some("invoice".into()),
        rendering: Some("text".into()),
        fields,
        line_items,
    }))
}

/// The line items of an invoice2data result: its `lines`, else the first list of objects (templates name
/// their lines field freely: `line_items`, `sums`, ...).
pub fn invoice2data_lines(object: &Json) -> Option<&Vec<Json>> {
    if let Some(lines) = object.get("lines").and_then(Json::as_array) {
        return Some(lines);
    }
    object.as_object()?.values().find_map(|value| {
        value
            .as_array()
            .filter(|items| !items.is_empty() && items.iter().all(Json::is_object))
    })
}

/// The comparison of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldOutcome {
    pub field: String,
    pub expected: String,
    pub extracted: Option<String>,
    pub correct: bool,
}

/// The evaluation of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub rendering: Option<String>,
    /// The reason the document could not be read or extracted, if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub template_id: Option<String>,
    /// Whether classification gave the expected document type (when known and classification ran).
    pub classified_correctly: Option<bool>,
    pub fields: Vec<FieldOutcome>,
    pub n_expected_items: usize,
    pub n_extracted_items: usize,
    pub n_matched_items: usize,
    /// The document's validation outcome.
    pub is_valid: Option<bool>,
    pub read_ms: u64,
    pub extract_ms: u64,
}

/// Normalised exact match of an extracted value with an expected one, by the field's type.
pub fn values_match(format: Option<FormatType>, expected: &str, extracted: &str) -> bool {
    let as_number = |text: &str| -> Option<Decimal> {
        Decimal::from_str(text.trim()).ok().or_else(|| {
            crate::normalize::parse_amount(text, &NormalizeOptions::default()).map(|a| a.value)
        })
    };
    // ISO 8601, also in its basic form (`20150130`) as some ground truth writes dates, then every form
    // documents print.
    let date_options = NormalizeOptions {
        date_formats: vec!["%Y-%m-%d".into(), "%Y%m%d".into()],
        ..NormalizeOptions::default()
    };
    let as_date = |text: &str| parse_date(text, &date_options);
    match format {
        Some(FormatType::Number) => match (as_number(expected), as_number(extracted)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        Some(FormatType::Date) => match (as_date(expected), as_date(extracted)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        _ => {
            if let (Some(a), Some(b)) = (as_number(expected), as_number(extracted)) {
                if expected.chars().any(|c| c.is_ascii_digit()) && a == b {
                    return true;
                }
            }
            normalise_text(expected) == normalise_text(extracted)
        }
    }
}

/// Lower case, letters and digits only, single spaces.
pub fn normalise_text(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares an extraction with a case's ground truth.
pub fn compare(
    case: &EvalCase,
    extraction: &Extraction,
    templates: &TemplateSet,
) -> (Vec<FieldOutcome>, usize) {
    let template = templates.get(&extraction.template_id);
    let format_of = |key: &str, table: bool| -> Option<FormatType> {
        let template = template?;
        let part = if table {
            &template.schema_definition.table_part
        } else {
            &template.schema_definition.general_part
        };
        part.get(key)
            .map(|m| m.format_type)
            .or_else(|| guess_format(key))
    };
    let mut outcomes = Vec::new();
    for (key, expected) in &case.fields {
        let extracted = extraction.field_string(key);
        let correct = extracted
            .as_deref()
            .is_some_and(|e| values_match(format_of(key, false), expected, e));
        outcomes.push(FieldOutcome {
            field: key.clone(),
            expected: expected.clone(),
            extracted,
            correct,
        });
    }
    let n_matched = match_items(&case.line_items, &extraction.table_items, &|key| {
        format_of(key, true)
    });
    (outcomes, n_matched)
}

fn guess_format(key: &str) -> Option<FormatType> {
    let lower = key.to_lowercase();
    // `date` as a word of the name (dueDate, date_due), not inside one (mandate_id).
    let mut words = Vec::new();
    let mut word = String::new();
    for c in key.chars() {
        if c == '_' || c == '-' || (c.is_uppercase() && !word.is_empty()) {
            words.push(std::mem::take(&mut word));
        }
        if c != '_' && c != '-' {
            word.extend(c.to_lowercase());
        }
    }
    words.push(word);
    if words.iter().any(|w| w == "date") {
        Some(FormatType::Date)
    } else if lower.contains("amount")
        || lower.contains("price")
        || lower.contains("quantity")
        || lower.contains("balance")
    {
        Some(FormatType::Number)
    } else {
        None
    }
}

/// Greedy one-to-one matching of extracted rows to expected rows: a pair matches when every numeric
/// column both have agrees and the descriptions, when both have one, agree (normalised) or share at
/// least half their words.
pub fn match_items(
    expected: &[BTreeMap<String, String>],
    extracted: &[Row],
    format_of: &dyn Fn(&str) -> Option<FormatType>,
) -> usize {
    let extracted: Vec<BTreeMap<String, String>> = extracted.iter().map(row_strings).collect();
    match_item_strings(expected, &extracted, format_of)
}

/// A row's cells as normalised strings.
fn row_strings(row: &Row) -> BTreeMap<String, String> {
    row.cells
        .iter()
        .map(|(key, cell)| (key.clone(), cell.value.normalized_string()))
        .collect()
}

/// [`match_items`] over rows already given as normalised strings.
pub fn match_item_strings(
    expected: &[BTreeMap<String, String>],
    extracted: &[BTreeMap<String, String>],
    format_of: &dyn Fn(&str) -> Option<FormatType>,
) -> usize {
    let mut used = vec![false; extracted.len()];
    let mut n_matched = 0;
    for item in expected {
        for (index, row) in extracted.iter().enumerate() {
            if used[index] {
                continue;
            }
            let mut n_compared = 0;
            let mut all_agree = true;
            for (key, value) in item {
                let Some(got) = row.get(key) else {
                    continue;
                };
                let format = format_of(key);
                let agrees = if format == Some(FormatType::Text) {
                    text_overlap(value, got)
                } else if format.is_none() {
                    // Untyped: equal numbers ("1.0" and "1"), or overlapping text.
                    values_match(None, value, got) || text_overlap(value, got)
                } else {
                    values_match(format, value, got)
                };
                n_compared += 1;
                if !agrees {
                    all_agree = false;
                    break;
                }
            }
            if all_agree && n_compared > 0 {
                used[index] = true;
                n_matched += 1;
                break;
            }
        }
    }
    n_matched
}

fn text_overlap(expected: &str, extracted: &str) -> bool {
    let a = normalise_text(expected);
    let b = normalise_text(extracted);
    if a == b {
        return true;
    }
    let words_a: Vec<&str> = a.split(' ').collect();
    let words_b: Vec<&str> = b.split(' ').collect();
    // Most of the expected words appear in the extracted description (which may carry extra detail
    // lines, like article numbers, that the ground truth leaves out).
    let n_common = words_a.iter().filter(|w| words_b.contains(w)).count();
    n_common * 2 > words_a.len() && words_b.len() <= 4 * words_a.len().max(3)
}

/// Extracted values in plain form: header fields and line-item rows as normalised strings. Another tool's
/// output (e.g. invoice2data's, converted by the benchmark driver) or Quire's own extraction flattened, so
/// that both are scored by the same rules ([`score_prediction`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub line_items: Vec<BTreeMap<String, String>>,
}

impl Prediction {
    /// Quire's extraction in plain form (values as [`crate::Value::normalized_string`]).
    pub fn from_extraction(extraction: &Extraction) -> Prediction {
        Prediction {
            fields: extraction
                .fields
                .iter()
                .map(|(key, field)| (key.clone(), field.value.normalized_string()))
                .collect(),
            line_items: extraction.table_items.iter().map(row_strings).collect(),
        }
    }
}

/// Scores a prediction against a case's ground truth with the rules of [`compare`], the field types
/// guessed from the names (`date…` dates; `amount…`, `…price`, `quantity` numbers; other values compared as
/// numbers when both read as numbers, else as normalised text). `None` is a document the tool gave no
/// result for: every field wrong.
pub fn score_prediction(case: &EvalCase, prediction: Option<&Prediction>) -> CaseResult {
    let empty = Prediction::default();
    let predicted = prediction.unwrap_or(&empty);
    let fields = case
        .fields
        .iter()
        .map(|(key, expected)| {
            let extracted = predicted
                .fields
                .get(key)
                .filter(|value| !value.trim().is_empty())
                .cloned();
            let correct = extracted
                .as_deref()
                .is_some_and(|e| values_match(guess_format(key), expected, e));
            FieldOutcome {
                field: key.clone(),
                expected: expected.clone(),
                extracted,
                correct,
            }
        })
        .collect();
    CaseResult {
        name: case.name.clone(),
        rendering: case.rendering.clone(),
        error: prediction
            .is_none()
            .then(|| "no result for this document".to_string()),
        template_id: None,
        classified_correctly: None,
        fields,
        n_expected_items: case.line_items.len(),
        n_extracted_items: predicted.line_items.len(),
        n_matched_items: match_item_strings(&case.line_items, &predicted.line_items, &guess_format),
        is_valid: None,
        read_ms: 0,
        extract_ms: 0,
    }
}

/// Why a document could not be read (the reader's error, whatever its type).
pub type ReadError = Box<dyn std::error::Error + Send + Sync>;

/// Evaluates every case: reads the document with `read`, chooses the template (the corpus's fixed one or
/// classification), extracts and compares.
pub fn run(
    corpus: &Corpus,
    templates: &TemplateSet,
    read: &mut dyn FnMut(&Path) -> std::result::Result<Document, ReadError>,
) -> Vec<CaseResult> {
    corpus
        .cases
        .iter()
        .map(|case| run_case(corpus.kind, case, templates, read))
        .collect()
}

/// Evaluates one case.
pub fn run_case(
    kind: CorpusKind,
    case: &EvalCase,
    templates: &TemplateSet,
    read: &mut dyn FnMut(&Path) -> std::result::Result<Document, ReadError>,
) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        rendering: case.rendering.clone(),
        error: None,
        template_id: None,
        classified_correctly: None,
        fields: case
            .fields
            .iter()
            .map(|(field, expected)| FieldOutcome {
                field: field.clone(),
                expected: expected.clone(),
                extracted: None,
                correct: false,
            })
            .collect(),
        n_expected_items: case.line_items.len(),
        n_extracted_items: 0,
        n_matched_items: 0,
        is_valid: None,
        read_ms: 0,
        extract_ms: 0,
    };
    let started = Instant::now();
    let document = match read(&case.document_path) {
        Ok(document) => document,
        Err(error) => {
            result.error = Some(format!("{}: {error}", case.document_path.display()));
            return result;
        }
    };
    result.read_ms = started.elapsed().as_millis() as u64;
    let started = Instant::now();
    let fixed = kind.template_choice().and_then(|id| templates.get(id));
    let classification = match fixed {
        Some(template) => chosen(template),
        None => classify(&document, templates),
    };
    if fixed.is_none() {
        if let Some(expected_type) = &case.document_type {
            result.classified_correctly =
                Some(classification.document_type.as_deref() == Some(expected_type.as_str()));
        }
    }
    let Some(template) = classification
        .template_id
        .as_deref()
        .and_then(|id| templates.get(id))
    else {
        result.error = Some(classification.reason);
        result.extract_ms = started.elapsed().as_millis() as u64;
        return result;
    };
    result.template_id = Some(template.id.clone());
    // Accuracy is that of the text/OCR extraction: embedded e-invoice XML is not read.
    let options = ExtractOptions {
        e_invoice: false,
        ..ExtractOptions::default()
    };
    match extract(&document, template, &options) {
        Ok(extraction) => {
            let (fields, n_matched) = compare(case, &extraction, templates);
            result.fields = fields;
            result.n_extracted_items = extraction.table_items.len();
            result.n_matched_items = n_matched;
            result.is_valid = Some(extraction.is_valid);
        }
        Err(error) => result.error = Some(error.to_string()),
    }
    result.extract_ms = started.elapsed().as_millis() as u64;
    result
}

/// Accuracy of one field over a corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldAccuracy {
    pub field: String,
    pub n_expected: usize,
    pub n_correct: usize,
    pub accuracy: f64,
}

/// Totals over a set of case results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n_docs: usize,
    pub n_errors: usize,
    pub n_fields: usize,
    pub n_fields_correct: usize,
    /// Share of expected fields extracted correctly (0–1).
    pub field_accuracy: f64,
    pub per_field: Vec<FieldAccuracy>,
    pub item_precision: f64,
    pub item_recall: f64,
    pub item_f1: f64,
    /// Documents whose validation passed.
    pub n_valid: usize,
    /// Documents classified as their expected type (of those checked).
    pub n_classified_correctly: usize,
    pub n_classification_checked: usize,
    pub mean_read_ms: f64,
    pub mean_extract_ms: f64,
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Sums up case results.
pub fn summarize(results: &[CaseResult]) -> Summary {
    let mut per_field: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for result in results {
        for outcome in &result.fields {
            let entry = per_field.entry(outcome.field.clone()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(outcome.correct);
        }
    }
    let n_fields: usize = per_field.values().map(|(n, _)| n).sum();
    let n_fields_correct: usize = per_field.values().map(|(_, c)| c).sum();
    let n_expected_items: usize = results.iter().map(|r| r.n_expected_items).sum();
    let n_extracted_items: usize = results.iter().map(|r| r.n_extracted_items).sum();
    let n_matched_items: usize = results.iter().map(|r| r.n_matched_items).sum();
    let precision = ratio(n_matched_items, n_extracted_items);
    let recall = ratio(n_matched_items, n_expected_items);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let n_docs = results.len();
    Summary {
        n_docs,
        n_errors: results.iter().filter(|r| r.error.is_some()).count(),
        n_fields,
        n_fields_correct,
        field_accuracy: ratio(n_fields_correct, n_fields),
        per_field: per_field
            .into_iter()
            .map(|(field, (n_expected, n_correct))| FieldAccuracy {
                accuracy: ratio(n_correct, n_expected),
                field,
                n_expected,
                n_correct,
            })
            .collect(),
        item_precision: precision,
        item_recall: recall,
        item_f1: f1,
        n_valid: results.iter().filter(|r| r.is_valid == Some(true)).count(),
        n_classified_correctly: results
            .iter()
            .filter(|r| r.classified_correctly == Some(true))
            .count(),
        n_classification_checked: results
            .iter()
            .filter(|r| r.classified_correctly.is_some())
            .count(),
        mean_read_ms: if n_docs == 0 {
            0.0
        } else {
            results.iter().map(|r| r.read_ms as f64).sum::<f64>() / n_docs as f64
        },
        mean_extract_ms: if n_docs == 0 {
            0.0
        } else {
            results.iter().map(|r| r.extract_ms as f64).sum::<f64>() / n_docs as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::document_from_layout;

    #[test]
    fn values_match_by_type_after_normalisation() {
        assert!(values_match(Some(FormatType::Number), "1234.5", "1234.50"));
        assert!(values_match(Some(FormatType::Number), "4.11", "4.11"));
        assert!(!values_match(Some(FormatType::Number), "4.11", "4.12"));
        assert!(values_match(
            Some(FormatType::Date),
            "2025-08-15",
            "2025-08-15"
        ));
        assert!(values_match(None, "ACME  Ltd.", "acme ltd"));
        assert!(!values_match(None, "ACME Ltd", "ACME GmbH"));
    }

    #[test]
    fn a_sample_docs_corpus_is_discovered_and_scored() {
        let dir = std::env::temp_dir().join(format!("quire-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "ACME Widgets Ltd\nInvoice No: 42\nDate: 15/08/2025\nTotal: 12.00 EUR\n";
        std::fs::write(dir.join("a.pdf"), text).unwrap();
        let truth = r#"{"file":"a.pdf","document_type":"invoice","rendering":"text_pdf","fields":{
            "supplierName":"ACME Widgets Ltd","documentId":"42","date":"2025-08-15","totalAmount":"12.00",
            "dueDate":null,"currencyCode":"EUR"},"line_items":[]}"#;
        std::fs::write(dir.join("a.json"), truth).unwrap();
        let (corpus, problems) = discover(&dir).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(corpus.kind, CorpusKind::SampleDocs);
        assert_eq!(corpus.cases.len(), 1);
        assert_eq!(
            corpus.cases[0].fields.len(),
            5,
            "null fields are not expected"
        );
        let templates = TemplateSet::builtin().unwrap();
        let mut read = |path: &Path| -> std::result::Result<Document, ReadError> {
            Ok(document_from_layout(&std::fs::read_to_string(path)?))
        };
        let results = run(&corpus, &templates, &mut read);
        std::fs::remove_dir_all(&dir).unwrap();
        let summary = summarize(&results);
        assert_eq!(summary.n_docs, 1);
        assert_eq!(summary.n_fields, 5);
        assert_eq!(summary.n_fields_correct, 5, "{results:#?}");
        assert_eq!(summary.n_classified_correctly, 1);
    }

    #[test]
    fn a_prediction_is_scored_by_the_same_rules_as_an_extraction() {
        let case = EvalCase {
            name: "compare/oyo.pdf".into(),
            document_path: PathBuf::from("compare/oyo.pdf"),
            document_type: Some("invoice".into()),
            rendering: Some("text".into()),
            fields: BTreeMap::from([
                ("amount".to_string(), "1939.0".to_string()),
                ("date".to_string(), "2017-12-31".to_string()),
                ("issuer".to_string(), "OYO".to_string()),
                ("invoice_number".to_string(), "IBZY2087".to_string()),
            ]),
            line_items: vec![BTreeMap::from([
                ("description".to_string(), "Room night".to_string()),
                ("price".to_string(), "1939".to_string()),
            ])],
        };
        let prediction = Prediction {
            fields: BTreeMap::from([
                ("amount".to_string(), "1939.00".to_string()),
                ("date".to_string(), "2017-12-31".to_string()),
                ("issuer".to_string(), "oyo".to_string()),
                ("invoice_number".to_string(), "IBZY2088".to_string()),
            ]),
            line_items: vec![
                BTreeMap::from([
                    ("description".to_string(), "Room night".to_string()),
                    ("price".to_string(), "1939.0".to_string()),
                ]),
                BTreeMap::from([("price".to_string(), "5".to_string())]),
            ],
        };
        let result = score_prediction(&case, Some(&prediction));
        let correct: Vec<(&str, bool)> = result
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.correct))
            .collect();
        assert_eq!(
            correct,
            [
                ("amount", true),
                ("date", true),
                ("invoice_number", false),
                ("issuer", true)
            ]
        );
        assert_eq!(
            (
                result.n_expected_items,
                result.n_extracted_items,
                result.n_matched_items
            ),
            (1, 2, 1)
        );
        let truth: Json = serde_json::from_str(
            r#"{"issuer": "S", "line_items": [{"item": "A"}, {"item": "B"}], "tags": ["x"]}"#,
        )
        .unwrap();
        assert_eq!(invoice2data_lines(&truth).map(Vec::len), Some(2));
        assert_eq!(guess_format("dueDate"), Some(FormatType::Date));
        assert_eq!(guess_format("date_check_in"), Some(FormatType::Date));
        assert_eq!(guess_format("mandate_id"), None);
        let missing = score_prediction(&case, None);
        assert!(missing.error.is_some());
        assert_eq!(summarize(&[missing]).n_fields_correct, 0);
    }

    #[test]
    fn an_unreadable_document_counts_as_all_wrong_with_its_error() {
        let case = EvalCase {
            name: "x.pdf".into(),
            document_path: PathBuf::from("x.pdf"),
            document_type: Some("invoice".into()),
            rendering: None,
            fields: BTreeMap::from([("totalAmount".to_string(), "1.00".to_string())]),
            line_items: Vec::new(),
        };
        let templates = TemplateSet::builtin().unwrap();
        let mut read =
            |_: &Path| -> std::result::Result<Document, ReadError> { Err("no such file".into()) };
        let result = run_case(CorpusKind::SampleDocs, &case, &templates, &mut read);
        assert_eq!(result.error.as_deref(), Some("x.pdf: no such file"));
        assert_eq!(summarize(&[result]).field_accuracy, 0.0);
    }
}
