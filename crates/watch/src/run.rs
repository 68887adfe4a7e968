//! The watch loop. At start it finishes what an earlier run left (unfinished jobs of taken files are resumed
//! first, then their files are moved and recorded), then scans every folder for files that arrived while
//! Quire was not running, then follows changes (native notifications or periodic scans). Files that become
//! stable together are taken as one job, which the engine's batch runner processes; each file's ledger
//! entry then records its outcome, the file is moved if the folder says so, and the folder's export is
//! written.
//!
//! Exactly once: a file's ledger entry is written with its job in one transaction, a file whose version
//! (path, size, modification time) has an entry is not taken again (unless that entry's file was moved
//! away: then this is a new arrival), and the engine stores each document of a job exactly once, even when
//! killed. Identical content dropped again becomes a `duplicate` document, not a second extraction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quire_engine::{
    run_job, EngineError, Event, EventSink, Inputs, JobControl, JobSettings, RunConfig,
};
use quire_history::{
    DocumentStatus, HistoryError, JobStatus, LedgerOutcome, Store, TakenFile, WatchFolder,
};

use crate::after::finish_file;
use crate::error::{Result, WatchError};
use crate::events::{WatchEvent, WatchSink};
use crate::export::export_folder;
use crate::filter::FileFilter;
use crate::source::{polling_reason, start_native, Change, ChangeSource, WatchMode};
use crate::stability::{FileVersion, StabilityTracker};

/// How to watch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchOptions {
    /// Process what is in the folders now (waiting for files still being written), then return.
    pub once: bool,
}

/// What a watch run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchSummary {
    /// Files taken by this run (resumed ones not included).
    pub n_taken: u64,
    /// Files finished by this run, by outcome (`completed`, `needs_review`, `duplicate`, `failed`, ...).
    pub finished: BTreeMap<String, u64>,
    /// Jobs run (resumed or new).
    pub job_ids: Vec<i64>,
    /// Whether the run stopped on request (files in unfinished jobs are resumed next time).
    pub stopped: bool,
}

impl WatchSummary {
    pub fn n_finished(&self) -> u64 {
        self.finished.values().sum()
    }

    pub fn n_failed(&self) -> u64 {
        self.finished.get("failed").copied().unwrap_or(0)
    }
}

/// One watched folder while running.
struct FolderState {
    folder: WatchFolder,
    filter: FileFilter,
    tracker: StabilityTracker,
    mode: WatchMode,
    last_scan: Instant,
    /// File versions processed and left in place (saves a ledger lookup per scan).
    known: HashSet<(PathBuf, FileVersion)>,
    _source: Option<ChangeSource>,
}

impl FolderState {
    fn settle(&self) -> Duration {
        Duration::from_millis(self.folder.settle_ms)
    }

    /// Whether this version of the file was taken already (and is pending, or was left in place).
    fn already_taken(&mut self, store: &Store, path: &Path, version: FileVersion) -> Result<bool> {
        let key = (path.to_path_buf(), version);
        if self.known.contains(&key) {
            return Ok(true);
        }
        let entry =
            store.ledger_entry_for(self.folder.id, path, version.size_bytes, version.mtime_ns)?;
        Ok(match entry {
            None => false,
            // In a job now; not cached, since the file may be moved away and another arrive.
            Some(entry) if entry.outcome.is_none() => true,
            // Moved away after processing: a file at that path now is a new arrival.
            Some(entry) if entry.moved_to.is_some() => false,
            // Processed and left in place: the same file, for good.
            Some(_) => {
                self.known.insert(key);
                true
            }
        })
    }

    /// Looks at a changed path: a new or changed file to follow, or a folder (moved in) to scan.
    fn consider(&mut self, store: &Store, path: &Path, now: Instant) -> Result<()> {
        // Symbolic links to folders are not followed (no loops); links to files are taken as files.
        let Ok(metadata) = std::fs::symlink_metadata(path) else {
            return Ok(());
        };
        if metadata.is_dir() {
            let skipped = self.filter.skips_folder(&self.folder.folder, path);
            if self.folder.recursive && path != self.folder.folder && !skipped {
                self.scan_dir(store, path, now)?;
            }
            return Ok(());
        }
        if self.tracker.contains(path) || !self.filter.accepts(&self.folder.folder, path) {
            return Ok(());
        }
        let Some(version) = FileVersion::of(path) else {
            return Ok(());
        };
        if !self.already_taken(store, path, version)? {
            self.tracker.note(path.to_path_buf(), version, now);
        }
        Ok(())
    }

    fn scan_dir(&mut self, store: &Store, dir: &Path, now: Instant) -> Result<()> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(());
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            // `consider` scans real sub-folders of a recursive folder and skips links to folders.
            self.consider(store, &path, now)?;
        }
        Ok(())
    }

    fn scan(&mut self, store: &Store, now: Instant) -> Result<()> {
        self.last_scan = now;
        let root = self.folder.folder.clone();
        self.scan_dir(store, &root, now)
    }
}

/// An exclusive lock on `<database>.watch-lock`, held while watching: one watcher per history database (two
/// would resume the same unfinished jobs). The operating system releases it when the process dies.
struct WatcherLock {
    _file: Option<std::fs::File>,
}

impl WatcherLock {
    fn acquire(database: Option<&Path>) -> Result<WatcherLock> {
        let Some(database) = database else {
            return Ok(WatcherLock { _file: None });
        };
        let mut name = database.as_os_str().to_os_string();
        name.push(".watch-lock");
        let lock = PathBuf::from(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|source| WatchError::Io {
                path: lock.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(WatcherLock { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(WatchError::AlreadyRunning { lock }),
            Err(std::fs::TryLockError::Error(source)) => Err(WatchError::Io { path: lock, source }),
        }
    }
}

/// Watches every folder stored in history until `control` is paused or cancelled (the CLI does that on
/// Ctrl-C: documents in flight finish), or, with `once`, until what is there has been processed.
pub fn watch(
    store: &mut Store,
    config: &RunConfig<'_>,
    options: &WatchOptions,
    sink: &mut dyn WatchSink,
    control: &JobControl,
) -> Result<WatchSummary> {
    let folders = store.watch_folders()?;
    if folders.is_empty() {
        return Err(WatchError::NoFolders);
    }
    let _lock = WatcherLock::acquire(store.path())?;
    let mut summary = WatchSummary::default();
    recover(store, config, &folders, sink, control, &mut summary)?;
    if control.is_stopping() {
        summary.stopped = true;
        return Ok(summary);
    }
    let (sender, receiver) = mpsc::channel::<(i64, Change)>();
    let mut states = Vec::with_capacity(folders.len());
    for folder in folders {
        states.push(start_folder(store, folder, options, &sender, sink)?);
    }
    let mut last_refresh = Instant::now();
    loop {
        if control.is_stopping() {
            summary.stopped = true;
            break;
        }
        let tick = states
            .iter()
            .map(|state| state.settle() / 5)
            .min()
            .unwrap_or_default()
            .clamp(Duration::from_millis(10), Duration::from_millis(100));
        let mut changes = Vec::new();
        if let Ok(change) = receiver.recv_timeout(tick) {
            changes.push(change);
        }
        changes.extend(receiver.try_iter());
        let now = Instant::now();
        let mut rescan: HashSet<i64> = HashSet::new();
        for (folder_id, change) in changes {
            let Some(state) = states.iter_mut().find(|s| s.folder.id == folder_id) else {
                continue;
            };
            match change {
                Change::Path(path) => state.consider(store, &path, now)?,
                Change::Rescan => {
                    rescan.insert(folder_id);
                }
            }
        }
        for state in &mut states {
            let due = state.mode == WatchMode::Polling
                && now.duration_since(state.last_scan)
                    >= Duration::from_millis(state.folder.poll_interval_ms);
            if due || rescan.contains(&state.folder.id) {
                state.scan(store, now)?;
            }
        }
        for state in &mut states {
            let taken = state.tracker.take_stable(state.settle(), Instant::now());
            if !taken.is_empty() {
                take_files(store, config, state, taken, sink, control, &mut summary)?;
            }
            if control.is_stopping() {
                break;
            }
        }
        if options.once {
            if states.iter().all(|state| state.tracker.is_empty()) {
                break;
            }
        } else if last_refresh.elapsed() >= FOLDER_REFRESH {
            last_refresh = Instant::now();
            refresh_folders(store, &mut states, options, &sender, sink)?;
        }
    }
    Ok(summary)
}

/// How often a running watcher re-reads the folder settings (folders added, removed or changed while it
/// runs, from the CLI or the desktop app).
const FOLDER_REFRESH: Duration = Duration::from_secs(2);

/// Starts following a folder: native notifications or polling, then a scan for the files already there
/// (those that arrived while Quire was not running).
fn start_folder(
    store: &Store,
    folder: WatchFolder,
    options: &WatchOptions,
    sender: &mpsc::Sender<(i64, Change)>,
    sink: &mut dyn WatchSink,
) -> Result<FolderState> {
    let filter = FileFilter::of(&folder)?;
    let poll_every = folder.poll_interval_ms;
    let (mode, note, source) = if options.once {
        (WatchMode::Polling, Some("one pass".to_string()), None)
    } else if folder.polling {
        (
            WatchMode::Polling,
            Some(format!("polling every {poll_every} ms as set")),
            None,
        )
    } else if let Some(reason) = polling_reason(&folder.folder) {
        (
            WatchMode::Polling,
            Some(format!("{reason}: polling every {poll_every} ms")),
            None,
        )
    } else {
        match start_native(&folder.folder, folder.recursive, folder.id, sender.clone()) {
            Ok(source) => (WatchMode::Native, None, Some(source)),
            Err(reason) => (
                WatchMode::Polling,
                Some(format!(
                    "native watching unavailable ({reason}): polling every {poll_every} ms"
                )),
                None,
            ),
        }
    };
    sink.emit(&WatchEvent::Watching {
        folder_id: folder.id,
        folder: folder.folder.clone(),
        mode,
        note,
    });
    let now = Instant::now();
    let mut state = FolderState {
        folder,
        filter,
        tracker: StabilityTracker::new(),
        mode,
        last_scan: now,
        known: HashSet::new(),
        _source: source,
    };
    state.scan(store, now)?;
    Ok(state)
}

/// Applies folder settings changed while running: removed folders stop being watched, added ones start,
/// changed ones restart with their new settings.
fn refresh_folders(
    store: &Store,
    states: &mut Vec<FolderState>,
    options: &WatchOptions,
    sender: &mpsc::Sender<(i64, Change)>,
    sink: &mut dyn WatchSink,
) -> Result<()> {
    let folders = store.watch_folders()?;
    states.retain(|state| {
        let current = folders.contains(&state.folder);
        if !current {
            sink.emit(&WatchEvent::Stopped {
                folder_id: state.folder.id,
                folder: state.folder.folder.clone(),
            });
        }
        current
    });
    for folder in folders {
        if states.iter().all(|state| state.folder.id != folder.id) {
            match start_folder(store, folder, options, sender, sink) {
                Ok(state) => states.push(state),
                Err(err) => sink.emit(&WatchEvent::Warning {
                    message: err.to_string(),
                }),
            }
        }
    }
    Ok(())
}

/// Queues stable files as one job, runs it and finishes its files.
fn take_files(
    store: &mut Store,
    config: &RunConfig<'_>,
    state: &mut FolderState,
    taken: Vec<TakenFile>,
    sink: &mut dyn WatchSink,
    control: &JobControl,
    summary: &mut WatchSummary,
) -> Result<()> {
    let mut files = Vec::with_capacity(taken.len());
    for file in taken {
        let version = FileVersion {
            size_bytes: file.size_bytes,
            mtime_ns: file.mtime_ns,
        };
        if !state.already_taken(store, &file.path, version)? {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    // Removed while running (the next refresh stops watching it): nothing to take it for.
    match store.watch_folder(state.folder.id) {
        Ok(_) => {}
        Err(HistoryError::NotFound { .. }) => return Ok(()),
        Err(err) => return Err(err.into()),
    }
    let folder = &state.folder;
    let settings = JobSettings {
        inputs: Inputs {
            paths: files.iter().map(|file| file.path.clone()).collect(),
            ..Default::default()
        },
        template: folder.template_id.clone(),
        keep_originals: true,
        ..Default::default()
    };
    let settings_json = serde_json::to_value(&settings).unwrap_or_default();
    let name = format!("watch {} ({} files)", folder.folder.display(), files.len());
    let Some(job_id) = store.create_watch_job(folder.id, &name, &settings_json, &files)? else {
        return Ok(());
    };
    // Another watcher on the same database may have taken some of them.
    let entries = store.ledger_entries_of_job(job_id)?;
    for entry in &entries {
        sink.emit(&WatchEvent::Taken {
            folder_id: folder.id,
            path: entry.path.clone(),
            job_id,
        });
    }
    summary.n_taken += entries.len() as u64;
    run_and_finish(store, config, folder, job_id, sink, control, summary)
}

/// Passes the batch runner's events on, and finishes each file as soon as its document is stored: the
/// file is moved (a failed one with its note) and reported at once; its ledger outcome is recorded when the
/// run returns (an interruption in between is repaired by the next start).
struct JobEvents<'a> {
    sink: &'a mut dyn WatchSink,
    folder: &'a WatchFolder,
    /// How each file finished during the run, by document id.
    finished: HashMap<i64, LedgerOutcome>,
}

impl EventSink for JobEvents<'_> {
    fn emit(&mut self, event: &Event) {
        self.sink.emit(&WatchEvent::Job(event.clone()));
        let (document_id, path, status, error) = match event {
            Event::DocumentDone {
                document_id,
                path,
                status,
                ..
            } => (*document_id, path, *status, None),
            Event::DocumentFailed {
                document_id,
                path,
                code,
                message,
            } => (
                *document_id,
                path,
                DocumentStatus::Failed,
                Some((code.as_str(), message.as_str())),
            ),
            _ => return,
        };
        let (outcome, warning) = finish_file(self.folder, path, status, error);
        if let Some(message) = warning {
            self.sink.emit(&WatchEvent::Warning { message });
        }
        self.sink.emit(&finished_event(
            self.folder,
            path,
            Some(document_id),
            &outcome,
        ));
        self.finished.insert(document_id, outcome);
    }
}

fn finished_event(
    folder: &WatchFolder,
    path: &Path,
    document_id: Option<i64>,
    outcome: &LedgerOutcome,
) -> WatchEvent {
    WatchEvent::Finished {
        folder_id: folder.id,
        path: path.to_path_buf(),
        document_id,
        outcome: outcome.outcome.clone(),
        moved_to: outcome.moved_to.clone(),
        error: outcome.error_code.as_ref().map(|code| {
            format!(
                "{code}: {}",
                outcome.error_message.as_deref().unwrap_or_default()
            )
        }),
    }
}

/// Runs (or resumes) a job of taken files, then records every file whose document reached an end state.
fn run_and_finish(
    store: &mut Store,
    config: &RunConfig<'_>,
    folder: &WatchFolder,
    job_id: i64,
    sink: &mut dyn WatchSink,
    control: &JobControl,
    summary: &mut WatchSummary,
) -> Result<()> {
    summary.job_ids.push(job_id);
    let mut job_events = JobEvents {
        sink: &mut *sink,
        folder,
        finished: HashMap::new(),
    };
    let result = run_job(store, job_id, config, &mut job_events, control);
    let mut finished = job_events.finished;
    match result {
        Ok(_) | Err(EngineError::JobCancelled(_)) => {}
        Err(err) => return Err(err.into()),
    }
    finish_job_files(store, config, folder, job_id, sink, summary, &mut finished)
}

/// Records the outcome of each of a job's files whose document is finished (`finished`: those already
/// moved and reported during the run; the others, left by an interrupted run, are moved and reported
/// now), and writes the folder's export. Files of a cancelled job never processed end as `cancelled`.
fn finish_job_files(
    store: &mut Store,
    config: &RunConfig<'_>,
    folder: &WatchFolder,
    job_id: i64,
    sink: &mut dyn WatchSink,
    summary: &mut WatchSummary,
    finished: &mut HashMap<i64, LedgerOutcome>,
) -> Result<()> {
    let cancelled = store.job_status(job_id)? == JobStatus::Cancelled;
    let mut finished_ids = Vec::new();
    for entry in store.ledger_entries_of_job(job_id)? {
        if entry.outcome.is_some() {
            continue;
        }
        let row = match entry.document_id.map(|id| store.document(id)) {
            Some(Ok(row)) => Some(row),
            Some(Err(HistoryError::NotFound { .. })) | None => None,
            Some(Err(err)) => return Err(err.into()),
        };
        let outcome = match &row {
            Some(row) if row.status.is_final() => {
                finished_ids.push(row.id);
                match finished.remove(&row.id) {
                    Some(mut outcome) => {
                        // A duplicate's note (which document it repeats) is on its row.
                        if outcome.error_message.is_none() {
                            outcome.error_message = row.error_message.clone();
                        }
                        outcome
                    }
                    None => {
                        let error = row
                            .error_code
                            .as_deref()
                            .map(|code| (code, row.error_message.as_deref().unwrap_or_default()));
                        let (mut outcome, warning) =
                            finish_file(folder, &entry.path, row.status, error);
                        if let Some(message) = warning {
                            sink.emit(&WatchEvent::Warning { message });
                        }
                        if outcome.error_message.is_none() {
                            outcome.error_message = row.error_message.clone();
                        }
                        sink.emit(&finished_event(folder, &entry.path, Some(row.id), &outcome));
                        outcome
                    }
                }
            }
            Some(_) if cancelled => {
                let outcome = LedgerOutcome {
                    outcome: "cancelled".into(),
                    ..Default::default()
                };
                sink.emit(&finished_event(
                    folder,
                    &entry.path,
                    entry.document_id,
                    &outcome,
                ));
                outcome
            }
            // Still queued: the job was paused; it is resumed next time.
            Some(_) => continue,
            None => {
                let outcome = LedgerOutcome {
                    outcome: "deleted".into(),
                    error_message: Some("the document was deleted from history".into()),
                    ..Default::default()
                };
                sink.emit(&finished_event(
                    folder,
                    &entry.path,
                    entry.document_id,
                    &outcome,
                ));
                outcome
            }
        };
        store.finish_ledger_entry(entry.id, &outcome)?;
        *summary.finished.entry(outcome.outcome.clone()).or_default() += 1;
    }
    if !finished_ids.is_empty() {
        match export_folder(store, config.templates, folder, &finished_ids) {
            Ok(Some(export)) => sink.emit(&WatchEvent::Exported {
                folder_id: folder.id,
                path: export.path,
                n_documents: export.n_documents,
            }),
            Ok(None) => {}
            Err(err) => sink.emit(&WatchEvent::Warning {
                message: err.to_string(),
            }),
        }
    }
    Ok(())
}

/// Finishes what an earlier run left: unfinished jobs of taken files are resumed, and files whose documents
/// are done but whose outcome was not recorded (a crash right after) are recorded and moved.
fn recover(
    store: &mut Store,
    config: &RunConfig<'_>,
    folders: &[WatchFolder],
    sink: &mut dyn WatchSink,
    control: &JobControl,
    summary: &mut WatchSummary,
) -> Result<()> {
    let pending = store.pending_ledger_entries()?;
    let mut jobs: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    for entry in &pending {
        match entry.job_id {
            Some(job_id) => jobs.entry(job_id).or_insert((entry.folder_id, 0)).1 += 1,
            // Its job was deleted: nothing will process it.
            None => store.finish_ledger_entry(
                entry.id,
                &LedgerOutcome {
                    outcome: "deleted".into(),
                    error_message: Some("the job was deleted from history".into()),
                    ..Default::default()
                },
            )?,
        }
    }
    for (job_id, (folder_id, n_files)) in jobs {
        if control.is_stopping() {
            break;
        }
        let Some(folder) = folders.iter().find(|f| f.id == folder_id) else {
            continue;
        };
        let status = store.job_status(job_id)?;
        if matches!(
            status,
            JobStatus::Queued | JobStatus::Running | JobStatus::Paused
        ) {
            sink.emit(&WatchEvent::Resuming { job_id, n_files });
            run_and_finish(store, config, folder, job_id, sink, control, summary)?;
        } else {
            finish_job_files(
                store,
                config,
                folder,
                job_id,
                sink,
                summary,
                &mut HashMap::new(),
            )?;
        }
    }
    Ok(())
}
