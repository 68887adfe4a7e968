//! End-to-end tests of `quire watch`: a `quire watch run` process killed with SIGKILL in the middle of a
//! burst, and one stopped with Ctrl-C (SIGINT); the next run processes every file exactly once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quire_history::Store;

const N_FILES: u64 = 60;

fn quire(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
    command.env("QUIRE_DB", db);
    command
}

/// An inbox watched with `quire watch add` (processed files moved out), and the database.
fn watched_inbox(dir: &Path) -> (PathBuf, PathBuf) {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let db = dir.join("history.db");
    let status = quire(&db)
        .args(["watch", "add"])
        .arg(&inbox)
        .arg("--move-to")
        .arg(dir.join("out"))
        .args(["--settle-ms", "200"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    (inbox, db)
}

fn drop_invoices(inbox: &Path) {
    for number in 1..=N_FILES {
        let pdf = quire_engine::synthetic::text_pdf(&quire_engine::synthetic::invoice_text(number));
        std::fs::write(inbox.join(format!("invoice-{number:04}.pdf")), pdf).unwrap();
    }
}

/// Documents stored so far (read-only, while the watcher writes).
fn n_stored(db: &Path) -> usize {
    let Ok(store) = Store::open_read_only(db) else {
        return 0;
    };
    store.jobs().map_or(0, |jobs| {
        jobs.iter().map(|job| job.counts.n_done() as usize).sum()
    })
}

fn wait_for_stored(db: &Path, n: usize, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while n_stored(db) < n {
        assert!(Instant::now() < deadline, "the watcher made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the watcher exited early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every file taken once, stored once, moved out once.
fn assert_every_file_exactly_once(dir: &Path, inbox: &Path, db: &Path) {
    let store = Store::open(db).unwrap();
    let folder = &store.watch_folders().unwrap()[0];
    let ledger = store.ledger(folder.id).unwrap();
    assert_eq!(ledger.len() as u64, N_FILES, "{ledger:?}");
    let paths: std::collections::HashSet<_> = ledger.iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths.len() as u64, N_FILES);
    assert!(ledger
        .iter()
        .all(|e| e.outcome.is_some() && e.outcome.as_deref() != Some("failed")));
    let jobs = store.jobs().unwrap();
    let n_documents: u64 = jobs.iter().map(|job| job.counts.n_total).sum();
    assert_eq!(n_documents, N_FILES);
    assert!(jobs.iter().all(|job| job.counts.n_pending() == 0));
    assert_eq!(std::fs::read_dir(inbox).unwrap().count(), 0);
    let n_moved = std::fs::read_dir(dir.join("out/processed"))
        .unwrap()
        .count() as u64;
    assert_eq!(n_moved, N_FILES);
}

fn run_once(db: &Path) -> String {
    let output = quire(db).args(["watch", "run", "--once"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    stdout
}

#[test]
fn quire_watch_run_killed_mid_burst_then_run_again_processes_every_file_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (inbox, db) = watched_inbox(dir.path());
    drop_invoices(&inbox);
    let mut child = quire(&db)
        .args(["watch", "run", "--workers", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_stored(&db, 3, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(n_stored(&db) < N_FILES as usize, "finished before the kill");
    let stdout = run_once(&db);
    assert!(stdout.contains("resuming job"), "{stdout}");
    assert_every_file_exactly_once(dir.path(), &inbox, &db);
}

#[test]
fn ctrl_c_stops_quire_watch_run_cleanly_and_the_next_run_finishes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (inbox, db) = watched_inbox(dir.path());
    drop_invoices(&inbox);
    let mut child = quire(&db)
        .args(["watch", "run", "--workers", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_stored(&db, 3, &mut child);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("stopped:"), "{stdout}");
    assert!(
        n_stored(&db) < N_FILES as usize,
        "finished before the interrupt"
    );
    run_once(&db);
    assert_every_file_exactly_once(dir.path(), &inbox, &db);
}
