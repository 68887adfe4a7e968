//! Tesseract in its own process (`quire_reader::ocr_engine`, the `quire-ocr` program): started only when a
//! page needs OCR, reused across pages, run with OpenMP on one thread unless the user set a limit, and a
//! crash or a hang inside it costs the page being read, not the reader.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use quire_reader::{ReadErrorKind, Reader, ReaderConfig};

use crate::util::{reader, repo_root, temp_file, tiny_pdf};

fn photo() -> PathBuf {
    repo_root().join("sample-docs/receipts/receipt-03-photo.png")
}

fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the engine's /proc entry")
        .count()
}

#[test]
fn the_engine_starts_with_the_first_page_that_needs_ocr_and_serves_every_later_one() {
    let (_dir, text_pdf) = temp_file("text.pdf", &tiny_pdf(&[&["Invoice 2001", "Total 9.00"]]));
    let mut reader = reader();
    reader.read_path(&text_pdf).unwrap();
    assert_eq!(reader.ocr_engine_id(), None, "a text layer needs no OCR");

    let document = reader.read_path(&photo()).unwrap();
    assert!(document.pages[0].words.len() > 20);
    let engine = reader.ocr_engine_id().expect("an engine after OCR");
    let comm = std::fs::read_to_string(format!("/proc/{engine}/comm")).unwrap();
    assert_eq!(comm.trim(), "quire-ocr");

    let scan = repo_root().join("sample-docs/invoices/invoice-07-scan-200dpi.pdf");
    let document = reader.read_path(&scan).unwrap();
    assert!(document.pages[0].layout_text.contains("INVOICE"));
    assert_eq!(reader.ocr_engine_id(), Some(engine), "the same engine");

    drop(reader);
    assert!(
        !Path::new(&format!("/proc/{engine}")).exists(),
        "the engine outlived its reader"
    );
}

/// Set for the child test process that does the recognition.
const CHILD: &str = "QUIRE_OCR_ENGINE_TEST_CHILD";

/// Runs [`recognise_and_count_engine_threads`] in a fresh test process with `OMP_THREAD_LIMIT` set to
/// `limit` (or unset) and returns the engine's thread count after it recognised a photo.
fn engine_threads_after_ocr(limit: Option<&str>) -> usize {
    let mut command = Command::new(std::env::current_exe().expect("test executable"));
    command
        .args([
            "--exact",
            "ocr_engine::recognise_and_count_engine_threads",
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
    stdout
        .lines()
        .find_map(|line| line.split_once("engine-threads: ").map(|(_, count)| count))
        .unwrap_or_else(|| panic!("no thread count in the child's output: {stdout}"))
        .parse()
        .unwrap()
}

#[test]
#[ignore = "run in a child process by the tests below"]
fn recognise_and_count_engine_threads() {
    assert!(
        std::env::var_os(CHILD).is_some(),
        "started by the tests below"
    );
    let mut reader = reader();
    let document = reader.read_path(&photo()).expect("the photo reads");
    assert!(
        document.pages[0].words.len() > 20,
        "the photo was recognised"
    );
    let engine = reader.ocr_engine_id().unwrap();
    println!("engine-threads: {}", threads_of(engine));
}

#[test]
fn the_engine_runs_openmp_on_one_thread_unless_the_user_sets_a_limit() {
    // OpenMP's thread team stays (idle) after a parallel region: without a limit the engine runs with
    // OMP_THREAD_LIMIT=1 and has its main thread alone.
    assert_eq!(engine_threads_after_ocr(None), 1);
    assert_eq!(engine_threads_after_ocr(Some("1")), 1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        eprintln!("one core: OpenMP starts no team threads whatever the limit; nothing to compare");
        return;
    }
    // The user's limit of 2 rules: OpenMP starts its team (so the count above does see its threads).
    assert!(engine_threads_after_ocr(Some("2")) > 1);
}

/// A stand-in engine that follows the protocol (frames of a little-endian u64 length and postcard bytes:
/// requests `Version` 0, `Load` 1, `LoadOrientation` 2, `Recognize` 3 + an image frame, `DetectOrientation`
/// 4 + an image frame; response `Done` 0) and then misbehaves on the first recognition as `on_recognize`
/// says (Python code).
fn fake_engine(dir: &Path, on_recognize: &str) -> PathBuf {
    let script = format!(
        r#"#!/usr/bin/env python3
import os, signal, struct, sys, time
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
def frame():
    length = stdin.read(8)
    if len(length) < 8:
        sys.exit(0)
    return stdin.read(struct.unpack("<Q", length)[0])
while True:
    request = frame()
    if request[0] in (3, 4):
        frame()
        {on_recognize}
    stdout.write(struct.pack("<Q", 1) + b"\x00")
    stdout.flush()
"#
    );
    let path = dir.join("fake-quire-ocr");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn an_engine_that_crashes_fails_the_page_and_the_next_page_gets_a_new_engine() {
    let dir = tempfile::tempdir().unwrap();
    let engine = fake_engine(dir.path(), "os.kill(os.getpid(), signal.SIGSEGV)");
    let mut reader = Reader::new(ReaderConfig {
        ocr_engine: Some(engine),
        ..ReaderConfig::default()
    });
    let err = reader.read_path(&photo()).unwrap_err();
    match &err.kind {
        ReadErrorKind::OcrCrashed { page: 1, how } => {
            assert!(how.contains("killed by signal 11"), "{how}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "ocr_crashed");
    let message = err.to_string();
    assert!(message.contains("receipt-03-photo.png"), "{message}");
    assert!(message.contains("the OCR engine stopped"), "{message}");
    assert_eq!(reader.ocr_engine_id(), None, "the crashed engine is gone");
    // The reader goes on: a text layer reads, and the next scan starts a fresh engine (which crashes
    // again, the same way).
    let (_pdf_dir, text_pdf) = temp_file("text.pdf", &tiny_pdf(&[&["Invoice 2002", "Total 1.00"]]));
    assert!(reader.read_path(&text_pdf).is_ok());
    let again = reader.read_path(&photo()).unwrap_err();
    assert_eq!(again.code(), "ocr_crashed");
}

#[test]
fn an_engine_that_hangs_is_stopped_after_the_stall_limit() {
    let dir = tempfile::tempdir().unwrap();
    let engine = fake_engine(dir.path(), "time.sleep(3600)");
    let mut reader = Reader::new(ReaderConfig {
        ocr_engine: Some(engine),
        stall_limit_secs: 1,
        ..ReaderConfig::default()
    });
    let started = std::time::Instant::now();
    let err = reader.read_path(&photo()).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ReadErrorKind::OcrStalled {
                page: 1,
                seconds: 1
            }
        ),
        "{err}"
    );
    assert_eq!(err.code(), "ocr_stalled");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(reader.ocr_engine_id(), None);
}

#[test]
fn a_missing_engine_is_named_with_where_it_was_looked_for() {
    let mut reader = Reader::new(ReaderConfig {
        ocr_engine: Some(PathBuf::from("/nonexistent/quire-ocr")),
        ..ReaderConfig::default()
    });
    let err = reader.read_path(&photo()).unwrap_err();
    assert_eq!(err.code(), "ocr_backend_missing");
    let message = err.to_string();
    assert!(message.contains("receipt-03-photo.png"), "{message}");
    assert!(message.contains("/nonexistent/quire-ocr"), "{message}");
    assert!(message.contains("not found"), "{message}");
    // PDFs with a text layer do not need it.
    let (_dir, text_pdf) = temp_file("text.pdf", &tiny_pdf(&[&["Invoice 2003", "Total 2.00"]]));
    assert!(reader.read_path(&text_pdf).is_ok());
}
