//! The Tauri commands the front-end calls: DTOs in, a plain engine call on a blocking thread, DTOs out.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use quire_reader::{BackendStatus, Reader};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::error::DesktopError;
use crate::report::{FileReport, ReadProgress, READ_PROGRESS_EVENT};
use crate::EngineState;

/// What the window header shows: the app's version and whether the OCR/PDF backends were found.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub backends: BackendStatus,
}

/// The app's version and the status of the PDFium and Tesseract backends.
#[tauri::command]
pub async fn app_info(app: AppHandle) -> Result<AppInfo, DesktopError> {
    let backends = tauri::async_runtime::spawn_blocking(move || {
        let engine = app.state::<EngineState>();
        quire_reader::backend_status(&engine.config)
    })
    .await?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        backends,
    })
}

/// Reads the files one after another and returns a report per file, in the order given. A file that
/// cannot be read gets a failed report naming the reason; it never stops the batch. A `read-progress`
/// event is emitted as each file finishes, so the window can list results while the batch goes on.
#[tauri::command]
pub async fn read_files(
    app: AppHandle,
    paths: Vec<PathBuf>,
) -> Result<Vec<FileReport>, DesktopError> {
    let reports = tauri::async_runtime::spawn_blocking(move || read_batch(&app, &paths)).await?;
    Ok(reports)
}

fn read_batch(app: &AppHandle, paths: &[PathBuf]) -> Vec<FileReport> {
    let engine = app.state::<EngineState>();
    // Panics are caught per file below, so the lock is never poisoned by a read; recover it regardless.
    let mut reader = engine.reader.lock().unwrap_or_else(PoisonError::into_inner);
    let n_total = paths.len();
    let mut reports = Vec::with_capacity(n_total);
    for (index, path) in paths.iter().enumerate() {
        let report = FileReport::new(path, read_one(&mut reader, path));
        let progress = ReadProgress {
            index,
            n_total,
            report: report.clone(),
        };
        if let Err(error) = app.emit(READ_PROGRESS_EVENT, progress) {
            // The final result still carries every report; the window only misses the early update.
            log::warn!(
                "could not emit {READ_PROGRESS_EVENT} for {}: {error}",
                path.display()
            );
        }
        reports.push(report);
    }
    reports
}

/// Reads one file, turning an engine panic into an error for that file alone.
fn read_one(reader: &mut Reader, path: &Path) -> Result<quire_document::Document, DesktopError> {
    match panic::catch_unwind(AssertUnwindSafe(|| reader.read_path(path))) {
        Ok(result) => Ok(result?),
        Err(payload) => Err(DesktopError::ReaderPanicked {
            path: path.to_path_buf(),
            reason: panic_reason(payload.as_ref()),
        }),
    }
}

fn panic_reason(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic".to_owned()
    }
}
