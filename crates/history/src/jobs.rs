//! The `jobs` table: one row per batch run, with its status and the settings it was started with.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{HistoryError, Result, SqliteContext};
use crate::{now_text, DocumentStatus, Store};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT
);
";

/// The state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Created; no run has started.
    Queued,
    /// A run is (or was, if the process died) processing it.
    Running,
    /// Stopped on request; `resume` processes the rest.
    Paused,
    /// Stopped for good; the documents not processed stay queued.
    Cancelled,
    /// Every document has been processed.
    Completed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Paused => "paused",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Completed => "completed",
        }
    }

    pub fn parse(text: &str) -> Option<JobStatus> {
        [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Paused,
            JobStatus::Cancelled,
            JobStatus::Completed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// A job with its document counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub name: String,
    pub status: JobStatus,
    /// The settings the job was created with (the engine's, as JSON).
    pub settings: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
    pub counts: JobCounts,
}

/// How many documents of a job are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounts {
    pub n_total: u64,
    pub n_queued: u64,
    pub n_processing: u64,
    pub n_completed: u64,
    pub n_needs_review: u64,
    pub n_unmatched: u64,
    pub n_failed: u64,
    pub n_duplicate: u64,
}

impl JobCounts {
    /// Documents that still have to be processed (queued, or interrupted while processing).
    pub fn n_pending(&self) -> u64 {
        self.n_queued + self.n_processing
    }

    /// Documents processed to an end state.
    pub fn n_done(&self) -> u64 {
        self.n_total - self.n_pending()
    }
}

/// A job row as read: id, name, status, settings, created, updated, finished.
type RawJob = (i64, String, String, String, String, String, Option<String>);

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

const JOB_COLUMNS: &str = "id, name, status, settings_json, created_at, updated_at, finished_at";

/// Inserts a job with its documents, all queued, inside a transaction (the hot-folder ledger is written in
/// the same one). The same path given twice is queued once. Returns the job id.
pub(crate) fn insert_job(
    transaction: &rusqlite::Transaction<'_>,
    name: &str,
    settings: &serde_json::Value,
    paths: &[std::path::PathBuf],
    now: &str,
) -> Result<i64> {
    transaction
        .execute(
            "INSERT INTO jobs (name, status, settings_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![name, JobStatus::Queued.as_str(), settings.to_string(), now],
        )
        .during("creating a job")?;
    let job_id = transaction.last_insert_rowid();
    let mut insert = transaction
        .prepare(
            "INSERT OR IGNORE INTO documents (job_id, source_path, file_name, status, queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .during("queueing documents")?;
    for path in paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        insert
            .execute(params![
                job_id,
                path.to_string_lossy(),
                file_name,
                DocumentStatus::Queued.as_str(),
                now
            ])
            .during("queueing documents")?;
    }
    Ok(job_id)
}

impl Store {
    /// Creates a job with its documents, all queued, in one transaction. The same path given twice is
    /// queued once. Returns the job id.
    pub fn create_job(
        &mut self,
        name: &str,
        settings: &serde_json::Value,
        paths: &[std::path::PathBuf],
    ) -> Result<i64> {
        let now = now_text();
        let transaction = self.connection.transaction().during("creating a job")?;
        let job_id = insert_job(&transaction, name, settings, paths, &now)?;
        transaction.commit().during("creating a job")?;
        Ok(job_id)
    }

    /// One job with its counts.
    pub fn job(&self, job_id: i64) -> Result<Job> {
        let raw = self
            .connection
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                [job_id],
                job_from_row,
            )
            .optional()
            .during("reading a job")?
            .ok_or(HistoryError::NotFound {
                what: "job",
                id: job_id,
            })?;
        self.job_with_counts(raw)
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<Job>> {
        let raws = {
            let mut statement = self
                .connection
                .prepare(&format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC"))
                .during("listing jobs")?;
            let rows = statement
                .query_map([], job_from_row)
                .during("listing jobs")?
                .collect::<rusqlite::Result<Vec<_>>>()
                .during("listing jobs")?;
            rows
        };
        raws.into_iter()
            .map(|raw| self.job_with_counts(raw))
            .collect()
    }

    fn job_with_counts(
        &self,
        (id, name, status, settings, created_at, updated_at, finished_at): RawJob,
    ) -> Result<Job> {
        Ok(Job {
            id,
            name,
            status: JobStatus::parse(&status).unwrap_or(JobStatus::Queued),
            settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
            created_at,
            updated_at,
            finished_at,
            counts: self.job_counts(id)?,
        })
    }

    /// How many documents of the job are in each status.
    pub fn job_counts(&self, job_id: i64) -> Result<JobCounts> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT status, COUNT(*) FROM documents WHERE job_id = ?1 GROUP BY status",
            )
            .during("counting a job's documents")?;
        let rows = statement
            .query_map([job_id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
            })
            .during("counting a job's documents")?;
        let mut counts = JobCounts::default();
        for row in rows {
            let (status, n) = row.during("counting a job's documents")?;
            counts.n_total += n;
            match DocumentStatus::parse(&status) {
                Some(DocumentStatus::Queued) => counts.n_queued += n,
                Some(DocumentStatus::Processing) => counts.n_processing += n,
                Some(DocumentStatus::Completed) => counts.n_completed += n,
                Some(DocumentStatus::NeedsReview) => counts.n_needs_review += n,
                Some(DocumentStatus::Unmatched) => counts.n_unmatched += n,
                Some(DocumentStatus::Failed) => counts.n_failed += n,
                Some(DocumentStatus::Duplicate) => counts.n_duplicate += n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Sets a job's status (and its finish time when it completes or is cancelled).
    pub fn set_job_status(&self, job_id: i64, status: JobStatus) -> Result<()> {
        let now = now_text();
        let finished =
            matches!(status, JobStatus::Completed | JobStatus::Cancelled).then(|| now.clone());
        let n_changed = self
            .connection
            .execute(
                "UPDATE jobs SET status = ?2, updated_at = ?3, finished_at = ?4 WHERE id = ?1",
                params![job_id, status.as_str(), now, finished],
            )
            .during("updating a job")?;
        if n_changed == 0 {
            return Err(HistoryError::NotFound {
                what: "job",
                id: job_id,
            });
        }
        Ok(())
    }

    /// The job's status as stored (cheap; a running batch polls it for pause and cancel requests).
    pub fn job_status(&self, job_id: i64) -> Result<JobStatus> {
        let status: Option<String> = self
            .connection
            .query_row("SELECT status FROM jobs WHERE id = ?1", [job_id], |row| {
                row.get(0)
            })
            .optional()
            .during("reading a job's status")?;
        status
            .and_then(|s| JobStatus::parse(&s))
            .ok_or(HistoryError::NotFound {
                what: "job",
                id: job_id,
            })
    }

    /// The job's documents still to process (queued, or interrupted while processing), in queue order.
    pub fn pending_documents(&self, job_id: i64) -> Result<Vec<(i64, std::path::PathBuf)>> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, source_path FROM documents WHERE job_id = ?1 AND status IN ('queued', 'processing') ORDER BY id",
            )
            .during("listing pending documents")?;
        let rows = statement
            .query_map([job_id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    std::path::PathBuf::from(row.get::<_, String>(1)?),
                ))
            })
            .during("listing pending documents")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("listing pending documents")?;
        Ok(rows)
    }
}

/// Parses a stored time (RFC 3339).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
