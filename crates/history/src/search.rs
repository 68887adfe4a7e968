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
    /// Only documents with (`Some(true)`) or without (`Some(false)`) a rule that warned (an OCR repair to
    /// check, ...).
    pub has_warnings: Option<bool>,
    /// Supplier name contains this (case-insensitive).
    pub supplier: Option<String>,
    /// Only these documents (a selection; empty: no restriction).
    pub document_ids: Vec<i64>,
    /// At most this many documents (newest first).
    pub limit: Option<u32>,
}

/// What a user typed into the search box, as FTS5 expressions: the documents to find and the documents to
/// leave out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Documents must match this (`None`: any document).
    pub matching: Option<String>,
    /// Documents matching this are left out.
    pub excluding: Option<String>,
}

/// Turns what a user typed into FTS5 queries. Every word must occur, each as a prefix (`brightl` finds
/// Brightline); `"two words"` is a phrase; `OR` between two terms accepts either (`toner OR paper`, binding
/// tighter than the implicit AND); `-word`, `-"a phrase"` or `NOT word` leave documents with it out; a bare
/// `AND` is the default and ignored. Everything is quoted for FTS5, so a user's `-`, `:`, `(` or a lone `"`
/// are never syntax errors. `None` when nothing searchable was typed.
pub fn fts_query(text: &str) -> Option<SearchQuery> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    let mut join_next = false;
    let mut negate_next = false;
    for token in tokens(text) {
        if !token.quoted {
            match token.text.as_str() {
                "OR" => {
                    join_next = !groups.is_empty();
                    continue;
                }
                "AND" => continue,
                "NOT" => {
                    negate_next = true;
                    continue;
                }
                _ => {}
            }
        }
        let Some(term) = fts_term(&token.text) else {
            continue;
        };
        if token.negated || negate_next {
            excluded.push(term);
        } else if join_next {
            if let Some(group) = groups.last_mut() {
                group.push(term);
            }
        } else {
            groups.push(vec![term]);
        }
        join_next = false;
        negate_next = false;
    }
    let any_of = |terms: &[String]| {
        if terms.len() == 1 {
            terms[0].clone()
        } else {
            format!("({})", terms.join(" OR "))
        }
    };
    let query = SearchQuery {
        matching: (!groups.is_empty()).then(|| {
            groups
                .iter()
                .map(|group| any_of(group))
                .collect::<Vec<_>>()
                .join(" AND ")
        }),
        excluding: (!excluded.is_empty()).then(|| any_of(&excluded)),
    };
    (query.matching.is_some() || query.excluding.is_some()).then_some(query)
}

/// One word or quoted phrase of a search, with whether a leading `-` asked to leave it out.
struct Token {
    text: String,
    quoted: bool,
    negated: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                // `-word` or `-"phrase"` leaves documents out; `-12,50` is a negative amount to find.
                Some(&next) if next == '"' || next.is_alphabetic() => negated = true,
                _ => {
                    let mut word = String::from("-");
                    word.extend(chars.by_ref().take_while(|c| !c.is_whitespace()));
                    tokens.push(Token {
                        text: word,
                        quoted: false,
                        negated: false,
                    });
                    continue;
                }
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            // An unclosed quote runs to the end of the text.
            let phrase: String = chars.by_ref().take_while(|&c| c != '"').collect();
            tokens.push(Token {
                text: phrase,
                quoted: true,
                negated,
            });
        } else {
            let word: String = chars.by_ref().take_while(|c| !c.is_whitespace()).collect();
            tokens.push(Token {
                text: word,
                quoted: false,
                negated,
            });
        }
    }
    tokens
}

/// A word or phrase as an FTS5 prefix string (`"toner cartridge"*`); `None` when it holds nothing to find
/// (no letter or digit: `-`, `*`, `(`).
fn fts_term(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    text.chars()
        .any(char::is_alphanumeric)
        .then(|| format!("\"{}\"*", words.join(" ").replace('"', "\"\"")))
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
        let search = filter
            .query
            .as_deref()
            .and_then(fts_query)
            .unwrap_or_default();
        let fts = search.matching.clone();
        if let Some(matching) = &search.matching {
            push("document_search MATCH ?", Box::new(matching.clone()));
        }
        if let Some(excluding) = &search.excluding {
            push(
                "d.id NOT IN (SELECT rowid FROM document_search WHERE document_search MATCH ?)",
                Box::new(excluding.clone()),
            );
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
        if let Some(warned) = filter.has_warnings {
            push(
                "EXISTS (SELECT 1 FROM validation_results v WHERE v.document_id = d.id AND v.status = 'warn') = ?",
                Box::new(warned),
            );
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
            Err(source) if filter.query.is_some() && source.to_string().contains("fts5") => {
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

#[cfg(test)]
mod tests {
    use super::{fts_query, SearchQuery};

    fn query(matching: Option<&str>, excluding: Option<&str>) -> Option<SearchQuery> {
        Some(SearchQuery {
            matching: matching.map(str::to_owned),
            excluding: excluding.map(str::to_owned),
        })
    }

    #[test]
    fn what_a_user_types_becomes_quoted_fts5_terms() {
        assert_eq!(
            fts_query("toner  brightl"),
            query(Some(r#""toner"* AND "brightl"*"#), None)
        );
        assert_eq!(
            fts_query(r#"INV-10 OR "Brightline Office" paper"#),
            query(
                Some(r#"("INV-10"* OR "Brightline Office"*) AND "paper"*"#),
                None
            )
        );
        assert_eq!(
            fts_query(r#"toner -paper NOT "office supply" AND"#),
            query(
                Some(r#""toner"*"#),
                Some(r#"("paper"* OR "office supply"*)"#)
            )
        );
        // A negative amount is something to find; a `-` alone or a lone quote is no syntax.
        assert_eq!(fts_query("-12,50"), query(Some(r#""-12,50"*"#), None));
        assert_eq!(fts_query(r#"foo"bar"#), query(Some(r#""foo""bar"*"#), None));
        assert_eq!(
            fts_query(r#""AND OR NOT ("#),
            query(Some(r#""AND OR NOT ("*"#), None)
        );
        assert_eq!(fts_query("OR toner OR"), query(Some(r#""toner"*"#), None));
        assert_eq!(fts_query("  \"\" AND "), None);
        assert_eq!(fts_query("* ( -"), None);
    }
}
