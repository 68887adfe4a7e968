//! quire-engine: Quire's batch runner. A batch comes from files, folders (recursive, with include/exclude
//! patterns) or CSV path lists ([`intake`]); it becomes a persisted job in the history store; its documents
//! go read → classify → extract → validate → store on a worker pool ([`runner`]), reporting progress
//! through one [`EventSink`]. Jobs can be paused, resumed and cancelled, and survive a crash: every
//! document ends processed exactly once.

pub mod control;
pub mod error;
pub mod events;
pub mod intake;
mod pipeline;
pub mod runner;
pub mod synthetic;

pub use control::JobControl;
pub use error::{EngineError, InputProblem, Result};
pub use events::{CollectedEvents, Event, EventSink, NoEvents, Progress, RunOutcome, Stage};
pub use intake::{collect_inputs, Inputs};
pub use runner::{
    create_job, failures, find_unfinished_job, job_settings, run_job, FailedDocument, JobSettings,
    RunConfig, RunSummary,
};
