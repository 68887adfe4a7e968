//! PDFs read in a helper process (`quire_reader::helper`): the same documents and errors as in-process,
//! and a helper that crashes costs one file, not the reader.

use std::path::Path;
use std::time::Duration;

use quire_reader::{HelperCommand, ReadErrorKind, Reader, ReaderConfig};

use crate::util::{reader, repo_root, temp_file, tiny_pdf};

fn helper_reader() -> Reader {
    Reader::new(helper_config())
}

fn helper_config() -> ReaderConfig {
    ReaderConfig {
        helper: Some(HelperCommand::program(env!(
            "CARGO_BIN_EXE_quire-read-helper"
        ))),
        ..ReaderConfig::default()
    }
}

/// A one-page PDF with `invoice.xml` embedded, as Factur-X / ZUGFeRD invoices carry their XML.
fn pdf_with_attachment(xml: &str) -> Vec<u8> {
    let content = "BT /F1 12 Tf 1 0 0 1 50 800 Tm (Invoice 1001 with its XML attached) Tj ET";
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(invoice.xml) 6 0 R] >> >> >>"
            .to_string(),
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
        "<< /Type /Filespec /F (invoice.xml) /UF (invoice.xml) /EF << /F 7 0 R >> >>".to_string(),
        format!(
            "<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length {} >>\nstream\n{xml}\nendstream",
            xml.len() + 1
        ),
    ];
    quire_reader::synthetic::pdf_from_objects(&objects)
}

#[test]
fn a_helper_reads_what_the_reader_reads_in_process() {
    let xml = "<?xml version=\"1.0\"?><Invoice><ID>1001</ID></Invoice>";
    let (_dir, attached) = temp_file("attached.pdf", &pdf_with_attachment(xml));
    let (_dir2, two_pages) = temp_file(
        "two-pages.pdf",
        &tiny_pdf(&[&["Invoice 1001", "Total 12.00"], &["Page two", "Thank you"]]),
    );
    let samples = repo_root().join("sample-docs/invoices");
    let files = [
        samples.join("invoice-03-de-de.pdf"),
        // A scan: OCR in the helper, with the OCR details of the page.
        samples.join("invoice-07-scan-200dpi.pdf"),
        two_pages,
        attached.clone(),
    ];
    let (mut here, mut helper) = (reader(), helper_reader());
    for path in &files {
        let expected = here.read_path(path).unwrap();
        let got = helper.read_path(path).unwrap();
        assert!(helper.helper_id().is_some());
        assert_eq!(got, expected, "{}", path.display());
    }
    let document = helper.read_path(&attached).unwrap();
    assert_eq!(document.attachments.len(), 1);
    assert_eq!(document.attachments[0].name, "invoice.xml");
    assert!(String::from_utf8_lossy(&document.attachments[0].data).contains("<ID>1001</ID>"));
    assert!(document.pages[0].layout_text.contains("Invoice 1001"));
}

#[test]
fn errors_come_back_from_the_helper_with_their_kind() {
    let mut helper = helper_reader();
    let encrypted = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encrypted.pdf");
    let err = helper.read_path(&encrypted).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::EncryptedPdf), "{err}");
    assert!(err.to_string().contains("encrypted.pdf"), "{err}");
    let pdf = tiny_pdf(&[&["Invoice 1001 for services rendered in August"]]);
    let at_xref = pdf.windows(4).position(|w| w == b"xref").unwrap();
    let (_dir, cut) = temp_file("partial.pdf", &pdf[..at_xref]);
    let err = helper.read_path(&cut).unwrap_err();
    assert_eq!(err.code(), "truncated_pdf", "{err}");
    let (_dir2, garbage) = temp_file("garbage.pdf", b"%PDF-1.7\nnot a pdf body\n%%EOF\n");
    assert_eq!(
        helper.read_path(&garbage).unwrap_err().code(),
        "corrupt_pdf"
    );
    // Failures do not end the helper: the same one reads the next file.
    let id = helper.helper_id();
    let (_dir3, good) = temp_file("good.pdf", &tiny_pdf(&[&["Invoice 1002", "Total 5.00"]]));
    assert!(helper.read_path(&good).is_ok());
    assert_eq!(helper.helper_id(), id);
}

fn kill(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_helper_that_crashes_while_reading_fails_that_file_and_is_replaced() {
    let (_dir, good) = temp_file("good.pdf", &tiny_pdf(&[&["Invoice 1003", "Total 7.00"]]));
    let mut helper = helper_reader();
    helper.read_path(&good).unwrap();
    let first = helper.helper_id().unwrap();
    // A PDF engine crash, as a malformed file can cause (PDFium aborts on a failed internal check): the
    // helper dies of SIGABRT mid-read (the scan takes over a second to OCR, the signal comes after 150 ms).
    let scan = repo_root().join("sample-docs/invoices/invoice-08-scan-300dpi.pdf");
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        kill(first, "-ABRT");
    });
    let err = helper.read_path(&scan).unwrap_err();
    killer.join().unwrap();
    assert!(matches!(err.kind, ReadErrorKind::ReaderCrashed(_)), "{err}");
    assert_eq!(err.code(), "reader_crashed");
    let message = err.to_string();
    assert!(message.contains("invoice-08-scan-300dpi.pdf"), "{message}");
    assert!(message.contains("signal 6"), "{message}");
    assert_eq!(helper.helper_id(), None);
    // The next file starts a new helper and reads normally.
    let document = helper.read_path(&good).unwrap();
    assert!(document.pages[0].layout_text.contains("Invoice 1003"));
    assert_ne!(helper.helper_id(), Some(first));
}

#[test]
fn a_helper_killed_between_files_is_replaced_without_blaming_the_next_file() {
    let (_dir, good) = temp_file("good.pdf", &tiny_pdf(&[&["Invoice 1004", "Total 9.00"]]));
    let mut helper = helper_reader();
    helper.read_path(&good).unwrap();
    let first = helper.helper_id().unwrap();
    kill(first, "-KILL");
    // Wait until the process is gone (reaped by nobody yet: it stays a zombie of this process).
    let status = format!("/proc/{first}/status");
    for _ in 0..100 {
        let state = std::fs::read_to_string(&status).unwrap_or_default();
        if state.is_empty() || state.contains("State:\tZ") {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let document = helper.read_path(&good).unwrap();
    assert!(document.pages[0].layout_text.contains("Invoice 1004"));
    assert_ne!(helper.helper_id(), Some(first));
}

/// The process group of a process, from /proc.
fn process_group(pid: u32) -> u32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // pid (comm) state ppid pgrp ...: the command name may hold spaces, so count from its closing parenthesis.
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    after_name.split(' ').nth(2).unwrap().parse().unwrap()
}

#[test]
fn a_ctrl_c_in_the_terminal_reaches_the_batch_not_its_helpers() {
    // The terminal sends Ctrl-C to its foreground process group: the helper is in a group of its own, so
    // the batch decides (the first Ctrl-C lets the documents in flight finish, helpers included).
    let (_dir, good) = temp_file("good.pdf", &tiny_pdf(&[&["Invoice 1005", "Total 3.00"]]));
    let mut helper = helper_reader();
    helper.read_path(&good).unwrap();
    let helper_pid = helper.helper_id().unwrap();
    assert_eq!(process_group(helper_pid), helper_pid);
    assert_ne!(process_group(helper_pid), process_group(std::process::id()));
    // The helper ends with its reader.
    drop(helper);
    let state = std::fs::read_to_string(format!("/proc/{helper_pid}/stat")).unwrap_or_default();
    assert!(state.is_empty(), "the helper outlived its reader: {state}");
}

#[test]
fn a_helper_that_stops_making_progress_is_stopped_and_fails_that_file_only() {
    let (_dir, good) = temp_file("good.pdf", &tiny_pdf(&[&["Invoice 1006", "Total 4.00"]]));
    let mut helper = Reader::new(ReaderConfig {
        stall_limit_secs: 1,
        ..helper_config()
    });
    helper.read_path(&good).unwrap();
    let first = helper.helper_id().unwrap();
    // An endless loop in the PDF engine, as a malformed file can cause: the helper freezes mid-read
    // (SIGSTOP) and sends nothing more.
    let scan = repo_root().join("sample-docs/invoices/invoice-08-scan-300dpi.pdf");
    let freezer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        kill(first, "-STOP");
    });
    let started = std::time::Instant::now();
    let err = helper.read_path(&scan).unwrap_err();
    freezer.join().unwrap();
    assert!(
        matches!(
            err.kind,
            ReadErrorKind::ReaderStalled {
                seconds: 1,
                pages_done: 0
            }
        ),
        "{err}"
    );
    assert_eq!(err.code(), "reader_stalled");
    assert!(
        err.to_string().contains("invoice-08-scan-300dpi.pdf"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    // The frozen helper is gone (killed and reaped), and the next file gets a new one.
    assert_eq!(helper.helper_id(), None);
    assert!(!Path::new(&format!("/proc/{first}")).exists());
    let document = helper.read_path(&good).unwrap();
    assert!(document.pages[0].layout_text.contains("Invoice 1006"));
}
