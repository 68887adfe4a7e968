//! Reading PDFs in a helper process.
//!
//! PDFium is one process-wide library that only one thread may use at a time, and a malformed PDF can
//! crash it. A [`Reader`] whose configuration names a [`HelperCommand`] reads its PDFs in a child process
//! of its own (one per reader, so one per worker thread): workers then read PDFs side by side, and a
//! crash costs the one file being read (reported as [`ReadErrorKind::ReaderCrashed`]) instead of the whole
//! application. A helper that finishes no page for [`ReaderConfig::stall_limit_secs`] (an endless loop on
//! a malformed file) is stopped, and the file fails as [`ReadErrorKind::ReaderStalled`]. The helper starts
//! with the reader's first PDF and again after a crash or a stall; it ends when its reader is dropped.
//! Images are still read in the calling process (Tesseract has no global lock).
//!
//! The helper is the same program started with [`HELPER_ARG`]: its `main` calls [`run_helper_if_asked`]
//! first thing. Parent and child talk over the child's stdin and stdout in frames (a little-endian u64
//! length, then that many bytes) encoded with postcard (compact, and exact for every float): the parent
//! sends the [`ReaderConfig`], then one frame per PDF with its bytes; the child answers each with a
//! `PageDone` frame per page read, then a [`Reply`] frame holding the pages as `Page::from_words` assembled
//! them. (Types that cross must not skip fields when serialising: the encoding is not self-describing.)

use std::ffi::OsStr;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use quire_document::{Attachment, Document, Mime, Page};
use serde::{Deserialize, Serialize};

use crate::process::{read_frame, write_frame, FramedChild, ReceiveError};
use crate::{pdf, ReadErrorKind, Reader, ReaderConfig};

/// The first argument that makes a program serve as a PDF reading helper.
pub const HELPER_ARG: &str = "--quire-read-helper";

/// How to start a helper process: a program whose `main` calls [`run_helper_if_asked`], and its arguments
/// ([`HELPER_ARG`] first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelperCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl HelperCommand {
    /// The running program itself as the helper.
    pub fn current_exe() -> io::Result<HelperCommand> {
        Ok(HelperCommand::program(std::env::current_exe()?))
    }

    /// `program` started with [`HELPER_ARG`].
    pub fn program(program: impl Into<PathBuf>) -> HelperCommand {
        HelperCommand {
            program: program.into(),
            args: vec![HELPER_ARG.to_string()],
        }
    }
}

/// Call first thing in `main`: when the program was started as
/// a helper ([`HELPER_ARG`]), serves its parent until the parent closes the pipe and returns the exit code;
/// otherwise returns `None` and the program goes on.
pub fn run_helper_if_asked() -> Option<ExitCode> {
    if std::env::args_os().nth(1).as_deref() != Some(OsStr::new(HELPER_ARG)) {
        return None;
    }
    Some(match serve(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quire read helper: {error}");
            ExitCode::FAILURE
        }
    })
}

/// What the helper sends while it reads a PDF: a page done (so that its reader knows it is not stuck),
/// then its answer.
#[derive(Debug, Serialize, Deserialize)]
enum Message {
    PageDone(u32),
    Done(Reply),
}

/// The helper's answer for one PDF.
#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Read {
        /// As `Page::from_words` assembled them in the helper.
        pages: Vec<Page>,
        /// Embedded files: name and bytes.
        attachments: Vec<(String, Vec<u8>)>,
    },
    Failed(ReadErrorKind),
}

/// Serves read requests from `input`, answering on `output`, until `input` ends.
pub fn serve(input: impl Read, output: impl Write) -> io::Result<()> {
    let (mut input, mut output) = (BufReader::new(input), BufWriter::new(output));
    let config = read_frame(&mut input)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no configuration received"))?;
    let config: ReaderConfig = postcard::from_bytes(&config).map_err(io::Error::other)?;
    let config = ReaderConfig {
        helper: None,
        ..config
    };
    let mut reader = Reader::new(config.clone());
    while let Some(bytes) = read_frame(&mut input)? {
        let mut report_page = |page: u32| {
            // A failed write shows up when the answer is written.
            if let Ok(frame) = postcard::to_allocvec(&Message::PageDone(page)) {
                let _ = write_frame(&mut output, &frame).and_then(|()| output.flush());
            }
        };
        let reply = catch_unwind(AssertUnwindSafe(|| {
            read_here(&mut reader, &bytes, &mut report_page)
        }))
        .unwrap_or_else(|panic| {
            // The reader may be in a bad state after a panic: start a fresh one.
            reader = Reader::new(config.clone());
            Reply::Failed(ReadErrorKind::Internal(crate::panic_message(
                panic.as_ref(),
            )))
        });
        let encoded = postcard::to_allocvec(&Message::Done(reply)).or_else(|error| {
            let failed = Reply::Failed(ReadErrorKind::Internal(format!(
                "the read helper could not send its result: {error}"
            )));
            postcard::to_allocvec(&Message::Done(failed))
        });
        write_frame(&mut output, &encoded.map_err(io::Error::other)?)?;
        output.flush()?;
    }
    Ok(())
}

/// Reads one PDF in this (the helper) process.
fn read_here(reader: &mut Reader, bytes: &[u8], page_done: &mut dyn FnMut(u32)) -> Reply {
    let mut document = Document {
        content_hash: String::new(),
        mime: Mime::Pdf,
        size_bytes: bytes.len() as u64,
        pages: Vec::new(),
        attachments: Vec::new(),
    };
    if let Err(kind) = pdf::read_pdf_reporting(reader, bytes, &mut document, page_done) {
        return Reply::Failed(kind);
    }
    // An attachment's bytes are not serialised with it (JSON carries name and size only): send them apart.
    let attachments = document
        .attachments
        .into_iter()
        .map(|a| (a.name, a.data))
        .collect();
    Reply::Read {
        pages: document.pages,
        attachments,
    }
}

/// A running helper process, owned by one [`Reader`].
#[derive(Debug)]
pub(crate) struct Helper {
    process: FramedChild,
}

/// Why a request got no answer.
enum RequestError {
    /// The helper's pipe broke or it sent nonsense: it crashed (or was killed).
    Io(io::Error),
    /// No page finished within the stall limit.
    Stalled { pages_done: u32 },
}

impl Helper {
    fn start(command: &HelperCommand, config: &ReaderConfig) -> io::Result<Helper> {
        let mut child = Command::new(&command.program);
        child.args(&command.args);
        let mut helper = Helper {
            process: FramedChild::spawn(child)?,
        };
        let config = postcard::to_allocvec(config).map_err(io::Error::other)?;
        helper.process.send(&[&config])?;
        Ok(helper)
    }

    /// The helper's process id (for diagnostics and tests).
    pub(crate) fn id(&self) -> u32 {
        self.process.id()
    }

    fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    fn request(&mut self, bytes: &[u8], stall_limit: Duration) -> Result<Reply, RequestError> {
        self.process.send(&[bytes]).map_err(RequestError::Io)?;
        let mut pages_done = 0;
        loop {
            let frame = match self.process.receive(stall_limit) {
                Ok(frame) => frame,
                Err(ReceiveError::Timeout) => return Err(RequestError::Stalled { pages_done }),
                Err(ReceiveError::Io(error)) => return Err(RequestError::Io(error)),
            };
            match postcard::from_bytes(&frame) {
                Ok(Message::PageDone(page)) => pages_done = page,
                Ok(Message::Done(reply)) => return Ok(reply),
                Err(error) => return Err(RequestError::Io(io::Error::other(error))),
            }
        }
    }
}

/// Reads a PDF through the reader's helper process (started if it is not running), filling `document`.
pub(crate) fn read_pdf(
    reader: &mut Reader,
    command: &HelperCommand,
    bytes: &[u8],
    document: &mut Document,
) -> Result<(), ReadErrorKind> {
    if !reader.helper.as_mut().is_some_and(Helper::is_running) {
        // A helper that ended between two files (killed from outside) is replaced, not blamed on the next.
        reader.helper = None;
        let helper = Helper::start(command, &reader.config).map_err(|error| {
            ReadErrorKind::Internal(format!(
                "cannot start the PDF reading helper ({}): {error}",
                command.program.display()
            ))
        })?;
        reader.helper = Some(helper);
    }
    let Some(helper) = reader.helper.as_mut() else {
        return Err(ReadErrorKind::Internal("no PDF reading helper".into()));
    };
    let stall_limit = Duration::from_secs(reader.config.stall_limit_secs.max(1));
    match helper.request(bytes, stall_limit) {
        Ok(Reply::Read { pages, attachments }) => {
            document.pages = pages;
            document.attachments = attachments
                .into_iter()
                .map(|(name, data)| Attachment {
                    name,
                    size_bytes: data.len() as u64,
                    data,
                })
                .collect();
            Ok(())
        }
        Ok(Reply::Failed(kind)) => Err(kind),
        Err(RequestError::Stalled { pages_done }) => {
            // Killed, and a fresh helper for the next file.
            drop(reader.helper.take());
            Err(ReadErrorKind::ReaderStalled {
                seconds: stall_limit.as_secs(),
                pages_done,
            })
        }
        Err(RequestError::Io(error)) => {
            let how = match reader.helper.take() {
                Some(helper) => helper.process.describe_end(&error),
                None => error.to_string(),
            };
            Err(ReadErrorKind::ReaderCrashed(how))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_crosses_the_pipe_unchanged() {
        let kinds = vec![
            ReadErrorKind::Empty,
            ReadErrorKind::FileTooLarge {
                size_bytes: 10,
                limit_bytes: 5,
            },
            ReadErrorKind::Unsupported {
                detected: "a ZIP archive".into(),
            },
            ReadErrorKind::CorruptPdf("no pages".into()),
            ReadErrorKind::TruncatedPdf,
            ReadErrorKind::EncryptedPdf,
            ReadErrorKind::TooManyPages {
                n_pages: 900,
                limit: 500,
            },
            ReadErrorKind::ImageTooLarge {
                width: 1,
                height: 2,
                limit: 3,
            },
            ReadErrorKind::CorruptImage("bad".into()),
            ReadErrorKind::PdfBackendMissing("no libpdfium".into()),
            ReadErrorKind::OcrBackendMissing("no eng".into()),
            ReadErrorKind::PageFailed {
                page: 2,
                message: "render".into(),
            },
            ReadErrorKind::Internal("bug".into()),
            ReadErrorKind::ReaderCrashed("killed by signal 11".into()),
            ReadErrorKind::ReaderStalled {
                seconds: 120,
                pages_done: 3,
            },
            ReadErrorKind::OcrCrashed {
                page: 2,
                how: "quire-ocr killed by signal 11".into(),
            },
            ReadErrorKind::OcrStalled {
                page: 4,
                seconds: 120,
            },
        ];
        for kind in kinds {
            let (code, message) = (kind.code(), kind.to_string());
            let encoded = postcard::to_allocvec(&Message::Done(Reply::Failed(kind))).unwrap();
            match postcard::from_bytes::<Message>(&encoded).unwrap() {
                Message::Done(Reply::Failed(back)) => {
                    assert_eq!((back.code(), back.to_string()), (code, message));
                }
                other => panic!("{other:?}"),
            }
        }
        // The one kind that cannot cross (it holds an io::Error) is refused, and `serve` then sends an
        // internal error instead.
        let unreadable = ReadErrorKind::Unreadable(io::Error::other("gone"));
        assert!(postcard::to_allocvec(&Reply::Failed(unreadable)).is_err());
    }
}
