//! Test helpers: a watched folder in a temporary directory, a watcher running on a thread, waiting for
//! the ledger, synthetic invoices.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use quire_engine::synthetic::{invoice_text, text_pdf};
use quire_engine::{JobControl, RunConfig};
use quire_extract::TemplateSet;
use quire_history::{LedgerEntry, Store, WatchFolder};
use quire_watch::{add_folder, watch, FolderRequest, WatchEvent, WatchOptions, WatchSummary};

/// The settle interval used in tests.
pub const SETTLE_MS: u64 = 250;

pub fn templates() -> TemplateSet {
    TemplateSet::builtin().unwrap()
}

pub fn config<'a>(templates: &'a TemplateSet, data_dir: &Path) -> RunConfig<'a> {
    RunConfig {
        templates,
        reader: quire_reader::ReaderConfig::default(),
        n_workers: 2,
        data_dir: Some(data_dir.to_path_buf()),
    }
}

/// A temporary place with an inbox folder and a history database.
pub struct Place {
    pub dir: tempfile::TempDir,
    pub inbox: PathBuf,
    pub db: PathBuf,
}

impl Place {
    pub fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let inbox = inbox.canonicalize().unwrap();
        let db = dir.path().join("history.db");
        Place { dir, inbox, db }
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    /// Watches the inbox (polling or native), moving files to `out/processed` and `out/failed` when `move_files`.
    pub fn watch_inbox(&self, polling: bool, move_files: bool) -> WatchFolder {
        add_folder(
            &self.store(),
            &templates(),
            &FolderRequest {
                folder: self.inbox.clone(),
                move_to: move_files.then(|| self.dir.path().join("out")),
                polling,
                poll_interval_ms: Some(100),
                settle_ms: Some(SETTLE_MS),
                ..Default::default()
            },
        )
        .unwrap()
    }

    pub fn out(&self, sub: &str) -> PathBuf {
        self.dir.path().join("out").join(sub)
    }

    /// The folder's ledger.
    pub fn ledger(&self, folder_id: i64) -> Vec<LedgerEntry> {
        self.store().ledger(folder_id).unwrap()
    }

    /// Waits until `n` ledger entries of the folder have an outcome.
    pub fn wait_for_outcomes(
        &self,
        folder_id: i64,
        n: usize,
        timeout: Duration,
    ) -> Vec<LedgerEntry> {
        let deadline = Instant::now() + timeout;
        loop {
            let ledger = self.ledger(folder_id);
            let n_finished = ledger.iter().filter(|e| e.outcome.is_some()).count();
            if n_finished >= n {
                return ledger;
            }
            assert!(
                Instant::now() < deadline,
                "only {n_finished} of {n} files finished in {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs the watcher once over what is there (files still being written are waited for).
    pub fn run_once(&self) -> WatchSummary {
        let templates = templates();
        let mut store = self.store();
        watch(
            &mut store,
            &config(&templates, self.dir.path()),
            &WatchOptions { once: true },
            &mut |_: &WatchEvent| {},
            &JobControl::new(),
        )
        .unwrap()
    }

    /// Starts a watcher on its own thread.
    pub fn start(&self) -> RunningWatcher {
        let control = JobControl::new();
        let events = Arc::new(Mutex::new(Vec::new()));
        let (db, data_dir) = (self.db.clone(), self.dir.path().to_path_buf());
        let (thread_control, thread_events) = (control.clone(), Arc::clone(&events));
        let handle = std::thread::spawn(move || {
            let templates = templates();
            let mut store = Store::open(&db).unwrap();
            let mut record = |event: &WatchEvent| {
                if !matches!(event, WatchEvent::Job(_)) {
                    thread_events.lock().unwrap().push(event.clone());
                }
            };
            watch(
                &mut store,
                &config(&templates, &data_dir),
                &WatchOptions::default(),
                &mut record,
                &thread_control,
            )
            .unwrap()
        });
        let running = RunningWatcher {
            control,
            handle,
            events,
        };
        running.wait_until_watching();
        running
    }
}

/// A watcher running on a thread.
pub struct RunningWatcher {
    pub control: JobControl,
    handle: JoinHandle<WatchSummary>,
    pub events: Arc<Mutex<Vec<WatchEvent>>>,
}

impl RunningWatcher {
    fn wait_until_watching(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, WatchEvent::Watching { .. }))
        {
            assert!(Instant::now() < deadline, "the watcher did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Asks the watcher to stop (documents in flight finish) and waits for it.
    pub fn stop(self) -> (WatchSummary, Vec<WatchEvent>) {
        self.control.pause();
        let summary = self.handle.join().unwrap();
        let events = self.events.lock().unwrap().clone();
        (summary, events)
    }
}

/// A one-page text-layer invoice PDF numbered `number` (distinct content per number).
pub fn invoice_pdf(number: u64) -> Vec<u8> {
    text_pdf(&invoice_text(number))
}

/// A tiny one-page text-layer PDF no template recognises (distinct content per number).
pub fn note_pdf(number: u64) -> Vec<u8> {
    text_pdf(&format!("Note {number}\nPlease file this page."))
}

/// The invoice PDF with a comment of `padding` bytes after its header, cross-reference offsets fixed: a
/// valid, large PDF for slow-copy tests.
pub fn padded_invoice_pdf(number: u64, padding: usize) -> Vec<u8> {
    let pdf = String::from_utf8(invoice_pdf(number)).unwrap();
    let header = "%PDF-1.4\n";
    let comment = format!("%{}\n", "q".repeat(padding.saturating_sub(2)));
    let shift = comment.len();
    let mut out = String::with_capacity(pdf.len() + shift);
    out.push_str(header);
    out.push_str(&comment);
    let body = &pdf[header.len()..];
    let mut after_startxref = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_end_matches('\n');
        let is_offset = trimmed.len() == 19 && trimmed.ends_with(" 00000 n ");
        if is_offset {
            let offset: usize = trimmed[..10].parse().unwrap();
            out.push_str(&format!("{:010} 00000 n \n", offset + shift));
        } else if after_startxref {
            let offset: usize = trimmed.parse().unwrap();
            out.push_str(&format!("{}\n", offset + shift));
            after_startxref = false;
        } else {
            after_startxref = trimmed == "startxref";
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// `SELECT COUNT(*)` through a second connection.
pub fn count(db: &Path, sql: &str) -> i64 {
    let connection = rusqlite::Connection::open(db).unwrap();
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}
