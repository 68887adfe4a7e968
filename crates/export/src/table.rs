//! Exported documents as tables: the Documents table (one row per document, header fields as columns), the
//! Line items table (one row per line item, header fields repeated) and the Validation table (one row per
//! rule result). Every format writes these same tables.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use quire_extract::template::FormatType;
use quire_extract::{RuleStatus, TemplateSet, Value};
use rust_decimal::Decimal;

use crate::ExportDocument;

/// One cell, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    /// Money and quantities: exact decimal.
    Number(Decimal),
    Integer(i64),
    Date(NaiveDate),
}

impl From<&Value> for CellValue {
    fn from(value: &Value) -> CellValue {
        match value {
            Value::Text(text) | Value::Choice(text) => CellValue::Text(text.clone()),
            Value::Decimal(number) => CellValue::Number(*number),
            Value::Date(date) => CellValue::Date(*date),
            Value::Bool(flag) => CellValue::Text(flag.to_string()),
        }
    }
}

/// Prefixes text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return) with an
/// apostrophe, so it stays text.
pub fn neutralize_formula(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A column: its machine key (CSV header) and its display name (XLSX header).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: String,
    pub name: String,
}

impl Column {
    fn new(key: &str, name: &str) -> Column {
        Column {
            key: key.to_string(),
            name: name.to_string(),
        }
    }
}

/// A table row; `failed` marks a document whose validation failed, `marks` the cells a person should
/// check (values repaired from their row's arithmetic).
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub cells: Vec<CellValue>,
    pub failed: bool,
    pub marks: Vec<CellMark>,
}

/// A cell of a row to check, and why (a spreadsheet shows it highlighted, with the reason as a note).
#[derive(Debug, Clone, PartialEq)]
pub struct CellMark {
    /// Index of the cell in its row.
    pub column: usize,
    pub note: String,
}

/// Why a line-item value repaired from its row's arithmetic should be checked (`quire_extract::row_repair`).
pub fn repair_note(read: &Value) -> String {
    let read = read.normalized_string();
    let what = if read.is_empty() {
        "OCR did not read this value; computed".to_string()
    } else {
        format!("OCR read {read}; repaired")
    };
    format!(
        "{what} so that the row adds up (quantity × unit price − discount = net, net + tax = \
         total). Check it against the document."
    )
}

/// A named table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
}

/// The header-field and line-item columns documents are projected onto.
#[derive(Debug, Clone, Default)]
pub struct FieldColumns {
    pub header: Vec<(Column, Option<FormatType>)>,
    pub lines: Vec<(Column, Option<FormatType>)>,
}

impl FieldColumns {
    /// The columns of the given templates, each field once, in template order then field position. Keys
    /// found in extractions but not in any loaded template (a template since deleted) come last.
    pub fn for_templates(
        template_ids: &[String],
        templates: &TemplateSet,
        documents: &[&ExportDocument],
    ) -> FieldColumns {
        let mut columns = FieldColumns::default();
        let add = |list: &mut Vec<(Column, Option<FormatType>)>, key: &str, name: &str, format| {
            if !list.iter().any(|(c, _)| c.key == key) {
                list.push((Column::new(key, name), format));
            }
        };
        for id in template_ids {
            let Some(template) = templates.get(id) else {
                continue;
            };
            let mut general: Vec<_> = template.schema_definition.general_part.iter().collect();
            general.sort_by_key(|(key, meta)| (meta.position, key.to_string()));
            for (key, meta) in general {
                add(&mut columns.header, key, &meta.name, Some(meta.format_type));
            }
            let mut table: Vec<_> = template.schema_definition.table_part.iter().collect();
            table.sort_by_key(|(key, meta)| (meta.position, key.to_string()));
            for (key, meta) in table {
                add(&mut columns.lines, key, &meta.name, Some(meta.format_type));
            }
        }
        for document in documents {
            let Some(extraction) = &document.extraction else {
                continue;
            };
            if templates.get(&extraction.template_id).is_some()
                && template_ids.contains(&extraction.template_id)
            {
                continue;
            }
            for key in extraction.fields.keys() {
                add(&mut columns.header, key, key, None);
            }
            for row in &extraction.table_items {
                for key in row.cells.keys() {
                    add(&mut columns.lines, key, key, None);
                }
            }
        }
        columns
    }
}

fn meta_columns() -> Vec<Column> {
    vec![
        Column::new("document_id", "Document"),
        Column::new("file_name", "File"),
        Column::new("status", "Status"),
        Column::new("template_id", "Template"),
        Column::new("template_version", "Version"),
        Column::new("validation", "Validation"),
        Column::new("failed_rules", "Failed rules"),
        Column::new("problem", "Problem"),
    ]
}

fn meta_cells(document: &ExportDocument) -> Vec<CellValue> {
    let text = |t: &str| {
        if t.is_empty() {
            CellValue::Empty
        } else {
            CellValue::Text(t.to_string())
        }
    };
    let extraction = document.extraction.as_ref();
    let failed_rules: Vec<&str> = extraction
        .map(|e| {
            e.validation
                .iter()
                .filter(|r| r.status == RuleStatus::Fail)
                .map(|r| r.rule_name.as_str())
                .collect()
        })
        .unwrap_or_default();
    vec![
        CellValue::Integer(document.row.id),
        text(&document.row.file_name),
        text(document.row.status.as_str()),
        text(extraction.map_or("", |e| e.template_id.as_str())),
        extraction.map_or(CellValue::Empty, |e| {
            CellValue::Integer(e.template_version as i64)
        }),
        text(match extraction {
            Some(e) if e.is_valid => "passed",
            Some(_) => "failed",
            None => "",
        }),
        text(&failed_rules.join("; ")),
        text(&problem(&document.row)),
    ]
}

/// Why a document has no extracted values: the error of a file that failed (`[truncated_pdf] …`), the
/// reason a document matched no template, or the document a duplicate repeats.
fn problem(row: &quire_history::DocumentRow) -> String {
    match (&row.error_code, &row.error_message, row.duplicate_of) {
        (Some(code), Some(message), _) => format!("[{code}] {message}"),
        (None, Some(message), _) => message.clone(),
        (Some(code), None, _) => format!("[{code}]"),
        (None, None, Some(original)) => format!("duplicate of document {original}"),
        (None, None, None) => String::new(),
    }
}

fn is_failed(document: &ExportDocument) -> bool {
    document.extraction.as_ref().is_some_and(|e| !e.is_valid)
}

fn header_cells(document: &ExportDocument, columns: &FieldColumns) -> Vec<CellValue> {
    columns
        .header
        .iter()
        .map(|(column, _)| {
            document
                .extraction
                .as_ref()
                .and_then(|e| e.fields.get(&column.key))
                .map_or(CellValue::Empty, |field| CellValue::from(&field.value))
        })
        .collect()
}

/// The Documents table's columns.
pub fn documents_columns(columns: &FieldColumns) -> Vec<Column> {
    let mut header = meta_columns();
    header.extend(columns.header.iter().map(|(c, _)| c.clone()));
    header
}

/// A document's row in the Documents table.
pub fn document_row(document: &ExportDocument, columns: &FieldColumns) -> TableRow {
    let mut cells = meta_cells(document);
    cells.extend(header_cells(document, columns));
    TableRow {
        cells,
        failed: is_failed(document),
        marks: Vec::new(),
    }
}

/// The Documents table.
pub fn documents_table(name: &str, documents: &[&ExportDocument], columns: &FieldColumns) -> Table {
    Table {
        name: name.to_string(),
        columns: documents_columns(columns),
        rows: documents
            .iter()
            .map(|document| document_row(document, columns))
            .collect(),
    }
}

/// The Line items table's columns.
pub fn lines_columns(columns: &FieldColumns) -> Vec<Column> {
    let mut header = vec![
        Column::new("document_id", "Document"),
        Column::new("file_name", "File"),
        Column::new("line", "Line"),
    ];
    header.extend(columns.header.iter().map(|(c, _)| c.clone()));
    header.extend(columns.lines.iter().map(|(c, _)| {
        // A line column with the same key as a header field gets a prefix.
        if columns.header.iter().any(|(h, _)| h.key == c.key) {
            Column::new(&format!("line_{}", c.key), &format!("Line {}", c.name))
        } else {
            c.clone()
        }
    }));
    header
}

/// A document's rows in the Line items table: one per line item, with its header fields repeated.
pub fn line_rows(document: &ExportDocument, columns: &FieldColumns) -> Vec<TableRow> {
    let Some(extraction) = &document.extraction else {
        return Vec::new();
    };
    let repeated = header_cells(document, columns);
    extraction
        .table_items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut cells = vec![
                CellValue::Integer(document.row.id),
                CellValue::Text(document.row.file_name.clone()),
                CellValue::Integer(index as i64 + 1),
            ];
            cells.extend(repeated.iter().cloned());
            let first_line_column = cells.len();
            let mut marks = Vec::new();
            for (offset, (column, _)) in columns.lines.iter().enumerate() {
                let cell = item.cells.get(&column.key);
                if let Some(read) = cell.and_then(|c| c.repaired_from.as_ref()) {
                    marks.push(CellMark {
                        column: first_line_column + offset,
                        note: repair_note(read),
                    });
                }
                cells.push(cell.map_or(CellValue::Empty, |cell| CellValue::from(&cell.value)));
            }
            TableRow {
                cells,
                failed: !extraction.is_valid,
                marks,
            }
        })
        .collect()
}

/// The Line items table: one row per line item, with the document's header fields repeated.
pub fn lines_table(name: &str, documents: &[&ExportDocument], columns: &FieldColumns) -> Table {
    Table {
        name: name.to_string(),
        columns: lines_columns(columns),
        rows: documents
            .iter()
            .flat_map(|document| line_rows(document, columns))
            .collect(),
    }
}

/// The Validation table's columns.
pub fn validation_columns() -> Vec<Column> {
    vec![
        Column::new("document_id", "Document"),
        Column::new("file_name", "File"),
        Column::new("rule", "Rule"),
        Column::new("rule_type", "Type"),
        Column::new("status", "Result"),
        Column::new("message", "Message"),
    ]
}

/// A document's rows in the Validation table: one per rule result.
pub fn validation_rows(document: &ExportDocument) -> Vec<TableRow> {
    let Some(extraction) = &document.extraction else {
        return Vec::new();
    };
    extraction
        .validation
        .iter()
        .map(|result| {
            let status = match result.status {
                RuleStatus::Pass => "pass",
                RuleStatus::Fail => "fail",
                RuleStatus::Warn => "warn",
                RuleStatus::Skipped => "skipped",
            };
            TableRow {
                cells: vec![
                    CellValue::Integer(document.row.id),
                    CellValue::Text(document.row.file_name.clone()),
                    CellValue::Text(result.rule_name.clone()),
                    CellValue::Text(result.rule_type.as_str().to_string()),
                    CellValue::Text(status.to_string()),
                    CellValue::Text(result.message.clone()),
                ],
                failed: result.status == RuleStatus::Fail,
                marks: Vec::new(),
            }
        })
        .collect()
}

/// The Validation table: one row per rule result.
pub fn validation_table(name: &str, documents: &[&ExportDocument]) -> Table {
    Table {
        name: name.to_string(),
        columns: validation_columns(),
        rows: documents
            .iter()
            .flat_map(|document| validation_rows(document))
            .collect(),
    }
}

/// Groups documents by template (documents without an extraction under `unprocessed`), in id order.
pub fn by_template(documents: &[ExportDocument]) -> BTreeMap<String, Vec<&ExportDocument>> {
    let mut groups: BTreeMap<String, Vec<&ExportDocument>> = BTreeMap::new();
    for document in documents {
        let key = document
            .extraction
            .as_ref()
            .map_or("unprocessed".to_string(), |e| e.template_id.clone());
        groups.entry(key).or_default().push(document);
    }
    groups
}
