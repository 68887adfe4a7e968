//! Statistics over the history: documents by status and by template, pages, failure reasons, time spent.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SqliteContext};
use crate::Store;

/// Figures over every stored document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub n_documents: u64,
    pub n_jobs: u64,
    pub n_pages: u64,
    /// Documents per status (`completed`, `failed`, ...), most first.
    pub by_status: Vec<(String, u64)>,
    /// Extracted documents per template id, most first.
    pub by_template: Vec<(String, u64)>,
    /// Failed documents per error code, most first.
    pub failure_reasons: Vec<(String, u64)>,
    pub n_validation_failed: u64,
    pub n_corrections: u64,
    /// Time spent reading and extracting, summed over documents, in milliseconds.
    pub read_ms: u64,
    pub extract_ms: u64,
}

impl Store {
    /// Statistics over every stored document.
    pub fn stats(&self) -> Result<Stats> {
        let grouped = |sql: &str| -> Result<Vec<(String, u64)>> {
            let mut statement = self
                .connection
                .prepare(sql)
                .during("computing statistics")?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .during("computing statistics")?
                .collect::<rusqlite::Result<Vec<_>>>()
                .during("computing statistics")?;
            Ok(rows)
        };
        let (n_documents, n_pages, n_validation_failed, read_ms, extract_ms): (
            u64,
            u64,
            u64,
            u64,
            u64,
        ) = self
            .connection
            .query_row(
                "SELECT COUNT(*), coalesce(SUM(n_pages), 0), coalesce(SUM(validation_failed), 0),
                 coalesce(SUM(read_ms), 0), coalesce(SUM(extract_ms), 0) FROM documents",
                [],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .during("computing statistics")?;
        let single = |sql: &str| -> Result<u64> {
            self.connection
                .query_row(sql, [], |row| row.get(0))
                .during("computing statistics")
        };
        Ok(Stats {
            n_documents,
            n_jobs: single("SELECT COUNT(*) FROM jobs")?,
            n_pages,
            by_status: grouped(
                "SELECT status, COUNT(*) AS n FROM documents GROUP BY status ORDER BY n DESC, status",
            )?,
            by_template: grouped(
                "SELECT template_id, COUNT(*) AS n FROM documents WHERE template_id IS NOT NULL
                 GROUP BY template_id ORDER BY n DESC, template_id",
            )?,
            failure_reasons: grouped(
                "SELECT error_code, COUNT(*) AS n FROM documents WHERE status = 'failed'
                 GROUP BY error_code ORDER BY n DESC, error_code",
            )?,
            n_validation_failed,
            n_corrections: single("SELECT COUNT(*) FROM corrections")?,
            read_ms,
            extract_ms,
        })
    }
}

/// A rule that warned on a document (an OCR repair to check, ...), for a job's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub document_id: i64,
    pub file_name: String,
    pub rule_name: String,
    pub message: String,
}

impl Store {
    /// The warnings of a job's documents, in document order: valid documents a person may still want to
    /// look at (values OCR misread that the rows' sums repaired, ...).
    pub fn job_warnings(&self, job_id: i64) -> Result<Vec<Warning>> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT d.id, d.file_name, v.rule_name, v.message
                 FROM validation_results v JOIN documents d ON d.id = v.document_id
                 WHERE d.job_id = ?1 AND v.status = 'warn'
                 ORDER BY d.id, v.position",
            )
            .during("listing warnings")?;
        let warnings = statement
            .query_map([job_id], |row| {
                Ok(Warning {
                    document_id: row.get(0)?,
                    file_name: row.get(1)?,
                    rule_name: row.get(2)?,
                    message: row.get(3)?,
                })
            })
            .during("listing warnings")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("listing warnings")?;
        Ok(warnings)
    }
}
