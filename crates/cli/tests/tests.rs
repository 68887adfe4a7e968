//! End-to-end tests of the `quire` binary: real PDFs (text layer through PDFium), a real SQLite history,
//! real signals.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire_history::{JobStatus, Store};

mod invoice2data;
mod watch;

fn quire() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
    command.env_remove("QUIRE_DB");
    command
}

/// Writes `n` distinct one-page text-layer invoices into `folder`.
fn write_invoices(folder: &Path, n: u64) {
    std::fs::create_dir_all(folder).unwrap();
    for number in 1..=n {
        let pdf = quire_engine::synthetic::text_pdf(&quire_engine::synthetic::invoice_text(number));
        std::fs::write(folder.join(format!("invoice-{number:04}.pdf")), pdf).unwrap();
    }
}

/// The job's (id, status, documents done, total), once the job exists.
fn job_progress(db: &Path) -> Option<(i64, JobStatus, u64, u64)> {
    let store = Store::open_read_only(db).ok()?;
    let job = store.jobs().ok()?.into_iter().next()?;
    Some((job.id, job.status, job.counts.n_done(), job.counts.n_total))
}

#[test]
fn ctrl_c_pauses_quire_process_after_the_documents_in_flight_and_the_job_resumes_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    let n_documents = 150;
    write_invoices(&inbox, n_documents);
    let db = dir.path().join("history.db");
    let export = dir.path().join("out.xlsx");
    // The job uses a template of its own folder, which resuming must find again.
    let templates_dir = dir.path().join("templates");
    std::fs::create_dir_all(&templates_dir).unwrap();
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/invoice.json"),
    )
    .unwrap();
    std::fs::write(
        templates_dir.join("office-invoice.json"),
        builtin.replacen("\"generic-invoice\"", "\"office-invoice\"", 1),
    )
    .unwrap();
    let child = quire()
        .arg("process")
        .arg(&inbox)
        .arg("--templates-dir")
        .arg(&templates_dir)
        .args(["--template", "office-invoice"])
        .arg("--db")
        .arg(&db)
        .arg("--workers")
        .arg("2")
        .arg("--export")
        .arg(&export)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // In a process group of its own, as a terminal runs a command: Ctrl-C goes to the whole group.
        .process_group(0)
        .spawn()
        .unwrap();
    // Interrupt once a few documents are stored.
    let started = Instant::now();
    loop {
        if let Some((_, _, n_done, _)) = job_progress(&db) {
            if n_done >= 3 {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Ctrl-C as a terminal sends it: to the process group (the PDF reading helpers have groups of their
    // own, so the documents they are reading finish too).
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("reader_crashed"), "{stderr}");
    assert!(
        stderr.contains("finishing the documents in flight"),
        "{stderr}"
    );
    assert!(stderr.contains("not exported"), "{stderr}");
    assert!(!export.exists(), "an unfinished job is not exported");
    let (job_id, status, n_done, n_total) = job_progress(&db).unwrap();
    assert_eq!(status, JobStatus::Paused);
    assert_eq!(n_total, n_documents);
    assert!(n_done >= 3 && n_done < n_documents, "{n_done} done");
    {
        // Nothing was left half-processed: every document is either finished or still queued.
        let store = Store::open_read_only(&db).unwrap();
        let counts = store.job_counts(job_id).unwrap();
        assert_eq!(counts.n_processing, 0, "{counts:?}");
    }
    // Resuming (from another folder) processes the rest with the job's templates: each document exactly
    // once.
    let output = quire()
        .current_dir(dir.path())
        .args(["jobs", "resume", &job_id.to_string(), "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        summary["processed_this_run"].as_u64(),
        Some(n_documents - n_done)
    );
    let store = Store::open_read_only(&db).unwrap();
    let counts = store.job_counts(job_id).unwrap();
    assert_eq!(counts.n_total, n_documents);
    assert_eq!(counts.n_pending(), 0);
    assert_eq!(counts.n_failed, 0);
    assert_eq!(store.job_status(job_id).unwrap(), JobStatus::Completed);
    let n_extractions: i64 = store
        .documents(&Default::default())
        .unwrap()
        .len()
        .try_into()
        .unwrap();
    assert_eq!(
        n_extractions as u64, n_documents,
        "no document stored twice"
    );
    let ids: Vec<i64> = store
        .documents(&Default::default())
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    let extractions = store.extractions(&ids).unwrap();
    assert_eq!(extractions.len() as u64, n_documents);
    assert!(extractions
        .values()
        .all(|extraction| extraction.template_id == "office-invoice"));
}

#[test]
fn quire_export_without_an_output_writes_a_numbered_xlsx_named_after_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    write_invoices(&inbox, 3);
    let db = dir.path().join("history.db");
    let output = quire()
        .arg("process")
        .arg(&inbox)
        .arg("--db")
        .arg(&db)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let job_id = serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["job"]["id"]
        .as_i64()
        .unwrap();
    let work = dir.path().join("exports");
    std::fs::create_dir_all(&work).unwrap();
    for expected in [
        format!("quire-export-job-{job_id}.xlsx"),
        format!("quire-export-job-{job_id} (2).xlsx"),
    ] {
        let output = quire()
            .current_dir(&work)
            .args(["export", "--job", &job_id.to_string(), "--json", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["path"].as_str(), Some(expected.as_str()));
        assert_eq!(report["n_documents"].as_u64(), Some(3));
        let bytes = std::fs::read(work.join(&expected)).unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX (zip) file");
    }
}

#[test]
fn output_into_a_closed_pipe_stops_quietly_with_the_sigpipe_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    // `quire stats | head -0`: the reading end is gone before quire writes its first line.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = quire()
        .args(["stats", "--db"])
        .arg(&db)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(141), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(stderr.trim().is_empty(), "stderr: {stderr}");
}

/// The shared libraries a program needs, as the dynamic loader lists them.
fn linked_libraries(program: &str) -> String {
    let output = Command::new("ldd").arg(program).output().expect("ldd");
    assert!(output.status.success(), "ldd {program}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn quire_is_not_linked_with_tesseract_only_its_ocr_engine_is() {
    // Tesseract and Leptonica bring 57 libraries that cost about 20 ms per start: only quire-ocr maps them.
    let libraries = linked_libraries(env!("CARGO_BIN_EXE_quire"));
    assert!(!libraries.contains("libtesseract"), "{libraries}");
    assert!(!libraries.contains("liblept"), "{libraries}");
    let engine = linked_libraries(env!("CARGO_BIN_EXE_quire-ocr"));
    assert!(engine.contains("libtesseract"), "{engine}");

    // And quire finds its engine next to itself: a photo is recognised through it.
    let photo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../sample-docs/receipts/receipt-03-photo.png");
    let output = quire().arg("read").arg(&photo).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("CAFÉ DES ARTS"), "{stdout}");
    let status = quire().arg("status").output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("in the quire-ocr engine"), "{status}");
}

#[test]
fn quire_ocr_refuses_to_run_by_hand_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_quire-ocr"))
        .arg("photo.png")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Quire's OCR engine"), "{stderr}");
}
