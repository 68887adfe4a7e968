//! `quire watch`: hot folders. `add` stores a watched folder (template, recursion, patterns, where processed
//! and failed files go, export), `list` and `remove` manage them, and `run` watches every folder in the
//! foreground, printing a line per file and a progress bar per batch. The first Ctrl-C finishes the
//! documents in flight and stops cleanly; a second stops at once (history stays consistent, and the next
//! `run` resumes).

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use quire_engine::{Event, JobControl, RunConfig};
use quire_history::WatchFolder;
use quire_watch::{FolderRequest, WatchEvent, WatchMode, WatchOptions, WatchSink};

use crate::history_args::{templates, DbArgs};
use crate::{interrupt, GlobalArgs, EXIT_FAILURES};

#[derive(Debug, clap::Subcommand)]
pub enum WatchCommand {
    /// Watch a folder: files that land in it are processed once they are complete
    Add(WatchAddArgs),
    /// Change a watched folder's settings (what it already took is not taken again)
    Set(WatchSetArgs),
    /// List the watched folders
    List(WatchListArgs),
    /// Stop watching a folder (by id or path); what it produced stays in history
    Remove(WatchRemoveArgs),
    /// Watch every folder in the foreground (Ctrl-C finishes the documents in flight and stops)
    Run(WatchRunArgs),
}

#[derive(Debug, clap::Args)]
pub struct WatchAddArgs {
    /// The folder to watch
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Use this template for every file instead of classifying
    #[arg(long, value_name = "ID")]
    template: Option<String>,
    /// Also watch sub-folders
    #[arg(long)]
    recursive: bool,
    /// Move processed files to DIR/processed and failed ones to DIR/failed (with a .error.txt note)
    #[arg(long, value_name = "DIR")]
    move_to: Option<PathBuf>,
    /// After each batch, export the folder's documents: a .csv or .xlsx file (rewritten), or a folder (one
    /// JSON file per document)
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Only files matching this glob (default: supported document types); repeatable
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave files matching this glob alone (e.g. 'processed/**'); repeatable
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Temporary-file patterns never taken (default: '~$*' '*.part' '*.crdownload' '*.tmp' '.*'); repeatable
    #[arg(long, value_name = "GLOB")]
    temporary: Vec<String>,
    /// Poll the folder instead of using native change notifications (network shares)
    #[arg(long)]
    poll: bool,
    /// How often a polled folder is scanned, in milliseconds
    #[arg(long, value_name = "N", default_value_t = quire_watch::DEFAULT_POLL_INTERVAL_MS)]
    poll_ms: u64,
    /// How long a file must stay unchanged before it is taken, in milliseconds
    #[arg(long, value_name = "N", default_value_t = quire_watch::DEFAULT_SETTLE_MS)]
    settle_ms: u64,
    /// Also load the templates of this folder (to check --template)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct WatchSetArgs {
    /// The folder's id or path
    #[arg(value_name = "DIR|ID")]
    folder: String,
    /// Use this template for every file
    #[arg(long, value_name = "ID", conflicts_with = "classify")]
    template: Option<String>,
    /// Classify each file instead of using one template
    #[arg(long)]
    classify: bool,
    /// Watch sub-folders too (true) or not (false)
    #[arg(long, value_name = "BOOL")]
    recursive: Option<bool>,
    /// Move processed files to DIR/processed and failed ones to DIR/failed
    #[arg(long, value_name = "DIR", conflicts_with = "leave_files")]
    move_to: Option<PathBuf>,
    /// Leave processed and failed files where they are
    #[arg(long)]
    leave_files: bool,
    /// Export after each batch to this .csv / .xlsx file, or folder of JSON files
    #[arg(long, value_name = "FILE", conflicts_with = "no_export")]
    export: Option<PathBuf>,
    /// Stop exporting after each batch
    #[arg(long)]
    no_export: bool,
    /// Only files matching these globs (replaces the current list; repeatable)
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave files matching these globs alone (replaces the current list; repeatable)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Poll the folder (true) or use native change notifications (false)
    #[arg(long, value_name = "BOOL")]
    poll: Option<bool>,
    /// How often a polled folder is scanned, in milliseconds
    #[arg(long, value_name = "N")]
    poll_ms: Option<u64>,
    /// How long a file must stay unchanged before it is taken, in milliseconds
    #[arg(long, value_name = "N")]
    settle_ms: Option<u64>,
    /// Also load the templates of this folder (to check --template)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct WatchListArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct WatchRemoveArgs {
    /// The folder's id or path
    #[arg(value_name = "DIR|ID")]
    folder: String,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct WatchRunArgs {
    /// Process what is in the folders now (waiting for files still being written), then exit
    #[arg(long)]
    once: bool,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Also load the templates of this folder
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(global: &GlobalArgs, command: &WatchCommand) -> anyhow::Result<ExitCode> {
    match command {
        WatchCommand::Add(args) => add(args),
        WatchCommand::Set(args) => set(args),
        WatchCommand::List(args) => list(args),
        WatchCommand::Remove(args) => {
            let store = args.db.open()?;
            let folder = quire_watch::remove_folder(&store, &args.folder)?;
            println!(
                "stopped watching {} (id {})",
                folder.folder.display(),
                folder.id
            );
            Ok(ExitCode::SUCCESS)
        }
        WatchCommand::Run(args) => run_watch(global, args),
    }
}

fn add(args: &WatchAddArgs) -> anyhow::Result<ExitCode> {
    let templates = templates(args.templates_dir.as_deref())?;
    let store = args.db.open()?;
    let folder = quire_watch::add_folder(
        &store,
        &templates,
        &FolderRequest {
            folder: args.dir.clone(),
            template_id: args.template.clone(),
            recursive: args.recursive,
            include: args.include.clone(),
            exclude: args.exclude.clone(),
            temporary: (!args.temporary.is_empty()).then(|| args.temporary.clone()),
            move_to: args.move_to.clone(),
            export_path: args.export.clone(),
            polling: args.poll,
            poll_interval_ms: Some(args.poll_ms),
            settle_ms: Some(args.settle_ms),
        },
    )?;
    println!("watching {} (id {})", folder.folder.display(), folder.id);
    print_folder_details(&folder);
    println!("run `quire watch run` to process what lands there");
    Ok(ExitCode::SUCCESS)
}

fn set(args: &WatchSetArgs) -> anyhow::Result<ExitCode> {
    let templates = templates(args.templates_dir.as_deref())?;
    let store = args.db.open()?;
    let folder = quire_watch::update_folder(&store, &templates, &args.folder, |request| {
        if let Some(template) = &args.template {
            request.template_id = Some(template.clone());
        }
        if args.classify {
            request.template_id = None;
        }
        if let Some(recursive) = args.recursive {
            request.recursive = recursive;
        }
        if let Some(move_to) = &args.move_to {
            request.move_to = Some(move_to.clone());
        }
        if args.leave_files {
            request.move_to = None;
        }
        if let Some(export) = &args.export {
            request.export_path = Some(export.clone());
        }
        if args.no_export {
            request.export_path = None;
        }
        if !args.include.is_empty() {
            request.include = args.include.clone();
        }
        if !args.exclude.is_empty() {
            request.exclude = args.exclude.clone();
        }
        if let Some(poll) = args.poll {
            request.polling = poll;
        }
        if let Some(poll_ms) = args.poll_ms {
            request.poll_interval_ms = Some(poll_ms);
        }
        if let Some(settle_ms) = args.settle_ms {
            request.settle_ms = Some(settle_ms);
        }
    })?;
    println!("changed {} (id {})", folder.folder.display(), folder.id);
    print_folder_details(&folder);
    println!("a running `quire watch run` picks the change up within seconds");
    Ok(ExitCode::SUCCESS)
}

fn print_folder_details(folder: &WatchFolder) {
    let template = folder.template_id.as_deref().unwrap_or("automatic");
    println!("  template      {template}");
    println!(
        "  sub-folders   {}",
        if folder.recursive { "yes" } else { "no" }
    );
    if !folder.include.is_empty() {
        println!("  include       {}", folder.include.join(" "));
    }
    if !folder.exclude.is_empty() {
        println!("  exclude       {}", folder.exclude.join(" "));
    }
    println!("  ignored       {}", folder.temporary.join(" "));
    match (&folder.processed_dir, &folder.failed_dir) {
        (Some(processed), Some(failed)) => {
            println!("  processed to  {}", processed.display());
            println!("  failed to     {}", failed.display());
        }
        _ => println!("  after         left in place"),
    }
    if let Some(export) = &folder.export_path {
        println!("  export        {}", export.display());
    }
    if folder.polling {
        println!("  polling       every {} ms", folder.poll_interval_ms);
    }
    println!("  settle        {} ms", folder.settle_ms);
}

fn list(args: &WatchListArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open()?;
    let folders = store.watch_folders()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&folders)?);
        return Ok(ExitCode::SUCCESS);
    }
    if folders.is_empty() {
        println!("no watched folders (add one with `quire watch add DIR`)");
    }
    for folder in &folders {
        let ledger = store.ledger(folder.id)?;
        let n_pending = ledger.iter().filter(|e| e.outcome.is_none()).count();
        println!(
            "{:>3}  {}  ({} files taken, {} pending)",
            folder.id,
            folder.folder.display(),
            ledger.len(),
            n_pending
        );
        print_folder_details(folder);
    }
    Ok(ExitCode::SUCCESS)
}

/// Log lines per file (stdout) and a progress bar per batch (stderr, hidden when not a terminal).
struct WatchLog {
    bar: Option<ProgressBar>,
}

impl WatchLog {
    fn line(&self, text: String) {
        let stamped = format!("{} {text}", chrono::Local::now().format("%H:%M:%S"));
        match &self.bar {
            Some(bar) if !bar.is_hidden() => bar.println(stamped),
            _ => println!("{stamped}"),
        }
    }

    fn job_event(&mut self, event: &Event) {
        match event {
            Event::JobStarted {
                n_total, n_pending, ..
            } => {
                let bar = ProgressBar::new(*n_total);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} docs {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_position(n_total - n_pending);
                self.bar = Some(bar);
            }
            Event::DocumentStarted { path, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(file_name(path));
                }
            }
            Event::Progress(progress) => {
                if let Some(bar) = &self.bar {
                    bar.set_position(progress.n_done);
                }
            }
            Event::JobFinished { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl WatchSink for WatchLog {
    fn emit(&mut self, event: &WatchEvent) {
        match event {
            WatchEvent::Watching {
                folder_id,
                folder,
                mode,
                note,
            } => {
                let how = match mode {
                    WatchMode::Native => "native notifications",
                    WatchMode::Polling => "polling",
                };
                let note = note.as_ref().map_or(String::new(), |n| format!(" ({n})"));
                self.line(format!(
                    "watching {} (id {folder_id}) with {how}{note}",
                    folder.display()
                ));
            }
            WatchEvent::Stopped { folder_id, folder } => self.line(format!(
                "stopped watching {} (id {folder_id}): removed or changed",
                folder.display()
            )),
            WatchEvent::Resuming { job_id, n_files } => self.line(format!(
                "resuming job {job_id}: {n_files} file(s) taken before the last stop"
            )),
            WatchEvent::Taken { path, job_id, .. } => {
                self.line(format!("taken     {} (job {job_id})", path.display()))
            }
            WatchEvent::Finished {
                path,
                outcome,
                moved_to,
                error,
                document_id,
                ..
            } => {
                let document = document_id.map_or(String::new(), |id| format!(" document {id}"));
                let moved = moved_to
                    .as_ref()
                    .map_or(String::new(), |to| format!(" -> {}", to.display()));
                let error = error.as_ref().map_or(String::new(), |e| format!(" [{e}]"));
                self.line(format!(
                    "{outcome:<9} {}{document}{moved}{error}",
                    path.display()
                ));
            }
            WatchEvent::Exported {
                path, n_documents, ..
            } => self.line(format!(
                "exported  {n_documents} document(s) to {}",
                path.display()
            )),
            WatchEvent::Warning { message } => self.line(format!("warning   {message}")),
            WatchEvent::Job(event) => self.job_event(event),
        }
    }
}

fn run_watch(global: &GlobalArgs, args: &WatchRunArgs) -> anyhow::Result<ExitCode> {
    let templates = templates(args.templates_dir.as_deref())?;
    let mut store = args.db.open()?;
    let config = RunConfig {
        templates: &templates,
        reader: global.batch_reader_config(),
        n_workers: args.workers.unwrap_or(0),
        data_dir: Some(args.db.data_dir()?),
    };
    let control = JobControl::new();
    let interrupts = interrupt::install();
    let on_interrupt = control.clone();
    interrupts.on_first_interrupt(move || on_interrupt.pause());
    let mut log = WatchLog { bar: None };
    let summary = quire_watch::watch(
        &mut store,
        &config,
        &WatchOptions { once: args.once },
        &mut log,
        &control,
    )?;
    if let Some(bar) = log.bar.take() {
        bar.finish_and_clear();
    }
    let finished: Vec<String> = summary
        .finished
        .iter()
        .map(|(outcome, n)| format!("{n} {outcome}"))
        .collect();
    let finished = if finished.is_empty() {
        "nothing".to_string()
    } else {
        finished.join(", ")
    };
    if summary.stopped {
        println!(
            "stopped: {} file(s) taken, finished {finished}; files in flight are resumed by the next `quire watch run`",
            summary.n_taken
        );
    } else {
        println!(
            "done: {} file(s) taken, finished {finished}",
            summary.n_taken
        );
    }
    Ok(if summary.n_failed() > 0 {
        ExitCode::from(EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn watch_arguments_parse() {
        for line in [
            "quire watch add inbox --template generic-invoice --recursive --move-to out --export out/rows.csv --include *.pdf --exclude processed/** --poll --poll-ms 500 --settle-ms 300 --db x.db",
            "quire watch add inbox --export out/json --temporary *.partial",
            "quire watch list --json",
            "quire watch remove 3",
            "quire watch remove /srv/scans",
            "quire watch run --once --workers 1",
            "quire bench watch --n 5 --settle-ms 200",
        ] {
            let parsed = crate::Cli::try_parse_from(line.split_whitespace());
            assert!(parsed.is_ok(), "{line}: {}", parsed.unwrap_err());
        }
        assert!(crate::Cli::try_parse_from(["quire", "watch", "remove"]).is_err());
    }
}
