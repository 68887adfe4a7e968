//! quire-history: the SQLite store of everything Quire has processed: jobs; documents (source path, stored
//! copy, content hash, size, type, pages, status, error, timings); page text and words; extractions (template
//! id and version, fields and line items with provenance); validation results per rule; corrections with an
//! audit trail; sync state. Full-text search (FTS5) over text and values, statistics, and duplicate lookups
//! for the `duplicate` validation rule; hot folders' settings and the ledger of files taken from them.
//!
//! One [`Store`] wraps one connection (WAL, foreign keys, busy timeout). Opening migrates the schema
//! (`PRAGMA user_version`); each table module owns its part of it.

mod corrections;
mod documents;
mod error;
mod extractions;
mod jobs;
mod originals;
mod pages;
mod schema;
mod search;
mod stats;
mod sync;
mod watch;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use corrections::{Correction, EditOutcome, FieldEdit};
pub use documents::{DocumentRow, DocumentStatus, HistoryDuplicates, ProcessedDocument};
pub use error::{HistoryError, Result};
pub use extractions::ExtractionKind;
pub use jobs::{parse_time, Job, JobCounts, JobStatus};
pub use originals::{extension_for_mime, store_original};
pub use pages::StoredPage;
pub use schema::{latest_version, schema_version};
pub use search::{fts_query, DocumentFilter, SearchQuery};
pub use stats::{Stats, Warning};
pub use sync::SyncState;
pub use watch::{LedgerEntry, LedgerOutcome, NewWatchFolder, TakenFile, WatchFolder};

use error::SqliteContext;

/// The current time as stored (RFC 3339, UTC, milliseconds): sorts as text.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The history database.
pub struct Store {
    connection: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating it and its folder if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| HistoryError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let connection = Connection::open(path).during("opening the database")?;
        Store::from_connection(connection, Some(path.to_path_buf()))
    }

    /// Opens an existing database for reading only (a batch's workers look up known content with it). The
    /// schema is not migrated.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .during("opening the database for reading")?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .during("setting the busy timeout")?;
        Ok(Store {
            connection,
            path: Some(path.to_path_buf()),
        })
    }

    /// A fresh in-memory database (for tests and one-off runs).
    pub fn open_in_memory() -> Result<Store> {
        let connection = Connection::open_in_memory().during("opening an in-memory database")?;
        Store::from_connection(connection, None)
    }

    fn from_connection(mut connection: Connection, path: Option<PathBuf>) -> Result<Store> {
        schema::configure(&connection)?;
        let name = path
            .as_ref()
            .map_or(":memory:".to_string(), |p| p.display().to_string());
        schema::migrate(&mut connection, &name)?;
        Ok(Store { connection, path })
    }

    /// Where the database lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The database file's size in bytes, write-ahead log included (0 in memory).
    pub fn size_bytes(&self) -> u64 {
        let Some(path) = &self.path else { return 0 };
        let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        size(path.clone()) + size(PathBuf::from(wal))
    }

    /// Writes the write-ahead log back into the database file.
    pub fn checkpoint(&self) -> Result<()> {
        self.connection
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .during("checkpointing the database")
    }
}

#[cfg(test)]
mod tests;
