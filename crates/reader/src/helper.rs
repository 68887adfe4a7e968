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
use std::process::{Child, ChildStdin, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use quire_document::{Attachment, Document, Mime, Page};
use serde::{Deserialize, Serialize};

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
    child: Child,
    to_child: BufWriter<ChildStdin>,
    /// The helper's frames, read by a thread of their own so that waiting for them can time out.
    from_child: mpsc::Receiver<io::Result<Vec<u8>>>,
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
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Its own process group: a Ctrl-C in the terminal goes to the batch, which pauses and lets the
            // documents in flight finish, not to the helpers reading them. A helper ends when the batch
            // closes its input, however the batch ended.
            .process_group(0)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the helper's pipes are missing"));
        };
        let (sender, from_child) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            loop {
                let frame = read_frame(&mut stdout);
                let last = !matches!(frame, Ok(Some(_)));
                if sender
                    .send(frame.and_then(|frame| frame.ok_or_else(closed)))
                    .is_err()
                    || last
                {
                    break;
                }
            }
        });
        let mut helper = Helper {
            child,
            to_child: BufWriter::new(stdin),
            from_child,
        };
        let config = postcard::to_allocvec(config).map_err(io::Error::other)?;
        write_frame(&mut helper.to_child, &config)?;
        helper.to_child.flush()?;
        Ok(helper)
    }

    /// The helper's process id (for diagnostics and tests).
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn request(&mut self, bytes: &[u8], stall_limit: Duration) -> Result<Reply, RequestError> {
        write_frame(&mut self.to_child, bytes).map_err(RequestError::Io)?;
        self.to_child.flush().map_err(RequestError::Io)?;
        let mut pages_done = 0;
        loop {
            let frame = match self.from_child.recv_timeout(stall_limit) {
                Ok(frame) => frame.map_err(RequestError::Io)?,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(RequestError::Stalled { pages_done })
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(RequestError::Io(closed()))
                }
            };
            match postcard::from_bytes(&frame) {
                Ok(Message::PageDone(page)) => pages_done = page,
                Ok(Message::Done(reply)) => return Ok(reply),
                Err(error) => return Err(RequestError::Io(io::Error::other(error))),
            }
        }
    }

    /// After a failed request: the helper's exit status (it is killed if it is somehow still running).
    fn end(mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // It may be about to exit (its output just closed): give it a moment before killing it.
        std::thread::sleep(std::time::Duration::from_millis(50));
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // Idle (between requests) or already gone: ending it is safe, and quicker than waiting for it to
        // notice the closed pipe.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
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
            let status = reader.helper.take().and_then(Helper::end);
            let how = match status {
                Some(status) => describe_exit(status),
                None => error.to_string(),
            };
            Err(ReadErrorKind::ReaderCrashed(how))
        }
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the helper closed its output")
}

fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (_, Some(signal)) => format!("killed by signal {signal}"),
        (Some(code), None) => format!("exit status {code}"),
        (None, None) => status.to_string(),
    }
}

fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut length = [0u8; 8];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let length = usize::try_from(u64::from_le_bytes(length)).map_err(io::Error::other)?;
    let mut frame = vec![0u8; length];
    input.read_exact(&mut frame)?;
    Ok(Some(frame))
}

fn write_frame(output: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    output.write_all(&(frame.len() as u64).to_le_bytes())?;
    output.write_all(frame)
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
