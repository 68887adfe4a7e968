//! Progress events: everything a running batch tells the outside world leaves through one [`EventSink`]
//! (no-op, collecting for tests, the CLI's progress bars, the desktop app's emitter). Events are delivered
//! on the thread that runs the batch, in order.

use std::path::PathBuf;
use std::time::Duration;

use quire_history::{DocumentStatus, JobCounts};
use serde::Serialize;

/// A stage of one document's processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reading,
    Classifying,
    Extracting,
    Storing,
}

/// How a run of a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every document of the job has been processed.
    Completed,
    /// Stopped on request; resuming processes the rest.
    Paused,
    /// Stopped for good.
    Cancelled,
}

/// Counts for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub n_total: u64,
    /// Documents processed to an end state (this run and earlier runs of the job).
    pub n_done: u64,
    pub n_failed: u64,
    /// Pages read in this run.
    pub n_pages: u64,
    pub elapsed: Duration,
    /// Estimated time to finish, from this run's pace (none before the first document is done).
    pub eta: Option<Duration>,
}

/// Something that happened in a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A run of a job starts; `n_pending` documents are left to process.
    JobStarted {
        job_id: i64,
        n_total: u64,
        n_pending: u64,
    },
    DocumentQueued {
        document_id: i64,
        path: PathBuf,
    },
    DocumentStarted {
        document_id: i64,
        path: PathBuf,
    },
    DocumentStage {
        document_id: i64,
        stage: Stage,
    },
    /// A document reached an end state other than failed.
    DocumentDone {
        document_id: i64,
        path: PathBuf,
        status: DocumentStatus,
        n_pages: u32,
        template_id: Option<String>,
    },
    /// A document could not be processed.
    DocumentFailed {
        document_id: i64,
        path: PathBuf,
        code: String,
        message: String,
    },
    Progress(Progress),
    /// The run ended (the job may be resumed when paused).
    JobFinished {
        job_id: i64,
        outcome: RunOutcome,
        counts: JobCounts,
    },
}

/// Receives a batch's events.
pub trait EventSink {
    fn emit(&mut self, event: &Event);
}

/// Ignores events.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&mut self, _event: &Event) {}
}

/// Keeps every event (for tests and for summaries).
#[derive(Debug, Clone, Default)]
pub struct CollectedEvents {
    pub events: Vec<Event>,
}

impl EventSink for CollectedEvents {
    fn emit(&mut self, event: &Event) {
        self.events.push(event.clone());
    }
}

impl<F: FnMut(&Event)> EventSink for F {
    fn emit(&mut self, event: &Event) {
        self(event)
    }
}
