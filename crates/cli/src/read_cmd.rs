//! `quire read`: reads documents and prints, per page, the text source, word count, mean confidence and the
//! layout-preserving text; `--json` prints one JSON array with each file's document model or error.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use quire_document::Document;
use quire_reader::ReadError;
use serde::Serialize;

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// Files to read (PDF, PNG, JPEG, TIFF, BMP, WebP; the type is detected from the content)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the document model as JSON: an array with one `{path, ok, document | error}` per file
    #[arg(long)]
    json: bool,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Print only the per-page summary, without the layout text
    #[arg(long)]
    summary: bool,
}

/// One file's outcome, as printed by `--json`.
#[derive(Serialize)]
struct FileResult<'a> {
    path: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<&'a Document>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorJson>,
}

#[derive(Serialize)]
struct ErrorJson {
    code: &'static str,
    message: String,
}

pub fn run(global: &GlobalArgs, args: &ReadArgs) -> anyhow::Result<ExitCode> {
    // One file is read here; several in parallel, with a PDF reading helper per worker.
    let config = if args.files.len() > 1 {
        global.batch_reader_config()
    } else {
        global.reader_config()
    };
    let n_workers = args.workers.unwrap_or_else(default_workers);
    let progress = if args.files.len() > 1 {
        let bar = ProgressBar::new(args.files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} reading [{bar:30}] {pos}/{len} files, {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    // Results arrive in completion order; print them in the order given.
    let mut pending: BTreeMap<usize, Result<Document, ReadError>> = BTreeMap::new();
    let mut next_to_print = 0usize;
    let mut n_failed = 0usize;
    let mut json_results: Vec<(usize, Result<Document, ReadError>)> = Vec::new();
    let stdout = std::io::stdout();
    quire_reader::read_all(&args.files, &config, n_workers, |index, result| {
        progress.inc(1);
        if result.is_err() {
            n_failed += 1;
        }
        pending.insert(index, result);
        while let Some(result) = pending.remove(&next_to_print) {
            if args.json {
                json_results.push((next_to_print, result));
            } else {
                progress.suspend(|| {
                    let mut out = stdout.lock();
                    let _ =
                        print_human(&mut out, &args.files[next_to_print], &result, args.summary);
                });
            }
            next_to_print += 1;
        }
    });
    progress.finish_and_clear();

    if args.json {
        let printable: Vec<FileResult> = json_results
            .iter()
            .map(|(index, result)| FileResult {
                path: args.files[*index].display().to_string(),
                ok: result.is_ok(),
                document: result.as_ref().ok(),
                error: result.as_ref().err().map(|e| ErrorJson {
                    code: e.code(),
                    message: e.to_string(),
                }),
            })
            .collect();
        let mut out = stdout.lock();
        serde_json::to_writer_pretty(&mut out, &printable)?;
        writeln!(out)?;
    } else if args.files.len() > 1 {
        eprintln!(
            "read {} of {} files{}",
            args.files.len() - n_failed,
            args.files.len(),
            if n_failed > 0 {
                format!(", {n_failed} failed")
            } else {
                String::new()
            }
        );
    }
    Ok(if n_failed > 0 {
        ExitCode::from(crate::EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn print_human(
    out: &mut impl Write,
    path: &std::path::Path,
    result: &Result<Document, ReadError>,
    summary: bool,
) -> std::io::Result<()> {
    let document = match result {
        Ok(d) => d,
        Err(e) => {
            // Errors go to stderr so that stdout stays the documents' text.
            eprintln!("error [{}]: {e}", e.code());
            return Ok(());
        }
    };
    let n_pages = document.n_pages();
    writeln!(
        out,
        "== {} ({}, {} page{}, sha256 {})",
        path.display(),
        document.mime,
        n_pages,
        if n_pages == 1 { "" } else { "s" },
        &document.content_hash[..12]
    )?;
    for attachment in &document.attachments {
        writeln!(
            out,
            "   attachment: {} ({} bytes)",
            attachment.name, attachment.size_bytes
        )?;
    }
    for page in &document.pages {
        let source = match page.source {
            quire_document::PageSource::TextLayer => "text layer".to_string(),
            quire_document::PageSource::Ocr => match &page.ocr {
                Some(ocr) => {
                    let mut text = format!("OCR at {} dpi", ocr.dpi);
                    if !ocr.language.is_empty() {
                        text.push_str(&format!(" ({})", ocr.language));
                    }
                    if ocr.rotation_applied != 0 {
                        text.push_str(&format!(", turned {}° upright", ocr.rotation_applied));
                    }
                    text
                }
                None => "OCR".to_string(),
            },
        };
        writeln!(
            out,
            "-- page {}: {source}, {} words, mean confidence {:.1}",
            page.number,
            page.words.len(),
            page.mean_confidence
        )?;
        if !summary {
            writeln!(out, "{}", page.layout_text)?;
        }
    }
    writeln!(out)
}
