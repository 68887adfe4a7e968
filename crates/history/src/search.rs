//! Full-text search (SQLite FTS5) over documents' text and extracted values, and the document listing with
//! filters (status, template, date range, failed validation, supplier) that search and export share.

use chrono::NaiveDate;
use quire_document::Document;
use quire_extract::Extraction;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use crate::documents::{document_from_row, DocumentRow, DOCUMENT_COLUMNS};
use crate::error::{HistoryError, Result, SqliteContext};
use crate::{DocumentStatus, Store};

/// The search index; its rowid is the document id. Migration 2 fills it from the rows already stored.
pub(crate) const SCHEMA_V2: &str = "
CREATE VIRTUAL TABLE document_search USING fts5(
    file_name, text, field_values, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO document_search (rowid, file_name, text, field_values)
SELECT d.id, d.file_name,
       coalesce((SELECT group_concat(p.layout_text, ' ') FROM pages p WHERE p.document_id = d.id), ''),
       coalesce((SELECT group_concat(json_extract(f.value, '$.value.value'), ' ')
                 FROM extractions e, json_each(e.fields_json) f WHERE e.document_id = d.id), '')
FROM documents d WHERE d.status IN ('completed', 'needs_review', 'unmatched');
";

/// The text of an extraction's values, for the search index: header field values and line-item cells.
fn field_values_text(extraction: Option<&Extraction>) -> String {
    let Some(extraction) = extraction else {
        return String::new();
    };
    let mut parts: Vec<String> = extraction
        .fields
        .values()
        .map(|field| field.value.normalized_string())
        .collect();
    for row in &extraction.table_items {
        parts.extend(
            row.cells
                .values()
                .map(|cell| cell.value.normalized_string()),
        );
    }
    parts.join(" ")
}

pub(crate) fn index_document(
    transaction: &Transaction<'_>,
    document_id: i64,
    document: &Document,
    extraction: Option<&Extraction>,
) -> Result<()> {
    let file_name: String = transaction
        .query_row(
            "SELECT file_name FROM documents WHERE id = ?1",
            [document_id],
            |row| row.get(0),
        )
        .during("indexing a document")?;
    transaction
        .execute(
            "INSERT INTO document_search (rowid, file_name, text, field_values) VALUES (?1, ?2, ?3, ?4)",
            params![
                document_id,
                file_name,
                document.layout_text(),
                field_values_text(extraction)
            ],
        )
        .during("indexing a document")?;
    Ok(())
}

pub(crate) fn update_field_values(
    transaction: &Transaction<'_>,
    document_id: i64,
    extraction: &Extraction,
) -> Result<()> {
    transaction
        .execute(
            "UPDATE document_search SET field_values = ?2 WHERE rowid = ?1",
            params![document_id, field_values_text(Some(extraction))],
        )
        .during("updating the search index")?;
    Ok(())
}

pub(crate) fn remove_document(transaction: &Transaction<'_>, document_id: i64) -> Result<()> {
    transaction
        .execute(
            "DELETE FROM document_search WHERE rowid = ?1",
            [document_id],
        )
        .during("removing from the search index")?;
    Ok(())
}

/// Which documents to list. Every set criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentFilter {
    /// Words to find in the document's text, file name or extracted values (each word a prefix; all must
    /// occur).
    pub query: Option<String>,
    pub job_id: Option<i64>,
    pub status: Option<DocumentStatus>,
    pub template_id: Option<String>,
    /// The document's own date, from (inclusive).
    pub date_from: Option<NaiveDate>,
    /// The document's own date, to (inclusive).
    pub date_to: Option<NaiveDate>,
    /// Only documents whose validation failed (`Some(true)`) or passed (`Some(false)`).
    pub validation_failed: Option<bool>,
    /// Supplier name contains this (case-insensitive).
    pub supplier: Option<String>,
    /// Only these documents (a selection; empty: no restriction).
    pub document_ids: Vec<i64>,
    /// At most this many documents (newest first).
    pub limit: Option<u32>,
}

/// Turns what a user typed into an FTS5 query: each word quoted (so `-`, `:` or `"` are not syntax) and
/// matched as a prefix.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Store {
    /// The documents matching a filter.
    pub fn documents(&self, filter: &DocumentFilter) -> Result<Vec<DocumentRow>> {
        let mut conditions: Vec<String> = Vec::new();
        if !filter.document_ids.is_empty() {
            // Integers, written into the statement (a selection can be longer than SQLite's parameter
            // limit).
            let ids: Vec<String> = filter.document_ids.iter().map(i64::to_string).collect();
            conditions.push(format!("d.id IN ({})", ids.join(", ")));
        }
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let mut push = |condition: &str, value: Box<dyn rusqlite::ToSql>| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        };
        let fts = filter.query.as_deref().and_then(fts_query);
        if let Some(fts) = &fts {
            push("document_search MATCH ?", Box::new(fts.clone()));
        }
        if let Some(job_id) = filter.job_id {
            push("d.job_id = ?", Box::new(job_id));
        }
        if let Some(status) = filter.status {
            push("d.status = ?", Box::new(status.as_str()));
        }
        if let Some(template_id) = &filter.template_id {
            push("d.template_id = ?", Box::new(template_id.clone()));
        }
        if let Some(from) = filter.date_from {
            push("d.document_date >= ?", Box::new(from.to_string()));
        }
        if let Some(to) = filter.date_to {
            push("d.document_date <= ?", Box::new(to.to_string()));
        }
        if let Some(failed) = filter.validation_failed {
            push("d.validation_failed = ?", Box::new(failed));
        }
        if let Some(supplier) = &filter.supplier {
            let escaped = supplier
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push(
                "d.supplier_key LIKE ? ESCAPE '\\'",
                Box::new(format!("%{escaped}%")),
            );
        }
        let from = if fts.is_some() {
            "document_search JOIN documents d ON d.id = document_search.rowid"
        } else {
            "documents d"
        };
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // Newest first, for searches too: FTS5 walks its matches in rowid order and stops at the limit,
        // where ranking by relevance would score every match first (hundreds of milliseconds for a common
        // word over 100,000 documents).
        let order = if fts.is_some() {
            "ORDER BY document_search.rowid DESC"
        } else {
            "ORDER BY d.id DESC"
        };
        let limit = filter
            .limit
            .map(|n| format!("LIMIT {n}"))
            .unwrap_or_default();
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM {from} {where_clause} {order} {limit}");
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .during("listing documents")?;
        let parameters: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
        let rows = statement
            .query_map(parameters.as_slice(), document_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        match rows {
            Ok(rows) => Ok(rows),
            Err(source) if fts.is_some() && source.to_string().contains("fts5") => {
                Err(HistoryError::InvalidQuery {
                    query: filter.query.clone().unwrap_or_default(),
                    reason: source.to_string(),
                })
            }
            Err(source) => Err(HistoryError::Sqlite {
                action: "listing documents",
                source,
            }),
        }
    }
}
