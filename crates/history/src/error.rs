//! The one error type of quire-history: what went wrong opening, migrating, reading or writing the store.

use std::path::PathBuf;

/// An error from the history store. Each variant says what was being done.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// An SQLite call failed; `action` says what the store was doing.
    #[error("history database: {action}: {source}")]
    Sqlite {
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Quire.
    #[error("history database {path} has schema version {found}, newer than this Quire supports ({supported})")]
    SchemaTooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    /// A file could not be read or written (the database folder, an original's copy).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No row with this id.
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
    /// A stored JSON column could not be decoded (the row was written by an incompatible version).
    #[error("{what} of document {document_id} cannot be decoded: {source}")]
    Corrupt {
        what: &'static str,
        document_id: i64,
        #[source]
        source: serde_json::Error,
    },
    /// An edit names a field the document's template does not have, or a value of the wrong type.
    #[error("document {document_id}: {reason}")]
    InvalidEdit { document_id: i64, reason: String },
    /// A search query FTS5 cannot parse.
    #[error("invalid search query `{query}`: {reason}")]
    InvalidQuery { query: String, reason: String },
}

impl HistoryError {
    /// A stable code for the UI and CLI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryError::Sqlite { .. } => "history_database",
            HistoryError::SchemaTooNew { .. } => "history_schema_too_new",
            HistoryError::Io { .. } => "io",
            HistoryError::NotFound { .. } => "not_found",
            HistoryError::Corrupt { .. } => "history_corrupt",
            HistoryError::InvalidEdit { .. } => "invalid_edit",
            HistoryError::InvalidQuery { .. } => "invalid_query",
        }
    }
}

pub type Result<T, E = HistoryError> = std::result::Result<T, E>;

/// Adds the action being performed to an SQLite error.
pub(crate) trait SqliteContext<T> {
    fn during(self, action: &'static str) -> Result<T>;
}

impl<T> SqliteContext<T> for std::result::Result<T, rusqlite::Error> {
    fn during(self, action: &'static str) -> Result<T> {
        self.map_err(|source| HistoryError::Sqlite { action, source })
    }
}
