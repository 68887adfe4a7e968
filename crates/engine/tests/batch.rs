//! A batch end to end: every document stored, failures recorded without stopping, duplicates, events,
//! pause / resume / cancel.

use quire_engine::{run_job, CollectedEvents, Event, EventSink, JobControl, NoEvents, RunOutcome};
use quire_history::{DocumentFilter, DocumentStatus, JobStatus, Store};

use crate::util::{config, count, folder_job, templates, write_invoices};

#[test]
fn a_batch_stores_every_document_and_a_broken_file_does_not_stop_it() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 1, 4);
    std::fs::write(inbox.join("truncated.pdf"), b"%PDF-1.4\n1 0 obj\n<<").unwrap();
    std::fs::write(inbox.join("notes.pdf"), b"just some text, not a PDF").unwrap();
    let db = dir.path().join("history.db");
    let mut store = Store::open(&db).unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    let mut events = CollectedEvents::default();
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 2),
        &mut events,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(summary.outcome, RunOutcome::Completed);
    assert_eq!(summary.counts.n_total, 6);
    assert_eq!(summary.counts.n_completed, 4, "{summary:?}");
    assert_eq!(summary.counts.n_failed, 2);
    let mut codes: Vec<&str> = summary.failures.iter().map(|f| f.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["truncated_pdf", "unsupported_type"]);
    assert!(summary.failures.iter().all(|f| f.message.contains(".pdf")));
    assert_eq!(store.job_status(job_id).unwrap(), JobStatus::Completed);
    // Values really extracted from the PDFs.
    let found = store
        .documents(&DocumentFilter {
            query: Some("INV-000003".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let extraction = store.extraction(found[0].id).unwrap().unwrap();
    assert_eq!(
        extraction.field_string("totalAmount").as_deref(),
        Some("2453.45")
    );
    assert_eq!(
        extraction.field_string("documentId").as_deref(),
        Some("INV-000003")
    );
    // Events: one queued, started and finished event per document, progress ending at 6 of 6.
    let n = |pred: &dyn Fn(&Event) -> bool| events.events.iter().filter(|e| pred(e)).count();
    assert_eq!(n(&|e| matches!(e, Event::DocumentQueued { .. })), 6);
    assert_eq!(n(&|e| matches!(e, Event::DocumentStarted { .. })), 6);
    assert_eq!(n(&|e| matches!(e, Event::DocumentDone { .. })), 4);
    assert_eq!(n(&|e| matches!(e, Event::DocumentFailed { .. })), 2);
    let last_progress = events
        .events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Progress(p) => Some(*p),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (
            last_progress.n_done,
            last_progress.n_total,
            last_progress.n_failed
        ),
        (6, 6, 2)
    );
    assert_eq!(last_progress.n_pages, 4);
    assert!(matches!(
        events.events.last(),
        Some(Event::JobFinished {
            outcome: RunOutcome::Completed,
            ..
        })
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM pages"), 4);
}

#[test]
fn identical_files_are_processed_once_and_a_reissued_number_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    let paths = write_invoices(&inbox, 7, 1);
    std::fs::copy(&paths[0], inbox.join("copy-of-7.pdf")).unwrap();
    // Same supplier and invoice number, different bytes: a re-issued or re-scanned invoice.
    let reissued = quire_engine::synthetic::invoice_text(7) + "\nReprint\n";
    std::fs::write(
        inbox.join("reprint-7.pdf"),
        quire_engine::synthetic::text_pdf(&reissued),
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut NoEvents,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(summary.counts.n_completed, 1, "{summary:?}");
    assert_eq!(summary.counts.n_duplicate, 1);
    assert_eq!(summary.counts.n_needs_review, 1);
    let rows = store.documents(&DocumentFilter::default()).unwrap();
    let by_name = |name: &str| rows.iter().find(|r| r.file_name == name).unwrap();
    assert_eq!(by_name("copy-of-7.pdf").status, DocumentStatus::Completed);
    assert_eq!(
        by_name("inv-007.pdf").duplicate_of,
        Some(by_name("copy-of-7.pdf").id)
    );
    let reprint = by_name("reprint-7.pdf");
    assert_eq!(reprint.status, DocumentStatus::NeedsReview);
    let rules = store.validation_results(reprint.id).unwrap();
    let duplicate_rule = rules
        .iter()
        .find(|r| r.rule_type.as_str() == "duplicate")
        .unwrap();
    assert!(
        duplicate_rule.message.contains("already processed"),
        "{duplicate_rule:?}"
    );
}

/// Pauses the job through `control` when the n-th document is done.
struct PauseAfter {
    n_done: usize,
    after: usize,
    control: JobControl,
}

impl EventSink for PauseAfter {
    fn emit(&mut self, event: &Event) {
        if matches!(event, Event::DocumentDone { .. }) {
            self.n_done += 1;
            if self.n_done == self.after {
                self.control.pause();
            }
        }
    }
}

#[test]
fn pausing_stops_after_the_documents_in_hand_and_resuming_finishes_the_rest_once() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 20, 6);
    let db = dir.path().join("history.db");
    let mut store = Store::open(&db).unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    let control = JobControl::new();
    let mut sink = PauseAfter {
        n_done: 0,
        after: 2,
        control: control.clone(),
    };
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut sink,
        &control,
    )
    .unwrap();
    assert_eq!(summary.outcome, RunOutcome::Paused);
    assert_eq!(
        summary.counts.n_completed, 2,
        "one worker holds one document at a time"
    );
    assert_eq!(summary.counts.n_queued, 4);
    assert_eq!(store.job_status(job_id).unwrap(), JobStatus::Paused);
    let mut events = CollectedEvents::default();
    let resumed = run_job(
        &mut store,
        job_id,
        &config(&templates, 2),
        &mut events,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(resumed.outcome, RunOutcome::Completed);
    assert_eq!(resumed.n_processed_this_run, 4);
    assert_eq!(resumed.counts.n_completed, 6);
    assert!(matches!(
        events.events[0],
        Event::JobStarted {
            n_total: 6,
            n_pending: 4,
            ..
        }
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM pages"), 6);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM extractions"), 6);
}

#[test]
fn a_pause_asked_through_the_database_by_another_process_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 40, 5);
    let db = dir.path().join("history.db");
    let mut store = Store::open(&db).unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    // What `quire jobs pause` does, from its own connection, once the first document is done.
    let other = Store::open(&db).unwrap();
    let mut sink = |event: &Event| {
        if matches!(event, Event::DocumentDone { .. }) {
            other.set_job_status(job_id, JobStatus::Paused).unwrap();
        }
    };
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut sink,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(summary.outcome, RunOutcome::Paused);
    assert_eq!(summary.counts.n_completed, 1);
}

#[test]
fn a_cancelled_job_keeps_the_rest_queued_and_cannot_be_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 50, 4);
    let mut store = Store::open_in_memory().unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    let control = JobControl::new();
    let cancel = control.clone();
    let mut sink = move |event: &Event| {
        if matches!(event, Event::DocumentDone { .. }) {
            cancel.cancel();
        }
    };
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut sink,
        &control,
    )
    .unwrap();
    assert_eq!(summary.outcome, RunOutcome::Cancelled);
    assert_eq!(summary.counts.n_completed, 1);
    assert_eq!(summary.counts.n_queued, 3);
    assert_eq!(store.job_status(job_id).unwrap(), JobStatus::Cancelled);
    let again = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut NoEvents,
        &JobControl::new(),
    );
    assert_eq!(again.unwrap_err().code(), "job_cancelled");
}

#[test]
fn originals_are_kept_in_the_data_folder_when_the_job_asks() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    let paths = write_invoices(&inbox, 60, 1);
    let mut store = Store::open_in_memory().unwrap();
    let job_id = quire_engine::create_job(
        &mut store,
        "keep",
        &quire_engine::JobSettings {
            inputs: quire_engine::Inputs {
                paths: paths.clone(),
                ..Default::default()
            },
            keep_originals: true,
            ..Default::default()
        },
    )
    .unwrap();
    let templates = templates();
    let mut run_config = config(&templates, 1);
    run_config.data_dir = Some(dir.path().join("data"));
    run_job(
        &mut store,
        job_id,
        &run_config,
        &mut NoEvents,
        &JobControl::new(),
    )
    .unwrap();
    std::fs::remove_file(&paths[0]).unwrap();
    let row = &store.documents(&DocumentFilter::default()).unwrap()[0];
    let copy = std::path::PathBuf::from(row.stored_path.clone().unwrap());
    assert!(copy.starts_with(dir.path().join("data/originals")));
    assert!(copy.to_string_lossy().ends_with(".pdf"));
    let bytes = std::fs::read(&copy).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
}

#[test]
fn running_the_same_command_again_finds_the_unfinished_job_until_it_completes() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 70, 2);
    let mut store = Store::open_in_memory().unwrap();
    let settings = quire_engine::JobSettings {
        inputs: quire_engine::Inputs {
            paths: vec![inbox.clone()],
            ..Default::default()
        },
        ..Default::default()
    };
    let job_id = quire_engine::create_job(&mut store, "first", &settings).unwrap();
    assert_eq!(
        quire_engine::find_unfinished_job(&store, &settings).unwrap(),
        Some(job_id)
    );
    let other = quire_engine::JobSettings {
        template: Some("generic-invoice".into()),
        ..settings.clone()
    };
    assert_eq!(
        quire_engine::find_unfinished_job(&store, &other).unwrap(),
        None
    );
    let templates = templates();
    run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut NoEvents,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(
        quire_engine::find_unfinished_job(&store, &settings).unwrap(),
        None
    );
    assert_eq!(
        quire_engine::job_settings(&store, job_id).unwrap(),
        settings
    );
}

#[test]
fn content_already_in_history_is_not_extracted_again() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    let paths = write_invoices(&inbox, 80, 1);
    std::fs::copy(&paths[0], inbox.join("z-copy.pdf")).unwrap();
    let mut store = Store::open(&dir.path().join("history.db")).unwrap();
    let job_id = folder_job(&mut store, &inbox);
    let templates = templates();
    let mut events = CollectedEvents::default();
    let summary = run_job(
        &mut store,
        job_id,
        &config(&templates, 1),
        &mut events,
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(summary.counts.n_completed, 1);
    assert_eq!(summary.counts.n_duplicate, 1);
    let n_extracting = events
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::DocumentStage {
                    stage: quire_engine::Stage::Extracting,
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        n_extracting, 1,
        "the copy is read and hashed, not extracted"
    );
    let copy = store
        .documents(&DocumentFilter::default())
        .unwrap()
        .into_iter()
        .find(|d| d.file_name == "z-copy.pdf")
        .unwrap();
    assert_eq!(copy.status, DocumentStatus::Duplicate);
}
