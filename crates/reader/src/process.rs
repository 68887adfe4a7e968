//! A child process spoken to in frames over its stdin and stdout: what the PDF reading helper
//! ([`crate::helper`]) and the OCR engine ([`crate::ocr_engine`]) are built on.
//!
//! A frame is a little-endian u64 length, then that many bytes. The child's frames are read by a thread of
//! their own, so that waiting for one can time out (a child stuck in an endless loop is stopped, not waited
//! for forever). The child runs in its own process group: a Ctrl-C in the terminal goes to the batch (which
//! pauses and lets the documents in flight finish), not to its children; a child ends when its parent closes
//! its input, however the parent ended.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running child process and its two pipes.
#[derive(Debug)]
pub(crate) struct FramedChild {
    child: Child,
    to_child: BufWriter<ChildStdin>,
    from_child: mpsc::Receiver<io::Result<Vec<u8>>>,
}

/// Why no frame came.
pub(crate) enum ReceiveError {
    /// The pipe broke or closed: the child crashed, exited or was killed.
    Io(io::Error),
    /// Nothing within the time allowed.
    Timeout,
}

impl FramedChild {
    /// Starts `command` with piped stdin and stdout (stderr inherited), in a process group of its own.
    pub(crate) fn spawn(mut command: Command) -> io::Result<FramedChild> {
        use std::os::unix::process::CommandExt;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the child's pipes are missing"));
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
        Ok(FramedChild {
            child,
            to_child: BufWriter::new(stdin),
            from_child,
        })
    }

    /// The child's process id (for diagnostics and tests).
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends frames, one after the other, and flushes them.
    pub(crate) fn send(&mut self, frames: &[&[u8]]) -> io::Result<()> {
        for frame in frames {
            write_frame(&mut self.to_child, frame)?;
        }
        self.to_child.flush()
    }

    /// The child's next frame, waiting at most `timeout`.
    pub(crate) fn receive(&mut self, timeout: Duration) -> Result<Vec<u8>, ReceiveError> {
        match self.from_child.recv_timeout(timeout) {
            Ok(frame) => frame.map_err(ReceiveError::Io),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ReceiveError::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(ReceiveError::Io(closed())),
        }
    }

    /// After a failed exchange: the child's exit status (it is killed if it is somehow still running).
    pub(crate) fn end(mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // It may be about to exit (its output just closed): give it a moment before killing it.
        std::thread::sleep(Duration::from_millis(50));
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// After a failed exchange, how the child ended, in words (`killed by signal 11`), or the error.
    pub(crate) fn describe_end(self, error: &io::Error) -> String {
        match self.end() {
            Some(status) => describe_exit(status),
            None => error.to_string(),
        }
    }
}

impl Drop for FramedChild {
    fn drop(&mut self) {
        // Idle (between requests) or already gone: ending it is safe, and quicker than waiting for it to
        // notice the closed pipe.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the child closed its output")
}

fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (_, Some(signal)) => format!("killed by signal {signal}"),
        (Some(code), None) => format!("exit status {code}"),
        (None, None) => status.to_string(),
    }
}

/// Reads one frame; `None` when the input ended cleanly between frames.
pub fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
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

/// Writes one frame (not flushed).
pub fn write_frame(output: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    output.write_all(&(frame.len() as u64).to_le_bytes())?;
    output.write_all(frame)
}
