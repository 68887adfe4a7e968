//! Tesseract's OpenMP threads. Users start Quire without `OMP_THREAD_LIMIT`; recognition must then start
//! no OpenMP threads (they make OCR about 3x slower next to a batch's other workers), without the process
//! having to restart itself. A limit the user sets is left to rule. Each case runs in a fresh process,
//! since OpenMP reads the variable once, when it loads.

use std::process::Command;

use crate::util::{reader, repo_root};

/// Set for the child process that does the recognition.
const CHILD: &str = "QUIRE_OPENMP_TEST_CHILD";

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

/// Runs [`recognise_and_count_threads`] in a fresh test process with `OMP_THREAD_LIMIT` set to
/// `limit` (or unset) and returns its thread counts before and after recognising a photo.
fn threads_around_ocr(limit: Option<&str>) -> (usize, usize) {
    let mut command = Command::new(std::env::current_exe().expect("test executable"));
    command
        .args([
            "--exact",
            "openmp::recognise_and_count_threads",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD, "1");
    match limit {
        Some(limit) => command.env("OMP_THREAD_LIMIT", limit),
        None => command.env_remove("OMP_THREAD_LIMIT"),
    };
    let output = command.output().expect("start the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|line| line.split_once("quire-threads: ").map(|(_, counts)| counts))
        .unwrap_or_else(|| panic!("no thread counts in the child's output: {stdout}"));
    let (before, after) = line.split_once(' ').expect("two counts");
    (before.parse().unwrap(), after.parse().unwrap())
}

#[test]
#[ignore = "run in a child process by the tests below"]
fn recognise_and_count_threads() {
    assert!(
        std::env::var_os(CHILD).is_some(),
        "started by the tests below"
    );
    let path = repo_root().join("sample-docs/receipts/receipt-03-photo.png");
    let before = thread_count();
    let document = reader().read_path(&path).expect("the photo reads");
    let after = thread_count();
    assert!(
        document.pages[0].words.len() > 20,
        "the photo was recognised"
    );
    println!("quire-threads: {before} {after}");
}

#[test]
fn ocr_starts_no_openmp_threads_when_no_limit_is_set() {
    let (before, after) = threads_around_ocr(None);
    assert_eq!(
        after,
        before,
        "recognition left {} more threads behind (OpenMP's team)",
        after - before
    );
}

#[test]
fn a_thread_limit_the_user_sets_is_left_to_rule() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        eprintln!("one core: OpenMP starts no team threads whatever the limit; nothing to compare");
        return;
    }
    // The user's limit of 2 lets OpenMP start its team (which stays, idle, after the recognition): the
    // count the test above relies on does see OpenMP's threads.
    let (before, after) = threads_around_ocr(Some("2"));
    assert!(after > before, "threads before {before}, after {after}");
    let (before, after) = threads_around_ocr(Some("1"));
    assert_eq!(after, before);
}
