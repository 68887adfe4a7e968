//! `quire`: the command-line interface to Quire's engine. Thin: parses arguments, calls the engine, prints.
//!
//! Exit codes: 0 success; 1 some input could not be processed (each failure is reported, naming the file
//! and the reason); 2 invalid usage; 3 a required back-end (PDFium, Tesseract) is missing; 130 stopped by
//! Ctrl-C (the job is paused and resumes where it stopped).

mod bench_batch_cmd;
mod bench_cmd;
mod bench_extract_cmd;
mod bench_watch_cmd;
mod eval_cmd;
mod export_cmd;
mod extract_cmd;
mod history_args;
mod history_cmd;
mod interrupt;
mod jobs_cmd;
mod process_cmd;
mod progress;
mod read_cmd;
mod stats_cmd;
mod templates_cmd;
mod watch_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Quire: batch document processing for invoices, receipts and bank statements.
#[derive(Debug, Parser)]
#[command(name = "quire", version, about, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Path to libpdfium.so (default: searched next to the executable, in ~/.local/share/quire/lib, ...;
    /// also settable with QUIRE_PDFIUM)
    #[arg(long, global = true, value_name = "PATH")]
    pdfium: Option<PathBuf>,
    /// Tesseract language(s) for OCR, e.g. eng or eng+deu; auto: English, and pages in German or French
    /// read again in their language (when its language data is installed)
    #[arg(long, global = true, value_name = "LANGS", default_value = "auto")]
    ocr_lang: String,
    /// Refuse documents with more pages than this
    #[arg(long, global = true, value_name = "N", default_value_t = 500)]
    max_pages: u32,
    /// Batches (process, jobs resume, watch run, read of several files) read PDFs in a helper process per
    /// worker, so that workers read side by side and a PDF that crashes the PDF engine fails alone: read
    /// them in this process instead
    #[arg(long, global = true)]
    pdfs_in_process: bool,
}

impl GlobalArgs {
    pub fn reader_config(&self) -> quire_reader::ReaderConfig {
        quire_reader::ReaderConfig {
            pdfium_library: self.pdfium.clone(),
            ocr_language: self.ocr_lang.clone(),
            max_pages: self.max_pages,
            ..Default::default()
        }
    }

    /// The reader configuration for batches: PDFs read in a helper process per worker (this program,
    /// started with `quire_reader::helper::HELPER_ARG`), unless `--pdfs-in-process`.
    pub fn batch_reader_config(&self) -> quire_reader::ReaderConfig {
        let helper = (!self.pdfs_in_process)
            .then(|| quire_reader::HelperCommand::current_exe().ok())
            .flatten();
        quire_reader::ReaderConfig {
            helper,
            ..self.reader_config()
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read documents: per page, where the text came from, word count, confidence and the layout text
    Read(read_cmd::ReadArgs),
    /// Show whether the PDF (PDFium) and OCR (Tesseract) back-ends are available
    Status(StatusArgs),
    /// Benchmarks that print figures (see docs/benchmarks.md)
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
    /// Extract fields, line items and validation results with templates
    Extract(extract_cmd::ExtractArgs),
    /// List, show and check templates
    #[command(subcommand)]
    Templates(templates_cmd::TemplatesCommand),
    /// Measure extraction accuracy on a corpus with ground truth
    Eval(eval_cmd::EvalArgs),
    /// Process files and folders as a batch job: read, classify, extract, validate, store (and export)
    Process(process_cmd::ProcessArgs),
    /// List, show, pause, resume and cancel batch jobs
    #[command(subcommand)]
    Jobs(jobs_cmd::JobsCommand),
    /// List, show, search, edit and delete processed documents
    #[command(subcommand)]
    History(history_cmd::HistoryCommand),
    /// Export processed documents (a job or a search) as CSV, XLSX or JSON
    Export(export_cmd::ExportArgs),
    /// Statistics over the history
    Stats(stats_cmd::StatsArgs),
    /// Hot folders: watch folders and process the files that land in them, exactly once
    #[command(subcommand)]
    Watch(watch_cmd::WatchCommand),
}

#[derive(Debug, clap::Args)]
struct StatusArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Exit code for "some input could not be processed".
pub const EXIT_FAILURES: u8 = 1;
/// Exit code for "a back-end is missing".
pub const EXIT_BACKEND_MISSING: u8 = 3;

fn main() -> ExitCode {
    // Started by a batch as its PDF reading helper: serve it and nothing else.
    if let Some(code) = quire_reader::run_helper_if_asked() {
        return code;
    }
    stop_quietly_when_stdout_closes();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Read(args) => read_cmd::run(&cli.global, args),
        Command::Status(args) => status(&cli.global, args),
        Command::Bench(command) => bench_cmd::run(&cli.global, command),
        Command::Extract(args) => extract_cmd::run(&cli.global, args),
        Command::Templates(command) => templates_cmd::run(command),
        Command::Eval(args) => eval_cmd::run(&cli.global, args),
        Command::Process(args) => process_cmd::run(&cli.global, args),
        Command::Jobs(command) => jobs_cmd::run(&cli.global, command),
        Command::History(command) => history_cmd::run(command),
        Command::Export(args) => export_cmd::run(args),
        Command::Stats(args) => stats_cmd::run(args),
        Command::Watch(command) => watch_cmd::run(&cli.global, command),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_FAILURES)
        }
    }
}

/// Exit status of a program stopped because the reader of its output went away (128 + SIGPIPE), as a shell
/// reports `quire history list | head`.
const EXIT_OUTPUT_CLOSED: i32 = 141;

/// `quire history list | head` closes standard output early, and Rust's printing then panics ("failed
/// printing to stdout: Broken pipe"). Stop quietly with the status a shell expects instead. SIGPIPE itself
/// stays ignored (Rust's default): a batch writes to its PDF helpers' pipes and must outlive a helper that
/// dies, getting an error rather than a signal. Stopping here is safe for a batch at any moment, as a
/// `kill -9` is (history is written in transactions).
fn stop_quietly_when_stdout_closes() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let epipe = format!("(os error {EPIPE})");
        if message.starts_with("failed printing to stdout") && message.contains(&epipe) {
            std::process::exit(EXIT_OUTPUT_CLOSED);
        }
        default_hook(info);
    }));
}

/// `EPIPE` on Linux: the error's number, as the message names it whatever the locale.
const EPIPE: i32 = 32;

fn status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    use quire_reader::BackendState;
    let status = quire_reader::backend_status(&global.reader_config());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        println!("quire {}", env!("CARGO_PKG_VERSION"));
        for (name, state) in [
            ("PDF (PDFium)", &status.pdfium),
            ("OCR (Tesseract)", &status.tesseract),
        ] {
            match state {
                BackendState::Found { detail } => println!("{name:<16} found: {detail}"),
                BackendState::Missing { reason, fix } => {
                    println!("{name:<16} NOT FOUND: {reason}\n{:<16} fix: {fix}", "")
                }
            }
        }
    }
    let ok = status.pdfium.is_found() && status.tesseract.is_found();
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BACKEND_MISSING)
    })
}
