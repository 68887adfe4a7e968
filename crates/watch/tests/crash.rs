//! Crash safety: a child process watching a folder is killed with SIGKILL in the middle of a burst; the next
//! start must process every file exactly once (none lost, none repeated, no half-written rows).

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use quire_engine::JobControl;
use quire_history::Store;
use quire_watch::{watch, WatchEvent, WatchOptions};

use crate::util::{config, count, invoice_pdf, templates, Place};

const N_FILES: usize = 40;
const DB_ENV: &str = "QUIRE_TEST_WATCH_KILL_DB";
const DATA_ENV: &str = "QUIRE_TEST_WATCH_KILL_DATA";

/// Runs in the child process only. Slowed down per document so the parent kills it mid-burst.
#[test]
#[ignore = "run by kill_9_in_the_middle_of_a_burst_then_restart_processes_every_file_once in a child process"]
fn child_process_watches_until_killed() {
    let (Ok(db), Ok(data)) = (std::env::var(DB_ENV), std::env::var(DATA_ENV)) else {
        return;
    };
    let mut store = Store::open(&PathBuf::from(db)).unwrap();
    let templates = templates();
    let mut slow = |event: &WatchEvent| {
        if let WatchEvent::Job(quire_engine::Event::DocumentDone { .. }) = event {
            std::thread::sleep(Duration::from_millis(40));
        }
    };
    watch(
        &mut store,
        &config(&templates, &PathBuf::from(data)),
        &WatchOptions::default(),
        &mut slow,
        &JobControl::new(),
    )
    .unwrap();
}

#[test]
fn kill_9_in_the_middle_of_a_burst_then_restart_processes_every_file_once() {
    let place = Place::new();
    let folder = place.watch_inbox(false, true);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_process_watches_until_killed",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(DB_ENV, &place.db)
        .env(DATA_ENV, place.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for number in 0..N_FILES as u64 {
        std::fs::write(
            place.inbox.join(format!("inv-{number:03}.pdf")),
            invoice_pdf(number),
        )
        .unwrap();
    }
    let finished = "SELECT COUNT(*) FROM documents WHERE status NOT IN ('queued', 'processing')";
    let deadline = Instant::now() + Duration::from_secs(120);
    while !place.db.exists() || count(&place.db, finished) < 5 {
        assert!(Instant::now() < deadline, "the child made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child exited early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let n_finished_at_kill = count(&place.db, finished) as usize;
    assert!(
        n_finished_at_kill < N_FILES,
        "the child finished before it was killed"
    );

    let summary = place.run_once();
    assert!(!summary.job_ids.is_empty());
    let ledger = place.ledger(folder.id);
    assert_eq!(ledger.len(), N_FILES, "{ledger:?}");
    let paths: HashSet<_> = ledger.iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths.len(), N_FILES);
    assert!(
        ledger
            .iter()
            .all(|e| e.outcome.as_deref() == Some("completed")),
        "{ledger:?}"
    );
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
    assert_eq!(
        count(&place.db, "SELECT COUNT(*) FROM pages"),
        N_FILES as i64
    );
    // Every file moved out exactly once, nothing left behind.
    assert_eq!(
        std::fs::read_dir(place.out("processed")).unwrap().count(),
        N_FILES
    );
    assert_eq!(std::fs::read_dir(&place.inbox).unwrap().count(), 0);
}
