//! The hot-folder tables: `watch_folders` (each watched folder's settings: template, recursion, patterns,
//! what happens after processing, export, polling, settle interval) and `watch_ledger` (every file taken from
//! a watched folder: its path, size, modification time and content hash, the job and document it became, and
//! its outcome). The ledger is what makes a hot folder process each file exactly once across restarts: a
//! file's ledger entry and its queued document are written in the same transaction as the job.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{HistoryError, Result, SqliteContext};
use crate::{jobs, now_text, Store};

pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE watch_folders (
    id               INTEGER PRIMARY KEY,
    folder           TEXT NOT NULL UNIQUE,
    template_id      TEXT,
    recursive        INTEGER NOT NULL DEFAULT 0,
    include_json     TEXT NOT NULL DEFAULT '[]',
    exclude_json     TEXT NOT NULL DEFAULT '[]',
    temporary_json   TEXT NOT NULL DEFAULT '[]',
    processed_dir    TEXT,
    failed_dir       TEXT,
    export_path      TEXT,
    polling          INTEGER NOT NULL DEFAULT 0,
    poll_interval_ms INTEGER NOT NULL,
    settle_ms        INTEGER NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE TABLE watch_ledger (
    id            INTEGER PRIMARY KEY,
    folder_id     INTEGER NOT NULL REFERENCES watch_folders(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    document_id   INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    outcome       TEXT,
    error_code    TEXT,
    error_message TEXT,
    moved_to      TEXT,
    taken_at      TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX watch_ledger_by_file ON watch_ledger(folder_id, path, size_bytes, mtime_ns);
CREATE INDEX watch_ledger_pending ON watch_ledger(outcome) WHERE outcome IS NULL;
";

/// A watched folder's settings as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchFolder {
    pub id: i64,
    /// The folder, absolute.
    pub folder: PathBuf,
    /// The template for every file (otherwise each is classified).
    pub template_id: Option<String>,
    /// Whether sub-folders are watched too.
    pub recursive: bool,
    /// Glob patterns a file must match (empty: the supported document types).
    pub include: Vec<String>,
    /// Glob patterns of files to leave alone.
    pub exclude: Vec<String>,
    /// Glob patterns of temporary and partial files, never taken (`~$*`, `*.part`, ...).
    pub temporary: Vec<String>,
    /// Where processed files are moved (left in place when `None`).
    pub processed_dir: Option<PathBuf>,
    /// Where failed files are moved, with a `.error.txt` note beside them (left in place when `None`).
    pub failed_dir: Option<PathBuf>,
    /// Automatic export after each batch: a `.csv` or `.xlsx` file, or a folder for one JSON per document.
    pub export_path: Option<PathBuf>,
    /// Scan periodically instead of relying on native change notifications.
    pub polling: bool,
    pub poll_interval_ms: u64,
    /// How long a file's size and modification time must stay unchanged before it is taken.
    pub settle_ms: u64,
    pub created_at: String,
}

/// The settings of a folder to add (everything but its id and creation time).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewWatchFolder {
    pub folder: PathBuf,
    pub template_id: Option<String>,
    pub recursive: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub temporary: Vec<String>,
    pub processed_dir: Option<PathBuf>,
    pub failed_dir: Option<PathBuf>,
    pub export_path: Option<PathBuf>,
    pub polling: bool,
    pub poll_interval_ms: u64,
    pub settle_ms: u64,
}

/// A file taken from a watched folder, to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenFile {
    pub path: PathBuf,
    pub size_bytes: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// SHA-256 of the content as read when the file was found stable (hex).
    pub content_hash: String,
}

/// One ledger entry: a file taken from a watched folder and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub folder_id: i64,
    pub path: PathBuf,
    pub size_bytes: u64,
    pub mtime_ns: i64,
    pub content_hash: String,
    pub job_id: Option<i64>,
    pub document_id: Option<i64>,
    /// The document's final status (`completed`, `duplicate`, `failed`, ...); `None` while pending.
    pub outcome: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Where the file was moved after processing (`None`: left in place).
    pub moved_to: Option<PathBuf>,
    pub taken_at: String,
    pub finished_at: Option<String>,
}

/// How a ledger entry ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerOutcome {
    pub outcome: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub moved_to: Option<PathBuf>,
}

const FOLDER_COLUMNS: &str = "id, folder, template_id, recursive, include_json, exclude_json, temporary_json, processed_dir, failed_dir, export_path, polling, poll_interval_ms, settle_ms, created_at";

const LEDGER_COLUMNS: &str = "id, folder_id, path, size_bytes, mtime_ns, content_hash, job_id, document_id, outcome, error_code, error_message, moved_to, taken_at, finished_at";

fn patterns(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

fn folder_from_row(row: &Row<'_>) -> rusqlite::Result<WatchFolder> {
    let path = |index: usize| -> rusqlite::Result<Option<PathBuf>> {
        Ok(row.get::<_, Option<String>>(index)?.map(PathBuf::from))
    };
    Ok(WatchFolder {
        id: row.get(0)?,
        folder: PathBuf::from(row.get::<_, String>(1)?),
        template_id: row.get(2)?,
        recursive: row.get(3)?,
        include: patterns(row.get(4)?),
        exclude: patterns(row.get(5)?),
        temporary: patterns(row.get(6)?),
        processed_dir: path(7)?,
        failed_dir: path(8)?,
        export_path: path(9)?,
        polling: row.get(10)?,
        poll_interval_ms: row.get(11)?,
        settle_ms: row.get(12)?,
        created_at: row.get(13)?,
    })
}

fn ledger_from_row(row: &Row<'_>) -> rusqlite::Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: row.get(0)?,
        folder_id: row.get(1)?,
        path: PathBuf::from(row.get::<_, String>(2)?),
        size_bytes: row.get(3)?,
        mtime_ns: row.get(4)?,
        content_hash: row.get(5)?,
        job_id: row.get(6)?,
        document_id: row.get(7)?,
        outcome: row.get(8)?,
        error_code: row.get(9)?,
        error_message: row.get(10)?,
        moved_to: row.get::<_, Option<String>>(11)?.map(PathBuf::from),
        taken_at: row.get(12)?,
        finished_at: row.get(13)?,
    })
}

fn text_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A folder's settings as statement values, in the order of [`FOLDER_COLUMNS`] after `id`.
fn settings_values(folder: &NewWatchFolder) -> Vec<Box<dyn rusqlite::ToSql>> {
    let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    vec![
        Box::new(text_of(&folder.folder)),
        Box::new(folder.template_id.clone()),
        Box::new(folder.recursive),
        Box::new(json(&folder.include)),
        Box::new(json(&folder.exclude)),
        Box::new(json(&folder.temporary)),
        Box::new(folder.processed_dir.as_deref().map(text_of)),
        Box::new(folder.failed_dir.as_deref().map(text_of)),
        Box::new(folder.export_path.as_deref().map(text_of)),
        Box::new(folder.polling),
        Box::new(folder.poll_interval_ms),
        Box::new(folder.settle_ms),
    ]
}

impl Store {
    /// Adds a watched folder; returns its id. The folder must not be watched already.
    pub fn add_watch_folder(&self, folder: &NewWatchFolder) -> Result<i64> {
        let mut values = settings_values(folder);
        values.push(Box::new(now_text()));
        self.connection
            .execute(
                &format!(
                    "INSERT INTO watch_folders ({FOLDER_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ),
                rusqlite::params_from_iter(values.iter().map(|v| v.as_ref())),
            )
            .during("adding a watched folder")?;
        Ok(self.connection.last_insert_rowid())
    }

    /// Replaces a watched folder's settings (its ledger stays).
    pub fn update_watch_folder(&self, folder_id: i64, folder: &NewWatchFolder) -> Result<()> {
        let mut values = settings_values(folder);
        values.push(Box::new(folder_id));
        let n_updated = self
            .connection
            .execute(
                "UPDATE watch_folders SET folder = ?1, template_id = ?2, recursive = ?3, include_json = ?4,
                 exclude_json = ?5, temporary_json = ?6, processed_dir = ?7, failed_dir = ?8,
                 export_path = ?9, polling = ?10, poll_interval_ms = ?11, settle_ms = ?12 WHERE id = ?13",
                rusqlite::params_from_iter(values.iter().map(|v| v.as_ref())),
            )
            .during("changing a watched folder")?;
        if n_updated == 0 {
            return Err(HistoryError::NotFound {
                what: "watched folder",
                id: folder_id,
            });
        }
        Ok(())
    }

    /// Every watched folder, in the order they were added.
    pub fn watch_folders(&self) -> Result<Vec<WatchFolder>> {
        let mut statement = self
            .connection
            .prepare(&format!(
                "SELECT {FOLDER_COLUMNS} FROM watch_folders ORDER BY id"
            ))
            .during("listing watched folders")?;
        let rows = statement
            .query_map([], folder_from_row)
            .during("listing watched folders")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("listing watched folders")?;
        Ok(rows)
    }

    /// One watched folder.
    pub fn watch_folder(&self, folder_id: i64) -> Result<WatchFolder> {
        self.connection
            .query_row(
                &format!("SELECT {FOLDER_COLUMNS} FROM watch_folders WHERE id = ?1"),
                [folder_id],
                folder_from_row,
            )
            .optional()
            .during("reading a watched folder")?
            .ok_or(HistoryError::NotFound {
                what: "watched folder",
                id: folder_id,
            })
    }

    /// Stops watching a folder (its ledger goes with it; the documents it produced stay in history).
    pub fn remove_watch_folder(&self, folder_id: i64) -> Result<()> {
        let n_deleted = self
            .connection
            .execute("DELETE FROM watch_folders WHERE id = ?1", [folder_id])
            .during("removing a watched folder")?;
        if n_deleted == 0 {
            return Err(HistoryError::NotFound {
                what: "watched folder",
                id: folder_id,
            });
        }
        Ok(())
    }

    /// The newest ledger entry for this file version (path, size and modification time), if it was taken.
    pub fn ledger_entry_for(
        &self,
        folder_id: i64,
        path: &Path,
        size_bytes: u64,
        mtime_ns: i64,
    ) -> Result<Option<LedgerEntry>> {
        self.connection
            .prepare_cached(&format!(
                "SELECT {LEDGER_COLUMNS} FROM watch_ledger
                 WHERE folder_id = ?1 AND path = ?2 AND size_bytes = ?3 AND mtime_ns = ?4
                 ORDER BY id DESC LIMIT 1"
            ))
            .during("looking up the watch ledger")?
            .query_row(
                params![folder_id, text_of(path), size_bytes, mtime_ns],
                ledger_from_row,
            )
            .optional()
            .during("looking up the watch ledger")
    }

    /// Creates a job for files taken from a watched folder: the job, its queued documents and one ledger
    /// entry per file (pointing at its document), in one transaction. A file version already taken (its
    /// latest entry is pending, or its file was left in place) is left out, checked inside the same
    /// (immediate) transaction, so two watchers on one database never take a file twice. Returns the job
    /// id, or `None` when every file was taken already.
    pub fn create_watch_job(
        &mut self,
        folder_id: i64,
        name: &str,
        settings: &serde_json::Value,
        files: &[TakenFile],
    ) -> Result<Option<i64>> {
        let now = now_text();
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("creating a watch job")?;
        let mut new_files = Vec::with_capacity(files.len());
        {
            let mut taken = transaction
                .prepare(
                    "SELECT outcome IS NULL OR moved_to IS NULL FROM watch_ledger
                     WHERE folder_id = ?1 AND path = ?2 AND size_bytes = ?3 AND mtime_ns = ?4
                     ORDER BY id DESC LIMIT 1",
                )
                .during("looking up the watch ledger")?;
            for file in files {
                let already: Option<bool> = taken
                    .query_row(
                        params![
                            folder_id,
                            text_of(&file.path),
                            file.size_bytes,
                            file.mtime_ns
                        ],
                        |row| row.get(0),
                    )
                    .optional()
                    .during("looking up the watch ledger")?;
                if already != Some(true) {
                    new_files.push(file);
                }
            }
        }
        if new_files.is_empty() {
            return Ok(None);
        }
        let paths: Vec<PathBuf> = new_files.iter().map(|file| file.path.clone()).collect();
        let job_id = jobs::insert_job(&transaction, name, settings, &paths, &now)?;
        {
            let mut insert = transaction
                .prepare(
                    "INSERT INTO watch_ledger (folder_id, path, size_bytes, mtime_ns, content_hash, job_id,
                     document_id, taken_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                     (SELECT id FROM documents WHERE job_id = ?6 AND source_path = ?2), ?7)",
                )
                .during("recording taken files")?;
            for file in new_files {
                insert
                    .execute(params![
                        folder_id,
                        text_of(&file.path),
                        file.size_bytes,
                        file.mtime_ns,
                        file.content_hash,
                        job_id,
                        now
                    ])
                    .during("recording taken files")?;
            }
        }
        transaction.commit().during("creating a watch job")?;
        Ok(Some(job_id))
    }

    /// Ledger entries whose outcome is not recorded yet (their job may still have to run), oldest first.
    pub fn pending_ledger_entries(&self) -> Result<Vec<LedgerEntry>> {
        self.ledger_where("outcome IS NULL", [])
    }

    /// A job's ledger entries, oldest first.
    pub fn ledger_entries_of_job(&self, job_id: i64) -> Result<Vec<LedgerEntry>> {
        self.ledger_where("job_id = ?1", [job_id])
    }

    /// A watched folder's ledger, oldest first.
    pub fn ledger(&self, folder_id: i64) -> Result<Vec<LedgerEntry>> {
        self.ledger_where("folder_id = ?1", [folder_id])
    }

    fn ledger_where<P: rusqlite::Params>(
        &self,
        condition: &str,
        parameters: P,
    ) -> Result<Vec<LedgerEntry>> {
        let mut statement = self
            .connection
            .prepare(&format!(
                "SELECT {LEDGER_COLUMNS} FROM watch_ledger WHERE {condition} ORDER BY id"
            ))
            .during("reading the watch ledger")?;
        let rows = statement
            .query_map(parameters, ledger_from_row)
            .during("reading the watch ledger")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .during("reading the watch ledger")?;
        Ok(rows)
    }

    /// Records how a ledger entry ended.
    pub fn finish_ledger_entry(&self, entry_id: i64, outcome: &LedgerOutcome) -> Result<()> {
        let n_changed = self
            .connection
            .execute(
                "UPDATE watch_ledger SET outcome = ?2, error_code = ?3, error_message = ?4, moved_to = ?5,
                 finished_at = ?6 WHERE id = ?1",
                params![
                    entry_id,
                    outcome.outcome,
                    outcome.error_code,
                    outcome.error_message,
                    outcome.moved_to.as_deref().map(text_of),
                    now_text()
                ],
            )
            .during("recording a ledger outcome")?;
        if n_changed == 0 {
            return Err(HistoryError::NotFound {
                what: "ledger entry",
                id: entry_id,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DocumentStatus;

    fn folder(path: &str) -> NewWatchFolder {
        NewWatchFolder {
            folder: PathBuf::from(path),
            template_id: Some("generic-invoice".into()),
            recursive: true,
            include: vec!["*.pdf".into()],
            exclude: vec!["done/**".into()],
            temporary: vec!["*.part".into()],
            processed_dir: Some(PathBuf::from("/out/processed")),
            failed_dir: Some(PathBuf::from("/out/failed")),
            export_path: Some(PathBuf::from("/out/rows.csv")),
            polling: true,
            poll_interval_ms: 1500,
            settle_ms: 250,
        }
    }

    fn taken(path: &str, hash: &str) -> TakenFile {
        TakenFile {
            path: PathBuf::from(path),
            size_bytes: 1234,
            mtime_ns: 1_700_000_000_123_456_789,
            content_hash: hash.into(),
        }
    }

    #[test]
    fn a_watched_folder_round_trips_every_setting_and_a_folder_is_watched_once() {
        let store = Store::open_in_memory().unwrap();
        let id = store.add_watch_folder(&folder("/in/scans")).unwrap();
        let stored = store.watch_folder(id).unwrap();
        let expected = folder("/in/scans");
        assert_eq!(stored.folder, expected.folder);
        assert_eq!(stored.template_id, expected.template_id);
        assert!(stored.recursive && stored.polling);
        assert_eq!(stored.include, expected.include);
        assert_eq!(stored.exclude, expected.exclude);
        assert_eq!(stored.temporary, expected.temporary);
        assert_eq!(stored.processed_dir, expected.processed_dir);
        assert_eq!(stored.failed_dir, expected.failed_dir);
        assert_eq!(stored.export_path, expected.export_path);
        assert_eq!((stored.poll_interval_ms, stored.settle_ms), (1500, 250));
        assert!(store.add_watch_folder(&folder("/in/scans")).is_err());
        assert_eq!(store.watch_folders().unwrap().len(), 1);
        store.remove_watch_folder(id).unwrap();
        assert!(store.watch_folders().unwrap().is_empty());
        assert_eq!(
            store.remove_watch_folder(id).unwrap_err().code(),
            "not_found"
        );
    }

    #[test]
    fn a_watch_job_queues_its_documents_and_ledger_entries_together() {
        let mut store = Store::open_in_memory().unwrap();
        let folder_id = store.add_watch_folder(&folder("/in")).unwrap();
        let files = [taken("/in/a.pdf", "h-a"), taken("/in/b.pdf", "h-b")];
        let job_id = store
            .create_watch_job(folder_id, "watch /in", &serde_json::json!({}), &files)
            .unwrap()
            .unwrap();
        // Taken again (another watcher on the same database): nothing new to queue.
        let again = store
            .create_watch_job(folder_id, "watch /in", &serde_json::json!({}), &files)
            .unwrap();
        assert_eq!(again, None);
        assert_eq!(store.jobs().unwrap().len(), 1);
        let pending_documents = store.pending_documents(job_id).unwrap();
        assert_eq!(pending_documents.len(), 2);
        let entries = store.pending_ledger_entries().unwrap();
        assert_eq!(entries.len(), 2);
        for (entry, (document_id, path)) in entries.iter().zip(&pending_documents) {
            assert_eq!(entry.job_id, Some(job_id));
            assert_eq!(entry.document_id, Some(*document_id));
            assert_eq!(&entry.path, path);
        }
        let found = store
            .ledger_entry_for(
                folder_id,
                Path::new("/in/a.pdf"),
                1234,
                1_700_000_000_123_456_789,
            )
            .unwrap()
            .unwrap();
        assert_eq!(found.content_hash, "h-a");
        let other_version = store
            .ledger_entry_for(
                folder_id,
                Path::new("/in/a.pdf"),
                1235,
                1_700_000_000_123_456_789,
            )
            .unwrap();
        assert!(other_version.is_none());

        store
            .finish_ledger_entry(
                found.id,
                &LedgerOutcome {
                    outcome: DocumentStatus::Failed.as_str().into(),
                    error_code: Some("truncated_pdf".into()),
                    error_message: Some("a.pdf: the file ends early".into()),
                    moved_to: Some(PathBuf::from("/out/failed/a.pdf")),
                },
            )
            .unwrap();
        let pending = store.pending_ledger_entries().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].path, PathBuf::from("/in/b.pdf"));
        let finished = &store.ledger_entries_of_job(job_id).unwrap()[0];
        assert_eq!(finished.outcome.as_deref(), Some("failed"));
        assert_eq!(finished.error_code.as_deref(), Some("truncated_pdf"));
        assert_eq!(finished.moved_to, Some(PathBuf::from("/out/failed/a.pdf")));
        assert!(finished.finished_at.is_some());
    }
}
