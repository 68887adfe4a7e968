//! The `documents` table: one row per input file of a job, with its identity (content hash, size, type),
//! where its original is kept, its status, its error when it failed, and how long each stage took.

use std::path::{Path, PathBuf};

use quire_document::Document;
use quire_extract::{DuplicateLookup, Extraction};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{HistoryError, Result, SqliteContext};
use crate::{extractions, now_text, pages, search, Store};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE documents (
    id                INTEGER PRIMARY KEY,
    job_id            INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    source_path       TEXT NOT NULL,
    file_name         TEXT NOT NULL,
    stored_path       TEXT,
    content_hash      TEXT,
    size_bytes        INTEGER,
    mime              TEXT,
    n_pages           INTEGER,
    status            TEXT NOT NULL,
    error_code        TEXT,
    error_message     TEXT,
    duplicate_of      INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    template_id       TEXT,
    supplier          TEXT,
    supplier_key      TEXT,
    document_ref      TEXT,
    document_ref_key  TEXT,
    document_date     TEXT,
    validation_failed INTEGER NOT NULL DEFAULT 0,
    queued_at         TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT,
    read_ms           INTEGER,
    extract_ms        INTEGER,
    UNIQUE (job_id, source_path)
);
CREATE INDEX documents_by_hash ON documents(content_hash);
CREATE INDEX documents_by_status ON documents(job_id, status);
CREATE INDEX documents_by_supplier_ref ON documents(supplier_key, document_ref_key);
";

/// Where a document is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Queued,
    Processing,
    /// Extracted and every validation rule passed.
    Completed,
    /// Could not be processed at all (the error code and message say why).
    Failed,
    /// No template recognised it.
    Unmatched,
    /// Extracted, but a validation rule failed: a person should look at it.
    NeedsReview,
    /// Identical content (same hash) was already processed: recorded as a duplicate of that document.
    Duplicate,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 7] = [
        DocumentStatus::Queued,
        DocumentStatus::Processing,
        DocumentStatus::Completed,
        DocumentStatus::Failed,
        DocumentStatus::Unmatched,
        DocumentStatus::NeedsReview,
        DocumentStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Queued => "queued",
            DocumentStatus::Processing => "processing",
            DocumentStatus::Completed => "completed",
            DocumentStatus::Failed => "failed",
            DocumentStatus::Unmatched => "unmatched",
            DocumentStatus::NeedsReview => "needs_review",
            DocumentStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentStatus> {
        DocumentStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// Whether the document has reached an end state.
    pub fn is_final(self) -> bool {
        !matches!(self, DocumentStatus::Queued | DocumentStatus::Processing)
    }
}

impl std::fmt::Display for DocumentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document's row: everything but its pages and extraction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub id: i64,
    pub job_id: Option<i64>,
    pub source_path: String,
    pub file_name: String,
    pub stored_path: Option<String>,
    pub content_hash: Option<String>,
    pub size_bytes: Option<u64>,
    pub mime: Option<String>,
    pub n_pages: Option<u32>,
    pub status: DocumentStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub duplicate_of: Option<i64>,
    pub template_id: Option<String>,
    pub supplier: Option<String>,
    pub document_ref: Option<String>,
    /// The document's own date (its `date` field), ISO 8601.
    pub document_date: Option<String>,
    pub validation_failed: bool,
    pub queued_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub read_ms: Option<u64>,
    pub extract_ms: Option<u64>,
}

pub(crate) const DOCUMENT_COLUMNS: &str = "d.id, d.job_id, d.source_path, d.file_name, d.stored_path, d.content_hash, d.size_bytes, d.mime, d.n_pages, d.status, d.error_code, d.error_message, d.duplicate_of, d.template_id, d.supplier, d.document_ref, d.document_date, d.validation_failed, d.queued_at, d.started_at, d.finished_at, d.read_ms, d.extract_ms";

pub(crate) fn document_from_row(row: &Row<'_>) -> rusqlite::Result<DocumentRow> {
    let status: String = row.get(9)?;
    Ok(DocumentRow {
        id: row.get(0)?,
        job_id: row.get(1)?,
        source_path: row.get(2)?,
        file_name: row.get(3)?,
        stored_path: row.get(4)?,
        content_hash: row.get(5)?,
        size_bytes: row.get(6)?,
        mime: row.get(7)?,
        n_pages: row.get(8)?,
        status: DocumentStatus::parse(&status).unwrap_or(DocumentStatus::Failed),
        error_code: row.get(10)?,
        error_message: row.get(11)?,
        duplicate_of: row.get(12)?,
        template_id: row.get(13)?,
        supplier: row.get(14)?,
        document_ref: row.get(15)?,
        document_date: row.get(16)?,
        validation_failed: row.get(17)?,
        queued_at: row.get(18)?,
        started_at: row.get(19)?,
        finished_at: row.get(20)?,
        read_ms: row.get(21)?,
        extract_ms: row.get(22)?,
    })
}

/// What processing produced for one document, to be stored in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct ProcessedDocument<'a> {
    pub document: &'a Document,
    /// The content-addressed copy of the original, when copies are kept.
    pub stored_copy: Option<&'a Path>,
    /// The extraction, or `None` when no template recognised the document.
    pub extraction: Option<&'a Extraction>,
    /// Why no template matched (when `extraction` is `None`).
    pub unmatched_reason: Option<&'a str>,
    pub read_ms: u64,
    pub extract_ms: u64,
}

/// Case- and whitespace-insensitive key for supplier / document id matching (as the duplicate rule does).
pub(crate) fn match_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The header fields copied to document columns for filtering and duplicate detection.
pub(crate) struct KeyFields {
    pub supplier: Option<String>,
    pub document_ref: Option<String>,
    pub document_date: Option<String>,
}

impl KeyFields {
    pub(crate) fn of(extraction: &Extraction) -> KeyFields {
        let text = |key: &str| {
            extraction
                .field_string(key)
                .filter(|value| !value.trim().is_empty())
        };
        KeyFields {
            supplier: text("supplierName").or_else(|| text("bankName")),
            document_ref: text("documentId").or_else(|| text("accountNumber")),
            document_date: text("date").or_else(|| text("closingDate")),
        }
    }
}

/// The status of an extracted document: needs review when a rule failed.
pub(crate) fn status_of(extraction: &Extraction) -> DocumentStatus {
    if extraction.is_valid {
        DocumentStatus::Completed
    } else {
        DocumentStatus::NeedsReview
    }
}

impl Store {
    /// Marks a document as being processed (a crash leaves it so; resuming processes it again).
    pub fn mark_processing(&self, document_id: i64) -> Result<()> {
        self.connection
            .execute(
                "UPDATE documents SET status = 'processing', started_at = ?2 WHERE id = ?1",
                params![document_id, now_text()],
            )
            .during("marking a document as processing")?;
        Ok(())
    }

    /// Records a document that could not be processed, with its error code and message.
    pub fn record_failure(
        &mut self,
        document_id: i64,
        error_code: &str,
        error_message: &str,
        read_ms: u64,
    ) -> Result<()> {
        let transaction = self
            .connection
            .transaction()
            .during("recording a failure")?;
        clear_results(&transaction, document_id)?;
        transaction
            .execute(
                "UPDATE documents SET status = 'failed', error_code = ?2, error_message = ?3, finished_at = ?4,
                 read_ms = ?5, extract_ms = NULL, template_id = NULL, validation_failed = 0 WHERE id = ?1",
                params![document_id, error_code, error_message, now_text(), read_ms],
            )
            .during("recording a failure")?;
        transaction.commit().during("recording a failure")?;
        Ok(())
    }

    /// Stores everything processing produced for a document (pages, extraction, validation results, search
    /// text, status) in one transaction, replacing anything an interrupted earlier attempt left. A document
    /// whose content was already processed (same hash, another row) is recorded as its duplicate instead.
    /// Returns the status recorded.
    pub fn record_processed(
        &mut self,
        document_id: i64,
        processed: &ProcessedDocument<'_>,
    ) -> Result<DocumentStatus> {
        let document = processed.document;
        let transaction = self
            .connection
            .transaction()
            .during("storing a processed document")?;
        clear_results(&transaction, document_id)?;
        let original: Option<i64> = transaction
            .query_row(
                "SELECT id FROM documents WHERE content_hash = ?1 AND id != ?2
                 AND status IN ('completed', 'needs_review', 'unmatched') ORDER BY id LIMIT 1",
                params![document.content_hash, document_id],
                |row| row.get(0),
            )
            .optional()
            .during("looking for identical content")?;
        let stored_copy = processed
            .stored_copy
            .map(|path| path.to_string_lossy().into_owned());
        transaction
            .execute(
                "UPDATE documents SET content_hash = ?2, size_bytes = ?3, mime = ?4, n_pages = ?5, stored_path = ?6,
                 finished_at = ?7, read_ms = ?8, extract_ms = ?9, error_code = NULL, error_message = NULL,
                 duplicate_of = NULL, template_id = NULL, supplier = NULL, supplier_key = NULL, document_ref = NULL,
                 document_ref_key = NULL, document_date = NULL, validation_failed = 0
                 WHERE id = ?1",
                params![
                    document_id,
                    document.content_hash,
                    document.size_bytes,
                    document.mime.as_str(),
                    document.n_pages() as u32,
                    stored_copy,
                    now_text(),
                    processed.read_ms,
                    processed.extract_ms,
                ],
            )
            .during("storing a processed document")?;
        let status = if let Some(original_id) = original {
            transaction
                .execute(
                    "UPDATE documents SET status = 'duplicate', duplicate_of = ?2, error_message = ?3 WHERE id = ?1",
                    params![
                        document_id,
                        original_id,
                        format!("identical content was already processed as document {original_id}")
                    ],
                )
                .during("recording a duplicate")?;
            DocumentStatus::Duplicate
        } else {
            pages::insert_pages(&transaction, document_id, document)?;
            let status = match processed.extraction {
                Some(extraction) => {
                    extractions::insert_extraction(&transaction, document_id, extraction)?;
                    let keys = KeyFields::of(extraction);
                    let status = status_of(extraction);
                    transaction
                        .execute(
                            "UPDATE documents SET status = ?2, template_id = ?3, supplier = ?4, supplier_key = ?5,
                             document_ref = ?6, document_ref_key = ?7, document_date = ?8, validation_failed = ?9
                             WHERE id = ?1",
                            params![
                                document_id,
                                status.as_str(),
                                extraction.template_id,
                                keys.supplier,
                                keys.supplier.as_deref().map(match_key),
                                keys.document_ref,
                                keys.document_ref.as_deref().map(match_key),
                                keys.document_date,
                                !extraction.is_valid,
                            ],
                        )
                        .during("storing a processed document")?;
                    status
                }
                None => {
                    transaction
                        .execute(
                            "UPDATE documents SET status = 'unmatched', error_code = 'unmatched', error_message = ?2
                             WHERE id = ?1",
                            params![document_id, processed.unmatched_reason],
                        )
                        .during("storing a processed document")?;
                    DocumentStatus::Unmatched
                }
            };
            search::index_document(&transaction, document_id, document, processed.extraction)?;
            status
        };
        transaction
            .commit()
            .during("storing a processed document")?;
        Ok(status)
    }

    /// One document's row.
    pub fn document(&self, document_id: i64) -> Result<DocumentRow> {
        self.connection
            .query_row(
                &format!("SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?1"),
                [document_id],
                document_from_row,
            )
            .optional()
            .during("reading a document")?
            .ok_or(HistoryError::NotFound {
                what: "document",
                id: document_id,
            })
    }

    /// The first processed document with this content hash, if any.
    pub fn find_by_hash(&self, content_hash: &str) -> Result<Option<i64>> {
        self.connection
            .query_row(
                "SELECT id FROM documents WHERE content_hash = ?1
                 AND status IN ('completed', 'needs_review', 'unmatched') ORDER BY id LIMIT 1",
                [content_hash],
                |row| row.get(0),
            )
            .optional()
            .during("looking for identical content")
    }

    /// Deletes a document with its pages, extraction, results, corrections and search entry, and its
    /// original's stored copy unless another document still refers to it (identical content is stored
    /// once). Returns the copy removed. The rows go first: a crash in between leaves an unreferenced
    /// file, never a row whose copy is gone.
    pub fn delete_document(&mut self, document_id: i64) -> Result<Option<PathBuf>> {
        let transaction = self
            .connection
            .transaction()
            .during("deleting a document")?;
        let stored: Option<(Option<String>, Option<String>)> = transaction
            .query_row(
                "SELECT stored_path, content_hash FROM documents WHERE id = ?1",
                [document_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .during("deleting a document")?;
        let Some((stored_path, content_hash)) = stored else {
            return Err(HistoryError::NotFound {
                what: "document",
                id: document_id,
            });
        };
        search::remove_document(&transaction, document_id)?;
        transaction
            .execute("DELETE FROM documents WHERE id = ?1", [document_id])
            .during("deleting a document")?;
        let still_used: bool = match &stored_path {
            Some(path) => transaction
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM documents WHERE stored_path = ?1)",
                    [path],
                    |row| row.get(0),
                )
                .during("deleting a document")?,
            None => true,
        };
        transaction.commit().during("deleting a document")?;
        let copy = match (stored_path, content_hash) {
            (Some(path), Some(hash))
                if !still_used && is_stored_original(Path::new(&path), &hash) =>
            {
                PathBuf::from(path)
            }
            _ => return Ok(None),
        };
        match std::fs::remove_file(&copy) {
            Ok(()) => {
                // The `ab/` folder goes when it held the last copy (removing a non-empty folder fails).
                if let Some(folder) = copy.parent() {
                    let _ = std::fs::remove_dir(folder);
                }
                Ok(Some(copy))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(HistoryError::Io { path: copy, source }),
        }
    }

    /// A duplicate lookup over the history that ignores one document (the one being validated).
    pub fn duplicates_excluding(&self, document_id: Option<i64>) -> HistoryDuplicates<'_> {
        HistoryDuplicates {
            store: self,
            excluding: document_id,
        }
    }
}

/// Whether `path` has the shape of a copy [`crate::store_original`] made of content `hash`
/// (`…/originals/ab/<hash>.<ext>`): only such a file is ever removed with its document.
fn is_stored_original(path: &Path, hash: &str) -> bool {
    let stem_is_hash = path.file_stem().and_then(|s| s.to_str()) == Some(hash);
    let in_originals = path
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|name| name == "originals");
    !hash.is_empty() && stem_is_hash && in_originals
}

/// Removes what an earlier attempt stored for a document (pages, extraction, results, search entry).
fn clear_results(transaction: &Transaction<'_>, document_id: i64) -> Result<()> {
    search::remove_document(transaction, document_id)?;
    for sql in [
        "DELETE FROM pages WHERE document_id = ?1",
        "DELETE FROM validation_results WHERE document_id = ?1",
        "DELETE FROM extractions WHERE document_id = ?1",
    ] {
        transaction
            .execute(sql, [document_id])
            .during("clearing an earlier attempt")?;
    }
    Ok(())
}

/// The history as the `duplicate` validation rule asks it: an extracted document with the same supplier
/// and document id, other than the one being validated.
#[derive(Clone, Copy)]
pub struct HistoryDuplicates<'a> {
    store: &'a Store,
    excluding: Option<i64>,
}

impl DuplicateLookup for HistoryDuplicates<'_> {
    fn find_duplicate(&self, supplier: &str, document_id: &str) -> Option<String> {
        let found: Option<(i64, String, Option<String>)> = self
            .store
            .connection
            .query_row(
                "SELECT id, file_name, document_date FROM documents
                 WHERE supplier_key IS ?1 AND document_ref_key = ?2 AND id != ?3
                 AND status IN ('completed', 'needs_review') ORDER BY id LIMIT 1",
                params![
                    (!supplier.trim().is_empty()).then(|| match_key(supplier)),
                    match_key(document_id),
                    self.excluding.unwrap_or(-1)
                ],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            // A lookup that fails cannot prove a duplicate; the rule then passes.
            .unwrap_or(None);
        found.map(|(id, file_name, date)| match date {
            Some(date) => format!("document {id} ({file_name}, dated {date})"),
            None => format!("document {id} ({file_name})"),
        })
    }
}

impl DuplicateLookup for Store {
    fn find_duplicate(&self, supplier: &str, document_id: &str) -> Option<String> {
        self.duplicates_excluding(None)
            .find_duplicate(supplier, document_id)
    }
}
