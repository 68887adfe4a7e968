//! Entry point of the Quire desktop app: serves as its own PDF reading helper when asked, else runs the
//! Tauri shell.

// Release builds on Windows get no console window; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
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
