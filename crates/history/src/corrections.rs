//! The `corrections` table and the edit-a-field API: a reviewer changes a header field's value, validation
//! runs again, and the change is kept in an audit trail (field, old value, new value, when, by whom).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use quire_extract::template::FormatType;
use quire_extract::value::Method;
use quire_extract::{ExtractOptions, Extraction, Field, TemplateSet, Value};
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

/// A change to one header field.
#[derive(Debug, Clone)]
pub struct FieldEdit<'a> {
    pub document_id: i64,
    /// The field key, e.g. `totalAmount`.
    pub field: &'a str,
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

impl Store {
    /// Changes one header field of a document's extraction, re-runs its template's validation rules (the
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
        let meta = template
            .schema_definition
            .general_part
            .get(edit.field)
            .ok_or_else(|| {
                invalid(format!(
                    "template `{}` has no header field `{}` (fields: {})",
                    template.id,
                    edit.field,
                    template.general_keys().join(", ")
                ))
            })?;
        let old_value = extraction.field_string(edit.field);
        let new_value = if edit.new_value.trim().is_empty() {
            extraction.fields.remove(edit.field);
            None
        } else {
            let value = parse_value(meta.format_type, edit.new_value)
                .map_err(|reason| invalid(format!("field `{}`: {reason}", edit.field)))?;
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
                "UPDATE extractions SET fields_json = ?2, is_valid = ?3 WHERE document_id = ?1",
                params![
                    document_id,
                    serde_json::to_string(&extraction.fields).unwrap_or_default(),
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
                    edit.field,
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
                field: edit.field.to_string(),
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
