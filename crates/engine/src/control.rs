//! Pausing and cancelling a running batch: a cheap shared flag the workers check before taking the next
//! document. Documents in flight finish; the others stay queued in the job.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

const RUNNING: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;

/// A handle to ask a running batch to stop. Clones share the same flag.
#[derive(Debug, Clone, Default)]
pub struct JobControl {
    state: Arc<AtomicU8>,
}

impl JobControl {
    pub fn new() -> JobControl {
        JobControl::default()
    }

    /// Stop taking documents; the job can be resumed.
    pub fn pause(&self) {
        // Cancel wins over pause.
        let _ = self
            .state
            .compare_exchange(RUNNING, PAUSE, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Stop taking documents for good.
    pub fn cancel(&self) {
        self.state.store(CANCEL, Ordering::SeqCst);
    }

    pub fn is_stopping(&self) -> bool {
        self.state.load(Ordering::SeqCst) != RUNNING
    }

    pub fn is_paused(&self) -> bool {
        self.state.load(Ordering::SeqCst) == PAUSE
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::SeqCst) == CANCEL
    }
}
