//! Entry point of the Quire desktop app: pins Tesseract to one OpenMP thread, then runs the Tauri shell.

// Release builds on Windows get no console window; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Re-executes the process with OMP_THREAD_LIMIT=1 when it is unset: Tesseract is ~3x slower without it,
    // and the variable only takes effect if it is present when the process starts.
    if let Err(error) = quire_reader::ensure_ocr_thread_limit() {
        eprintln!(
            "quire-desktop: could not restart with OMP_THREAD_LIMIT=1, OCR will be slower: {error}"
        );
    }
    // Started by the app itself as its PDF reading helper: serve it and nothing else.
    if let Some(code) = quire_reader::run_helper_if_asked() {
        return code;
    }
    match quire_desktop::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quire-desktop: {error}");
            ExitCode::FAILURE
        }
    }
}
