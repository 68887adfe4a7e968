//! Hot-folder behaviour, each test run with native notifications and with polling: files present before
//! start, a slow copy, a burst, renames into the folder, temporary files, failures, duplicates, restarts.

use std::collections::HashSet;
use std::io::Write;
use std::time::{Duration, Instant};

use quire_history::DocumentStatus;
use quire_watch::{add_folder, FolderRequest, WatchEvent, WatchMode};

use crate::util::{count, invoice_pdf, note_pdf, padded_invoice_pdf, Place, SETTLE_MS};

const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs a test body in native and in polling mode.
macro_rules! both_modes {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn native() {
                super::$body(false);
            }
            #[test]
            fn polling() {
                super::$body(true);
            }
        }
    };
}

fn files_present_before_start_are_processed_once(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, false);
    for number in 0..5 {
        std::fs::write(
            place.inbox.join(format!("inv-{number}.pdf")),
            invoice_pdf(number),
        )
        .unwrap();
    }
    let summary = place.run_once();
    assert_eq!(summary.n_taken, 5);
    assert_eq!(summary.finished.get("completed"), Some(&5), "{summary:?}");
    // Left in place: a second start takes nothing again.
    let again = place.run_once();
    assert_eq!(again.n_taken, 0);
    let ledger = place.ledger(folder.id);
    assert_eq!(ledger.len(), 5);
    assert!(ledger
        .iter()
        .all(|e| e.outcome.as_deref() == Some("completed")));
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM documents"), 5);
    // And a running watcher finds them at start, and leaves them alone too.
    let running = place.start();
    std::thread::sleep(Duration::from_millis(3 * SETTLE_MS));
    let (summary, events) = running.stop();
    assert_eq!(summary.n_taken, 0);
    let mode = events.iter().find_map(|e| match e {
        WatchEvent::Watching { mode, .. } => Some(*mode),
        _ => None,
    });
    let expected = if polling {
        WatchMode::Polling
    } else {
        WatchMode::Native
    };
    assert_eq!(mode, Some(expected));
}
both_modes!(
    present_before_start,
    files_present_before_start_are_processed_once
);

fn a_slow_copy_is_processed_once_after_it_ends(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, true);
    let running = place.start();
    // 5 MB written 1 MB every 200 ms.
    let bytes = padded_invoice_pdf(7, 5 * 1024 * 1024);
    let target = place.inbox.join("big-scan.pdf");
    let writer = {
        let target = target.clone();
        let bytes = bytes.clone();
        std::thread::spawn(move || {
            let mut file = std::fs::File::create(&target).unwrap();
            for chunk in bytes.chunks(1024 * 1024) {
                file.write_all(chunk).unwrap();
                file.flush().unwrap();
                std::thread::sleep(Duration::from_millis(200));
            }
            Instant::now()
        })
    };
    let copy_ended = writer.join().unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 1, TIMEOUT);
    let (_, events) = running.stop();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(ledger[0].size_bytes, bytes.len() as u64);
    assert_eq!(ledger[0].outcome.as_deref(), Some("completed"));
    let store = place.store();
    let document = store.document(ledger[0].document_id.unwrap()).unwrap();
    assert_eq!(document.size_bytes, Some(bytes.len() as u64));
    assert_eq!(
        document.content_hash.as_deref(),
        Some(ledger[0].content_hash.as_str())
    );
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM documents"), 1);
    let n_taken = events
        .iter()
        .filter(|e| matches!(e, WatchEvent::Taken { .. }))
        .count();
    assert_eq!(n_taken, 1);
    assert!(place.out("processed/big-scan.pdf").exists());
    assert!(!target.exists());
    assert!(copy_ended.elapsed() < TIMEOUT);
}
both_modes!(slow_copy, a_slow_copy_is_processed_once_after_it_ends);

fn a_burst_of_500_files_is_processed_once_each(polling: bool) {
    const N_FILES: u64 = 500;
    let place = Place::new();
    let folder = place.watch_inbox(polling, true);
    let running = place.start();
    for number in 0..N_FILES {
        std::fs::write(
            place.inbox.join(format!("note-{number:03}.pdf")),
            note_pdf(number),
        )
        .unwrap();
    }
    let ledger = place.wait_for_outcomes(folder.id, N_FILES as usize, Duration::from_secs(600));
    let (summary, _) = running.stop();
    assert_eq!(ledger.len() as u64, N_FILES);
    let paths: HashSet<_> = ledger.iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths.len() as u64, N_FILES);
    // Short notes no template recognises: the watcher is under test here, not extraction.
    assert!(ledger
        .iter()
        .all(|e| e.outcome.as_deref() == Some("unmatched")));
    assert_eq!(summary.n_taken, N_FILES);
    assert_eq!(
        count(&place.db, "SELECT COUNT(*) FROM documents"),
        N_FILES as i64
    );
    assert_eq!(
        count(
            &place.db,
            "SELECT COUNT(DISTINCT source_path) FROM documents"
        ),
        N_FILES as i64
    );
    let n_moved = std::fs::read_dir(place.out("processed")).unwrap().count();
    assert_eq!(n_moved as u64, N_FILES);
    assert_eq!(std::fs::read_dir(&place.inbox).unwrap().count(), 0);
}
both_modes!(burst, a_burst_of_500_files_is_processed_once_each);

fn files_renamed_or_moved_into_the_folder_are_seen(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, false);
    let running = place.start();
    // Moved in from elsewhere on the same file system.
    let outside = place.dir.path().join("outside.pdf");
    std::fs::write(&outside, invoice_pdf(1)).unwrap();
    std::fs::rename(&outside, place.inbox.join("moved-in.pdf")).unwrap();
    // Downloaded as a partial file, then renamed to its final name.
    let partial = place.inbox.join("download.pdf.crdownload");
    std::fs::write(&partial, invoice_pdf(2)).unwrap();
    std::thread::sleep(Duration::from_millis(2 * SETTLE_MS));
    std::fs::rename(&partial, place.inbox.join("download.pdf")).unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 2, TIMEOUT);
    std::thread::sleep(Duration::from_millis(2 * SETTLE_MS));
    running.stop();
    let mut names: Vec<String> = place
        .ledger(folder.id)
        .iter()
        .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["download.pdf", "moved-in.pdf"], "{ledger:?}");
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM documents"), 2);
}
both_modes!(
    rename_into_folder,
    files_renamed_or_moved_into_the_folder_are_seen
);

fn temporary_and_partial_files_are_ignored(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, false);
    let running = place.start();
    for name in [
        "~$invoice.pdf",
        "invoice.pdf.part",
        "invoice.pdf.crdownload",
        "scan.tmp",
        ".hidden.pdf",
        "notes.txt",
    ] {
        std::fs::write(place.inbox.join(name), invoice_pdf(9)).unwrap();
    }
    std::fs::write(place.inbox.join("real.pdf"), invoice_pdf(10)).unwrap();
    place.wait_for_outcomes(folder.id, 1, TIMEOUT);
    std::thread::sleep(Duration::from_millis(3 * SETTLE_MS));
    running.stop();
    let ledger = place.ledger(folder.id);
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert!(ledger[0].path.ends_with("real.pdf"));
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM documents"), 1);
}
both_modes!(temporary_files, temporary_and_partial_files_are_ignored);

fn a_failed_file_is_moved_to_failed_with_its_error_note(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, true);
    let running = place.start();
    let whole = invoice_pdf(3);
    std::fs::write(place.inbox.join("broken.pdf"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(place.inbox.join("good.pdf"), invoice_pdf(4)).unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 2, TIMEOUT);
    running.stop();
    let broken = ledger
        .iter()
        .find(|e| e.path.ends_with("broken.pdf"))
        .unwrap();
    assert_eq!(broken.outcome.as_deref(), Some("failed"));
    assert_eq!(broken.error_code.as_deref(), Some("truncated_pdf"));
    assert_eq!(
        broken.moved_to.as_deref(),
        Some(place.out("failed/broken.pdf").as_path())
    );
    let note = std::fs::read_to_string(place.out("failed/broken.pdf.error.txt")).unwrap();
    assert!(note.contains("error code: truncated_pdf"), "{note}");
    assert!(note.contains("truncated"), "{note}");
    let good = ledger
        .iter()
        .find(|e| e.path.ends_with("good.pdf"))
        .unwrap();
    assert_eq!(good.outcome.as_deref(), Some("completed"));
    assert!(place.out("processed/good.pdf").exists());
    assert!(!place.out("processed/good.pdf.error.txt").exists());
    assert_eq!(std::fs::read_dir(&place.inbox).unwrap().count(), 0);
}
both_modes!(
    failed_file,
    a_failed_file_is_moved_to_failed_with_its_error_note
);

fn the_same_content_dropped_again_is_a_duplicate(polling: bool) {
    let place = Place::new();
    let folder = place.watch_inbox(polling, true);
    let running = place.start();
    std::fs::write(place.inbox.join("first.pdf"), invoice_pdf(5)).unwrap();
    place.wait_for_outcomes(folder.id, 1, TIMEOUT);
    // The same file again, under its own name (it was moved away) and under another.
    std::fs::write(place.inbox.join("first.pdf"), invoice_pdf(5)).unwrap();
    std::fs::write(place.inbox.join("copy.pdf"), invoice_pdf(5)).unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 3, TIMEOUT);
    running.stop();
    assert_eq!(ledger[0].outcome.as_deref(), Some("completed"));
    assert_eq!(ledger[1].outcome.as_deref(), Some("duplicate"));
    assert_eq!(ledger[2].outcome.as_deref(), Some("duplicate"));
    let store = place.store();
    let original = ledger[0].document_id.unwrap();
    for entry in &ledger[1..] {
        let row = store.document(entry.document_id.unwrap()).unwrap();
        assert_eq!(row.status, DocumentStatus::Duplicate);
        assert_eq!(row.duplicate_of, Some(original));
    }
    // Duplicates are not extracted again.
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM extractions"), 1);
    assert!(place.out("processed/first (2).pdf").exists());
}
both_modes!(duplicate, the_same_content_dropped_again_is_a_duplicate);

fn a_restart_in_the_middle_of_a_burst_loses_nothing_and_repeats_nothing(polling: bool) {
    const N_FILES: usize = 80;
    let place = Place::new();
    let folder = place.watch_inbox(polling, false);
    let running = place.start();
    for number in 0..N_FILES as u64 {
        std::fs::write(
            place.inbox.join(format!("inv-{number:03}.pdf")),
            invoice_pdf(number),
        )
        .unwrap();
    }
    // Stopped as soon as a few documents are stored (the job then pauses after those in flight).
    let finished = "SELECT COUNT(*) FROM documents WHERE status NOT IN ('queued', 'processing')";
    let deadline = Instant::now() + TIMEOUT;
    while !place.db.exists() || count(&place.db, finished) < 5 {
        assert!(Instant::now() < deadline, "the watcher made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    let (first, _) = running.stop();
    assert!(first.stopped);
    let n_done_first = place
        .ledger(folder.id)
        .iter()
        .filter(|e| e.outcome.is_some())
        .count();
    assert!(n_done_first < N_FILES, "stopped too late to test a restart");
    // Started again: the unfinished job is resumed first, the rest is found by the scan.
    let running = place.start();
    let ledger = place.wait_for_outcomes(folder.id, N_FILES, TIMEOUT);
    std::thread::sleep(Duration::from_millis(2 * SETTLE_MS));
    running.stop();
    assert_eq!(place.ledger(folder.id).len(), N_FILES, "{ledger:?}");
    let paths: HashSet<_> = ledger.iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths.len(), N_FILES);
    assert!(ledger
        .iter()
        .all(|e| e.outcome.as_deref() == Some("completed")));
    assert_eq!(
        count(&place.db, "SELECT COUNT(*) FROM documents"),
        N_FILES as i64
    );
    assert_eq!(
        count(
            &place.db,
            "SELECT COUNT(*) FROM documents WHERE status = 'completed'"
        ),
        N_FILES as i64
    );
    assert_eq!(
        count(&place.db, "SELECT COUNT(*) FROM extractions"),
        N_FILES as i64
    );
}
both_modes!(
    restart,
    a_restart_in_the_middle_of_a_burst_loses_nothing_and_repeats_nothing
);

fn sub_folders_of_a_recursive_folder_are_watched_even_when_created_or_moved_in_later(
    polling: bool,
) {
    let place = Place::new();
    let folder = add_folder(
        &place.store(),
        &crate::util::templates(),
        &FolderRequest {
            folder: place.inbox.clone(),
            recursive: true,
            polling,
            poll_interval_ms: Some(100),
            settle_ms: Some(SETTLE_MS),
            ..Default::default()
        },
    )
    .unwrap();
    let running = place.start();
    let deep = place.inbox.join("2025/august");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("a.pdf"), invoice_pdf(21)).unwrap();
    // A folder with a file, prepared elsewhere and moved in whole.
    let prepared = place.dir.path().join("batch");
    std::fs::create_dir(&prepared).unwrap();
    std::fs::write(prepared.join("b.pdf"), invoice_pdf(22)).unwrap();
    std::fs::rename(&prepared, place.inbox.join("batch")).unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 2, TIMEOUT);
    running.stop();
    let mut relative: Vec<_> = ledger
        .iter()
        .map(|e| e.path.strip_prefix(&place.inbox).unwrap().to_path_buf())
        .collect();
    relative.sort();
    assert_eq!(
        relative,
        [
            std::path::PathBuf::from("2025/august/a.pdf"),
            std::path::PathBuf::from("batch/b.pdf")
        ]
    );
}
both_modes!(
    recursive,
    sub_folders_of_a_recursive_folder_are_watched_even_when_created_or_moved_in_later
);

#[test]
fn a_folder_whose_native_watch_cannot_start_is_polled_and_picked_up_when_it_appears() {
    let place = Place::new();
    let folder = place.watch_inbox(false, false);
    // Like a network share not mounted yet: native watching cannot start.
    std::fs::remove_dir(&place.inbox).unwrap();
    let running = place.start();
    std::fs::create_dir(&place.inbox).unwrap();
    std::fs::write(place.inbox.join("late.pdf"), invoice_pdf(30)).unwrap();
    let ledger = place.wait_for_outcomes(folder.id, 1, TIMEOUT);
    let (_, events) = running.stop();
    let watching = events
        .iter()
        .find_map(|e| match e {
            WatchEvent::Watching { mode, note, .. } => Some((*mode, note.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(watching.0, WatchMode::Polling);
    let note = watching.1.unwrap();
    assert!(note.contains("native watching unavailable"), "{note}");
    assert_eq!(ledger[0].outcome.as_deref(), Some("completed"));
}

#[test]
fn a_csv_export_is_rewritten_with_every_document_of_the_folder() {
    let place = Place::new();
    let export = place.dir.path().join("exports/invoices.csv");
    let folder = add_folder(
        &place.store(),
        &crate::util::templates(),
        &FolderRequest {
            folder: place.inbox.clone(),
            move_to: Some(place.dir.path().join("out")),
            export_path: Some(export.clone()),
            settle_ms: Some(SETTLE_MS),
            ..Default::default()
        },
    )
    .unwrap();
    let running = place.start();
    std::fs::write(place.inbox.join("a.pdf"), invoice_pdf(41)).unwrap();
    place.wait_for_outcomes(folder.id, 1, TIMEOUT);
    std::fs::write(place.inbox.join("b.pdf"), invoice_pdf(42)).unwrap();
    std::fs::write(place.inbox.join("b-again.pdf"), invoice_pdf(42)).unwrap();
    place.wait_for_outcomes(folder.id, 3, TIMEOUT);
    running.stop();
    let csv = std::fs::read_to_string(&export).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "header and one row per document, the duplicate left out:\n{csv}"
    );
    assert!(
        lines[0].starts_with("document_id,file_name,status"),
        "{csv}"
    );
    assert!(
        lines[1].contains("a.pdf") && lines[1].contains("INV-000041"),
        "{csv}"
    );
    assert!(lines[2].contains("INV-000042"), "{csv}");
}

#[test]
fn a_json_export_writes_one_file_per_document() {
    let place = Place::new();
    let export = place.dir.path().join("json");
    let folder = add_folder(
        &place.store(),
        &crate::util::templates(),
        &FolderRequest {
            folder: place.inbox.clone(),
            export_path: Some(export.clone()),
            settle_ms: Some(SETTLE_MS),
            ..Default::default()
        },
    )
    .unwrap();
    for number in [51, 52] {
        std::fs::write(
            place.inbox.join(format!("inv-{number}.pdf")),
            invoice_pdf(number),
        )
        .unwrap();
    }
    place.run_once();
    let ledger = place.ledger(folder.id);
    let mut names: Vec<String> = std::fs::read_dir(&export)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected: Vec<String> = ledger
        .iter()
        .map(|e| {
            let stem = e.path.file_stem().unwrap().to_string_lossy().into_owned();
            format!("{stem}.{}.json", e.document_id.unwrap())
        })
        .collect();
    assert_eq!(names, expected);
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join(&names[0])).unwrap()).unwrap();
    assert_eq!(
        body["documents"][0]["extracted_data"]["general_part"]["documentId"],
        "INV-000051"
    );
}

#[test]
fn a_second_watcher_on_the_same_database_is_refused() {
    let place = Place::new();
    place.watch_inbox(false, false);
    let running = place.start();
    let templates = crate::util::templates();
    let mut store = place.store();
    let second = quire_watch::watch(
        &mut store,
        &crate::util::config(&templates, place.dir.path()),
        &quire_watch::WatchOptions { once: true },
        &mut |_: &WatchEvent| {},
        &quire_engine::JobControl::new(),
    );
    assert_eq!(second.unwrap_err().code(), "watch_already_running");
    running.stop();
    // Free again once the first one stopped.
    assert_eq!(place.run_once().n_taken, 0);
}

#[test]
fn folders_added_or_removed_while_running_are_picked_up() {
    let place = Place::new();
    let first = place.watch_inbox(false, false);
    let running = place.start();
    let second_dir = place.dir.path().join("second");
    std::fs::create_dir(&second_dir).unwrap();
    let second = add_folder(
        &place.store(),
        &crate::util::templates(),
        &FolderRequest {
            folder: second_dir.clone(),
            settle_ms: Some(SETTLE_MS),
            ..Default::default()
        },
    )
    .unwrap();
    std::fs::write(second_dir.join("a.pdf"), invoice_pdf(61)).unwrap();
    let ledger = place.wait_for_outcomes(second.id, 1, TIMEOUT);
    assert_eq!(ledger[0].outcome.as_deref(), Some("completed"));
    quire_watch::remove_folder(&place.store(), &first.id.to_string()).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while !running
        .events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, WatchEvent::Stopped { folder_id, .. } if *folder_id == first.id))
    {
        assert!(
            Instant::now() < deadline,
            "the removed folder is still watched"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(place.inbox.join("ignored.pdf"), invoice_pdf(62)).unwrap();
    std::thread::sleep(Duration::from_millis(3 * SETTLE_MS));
    running.stop();
    assert_eq!(count(&place.db, "SELECT COUNT(*) FROM documents"), 1);
}

#[test]
fn an_xlsx_export_is_written_for_the_folder() {
    let place = Place::new();
    let export = place.dir.path().join("invoices.xlsx");
    add_folder(
        &place.store(),
        &crate::util::templates(),
        &FolderRequest {
            folder: place.inbox.clone(),
            export_path: Some(export.clone()),
            settle_ms: Some(SETTLE_MS),
            ..Default::default()
        },
    )
    .unwrap();
    std::fs::write(place.inbox.join("a.pdf"), invoice_pdf(71)).unwrap();
    let summary = place.run_once();
    assert_eq!(summary.finished.get("completed"), Some(&1));
    let bytes = std::fs::read(&export).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a ZIP archive");
}
