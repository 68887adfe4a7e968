//! The native back-ends: finding and binding libpdfium (once per process) and checking Tesseract (through
//! the OCR engine program, see [`crate::ocr_engine`]).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use pdfium_render::prelude::Pdfium;
use serde::Serialize;

use crate::ReaderConfig;

/// Environment variable naming libpdfium.so (or the folder holding it).
pub const PDFIUM_ENV: &str = "QUIRE_PDFIUM";

const FIX_PDFIUM: &str =
    "run scripts/setup.sh (it installs libpdfium.so into ~/.local/share/quire/lib), \
or place libpdfium.so next to the quire executable, or set QUIRE_PDFIUM=/path/to/libpdfium.so";
const FIX_TESSERACT: &str = "install Tesseract and its English data: \
sudo apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd (or run scripts/setup.sh), and keep \
the quire-ocr program next to quire (cargo build -p quire-cli builds both)";

/// Whether each back-end can be used, with a message on how to fix a missing one.
#[derive(Debug, Clone, Serialize)]
pub struct BackendStatus {
    pub pdfium: BackendState,
    pub tesseract: BackendState,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BackendState {
    Found { detail: String },
    Missing { reason: String, fix: String },
}

impl BackendState {
    pub fn is_found(&self) -> bool {
        matches!(self, BackendState::Found { .. })
    }
}

/// Checks both back-ends (binding PDFium if it is not bound yet, and starting a Tesseract instance).
pub fn backend_status(config: &ReaderConfig) -> BackendStatus {
    let pdfium = match pdfium(config) {
        Ok(_) => BackendState::Found {
            detail: format!(
                "PDFium at {}",
                bound_pdfium_path().unwrap_or_default().display()
            ),
        },
        Err(reason) => BackendState::Missing {
            reason,
            fix: FIX_PDFIUM.to_string(),
        },
    };
    let tesseract = match crate::ocr::Recognizer::new(config) {
        Ok(mut recognizer) => BackendState::Found {
            detail: recognizer.describe(),
        },
        Err(reason) => BackendState::Missing {
            reason: reason.to_string(),
            fix: FIX_TESSERACT.to_string(),
        },
    };
    BackendStatus { pdfium, tesseract }
}

/// Where libpdfium.so is looked for, in order: the configured path, `$QUIRE_PDFIUM`, next to the
/// executable (and in `../lib` from it), the per-user data dir (`~/.local/share/quire/lib`), then the
/// system's library path.
pub fn pdfium_search_paths(config: &ReaderConfig) -> Vec<PathBuf> {
    let name = Pdfium::pdfium_platform_library_name();
    let as_library = |p: PathBuf| if p.is_dir() { p.join(&name) } else { p };
    let mut paths = Vec::new();
    if let Some(p) = &config.pdfium_library {
        paths.push(as_library(p.clone()));
    }
    if let Some(p) = std::env::var_os(PDFIUM_ENV) {
        paths.push(as_library(PathBuf::from(p)));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        paths.push(dir.join(&name));
        paths.push(dir.join("../lib").join(&name));
    }
    if let Some(data) = dirs::data_dir() {
        paths.push(data.join("quire/lib").join(&name));
    }
    paths.push(PathBuf::from("/usr/local/lib").join(&name));
    paths.push(PathBuf::from("/usr/lib").join(&name));
    paths
}

static PDFIUM: OnceLock<Pdfium> = OnceLock::new();
static BOUND_PATH: OnceLock<PathBuf> = OnceLock::new();
static BIND_LOCK: Mutex<()> = Mutex::new(());

fn bound_pdfium_path() -> Option<PathBuf> {
    BOUND_PATH.get().cloned()
}

/// The process-wide PDFium instance, bound on first use. PDFium is one global per process; a failed
/// attempt is not remembered, so a later call (say, after the user installed the library) can succeed.
pub(crate) fn pdfium(config: &ReaderConfig) -> Result<&'static Pdfium, String> {
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    let _guard = BIND_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    let candidates = pdfium_search_paths(config);
    let mut tried = Vec::new();
    for path in &candidates {
        if !path.exists() {
            continue;
        }
        match Pdfium::bind_to_library(path) {
            Ok(bindings) => {
                let _ = BOUND_PATH.set(path.clone());
                return Ok(PDFIUM.get_or_init(|| Pdfium::new(bindings)));
            }
            Err(e) => tried.push(format!("{} ({e})", path.display())),
        }
    }
    if tried.is_empty() {
        Err("libpdfium.so not found".to_string())
    } else {
        Err(format!(
            "libpdfium.so could not be loaded: {}",
            tried.join("; ")
        ))
    }
}

/// The Tesseract data directory to use: the configured one, `$TESSDATA_PREFIX`, or Tesseract's default.
pub(crate) fn tessdata_dir(config: &ReaderConfig) -> Option<PathBuf> {
    if let Some(dir) = &config.tessdata_dir {
        return Some(dir.clone());
    }
    if let Some(prefix) = std::env::var_os("TESSDATA_PREFIX") {
        return Some(PathBuf::from(prefix));
    }
    [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_dir())
}
