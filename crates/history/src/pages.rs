//! The `pages` table: each stored document's pages, with their source, layout text and words (boxes and
//! confidences), so a reviewer can see where values came from without the original.

use quire_document::{Document, OcrInfo, Page, PageSource, Word};
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{HistoryError, Result, SqliteContext};
use crate::Store;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE pages (
    document_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    source          TEXT NOT NULL,
    width           REAL NOT NULL,
    height          REAL NOT NULL,
    mean_confidence REAL NOT NULL,
    ocr_json        TEXT,
    layout_text     TEXT NOT NULL,
    words_json      TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);
";

/// A stored page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPage {
    pub number: u32,
    pub source: PageSource,
    pub width: f32,
    pub height: f32,
    pub mean_confidence: f32,
    pub ocr: Option<OcrInfo>,
    pub layout_text: String,
    pub words: Vec<Word>,
}

pub(crate) fn insert_pages(
    transaction: &Transaction<'_>,
    document_id: i64,
    document: &Document,
) -> Result<()> {
    let mut insert = transaction
        .prepare_cached(
            "INSERT INTO pages (document_id, number, source, width, height, mean_confidence, ocr_json, layout_text, words_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .during("storing pages")?;
    for page in &document.pages {
        insert
            .execute(params![
                document_id,
                page.number,
                page.source.as_str(),
                page.width,
                page.height,
                page.mean_confidence,
                page.ocr
                    .as_ref()
                    .map(|ocr| serde_json::to_string(ocr).unwrap_or_default()),
                page.layout_text,
                serde_json::to_string(&page.words).unwrap_or_else(|_| "[]".into()),
            ])
            .during("storing pages")?;
    }
    Ok(())
}

impl Store {
    /// The stored pages of a document, in order.
    pub fn pages(&self, document_id: i64) -> Result<Vec<StoredPage>> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT number, source, width, height, mean_confidence, ocr_json, layout_text, words_json
                 FROM pages WHERE document_id = ?1 ORDER BY number",
            )
            .during("reading pages")?;
        let raws = statement
            .query_map([document_id], |row| {
                Ok((
                    row.get::<_, u32>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, f32>(2)?,
                    row.get::<_, f32>(3)?,
                    row.get::<_, f32>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                ))
            })
            .during("reading pages")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("reading pages")?;
        raws.into_iter()
            .map(
                |(number, source, width, height, mean_confidence, ocr, layout_text, words)| {
                    let corrupt = |source| HistoryError::Corrupt {
                        what: "page words",
                        document_id,
                        source,
                    };
                    Ok(StoredPage {
                        number,
                        source: if source == "ocr" {
                            PageSource::Ocr
                        } else {
                            PageSource::TextLayer
                        },
                        width,
                        height,
                        mean_confidence,
                        ocr: ocr
                            .map(|json| serde_json::from_str(&json))
                            .transpose()
                            .map_err(corrupt)?,
                        layout_text,
                        words: serde_json::from_str(&words).map_err(corrupt)?,
                    })
                },
            )
            .collect()
    }

    /// Rebuilds a stored document's pages as [`Page`]s (lines regrouped from the words).
    pub fn document_pages(&self, document_id: i64) -> Result<Vec<Page>> {
        Ok(self
            .pages(document_id)?
            .into_iter()
            .map(|stored| {
                Page::from_words(
                    stored.number,
                    stored.width,
                    stored.height,
                    stored.source,
                    stored.words,
                    stored.ocr,
                )
            })
            .collect())
    }
}
