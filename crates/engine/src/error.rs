//! The one error type of quire-engine: what stops a batch from starting or running. A document that cannot
//! be processed is not an error of the batch: it is recorded as failed and the batch goes on.

use std::path::PathBuf;

/// One input that cannot be processed, found before the batch starts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputProblem {
    pub path: PathBuf,
    /// Where it was named: `argument`, or `list.csv line 7`.
    pub origin: String,
    pub reason: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.path.display(),
            self.origin,
            self.reason
        )
    }
}

/// An error that stops a batch.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Some inputs do not exist or cannot be read; every one is listed, and nothing was started.
    #[error("{} input(s) cannot be processed:\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    BadInputs { problems: Vec<InputProblem> },
    /// The inputs name no documents (empty folders, everything excluded).
    #[error("no documents to process in the given inputs")]
    NoInputs,
    /// A path list (CSV) cannot be read or parsed.
    #[error("{}: {reason}", path.display())]
    PathList { path: PathBuf, reason: String },
    /// An include or exclude pattern is not a valid glob.
    #[error("invalid file pattern `{pattern}`: {reason}")]
    BadPattern { pattern: String, reason: String },
    /// The template asked for is not loaded.
    #[error("no template named `{0}`")]
    UnknownTemplate(String),
    /// The job was cancelled: it cannot be resumed.
    #[error("job {0} was cancelled and cannot be resumed")]
    JobCancelled(i64),
    /// The history store failed.
    #[error(transparent)]
    History(#[from] quire_history::HistoryError),
}

impl EngineError {
    /// A stable code for the UI and CLI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::BadInputs { .. } => "bad_inputs",
            EngineError::NoInputs => "no_inputs",
            EngineError::PathList { .. } => "bad_path_list",
            EngineError::BadPattern { .. } => "bad_pattern",
            EngineError::UnknownTemplate(_) => "unknown_template",
            EngineError::JobCancelled(_) => "job_cancelled",
            EngineError::History(err) => err.code(),
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
