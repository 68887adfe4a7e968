//! `quire bench extract FILE...`: in-process extraction throughput, printed as figures (not a timed test).
//! Templates are loaded once; then every round reads, classifies, extracts and validates each file on one
//! thread, as `quire extract` does per file, timing each stage; `--workers N` then also times rounds on N
//! threads (one reader each, as a batch runs). Used by scripts/bench/invoice2data.sh for
//! the side-by-side run against invoice2data's Python API.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use quire_extract::eval::Prediction;
use quire_extract::{classify, extract, ExtractOptions};
use quire_reader::Reader;
use serde::Serialize;

use crate::extract_cmd::{extract_one, load_templates};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct BenchExtractArgs {
    /// Files to extract (PDF, PNG, JPEG, TIFF, BMP, WebP)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Folder of templates added to the built-in ones (default: ./templates when it exists)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Timed rounds over all the files (after one untimed warm-up round)
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// Do not read embedded e-invoice XML (Factur-X / ZUGFeRD / XRechnung): extract from the text only
    #[arg(long)]
    no_einvoice: bool,
    /// Write each file's extracted values (fields and line items as normalised strings, keyed by file
    /// name; null when the file failed or matched no template) to this JSON file, for `quire eval
    /// --predictions`
    #[arg(long, value_name = "FILE")]
    predictions_out: Option<PathBuf>,
    /// Also time rounds with this many threads sharing the files (one reader each, with its PDF reading
    /// helper process, as `quire process` runs a batch); 1: single-threaded rounds only
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Print the figures as JSON
    #[arg(long)]
    json: bool,
    /// Stay running after the warm-up round and time one round per line read on standard input, printing
    /// each round's figures as one JSON line (so that a benchmark script can interleave Quire's rounds
    /// with another tool's while both stay warm, as a long batch runs); a line holding a number N makes
    /// that round go over the files N times; ends at the end of the input
    #[arg(long, conflicts_with_all = ["workers", "json"])]
    rounds_on_stdin: bool,
}

/// One timed round over all the files on one thread.
#[derive(Serialize, Default)]
struct Round {
    docs_per_second: f64,
    /// Mean milliseconds per document in each stage.
    read_ms: f64,
    classify_ms: f64,
    extract_ms: f64,
    /// Mean milliseconds per document of PDFium alone (the document, its pages and their text loaded,
    /// nothing else; timed apart, after the round): the least any reading through PDFium costs.
    pdfium_ms: f64,
}

/// Reads, classifies, extracts and validates every file once, timing each stage, then times PDFium's
/// loading alone.
fn timed_round(
    reader: &mut Reader,
    files: &[PathBuf],
    templates: &quire_extract::TemplateSet,
    options: &ExtractOptions,
    passes: usize,
) -> Round {
    // Where the time goes: reading, classification, extraction + validation.
    let mut stage_seconds = [0.0f64; 3];
    let started = Instant::now();
    for path in std::iter::repeat_n(files, passes.max(1)).flatten() {
        // The steps of `extract_one`, timed one by one.
        let stage = Instant::now();
        let Ok(document) = reader.read_path(path) else {
            continue;
        };
        stage_seconds[0] += stage.elapsed().as_secs_f64();
        let stage = Instant::now();
        let classification = classify(&document, templates);
        stage_seconds[1] += stage.elapsed().as_secs_f64();
        let stage = Instant::now();
        if let Some(template) = classification
            .template_id
            .as_deref()
            .and_then(|id| templates.get(id))
        {
            std::hint::black_box(extract(&document, template, options).ok());
        }
        stage_seconds[2] += stage.elapsed().as_secs_f64();
    }
    let n_docs = files.len() * passes.max(1);
    let docs_per_second = n_docs as f64 / started.elapsed().as_secs_f64();
    let pdfium_started = Instant::now();
    let n_pdfs = files
        .iter()
        .filter(|path| std::hint::black_box(reader.pdfium_load_only(path)).is_ok())
        .count();
    let pdfium_seconds = pdfium_started.elapsed().as_secs_f64();
    let per_doc = |seconds: f64| seconds * 1000.0 / n_docs.max(1) as f64;
    Round {
        docs_per_second,
        read_ms: per_doc(stage_seconds[0]),
        classify_ms: per_doc(stage_seconds[1]),
        extract_ms: per_doc(stage_seconds[2]),
        pdfium_ms: pdfium_seconds * 1000.0 / n_pdfs.max(1) as f64,
    }
}

/// The figures printed by `--json`.
#[derive(Serialize)]
struct Figures {
    n_docs: usize,
    n_templates: usize,
    rounds: u32,
    template_load_ms: f64,
    /// Documents per second of every timed round.
    docs_per_second: Vec<f64>,
    median_docs_per_second: f64,
    median_ms_per_doc: f64,
    /// Mean milliseconds per document in each stage.
    read_ms: f64,
    classify_ms: f64,
    extract_ms: f64,
    pdfium_ms: f64,
    n_failed: usize,
    n_unmatched: usize,
    /// With `--workers N` (N > 1): threads, and documents per second of each timed round on them.
    workers: usize,
    parallel_docs_per_second: Vec<f64>,
    parallel_median_docs_per_second: Option<f64>,
}

/// One round on `n_workers` threads, each taking the next file until none is left: documents per second.
fn parallel_round(
    readers: &mut [Reader],
    files: &[PathBuf],
    templates: &quire_extract::TemplateSet,
    e_invoice: bool,
) -> f64 {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for reader in readers.iter_mut() {
            let next = &next;
            scope.spawn(move || {
                let options = ExtractOptions {
                    e_invoice,
                    ..ExtractOptions::default()
                };
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(path) = files.get(index) else {
                        break;
                    };
                    let Ok(document) = reader.read_path(path) else {
                        continue;
                    };
                    let classification = classify(&document, templates);
                    if let Some(template) = classification
                        .template_id
                        .as_deref()
                        .and_then(|id| templates.get(id))
                    {
                        std::hint::black_box(extract(&document, template, &options).ok());
                    }
                }
            });
        }
    });
    files.len() as f64 / started.elapsed().as_secs_f64()
}

pub fn run(global: &GlobalArgs, args: &BenchExtractArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let templates = load_templates(args.templates_dir.as_deref())?;
    let template_load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut reader = Reader::new(global.reader_config());
    let options = ExtractOptions {
        e_invoice: !args.no_einvoice,
        ..ExtractOptions::default()
    };
    let n_docs = args.files.len();
    let mut predictions: BTreeMap<String, Option<Prediction>> = BTreeMap::new();
    let mut n_failed = 0;
    let mut n_unmatched = 0;
    // The warm-up round (untimed) also records the outcomes: every round does the same work.
    for path in &args.files {
        let outcome = extract_one(&mut reader, path, &templates, None, &options);
        if let Some(error) = &outcome.error {
            eprintln!("error: {}", error.message);
            n_failed += 1;
        } else if outcome.extraction.is_none() {
            n_unmatched += 1;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string());
        predictions.insert(
            name,
            outcome.extraction.as_ref().map(Prediction::from_extraction),
        );
    }
    if let Some(path) = &args.predictions_out {
        std::fs::write(path, serde_json::to_string_pretty(&predictions)?)?;
    }
    if args.rounds_on_stdin {
        use std::io::{BufRead, Write};
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{}",
            serde_json::json!({
                "ready": true,
                "n_docs": n_docs,
                "n_templates": templates.len(),
                "template_load_ms": template_load_ms,
                "n_failed": n_failed,
                "n_unmatched": n_unmatched,
            })
        )?;
        stdout.flush()?;
        for line in std::io::stdin().lock().lines() {
            let passes = line?.trim().parse().unwrap_or(1);
            let round = timed_round(&mut reader, &args.files, &templates, &options, passes);
            writeln!(stdout, "{}", serde_json::to_string(&round)?)?;
            stdout.flush()?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let rounds: Vec<Round> = (0..args.rounds.max(1))
        .map(|_| timed_round(&mut reader, &args.files, &templates, &options, 1))
        .collect();
    let rates: Vec<f64> = rounds.iter().map(|r| r.docs_per_second).collect();
    let workers = args.workers.max(1);
    let mut parallel_rates = Vec::new();
    if workers > 1 {
        // One untimed warm-up round (each thread's reader starts up), then the timed rounds.
        // The readers (and their helper processes) live across the rounds, as a batch's workers do.
        let mut readers: Vec<Reader> = (0..workers)
            .map(|_| Reader::new(global.batch_reader_config()))
            .collect();
        parallel_round(&mut readers, &args.files, &templates, options.e_invoice);
        for _ in 0..args.rounds.max(1) {
            parallel_rates.push(parallel_round(
                &mut readers,
                &args.files,
                &templates,
                options.e_invoice,
            ));
        }
    }
    let parallel_median = (!parallel_rates.is_empty()).then(|| {
        let mut sorted = parallel_rates.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    });
    let mean =
        |stage: fn(&Round) -> f64| rounds.iter().map(stage).sum::<f64>() / rounds.len() as f64;
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let figures = Figures {
        n_docs,
        n_templates: templates.len(),
        rounds: args.rounds.max(1),
        template_load_ms,
        docs_per_second: rates,
        median_docs_per_second: median,
        median_ms_per_doc: 1000.0 / median,
        read_ms: mean(|r| r.read_ms),
        classify_ms: mean(|r| r.classify_ms),
        extract_ms: mean(|r| r.extract_ms),
        pdfium_ms: mean(|r| r.pdfium_ms),
        n_failed,
        n_unmatched,
        workers,
        parallel_docs_per_second: parallel_rates,
        parallel_median_docs_per_second: parallel_median,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "quire {} in-process extraction: {} files, {} templates (loaded in {:.0} ms), {} rounds, 1 thread",
            env!("CARGO_PKG_VERSION"),
            figures.n_docs,
            figures.n_templates,
            figures.template_load_ms,
            figures.rounds
        );
        for (index, rate) in figures.docs_per_second.iter().enumerate() {
            println!("  round {}: {rate:>8.1} docs/s", index + 1);
        }
        println!(
            "  median: {:.1} docs/s ({:.2} ms per document); {} failed, {} unmatched",
            figures.median_docs_per_second,
            figures.median_ms_per_doc,
            figures.n_failed,
            figures.n_unmatched
        );
        println!(
            "  per document: read {:.2} ms, classify {:.2} ms, extract + validate {:.2} ms",
            figures.read_ms, figures.classify_ms, figures.extract_ms
        );
        println!(
            "  PDFium alone (document, pages and their text loaded, nothing else): {:.2} ms per PDF",
            figures.pdfium_ms
        );
        if let Some(median) = figures.parallel_median_docs_per_second {
            println!(
                "  {} threads: median {median:.1} docs/s ({:.2} ms per document)",
                figures.workers,
                1000.0 / median
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
