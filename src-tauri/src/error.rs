//! The desktop shell's one error type, and the `{ code, message }` shape in which the front-end sees it.

use std::path::PathBuf;

use quire_reader::ReadError;
use serde::{Serialize, Serializer};

/// Everything that can go wrong in a command, or in reading one file of a batch.
#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    /// The engine could not read a file; its message names the file and the reason.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The engine panicked while reading a file. This is a bug in the engine; the batch goes on.
    #[error("{}: the reader crashed: {reason}", path.display())]
    ReaderPanicked { path: PathBuf, reason: String },
    /// The blocking task that runs the engine could not be joined.
    #[error("the background engine task failed: {0}")]
    EngineTask(#[from] tauri::Error),
}

impl DesktopError {
    /// A stable code the front-end switches on (the engine's own code for read errors).
    pub fn code(&self) -> &'static str {
        match self {
            DesktopError::Read(error) => error.code(),
            DesktopError::ReaderPanicked { .. } => "reader_panicked",
            DesktopError::EngineTask(_) => "engine_task_failed",
        }
    }
}

/// The serialized form of an error: a stable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl From<&DesktopError> for ErrorBody {
    fn from(error: &DesktopError) -> ErrorBody {
        ErrorBody {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl Serialize for DesktopError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorBody::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panicked_reader_serializes_as_code_and_message_naming_the_file() {
        let error = DesktopError::ReaderPanicked {
            path: PathBuf::from("/tmp/in/receipt.png"),
            reason: "index out of bounds".to_owned(),
        };
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "reader_panicked",
                "message": "/tmp/in/receipt.png: the reader crashed: index out of bounds",
            })
        );
    }
}
