//! Quire's desktop shell: a Tauri 2 app whose window shows the engine's version and backend status and
//! reads the files dropped on it.
//!
//! The shell is thin. [`commands`] turns front-end calls into plain engine calls on a blocking thread and
//! maps the results to the serializable DTOs of [`report`]; [`error`] is the one error type the front-end
//! sees, always as `{ code, message }`. The web front-end is served from `ui/src/` (see `tauri.conf.json`
//! at the repository root).

pub mod commands;
pub mod error;
pub mod report;

use std::sync::Mutex;

use quire_reader::{Reader, ReaderConfig};

/// The engine state shared by all commands (Tauri managed state).
///
/// The reader owns one Tesseract recogniser that is reused across pages and files, so there is exactly one
/// and reads are serialised through the mutex: a second batch dropped while one is being read waits for it.
pub struct EngineState {
    /// The configuration the reader was built with; backend status is reported against it.
    pub config: ReaderConfig,
    pub reader: Mutex<Reader>,
}

impl EngineState {
    /// The state for a reader with this configuration. Cheap: the OCR recogniser is created on first use.
    pub fn new(config: ReaderConfig) -> EngineState {
        EngineState {
            reader: Mutex::new(Reader::new(config.clone())),
            config,
        }
    }
}

/// Builds and runs the desktop app until its last window closes.
pub fn run() -> Result<(), tauri::Error> {
    tauri::Builder::default()
        .manage(EngineState::new(ReaderConfig {
            // PDFs are read in a helper process: a PDF that crashes the PDF engine fails alone instead
            // of closing the window.
            helper: quire_reader::HelperCommand::current_exe().ok(),
            ..ReaderConfig::default()
        }))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::read_files
        ])
        .run(tauri::generate_context!())
}
