//! Tesseract in a process of its own: the `quire-ocr` engine.
//!
//! Tesseract and Leptonica bring 57 shared libraries (libcurl's TLS and LDAP stack among them) whose
//! loading costs about 20 ms at every start of a program linked with them, OCR or not. Quire's programs
//! (`quire`, the desktop app, the PDF reading helper) therefore do not link Tesseract: an [`OcrEngine`]
//! starts the small `quire-ocr` program (built from `crates/cli/src/bin/quire-ocr.rs`, next to `quire`)
//! the first time a page needs OCR, and keeps it for every later page of its reader (one per worker
//! thread, so Tesseract instances are reused as before). A text-layer PDF never starts it. The engine also
//! isolates Tesseract: a crash or an endless loop inside it costs the page being read, reported as such,
//! and the next page starts a fresh engine.
//!
//! The engine runs with `OMP_THREAD_LIMIT=1` unless the user set a limit of their own: Debian's Tesseract
//! is built with OpenMP, whose thread teams make OCR about 3x slower next to a batch's other workers.
//!
//! Protocol (frames as in [`crate::process`], requests and responses encoded with postcard): the parent
//! sends a [`Request`]; a request about an image is followed by one more frame holding its pixels (rows of
//! 8-bit gray or RGB, no padding); the engine answers each request with one [`Response`].

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::process::{FramedChild, ReceiveError};
use crate::ReaderConfig;

/// The engine program's file name.
pub const ENGINE_PROGRAM: &str = "quire-ocr";

/// Environment variable naming the engine program (overrides the search next to the executable).
pub const ENGINE_ENV: &str = "QUIRE_OCR_ENGINE";

/// The size and layout of an image sent after a request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImageShape {
    pub width: u32,
    pub height: u32,
    /// 1 (gray) or 3 (RGB).
    pub bytes_per_pixel: u8,
    /// The resolution it was scanned or rendered at.
    pub dpi: u32,
}

/// What the parent asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Tesseract's version. Answered with [`Response::Version`].
    Version,
    /// Makes a Tesseract instance for `language` (e.g. `eng`, `deu+eng`) ready, from `tessdata` (or
    /// Tesseract's default folder). Answered with [`Response::Done`] or [`Response::Failed`].
    Load {
        tessdata: Option<String>,
        language: String,
    },
    /// Makes the orientation detector (the `osd` model in `tessdata`) ready. [`Response::Done`] or
    /// [`Response::Failed`].
    LoadOrientation { tessdata: String },
    /// Recognises the image that follows with the instance of `language` (loaded first if needed).
    /// Answered with [`Response::Tsv`]: Tesseract's TSV output.
    Recognize { language: String, image: ImageShape },
    /// The clockwise rotation that makes the following image's text upright, when detected with some
    /// confidence. Answered with [`Response::Rotation`].
    DetectOrientation { image: ImageShape },
}

/// The engine's answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Done,
    Version(String),
    Tsv(String),
    Rotation(Option<u16>),
    /// Tesseract refused (a missing language, an image it cannot take): the reason.
    Failed(String),
}

/// Why the engine gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum EngineError {
    /// It could not be started (not found, not executable).
    #[error("{0}")]
    Missing(String),
    /// It answered with a failure.
    #[error("{0}")]
    Failed(String),
    /// It crashed or sent nonsense: how it ended.
    #[error("the OCR engine stopped ({0})")]
    Crashed(String),
    /// It answered nothing within the stall limit (and was stopped).
    #[error("the OCR engine made no progress for {seconds} s and was stopped")]
    Stalled { seconds: u64 },
}

/// Where the engine program is looked for: the configured path alone when there is one; otherwise, in
/// order, `$QUIRE_OCR_ENGINE`, next to the running executable, next to the folder of a test executable
/// (cargo puts those in `deps/`), in `../lib/quire` from the executable (an installed package), then the
/// `PATH`.
pub fn ocr_engine_search_paths(config: &ReaderConfig) -> Vec<PathBuf> {
    if let Some(path) = &config.ocr_engine {
        return vec![path.clone()];
    }
    let mut paths = Vec::new();
    if let Some(path) = std::env::var_os(ENGINE_ENV) {
        paths.push(PathBuf::from(path));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        paths.push(dir.join(ENGINE_PROGRAM));
        if dir.file_name().is_some_and(|name| name == "deps") {
            if let Some(parent) = dir.parent() {
                paths.push(parent.join(ENGINE_PROGRAM));
            }
        }
        paths.push(dir.join("../lib/quire").join(ENGINE_PROGRAM));
    }
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path).map(|dir| dir.join(ENGINE_PROGRAM)));
    }
    paths
}

/// The engine program to start: the first of [`ocr_engine_search_paths`] that is a file.
fn find_engine(config: &ReaderConfig) -> Result<PathBuf, String> {
    let paths = ocr_engine_search_paths(config);
    if let Some(path) = paths.iter().find(|path| path.is_file()) {
        return Ok(path.clone());
    }
    let mut shown: Vec<String> = paths
        .iter()
        .take(4)
        .map(|path| path.display().to_string())
        .collect();
    if paths.len() > shown.len() {
        shown.push("the PATH".into());
    }
    Err(format!(
        "the OCR engine program {ENGINE_PROGRAM} was not found (looked for {}); `cargo build -p quire-cli` \
         builds it next to quire, or set {ENGINE_ENV}=/path/to/{ENGINE_PROGRAM}",
        shown.join(", ")
    ))
}

/// A running `quire-ocr` process, owned by one reader's recogniser.
#[derive(Debug)]
pub(crate) struct OcrEngine {
    process: Option<FramedChild>,
    program: PathBuf,
    stall_limit: Duration,
}

impl OcrEngine {
    /// Starts the engine program found for `config`.
    pub(crate) fn start(config: &ReaderConfig) -> Result<OcrEngine, EngineError> {
        let program = find_engine(config).map_err(EngineError::Missing)?;
        let mut command = Command::new(&program);
        if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
            command.env("OMP_THREAD_LIMIT", "1");
        }
        let process = FramedChild::spawn(command).map_err(|error| {
            EngineError::Missing(format!(
                "the OCR engine {} could not be started: {error}",
                program.display()
            ))
        })?;
        Ok(OcrEngine {
            process: Some(process),
            program,
            stall_limit: Duration::from_secs(config.stall_limit_secs.max(1)),
        })
    }

    /// The engine's process id while it runs (for diagnostics and tests).
    pub(crate) fn id(&self) -> Option<u32> {
        self.process.as_ref().map(FramedChild::id)
    }

    /// Sends `request` (and the image's pixels, for requests about an image) and waits for the answer.
    /// After a crash or a stall the engine is gone: every later call fails the same way, and the owner
    /// starts a new one.
    pub(crate) fn call(
        &mut self,
        request: &Request,
        pixels: Option<&[u8]>,
    ) -> Result<Response, EngineError> {
        let Some(process) = self.process.as_mut() else {
            return Err(EngineError::Crashed("it had stopped before".into()));
        };
        let encoded = postcard::to_allocvec(request)
            .map_err(|error| EngineError::Failed(format!("cannot encode the request: {error}")))?;
        let sent = match pixels {
            Some(pixels) => process.send(&[&encoded, pixels]),
            None => process.send(&[&encoded]),
        };
        let answer = sent
            .map_err(ReceiveError::Io)
            .and_then(|()| process.receive(self.stall_limit));
        let frame = match answer {
            Ok(frame) => frame,
            Err(ReceiveError::Timeout) => {
                // Killed when dropped.
                self.process = None;
                return Err(EngineError::Stalled {
                    seconds: self.stall_limit.as_secs(),
                });
            }
            Err(ReceiveError::Io(error)) => return Err(self.crashed(&error)),
        };
        match postcard::from_bytes(&frame) {
            Ok(Response::Failed(reason)) => Err(EngineError::Failed(reason)),
            Ok(response) => Ok(response),
            Err(error) => Err(self.crashed(&io::Error::other(error))),
        }
    }

    fn crashed(&mut self, error: &io::Error) -> EngineError {
        let how = match self.process.take() {
            Some(process) => process.describe_end(error),
            None => error.to_string(),
        };
        EngineError::Crashed(format!("{} {how}", self.program.display()))
    }
}
