//! What a running hot folder tells the outside world: one [`WatchEvent`] per thing that happened (a folder
//! watched, a file taken, a file finished and where it went, an export written), plus the batch runner's own
//! events for progress. Delivered in order on the thread that runs the watcher.

use std::path::PathBuf;

use crate::source::WatchMode;

/// Something that happened while watching.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// A folder is being watched; `note` says why it is polled when it is.
    Watching {
        folder_id: i64,
        folder: PathBuf,
        mode: WatchMode,
        note: Option<String>,
    },
    /// A folder is no longer watched (removed, or its settings changed: it restarts with the new ones).
    Stopped { folder_id: i64, folder: PathBuf },
    /// An unfinished job of files taken earlier is resumed (after a restart).
    Resuming { job_id: i64, n_files: usize },
    /// A stable file was taken and queued in a job.
    Taken {
        folder_id: i64,
        path: PathBuf,
        job_id: i64,
    },
    /// A taken file reached its end: its document's status, where the file went, why it failed.
    Finished {
        folder_id: i64,
        path: PathBuf,
        document_id: Option<i64>,
        outcome: String,
        moved_to: Option<PathBuf>,
        /// `code: message` when the document failed.
        error: Option<String>,
    },
    /// The folder's automatic export was written.
    Exported {
        folder_id: i64,
        path: PathBuf,
        n_documents: usize,
    },
    /// Something went wrong that does not stop watching (a move or an export failed).
    Warning { message: String },
    /// The batch runner's event for the job being run.
    Job(quire_engine::Event),
}

/// Receives a watcher's events.
pub trait WatchSink {
    fn emit(&mut self, event: &WatchEvent);
}

impl<F: FnMut(&WatchEvent)> WatchSink for F {
    fn emit(&mut self, event: &WatchEvent) {
        self(event)
    }
}
