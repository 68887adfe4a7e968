//! The `extractions` and `validation_results` tables: what a template extracted from a document (fields and
//! line items with their provenance, as JSON) and each validation rule's outcome.

use quire_extract::{Extraction, RuleResult};
use rusqlite::{params, Transaction};

use crate::error::{HistoryError, Result, SqliteContext};
use crate::{now_text, Store};

/// Which template extracted a document, and the document type it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionKind {
    pub document_id: i64,
    pub template_id: String,
    pub document_type: String,
}

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE extractions (
    document_id      INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    template_id      TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    document_type    TEXT NOT NULL,
    source           TEXT NOT NULL,
    details_json     TEXT NOT NULL,
    fields_json      TEXT NOT NULL,
    table_items_json TEXT NOT NULL,
    is_valid         INTEGER NOT NULL,
    elapsed_ms       INTEGER NOT NULL,
    extracted_at     TEXT NOT NULL
);
CREATE INDEX extractions_by_template ON extractions(template_id);
CREATE TABLE validation_results (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    rule_name   TEXT NOT NULL,
    rule_type   TEXT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);
CREATE INDEX validation_results_by_status ON validation_results(status);
";

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// The serde name of a unit enum value (`\"fail\"` → `fail`).
fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Columns kept in their own columns or tables; everything else of an extraction goes to `details_json`.
const OWN_COLUMNS: [&str; 8] = [
    "template_id",
    "template_version",
    "document_type",
    "source",
    "fields",
    "table_items",
    "validation",
    "is_valid",
];

/// The parts of an extraction without a column of their own (classification, e-invoice cross-check, ...),
/// as a JSON object, so fields added to [`Extraction`] later are kept without a schema change.
fn details_json(extraction: &Extraction) -> String {
    match serde_json::to_value(extraction) {
        Ok(serde_json::Value::Object(mut object)) => {
            for key in OWN_COLUMNS {
                object.remove(key);
            }
            object.remove("elapsed_ms");
            serde_json::Value::Object(object).to_string()
        }
        _ => "{}".into(),
    }
}

pub(crate) fn insert_extraction(
    transaction: &Transaction<'_>,
    document_id: i64,
    extraction: &Extraction,
) -> Result<()> {
    transaction
        .execute(
            "INSERT INTO extractions (document_id, template_id, template_version, document_type, source,
             details_json, fields_json, table_items_json, is_valid, elapsed_ms, extracted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                document_id,
                extraction.template_id,
                extraction.template_version,
                extraction.document_type,
                enum_text(&extraction.source),
                details_json(extraction),
                json_text(&extraction.fields),
                json_text(&extraction.table_items),
                extraction.is_valid,
                extraction.elapsed_ms,
                now_text(),
            ],
        )
        .during("storing an extraction")?;
    insert_validation(transaction, document_id, &extraction.validation)
}

pub(crate) fn insert_validation(
    transaction: &Transaction<'_>,
    document_id: i64,
    results: &[RuleResult],
) -> Result<()> {
    transaction
        .execute(
            "DELETE FROM validation_results WHERE document_id = ?1",
            [document_id],
        )
        .during("storing validation results")?;
    let mut insert = transaction
        .prepare_cached(
            "INSERT INTO validation_results (document_id, position, rule_name, rule_type, status, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .during("storing validation results")?;
    for (position, result) in results.iter().enumerate() {
        insert
            .execute(params![
                document_id,
                position as i64,
                result.rule_name,
                enum_text(&result.rule_type),
                enum_text(&result.status),
                result.message,
            ])
            .during("storing validation results")?;
    }
    Ok(())
}

/// An extraction row as read, its JSON columns still text.
struct RawExtraction {
    document_id: i64,
    template_id: String,
    template_version: u32,
    document_type: String,
    source: String,
    details: String,
    fields: String,
    table_items: String,
    is_valid: bool,
    elapsed_ms: u64,
}

impl RawExtraction {
    /// Decodes the row. The small parts (details and columns) go through a JSON object so fields added to
    /// [`Extraction`] later need no change here; fields and line items, the bulk, decode straight into
    /// their types.
    fn decode(self, validation: Vec<RuleResult>) -> Result<Extraction> {
        let document_id = self.document_id;
        let corrupt = |what| {
            move |source| HistoryError::Corrupt {
                what,
                document_id,
                source,
            }
        };
        let mut object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.details).map_err(corrupt("extraction details"))?;
        object.insert("template_id".into(), self.template_id.into());
        object.insert("template_version".into(), self.template_version.into());
        object.insert("document_type".into(), self.document_type.into());
        object.insert("source".into(), self.source.into());
        object.insert(
            "fields".into(),
            serde_json::Value::Object(Default::default()),
        );
        object.insert("table_items".into(), serde_json::Value::Array(Vec::new()));
        object.insert("validation".into(), serde_json::Value::Array(Vec::new()));
        object.insert("is_valid".into(), self.is_valid.into());
        object.insert("elapsed_ms".into(), self.elapsed_ms.into());
        let mut extraction: Extraction = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(corrupt("extraction"))?;
        extraction.fields = serde_json::from_str(&self.fields).map_err(corrupt("fields"))?;
        extraction.table_items =
            serde_json::from_str(&self.table_items).map_err(corrupt("line items"))?;
        extraction.validation = validation;
        Ok(extraction)
    }
}

/// SQLite limits the number of parameters of one statement: ids are queried this many at a time.
const IDS_PER_QUERY: usize = 500;

/// `?, ?, ?` for `n` parameters.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Store {
    /// A document's extraction with its validation results, or `None` when it has none (failed,
    /// unmatched, duplicate, still queued).
    pub fn extraction(&self, document_id: i64) -> Result<Option<Extraction>> {
        Ok(self.extractions(&[document_id])?.remove(&document_id))
    }

    /// The extractions (with validation results) of these documents, by document id; documents without
    /// one are absent. Loads them a few hundred per query: what exports use to page through history.
    pub fn extractions(
        &self,
        document_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Extraction>> {
        let mut validation = self.validation_results_of(document_ids)?;
        let mut extractions = std::collections::HashMap::with_capacity(document_ids.len());
        for chunk in document_ids.chunks(IDS_PER_QUERY) {
            let mut statement = self
                .connection
                .prepare_cached(&format!(
                    "SELECT document_id, template_id, template_version, document_type, source, details_json,
                     fields_json, table_items_json, is_valid, elapsed_ms FROM extractions
                     WHERE document_id IN ({})",
                    placeholders(chunk.len())
                ))
                .during("reading extractions")?;
            let raws = statement
                .query_map(rusqlite::params_from_iter(chunk), |row| {
                    Ok(RawExtraction {
                        document_id: row.get(0)?,
                        template_id: row.get(1)?,
                        template_version: row.get(2)?,
                        document_type: row.get(3)?,
                        source: row.get(4)?,
                        details: row.get(5)?,
                        fields: row.get(6)?,
                        table_items: row.get(7)?,
                        is_valid: row.get(8)?,
                        elapsed_ms: row.get(9)?,
                    })
                })
                .during("reading extractions")?;
            for raw in raws {
                let raw = raw.during("reading extractions")?;
                let document_id = raw.document_id;
                let results = validation.remove(&document_id).unwrap_or_default();
                extractions.insert(document_id, raw.decode(results)?);
            }
        }
        Ok(extractions)
    }

    /// The template and document type of these documents' extractions, in id order, read without
    /// decoding the extracted values (documents without an extraction are left out): what an export
    /// needs to lay out its sheets before it loads the documents themselves.
    pub fn extraction_kinds(&self, document_ids: &[i64]) -> Result<Vec<ExtractionKind>> {
        let mut kinds = Vec::with_capacity(document_ids.len());
        // SQLite limits the number of parameters of one statement.
        for chunk in document_ids.chunks(IDS_PER_QUERY) {
            let mut statement = self
                .connection
                .prepare(&format!(
                    "SELECT document_id, template_id, document_type FROM extractions
                     WHERE document_id IN ({}) ORDER BY document_id",
                    placeholders(chunk.len())
                ))
                .during("reading extraction templates")?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(chunk), |row| {
                    Ok(ExtractionKind {
                        document_id: row.get(0)?,
                        template_id: row.get(1)?,
                        document_type: row.get(2)?,
                    })
                })
                .during("reading extraction templates")?;
            for row in rows {
                kinds.push(row.during("reading extraction templates")?);
            }
        }
        kinds.sort_by_key(|kind| kind.document_id);
        Ok(kinds)
    }

    /// A document's validation results, in rule order.
    pub fn validation_results(&self, document_id: i64) -> Result<Vec<RuleResult>> {
        Ok(self
            .validation_results_of(&[document_id])?
            .remove(&document_id)
            .unwrap_or_default())
    }

    /// The validation results of these documents, each in rule order, by document id.
    fn validation_results_of(
        &self,
        document_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<RuleResult>>> {
        let mut results: std::collections::HashMap<i64, Vec<RuleResult>> =
            std::collections::HashMap::new();
        for chunk in document_ids.chunks(IDS_PER_QUERY) {
            let mut statement = self
                .connection
                .prepare_cached(&format!(
                    "SELECT document_id, rule_name, rule_type, status, message FROM validation_results
                     WHERE document_id IN ({}) ORDER BY document_id, position",
                    placeholders(chunk.len())
                ))
                .during("reading validation results")?;
            let raws = statement
                .query_map(rusqlite::params_from_iter(chunk), |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                    ))
                })
                .during("reading validation results")?;
            for raw in raws {
                let (document_id, rule_name, rule_type, status, message) =
                    raw.during("reading validation results")?;
                let corrupt = |source| HistoryError::Corrupt {
                    what: "validation result",
                    document_id,
                    source,
                };
                results.entry(document_id).or_default().push(RuleResult {
                    rule_name,
                    rule_type: serde_json::from_value(serde_json::Value::String(rule_type))
                        .map_err(corrupt)?,
                    status: serde_json::from_value(serde_json::Value::String(status))
                        .map_err(corrupt)?,
                    message,
                });
            }
        }
        Ok(results)
    }
}
