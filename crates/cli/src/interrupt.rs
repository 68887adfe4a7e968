//! Ctrl-C (and SIGTERM) handling for long-running commands: the first interrupt asks the work to stop
//! gracefully (documents in flight finish and are stored, the rest stay queued), a second one exits at once
//! with status 130. Exiting at once is safe for history: every document is stored in one SQLite transaction
//! (WAL), so an abrupt exit leaves what a `kill -9` would, and the job resumes exactly once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Exit status after a second interrupt (128 + SIGINT, the shell convention).
pub const EXIT_INTERRUPTED: u8 = 130;

type StopCallback = Box<dyn Fn() + Send + 'static>;

/// The process-wide interrupt state, installed once.
pub struct Interrupts {
    n_interrupts: AtomicUsize,
    on_first: Mutex<Vec<StopCallback>>,
}

impl Interrupts {
    /// Interrupts received so far.
    pub fn count(&self) -> usize {
        self.n_interrupts.load(Ordering::SeqCst)
    }

    /// True once the user asked to stop.
    pub fn stop_requested(&self) -> bool {
        self.count() > 0
    }

    /// Runs `callback` on the first interrupt (at once if one already arrived), e.g. to pause a job.
    pub fn on_first_interrupt(&self, callback: impl Fn() + Send + 'static) {
        if self.stop_requested() {
            callback();
            return;
        }
        if let Ok(mut callbacks) = self.on_first.lock() {
            callbacks.push(Box::new(callback));
        }
    }

    fn interrupted(&self) {
        let n = self.n_interrupts.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 1 {
            eprintln!(
                "\ninterrupted: finishing the documents in flight (press Ctrl-C again to stop at once)"
            );
            if let Ok(callbacks) = self.on_first.lock() {
                for callback in callbacks.iter() {
                    callback();
                }
            }
        } else {
            eprintln!("\nstopped at once; run the same command again to resume");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    }
}

static INTERRUPTS: OnceLock<Arc<Interrupts>> = OnceLock::new();

/// Whether an interrupt arrived (false when no handler was installed).
pub fn stop_requested() -> bool {
    INTERRUPTS
        .get()
        .is_some_and(|interrupts| interrupts.stop_requested())
}

/// Installs the Ctrl-C / SIGTERM handler (once per process) and returns the shared state.
pub fn install() -> Arc<Interrupts> {
    INTERRUPTS
        .get_or_init(|| {
            let interrupts = Arc::new(Interrupts {
                n_interrupts: AtomicUsize::new(0),
                on_first: Mutex::new(Vec::new()),
            });
            let for_handler = Arc::clone(&interrupts);
            // Failing to install (another handler already set) only loses graceful stopping.
            if let Err(error) = ctrlc::set_handler(move || for_handler.interrupted()) {
                eprintln!("warning: Ctrl-C handling unavailable: {error}");
            }
            interrupts
        })
        .clone()
}
