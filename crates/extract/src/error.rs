//! The one error type of quire-extract: what makes a template unusable or an input unreadable.
//!
//! Validation findings and "no template matched" are never errors: they are data on the extraction.

use std::path::PathBuf;

/// An error from loading a template, compiling its rules or reading an input for evaluation.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A template file is not valid JSON or does not fit the template schema.
    #[error("{file}: line {line}, column {column}: field `{field}`: {reason}")]
    TemplateSchema {
        file: String,
        line: usize,
        column: usize,
        /// Path of the offending field, e.g. `extraction.fields.totalAmount.labels`.
        field: String,
        reason: String,
    },
    /// A template parses but is inconsistent (unknown rule target, bad regex, missing choices).
    #[error("{file}: line {line}: field `{field}`: {reason}")]
    TemplateInvalid {
        file: String,
        /// Line of the field in the file when it could be located (0 when unknown).
        line: usize,
        field: String,
        reason: String,
    },
    /// A regex hit its backtracking limit while matching: the template's regex is pathological.
    #[error("template `{template}`: field `{field}`: regex gave up after its backtracking limit: {pattern}")]
    RegexTooComplex {
        template: String,
        field: String,
        pattern: String,
    },
    /// No template with this id or name.
    #[error("no template named `{0}`")]
    UnknownTemplate(String),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input file (ground truth, e-invoice XML, invoice2data template) is malformed.
    #[error("{file}: {reason}")]
    BadInput { file: String, reason: String },
}

impl ExtractError {
    /// A stable code for the UI and CLI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::TemplateSchema { .. } => "template_schema",
            ExtractError::TemplateInvalid { .. } => "template_invalid",
            ExtractError::RegexTooComplex { .. } => "template_regex_too_complex",
            ExtractError::UnknownTemplate(_) => "unknown_template",
            ExtractError::Io { .. } => "io",
            ExtractError::BadInput { .. } => "bad_input",
        }
    }
}

pub type Result<T, E = ExtractError> = std::result::Result<T, E>;
