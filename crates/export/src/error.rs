//! The one error type of quire-export.

use std::path::PathBuf;

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output file (or its folder) cannot be written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The workbook could not be built.
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The ZIP archive could not be built.
    #[error("cannot build the ZIP archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The output's extension names no known format.
    #[error("{}: unknown export format (use .csv, .xlsx, .json or .zip)", path.display())]
    UnknownFormat { path: PathBuf },
    /// Reading the documents to export from history failed.
    #[error(transparent)]
    History(#[from] quire_history::HistoryError),
    /// Options that cannot go together.
    #[error("{0}")]
    BadOptions(String),
}

impl ExportError {
    /// A stable code for the UI and CLI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Io { .. } => "io",
            ExportError::Xlsx(_) => "xlsx",
            ExportError::Csv(_) => "csv",
            ExportError::Zip(_) => "zip",
            ExportError::UnknownFormat { .. } => "unknown_format",
            ExportError::History(err) => err.code(),
            ExportError::BadOptions(_) => "bad_options",
        }
    }
}

pub type Result<T, E = ExportError> = std::result::Result<T, E>;
