//! The terminal's view of a running batch: an indicatif progress bar drawn from the engine's events, with
//! failures printed above it as they happen.

use indicatif::{ProgressBar, ProgressStyle};
use quire_engine::{Event, EventSink};

/// Draws the engine's events as a progress bar (hidden when stderr is not a terminal).
pub struct ProgressBars {
    bar: ProgressBar,
}

impl ProgressBars {
    pub fn new() -> ProgressBars {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} docs {prefix} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        ProgressBars { bar }
    }
}

/// `45s`, `3m05s`, `1h02m`: an ETA short enough to leave room for the file name.
fn short_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

impl EventSink for ProgressBars {
    fn emit(&mut self, event: &Event) {
        match event {
            Event::JobStarted {
                job_id,
                n_total,
                n_pending,
            } => {
                self.bar.set_length(*n_total);
                self.bar.set_position(n_total - n_pending);
                self.bar.println(format!(
                    "job {job_id}: {n_pending} of {n_total} documents to process"
                ));
            }
            Event::DocumentStarted { path, .. } => {
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                self.bar.set_message(name);
            }
            Event::DocumentFailed { message, code, .. } => {
                self.bar.println(format!("failed [{code}]: {message}"));
            }
            Event::Progress(progress) => {
                self.bar.set_position(progress.n_done);
                if let Some(eta) = progress.eta {
                    self.bar.set_prefix(format!("eta {}", short_duration(eta)));
                }
            }
            Event::JobFinished { .. } => self.bar.finish_and_clear(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::short_duration;

    #[test]
    fn etas_are_short() {
        assert_eq!(short_duration(Duration::from_millis(45_900)), "45s");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m05s");
        assert_eq!(short_duration(Duration::from_secs(3720)), "1h02m");
    }
}
