//! The batch runner: a persisted job's pending documents go through the pipeline on a worker pool (one
//! [`Reader`] per worker), and the results are stored one document per transaction on the calling thread.
//!
//! Crash safety comes from the store: a document is queued, then `processing`, then its whole result is
//! written in one transaction. A run killed at any moment leaves each document either finished (stored
//! completely) or still pending; resuming processes the pending ones (`processing` included) again, and
//! storing replaces anything an interrupted attempt left. So every document ends processed exactly once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quire_extract::template::RuleType;
use quire_extract::{ExtractOptions, TemplateSet};
use quire_history::{DocumentStatus, JobCounts, JobStatus, ProcessedDocument, Store};
use quire_reader::{Reader, ReaderConfig};
use serde::{Deserialize, Serialize};

use crate::control::JobControl;
use crate::error::{EngineError, Result};
use crate::events::{Event, EventSink, Progress, RunOutcome, Stage};
use crate::intake::{collect_inputs, Inputs};
use crate::pipeline::{process_document, PipelineSettings, WorkOutput};

/// What a job was created with; stored with it, so a resumed job runs the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSettings {
    pub inputs: Inputs,
    /// The template for every document (otherwise each is classified).
    pub template: Option<String>,
    /// Keep a content-addressed copy of each original in the data folder.
    pub keep_originals: bool,
    /// A folder of templates loaded beside the built-in ones (so a resumed job finds its templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates_dir: Option<PathBuf>,
}

/// How to run: templates, reader settings, workers, where originals go.
#[derive(Debug, Clone)]
pub struct RunConfig<'a> {
    pub templates: &'a TemplateSet,
    pub reader: ReaderConfig,
    /// Worker threads (0: one per core).
    pub n_workers: usize,
    /// The data folder (originals are copied under `originals/` when the job keeps them).
    pub data_dir: Option<PathBuf>,
}

impl RunConfig<'_> {
    fn n_workers(&self, n_pending: usize) -> usize {
        let n = if self.n_workers == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.n_workers
        };
        n.clamp(1, n_pending.max(1))
    }
}

/// A document that failed, for summaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedDocument {
    pub document_id: i64,
    pub path: String,
    pub code: String,
    pub message: String,
}

/// How a run ended, with the job's counts and its failed documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub job_id: i64,
    pub outcome: RunOutcome,
    pub counts: JobCounts,
    /// Documents processed by this run.
    pub n_processed_this_run: u64,
    pub failures: Vec<FailedDocument>,
}

/// Creates a persisted job from its settings: every input is checked first (all problems reported at once),
/// then the job and its queued documents are written in one transaction.
pub fn create_job(store: &mut Store, name: &str, settings: &JobSettings) -> Result<i64> {
    let paths = collect_inputs(&settings.inputs)?;
    let settings_json = serde_json::to_value(settings).unwrap_or_default();
    Ok(store.create_job(name, &settings_json, &paths)?)
}

/// The newest job created with exactly these settings that has not finished (so running the same command
/// again after a crash resumes it instead of starting over).
pub fn find_unfinished_job(store: &Store, settings: &JobSettings) -> Result<Option<i64>> {
    let settings_json = serde_json::to_value(settings).unwrap_or_default();
    Ok(store
        .jobs()?
        .into_iter()
        .find(|job| {
            matches!(
                job.status,
                JobStatus::Queued | JobStatus::Running | JobStatus::Paused
            ) && job.settings == settings_json
        })
        .map(|job| job.id))
}

/// The settings a job was created with.
pub fn job_settings(store: &Store, job_id: i64) -> Result<JobSettings> {
    let job = store.job(job_id)?;
    Ok(serde_json::from_value(job.settings).unwrap_or_default())
}

/// What workers tell the batch thread. `Finished` carries the worker's number: the worker waits for the
/// batch thread to store the result (and acknowledge) before taking another document, so at most one
/// document per worker is in flight, memory stays flat, and a pause stops after the documents in hand.
enum WorkerMessage {
    Started(usize),
    Stage(usize, Stage),
    Finished {
        worker: usize,
        index: usize,
        output: WorkOutput,
    },
}

/// Runs (or resumes) a job until its pending documents are processed, or it is paused or cancelled through
/// `control` or in the store (`quire jobs pause|cancel` from another process). Events go to `sink`.
pub fn run_job(
    store: &mut Store,
    job_id: i64,
    config: &RunConfig<'_>,
    sink: &mut dyn EventSink,
    control: &JobControl,
) -> Result<RunSummary> {
    let job = store.job(job_id)?;
    if job.status == JobStatus::Cancelled {
        return Err(EngineError::JobCancelled(job_id));
    }
    let settings: JobSettings = serde_json::from_value(job.settings.clone()).unwrap_or_default();
    if let Some(template) = &settings.template {
        if config.templates.get(template).is_none() {
            return Err(EngineError::UnknownTemplate(template.clone()));
        }
    }
    let pending = store.pending_documents(job_id)?;
    store.set_job_status(job_id, JobStatus::Running)?;
    sink.emit(&Event::JobStarted {
        job_id,
        n_total: job.counts.n_total,
        n_pending: pending.len() as u64,
    });
    for (document_id, path) in &pending {
        sink.emit(&Event::DocumentQueued {
            document_id: *document_id,
            path: path.clone(),
        });
    }
    let originals_dir = match (&config.data_dir, settings.keep_originals) {
        (Some(dir), true) => Some(dir.as_path()),
        _ => None,
    };
    let history_path = store.path().map(Path::to_path_buf);
    let pipeline = PipelineSettings {
        templates: config.templates,
        template: settings.template.as_deref(),
        originals_dir,
        history_path: history_path.as_deref(),
    };
    // File sizes weigh the time estimate: a scan takes far longer than a text PDF, and is far larger.
    let sizes: Vec<u64> = pending
        .iter()
        .map(|(_, path)| std::fs::metadata(path).map_or(0, |m| m.len()))
        .collect();
    let mut run = RunState {
        job_id,
        started: Instant::now(),
        n_total: job.counts.n_total,
        n_done_before: job.counts.n_done(),
        n_failed: job.counts.n_failed,
        n_done_this_run: 0,
        n_pages: 0,
        n_pending: pending.len() as u64,
        bytes_pending: sizes.iter().sum(),
        bytes_done: 0,
        sizes,
    };
    let aborted = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let n_workers = config.n_workers(pending.len());
    let (sender, receiver) = mpsc::channel::<WorkerMessage>();
    let mut store_error: Option<EngineError> = None;
    let mut acknowledgements = Vec::with_capacity(n_workers);
    std::thread::scope(|scope| {
        for worker in 0..n_workers {
            let sender = sender.clone();
            let (acknowledge, acknowledged) = mpsc::channel::<()>();
            acknowledgements.push(acknowledge);
            let (next, aborted, pending, pipeline) = (&next, &aborted, &pending, &pipeline);
            let reader_config = config.reader.clone();
            scope.spawn(move || {
                let mut reader = Reader::new(reader_config);
                // Without it, known content is only caught when stored (after extraction).
                let history = pipeline
                    .history_path
                    .and_then(|path| Store::open_read_only(path).ok());
                loop {
                    if control.is_stopping() || aborted.load(Ordering::SeqCst) {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some((_, path)) = pending.get(index) else {
                        break;
                    };
                    if sender.send(WorkerMessage::Started(index)).is_err() {
                        break;
                    }
                    let mut on_stage = |stage| {
                        let _ = sender.send(WorkerMessage::Stage(index, stage));
                    };
                    let output = process_document(
                        &mut reader,
                        history.as_ref(),
                        path,
                        pipeline,
                        &mut on_stage,
                    );
                    let finished = WorkerMessage::Finished {
                        worker,
                        index,
                        output,
                    };
                    if sender.send(finished).is_err() || acknowledged.recv().is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for message in receiver {
            let finished_by = match &message {
                WorkerMessage::Finished { worker, .. } => Some(*worker),
                _ => None,
            };
            // After a store error, drain: workers finish what they hold, nothing more is stored.
            if store_error.is_none() {
                let handled = run.handle(store, config.templates, &pending, message, sink, control);
                if let Err(err) = handled {
                    aborted.store(true, Ordering::SeqCst);
                    store_error = Some(err);
                }
            }
            if let Some(worker) = finished_by {
                // The worker may be gone already; nothing to acknowledge then.
                let _ = acknowledgements[worker].send(());
            }
        }
    });
    if let Some(err) = store_error {
        return Err(err);
    }
    let counts = store.job_counts(job_id)?;
    let outcome = if control.is_cancelled() {
        store.set_job_status(job_id, JobStatus::Cancelled)?;
        RunOutcome::Cancelled
    } else if counts.n_pending() > 0 {
        store.set_job_status(job_id, JobStatus::Paused)?;
        RunOutcome::Paused
    } else {
        store.set_job_status(job_id, JobStatus::Completed)?;
        RunOutcome::Completed
    };
    sink.emit(&Event::JobFinished {
        job_id,
        outcome,
        counts,
    });
    Ok(RunSummary {
        job_id,
        outcome,
        counts,
        n_processed_this_run: run.n_done_this_run,
        failures: failures(store, job_id)?,
    })
}

/// The failed documents of a job.
pub fn failures(store: &Store, job_id: i64) -> Result<Vec<FailedDocument>> {
    let rows = store.documents(&quire_history::DocumentFilter {
        job_id: Some(job_id),
        status: Some(DocumentStatus::Failed),
        ..Default::default()
    })?;
    let mut failed: Vec<FailedDocument> = rows
        .into_iter()
        .map(|row| FailedDocument {
            document_id: row.id,
            path: row.source_path,
            code: row.error_code.unwrap_or_default(),
            message: row.error_message.unwrap_or_default(),
        })
        .collect();
    failed.sort_by_key(|f| f.document_id);
    Ok(failed)
}

/// The time left, from the time the documents done so far took: in proportion to the bytes left when the
/// files' sizes are known (scans, slow to read, are large files; text PDFs small and fast, so a batch whose
/// text PDFs finish first does not promise to end right away), else to the documents left. `None` before
/// the first document is done.
fn estimate_remaining(
    elapsed: Duration,
    (n_done, n_pending): (u64, u64),
    (bytes_done, bytes_pending): (u64, u64),
) -> Option<Duration> {
    if n_done == 0 {
        return None;
    }
    if n_done >= n_pending {
        return Some(Duration::ZERO);
    }
    let share_left = if bytes_done > 0 && bytes_pending > bytes_done {
        (bytes_pending - bytes_done) as f64 / bytes_done as f64
    } else {
        (n_pending - n_done) as f64 / n_done as f64
    };
    Some(elapsed.mul_f64(share_left))
}

struct RunState {
    job_id: i64,
    started: Instant,
    n_total: u64,
    n_done_before: u64,
    n_failed: u64,
    n_done_this_run: u64,
    n_pages: u64,
    n_pending: u64,
    /// Size of each pending file (by index into the pending list), their sum, and the sum of those done.
    sizes: Vec<u64>,
    bytes_pending: u64,
    bytes_done: u64,
}

impl RunState {
    fn progress(&self) -> Progress {
        let elapsed = self.started.elapsed();
        let eta = estimate_remaining(
            elapsed,
            (self.n_done_this_run, self.n_pending),
            (self.bytes_done, self.bytes_pending),
        );
        Progress {
            n_total: self.n_total,
            n_done: self.n_done_before + self.n_done_this_run,
            n_failed: self.n_failed,
            n_pages: self.n_pages,
            elapsed,
            eta,
        }
    }

    fn handle(
        &mut self,
        store: &mut Store,
        templates: &TemplateSet,
        pending: &[(i64, PathBuf)],
        message: WorkerMessage,
        sink: &mut dyn EventSink,
        control: &JobControl,
    ) -> Result<()> {
        match message {
            WorkerMessage::Started(index) => {
                let (document_id, path) = &pending[index];
                store.mark_processing(*document_id)?;
                sink.emit(&Event::DocumentStarted {
                    document_id: *document_id,
                    path: path.clone(),
                });
            }
            WorkerMessage::Stage(index, stage) => sink.emit(&Event::DocumentStage {
                document_id: pending[index].0,
                stage,
            }),
            WorkerMessage::Finished { index, output, .. } => {
                let (document_id, path) = &pending[index];
                sink.emit(&Event::DocumentStage {
                    document_id: *document_id,
                    stage: Stage::Storing,
                });
                self.store_output(store, templates, *document_id, path, output, sink)?;
                self.n_done_this_run += 1;
                self.bytes_done += self.sizes.get(index).copied().unwrap_or(0);
                sink.emit(&Event::Progress(self.progress()));
                // A pause or cancel asked from another process (`quire jobs pause`).
                match store.job_status(self.job_id)? {
                    JobStatus::Paused => control.pause(),
                    JobStatus::Cancelled => control.cancel(),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn store_output(
        &mut self,
        store: &mut Store,
        templates: &TemplateSet,
        document_id: i64,
        path: &Path,
        output: WorkOutput,
        sink: &mut dyn EventSink,
    ) -> Result<()> {
        match output {
            WorkOutput::Processed {
                document,
                mut extraction,
                unmatched_reason,
                stored_copy,
                read_ms,
                extract_ms,
            } => {
                // The duplicate rule against the history, serialised here so that two copies of one
                // invoice in the same batch are caught too.
                if let Some(extraction) = extraction.as_deref_mut() {
                    if let Some(template) = templates.get(&extraction.template_id) {
                        let has_duplicate_rule = template
                            .validation_rules
                            .rules
                            .iter()
                            .any(|rule| rule.rule_type == RuleType::Duplicate);
                        if has_duplicate_rule {
                            let duplicates = store.duplicates_excluding(Some(document_id));
                            extraction.revalidate(
                                template,
                                &ExtractOptions {
                                    duplicates: &duplicates,
                                    ..ExtractOptions::default()
                                },
                            );
                        }
                    }
                }
                let status = store.record_processed(
                    document_id,
                    &ProcessedDocument {
                        document: &document,
                        stored_copy: stored_copy.as_deref(),
                        extraction: extraction.as_deref(),
                        unmatched_reason: unmatched_reason.as_deref(),
                        read_ms,
                        extract_ms,
                    },
                )?;
                self.n_pages += document.n_pages() as u64;
                sink.emit(&Event::DocumentDone {
                    document_id,
                    path: path.to_path_buf(),
                    status,
                    n_pages: document.n_pages() as u32,
                    template_id: extraction.map(|e| e.template_id),
                });
            }
            WorkOutput::Failed {
                code,
                message,
                read_ms,
            } => {
                store.record_failure(document_id, &code, &message, read_ms)?;
                self.n_failed += 1;
                sink.emit(&Event::DocumentFailed {
                    document_id,
                    path: path.to_path_buf(),
                    code,
                    message,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_follows_the_bytes_left_so_small_text_pdfs_do_not_promise_an_early_end() {
        let elapsed = Duration::from_secs(2);
        // 14 small text PDFs (20 kB each) done in 2 s; 7 scans of 400 kB each left.
        let bytes_done = 14 * 20_000;
        let bytes_pending = bytes_done + 7 * 400_000;
        let eta = estimate_remaining(elapsed, (14, 21), (bytes_done, bytes_pending)).unwrap();
        assert_eq!(eta, Duration::from_secs(20));
        // By documents alone it would have said 1 s.
        assert_eq!(
            estimate_remaining(elapsed, (14, 21), (0, 0)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(estimate_remaining(elapsed, (0, 21), (0, 100)), None);
        assert_eq!(
            estimate_remaining(elapsed, (21, 21), (100, 100)),
            Some(Duration::ZERO)
        );
        // Files gone since they were queued (size 0) fall back to counting documents.
        assert_eq!(
            estimate_remaining(elapsed, (2, 4), (0, 0)),
            Some(Duration::from_secs(2))
        );
    }
}
