//! The `corrections` table and the edit-a-field API: a reviewer changes a header field's value or a line
//! item's cell, validation runs again, and the change is kept in an audit trail (field, old value, new
//! value, when, by whom).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use quire_extract::template::FormatType;
use quire_extract::value::Method;
use quire_extract::{Cell, ExtractOptions, Extraction, Field, Row, TemplateSet, Value};
use rusqlite::params;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::documents::{match_key, status_of, KeyFields};
use crate::error::{HistoryError, Result, SqliteContext};
use crate::{extractions, search, DocumentStatus, Store};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE corrections (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    corrected_at TEXT NOT NULL,
    corrected_by TEXT NOT NULL
);
CREATE INDEX corrections_by_document ON corrections(document_id);
";

/// One recorded correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub id: i64,
    pub document_id: i64,
    pub field: String,
    /// The value before, as its normalised string (`None`: the field was empty).
    pub old_value: Option<String>,
    /// The value after (`None`: the field was cleared).
    pub new_value: Option<String>,
    pub corrected_at: String,
    pub corrected_by: String,
}

/// A change to one header field, or to one cell of a line item.
#[derive(Debug, Clone)]
pub struct FieldEdit<'a> {
    pub document_id: i64,
    /// The field key, e.g. `totalAmount`; with `line`, the table column, e.g. `quantity`.
    pub field: &'a str,
    /// The line item to change, numbered from 1 as listings show them (`None`: a header field). One past
    /// the last line adds a line.
    pub line: Option<usize>,
    /// The new value as typed (numbers with `.` as decimal separator, dates as `YYYY-MM-DD`); empty clears
    /// the field.
    pub new_value: &'a str,
    pub corrected_by: &'a str,
    pub corrected_at: DateTime<Utc>,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditOutcome {
    pub correction: Correction,
    /// The document's status after validation ran again.
    pub status: DocumentStatus,
    /// The extraction with the new value and the new validation results.
    pub extraction: Extraction,
}

/// Parses a typed value for a field of the given format.
fn parse_value(format: FormatType, text: &str) -> std::result::Result<Value, String> {
    let text = text.trim();
    match format {
        FormatType::Text => Ok(Value::Text(text.to_string())),
        FormatType::MultipleChoice => Ok(Value::Choice(text.to_string())),
        FormatType::Number => Decimal::from_str(text)
            .map(Value::Decimal)
            .map_err(|_| format!("`{text}` is not a number (write it like 1234.56)")),
        FormatType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Value::Date)
            .map_err(|_| format!("`{text}` is not a date (write it as YYYY-MM-DD)")),
        FormatType::Boolean => match text.to_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not true or false")),
        },
    }
}

/// The field's old and new values as the audit trail records them, after applying a header-field edit.
type Applied = (String, Option<String>, Option<String>);

fn edit_header_field(
    extraction: &mut Extraction,
    template: &quire_extract::Template,
    edit: &FieldEdit<'_>,
) -> std::result::Result<Applied, String> {
    let meta = template
        .schema_definition
        .general_part
        .get(edit.field)
        .ok_or_else(|| {
            format!(
                "template `{}` has no header field `{}` (fields: {})",
                template.id,
                edit.field,
                template.general_keys().join(", ")
            )
        })?;
    let old_value = extraction.field_string(edit.field);
    let new_value = if edit.new_value.trim().is_empty() {
        extraction.fields.remove(edit.field);
        None
    } else {
        let value = parse_value(meta.format_type, edit.new_value)
            .map_err(|reason| format!("field `{}`: {reason}", edit.field))?;
        let normalized = value.normalized_string();
        match extraction.fields.get_mut(edit.field) {
            Some(field) => field.value = value,
            None => {
                extraction.fields.insert(
                    edit.field.to_string(),
                    Field {
                        value,
                        provenance: None,
                        method: Method::Static,
                        label: None,
                    },
                );
            }
        }
        Some(normalized)
    };
    Ok((edit.field.to_string(), old_value, new_value))
}

/// Applies an edit of one line item's cell (`line` numbered from 1; one past the last adds a line). The
/// audit trail names it `tableItems[line].column`.
fn edit_line_cell(
    extraction: &mut Extraction,
    template: &quire_extract::Template,
    edit: &FieldEdit<'_>,
    line: usize,
) -> std::result::Result<Applied, String> {
    let meta = template
        .schema_definition
        .table_part
        .get(edit.field)
        .ok_or_else(|| {
            format!(
                "template `{}` has no line-item column `{}` (columns: {})",
                template.id,
                edit.field,
                template.table_keys().join(", ")
            )
        })?;
    let n_lines = extraction.table_items.len();
    if line == 0 || line > n_lines + 1 {
        return Err(format!(
            "there is no line {line}: the document has {n_lines} line item(s) (numbered from 1; {} adds one)",
            n_lines + 1
        ));
    }
    let new_text = edit.new_value.trim();
    if line == n_lines + 1 {
        if new_text.is_empty() {
            return Err(format!(
                "line {line} does not exist yet: give a value to add it"
            ));
        }
        let page = extraction.table_items.last().map_or(1, |row| row.page);
        extraction.table_items.push(Row {
            cells: Default::default(),
            page,
        });
    }
    let row = &mut extraction.table_items[line - 1];
    let old_value = row
        .cells
        .get(edit.field)
        .map(|c| c.value.normalized_string());
    let new_value = if new_text.is_empty() {
        row.cells.remove(edit.field);
        None
    } else {
        let value = parse_value(meta.format_type, new_text)
            .map_err(|reason| format!("line {line}, column `{}`: {reason}", edit.field))?;
        let normalized = value.normalized_string();
        match row.cells.get_mut(edit.field) {
            Some(cell) => {
                // A person's value: no longer an OCR repair.
                cell.value = value;
                cell.repaired_from = None;
            }
            None => {
                row.cells
                    .insert(edit.field.to_string(), Cell::new(value, None));
            }
        }
        Some(normalized)
    };
    Ok((
        format!("tableItems[{line}].{}", edit.field),
        old_value,
        new_value,
    ))
}

impl Store {
    /// Changes one header field (or one line item's cell) of a document's extraction, re-runs its template's validation rules (the
    /// duplicate rule ignoring the document itself), updates its status and search text, and records the
    /// correction, all in one transaction.
    pub fn edit_field(
        &mut self,
        edit: &FieldEdit<'_>,
        templates: &TemplateSet,
    ) -> Result<EditOutcome> {
        let document_id = edit.document_id;
        let invalid = |reason: String| HistoryError::InvalidEdit {
            document_id,
            reason,
        };
        // An unknown document is `not_found`, not a document without an extraction.
        self.document(document_id)?;
        let mut extraction = self.extraction(document_id)?.ok_or_else(|| {
            invalid(
                "it has no extraction to edit (it failed, was unmatched or is a duplicate)".into(),
            )
        })?;
        let template = templates.get(&extraction.template_id).ok_or_else(|| {
            invalid(format!(
                "its template `{}` is not loaded, so its rules cannot run",
                extraction.template_id
            ))
        })?;
        let (audit_field, old_value, new_value) = match edit.line {
            None => edit_header_field(&mut extraction, template, edit).map_err(invalid)?,
            Some(line) => edit_line_cell(&mut extraction, template, edit, line).map_err(invalid)?,
        };
        {
            let duplicates = self.duplicates_excluding(Some(document_id));
            extraction.revalidate(
                template,
                &ExtractOptions {
                    duplicates: &duplicates,
                    ..ExtractOptions::default()
                },
            );
        }
        let status = status_of(&extraction);
        let keys = KeyFields::of(&extraction);
        let corrected_at = edit
            .corrected_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let transaction = self.connection.transaction().during("editing a field")?;
        transaction
            .execute(
                "UPDATE extractions SET fields_json = ?2, table_items_json = ?3, is_valid = ?4
                 WHERE document_id = ?1",
                params![
                    document_id,
                    serde_json::to_string(&extraction.fields).unwrap_or_default(),
                    serde_json::to_string(&extraction.table_items).unwrap_or_default(),
                    extraction.is_valid
                ],
            )
            .during("editing a field")?;
        extractions::insert_validation(&transaction, document_id, &extraction.validation)?;
        transaction
            .execute(
                "UPDATE documents SET status = ?2, supplier = ?3, supplier_key = ?4, document_ref = ?5,
                 document_ref_key = ?6, document_date = ?7, validation_failed = ?8 WHERE id = ?1",
                params![
                    document_id,
                    status.as_str(),
                    keys.supplier,
                    keys.supplier.as_deref().map(match_key),
                    keys.document_ref,
                    keys.document_ref.as_deref().map(match_key),
                    keys.document_date,
                    !extraction.is_valid,
                ],
            )
            .during("editing a field")?;
        search::update_field_values(&transaction, document_id, &extraction)?;
        transaction
            .execute(
                "INSERT INTO corrections (document_id, field, old_value, new_value, corrected_at, corrected_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    document_id,
                    audit_field,
                    old_value,
                    new_value,
                    corrected_at,
                    edit.corrected_by
                ],
            )
            .during("recording a correction")?;
        let correction_id = transaction.last_insert_rowid();
        transaction.commit().during("editing a field")?;
        Ok(EditOutcome {
            correction: Correction {
                id: correction_id,
                document_id,
                field: audit_field,
                old_value,
                new_value,
                corrected_at,
                corrected_by: edit.corrected_by.to_string(),
            },
            status,
            extraction,
        })
    }

    /// A document's corrections, oldest first.
    pub fn corrections(&self, document_id: i64) -> Result<Vec<Correction>> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, document_id, field, old_value, new_value, corrected_at, corrected_by
                 FROM corrections WHERE document_id = ?1 ORDER BY id",
            )
            .during("reading corrections")?;
        let rows = statement
            .query_map([document_id], |row| {
                Ok(Correction {
                    id: row.get(0)?,
                    document_id: row.get(1)?,
                    field: row.get(2)?,
                    old_value: row.get(3)?,
                    new_value: row.get(4)?,
                    corrected_at: row.get(5)?,
                    corrected_by: row.get(6)?,
                })
            })
            .during("reading corrections")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("reading corrections")?;
        Ok(rows)
    }
}
