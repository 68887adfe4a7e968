//! `quire bench batch`: figures for the batch pipeline on generated text-layer invoices: documents per
//! second through read → classify → extract → validate → store, peak memory, database size, search
//! latency over many rows, and XLSX export time. Prints figures; asserts nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use quire_engine::synthetic::{invoice_text, text_pdf};
use quire_engine::{create_job, run_job, Inputs, JobControl, JobSettings, NoEvents, RunConfig};
use quire_export::{ExportOptions, Format, Layout};
use quire_extract::test_pages::document_from_layout;
use quire_extract::{classify, extract, ExtractOptions, TemplateSet};
use quire_history::{DocumentFilter, ProcessedDocument, Store};

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct BenchBatchArgs {
    /// Documents to generate and process
    #[arg(long, default_value_t = 1000)]
    n: u64,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Extra rows stored directly (without reading PDFs) before the search benchmark, to measure search
    /// over a large history
    #[arg(long, default_value_t = 0)]
    search_rows: u64,
    /// Work folder (default: a temporary folder, removed afterwards)
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Peak resident memory of this process, in MiB (Linux; 0 elsewhere).
fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resident memory of this process now, in MiB (Linux; 0 elsewhere).
fn current_rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Starts peak resident memory over from the current value (Linux: `5` into `/proc/self/clear_refs`), so
/// the next peak is that of what follows. Best effort: elsewhere the peak stays the process's.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A memory figure of `/proc/self/status` (a line like `VmRSS:  1234 kB`), in MiB.
fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

pub fn run(global: &GlobalArgs, args: &BenchBatchArgs) -> anyhow::Result<ExitCode> {
    let temporary = tempfile::tempdir()?;
    let work = args
        .dir
        .clone()
        .unwrap_or_else(|| temporary.path().to_path_buf());
    let inbox = work.join("inbox");
    std::fs::create_dir_all(&inbox).with_context(|| inbox.display().to_string())?;
    let started = Instant::now();
    for number in 0..args.n {
        let path = inbox.join(format!("invoice-{number:06}.pdf"));
        std::fs::write(&path, text_pdf(&invoice_text(number)))
            .with_context(|| path.display().to_string())?;
    }
    println!(
        "generated {} text-layer invoices in {:.1} s",
        args.n,
        started.elapsed().as_secs_f64()
    );

    let db_path = work.join("history.db");
    let mut store = Store::open(&db_path)?;
    let templates = TemplateSet::builtin()?;
    let settings = JobSettings {
        inputs: Inputs {
            paths: vec![inbox.clone()],
            ..Default::default()
        },
        template: None,
        keep_originals: false,
        templates_dir: None,
    };
    let job_id = create_job(&mut store, "bench", &settings)?;
    let n_workers = args
        .workers
        .unwrap_or_else(crate::read_cmd::default_workers);
    let config = RunConfig {
        templates: &templates,
        reader: global.batch_reader_config(),
        n_workers,
        data_dir: None,
    };
    let started = Instant::now();
    let summary = run_job(
        &mut store,
        job_id,
        &config,
        &mut NoEvents,
        &JobControl::new(),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    store.checkpoint()?;
    println!(
        "batch: {} documents ({} completed, {} need review, {} failed) with {n_workers} worker(s) in {seconds:.1} s: {:.1} documents/s",
        summary.counts.n_total,
        summary.counts.n_completed,
        summary.counts.n_needs_review,
        summary.counts.n_failed,
        summary.counts.n_total as f64 / seconds
    );
    println!("peak RSS after the batch: {:.0} MiB", peak_rss_mib());
    println!(
        "database: {:.1} MiB ({:.1} KiB per document)",
        store.size_bytes() as f64 / 1048576.0,
        store.size_bytes() as f64 / 1024.0 / args.n.max(1) as f64
    );

    // XLSX export of the whole batch, streamed from the history a page of documents at a time.
    let rss_before_export = current_rss_mib();
    reset_peak_rss();
    let started = Instant::now();
    let xlsx = work.join("export.xlsx");
    let report = quire_export::export_from_store(
        &store,
        &DocumentFilter {
            job_id: Some(job_id),
            ..Default::default()
        },
        &templates,
        Format::Xlsx,
        &ExportOptions {
            layout: Layout::Original,
            ..Default::default()
        },
        &xlsx,
    )?;
    let total = started.elapsed().as_secs_f64();
    println!(
        "xlsx export of {} documents (streamed, pages of {}): {total:.2} s, {:.1} MiB file; resident memory {rss_before_export:.0} MiB before, peak during the export {:.0} MiB",
        report.n_documents,
        quire_export::PAGE_SIZE,
        std::fs::metadata(&xlsx).map_or(0, |m| m.len()) as f64 / 1048576.0,
        peak_rss_mib()
    );

    // More rows for search: the sample invoice stored under other numbers, without reading PDFs.
    if args.search_rows > 0 {
        let started = Instant::now();
        let paths: Vec<PathBuf> = (0..args.search_rows)
            .map(|i| PathBuf::from(format!("/synthetic/row-{i:07}.pdf")))
            .collect();
        let synthetic_job =
            store.create_job("bench search rows", &serde_json::json!({}), &paths)?;
        let pending = store.pending_documents(synthetic_job)?;
        let mut document = document_from_layout(&invoice_text(0));
        let classification = classify(&document, &templates);
        let template = templates
            .get(
                classification
                    .template_id
                    .as_deref()
                    .context("sample invoice unmatched")?,
            )
            .context("template")?;
        let mut extraction = extract(&document, template, &ExtractOptions::default())?;
        for (index, (document_id, _)) in pending.iter().enumerate() {
            let number = format!("SYN-{index:07}");
            document.content_hash = format!("synthetic-{index}");
            if let Some(field) = extraction.fields.get_mut("documentId") {
                field.value = quire_extract::Value::Text(number);
            }
            store.record_processed(
                *document_id,
                &ProcessedDocument {
                    document: &document,
                    stored_copy: None,
                    extraction: Some(&extraction),
                    unmatched_reason: None,
                    read_ms: 0,
                    extract_ms: 0,
                },
            )?;
        }
        store.checkpoint()?;
        println!(
            "stored {} extra rows in {:.1} s; database now {:.1} MiB",
            args.search_rows,
            started.elapsed().as_secs_f64(),
            store.size_bytes() as f64 / 1048576.0
        );
    }
    let n_rows = store.stats()?.n_documents;
    let mut timings = Vec::new();
    let queries = [
        "toner",
        "brightline office",
        "INV-000",
        "cartridge harlow",
        "SYN-00012",
        "nothingmatches",
    ];
    for round in 0..50u64 {
        for query in queries {
            let query = if query == "INV-000" {
                format!("INV-{:06}", round % args.n.max(1))
            } else {
                query.to_string()
            };
            let started = Instant::now();
            let rows = store.documents(&DocumentFilter {
                query: Some(query),
                limit: Some(50),
                ..Default::default()
            })?;
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(rows);
        }
    }
    let mut filtered = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let rows = store.documents(&DocumentFilter {
            supplier: Some("brightline".into()),
            validation_failed: Some(false),
            date_from: chrono::NaiveDate::from_ymd_opt(2025, 8, 1),
            limit: Some(50),
            ..Default::default()
        })?;
        filtered.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(rows);
    }
    timings.sort_by(f64::total_cmp);
    filtered.sort_by(f64::total_cmp);
    println!(
        "search over {n_rows} documents ({} queries, first 50 hits): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        timings.len(),
        percentile(&timings, 0.5),
        percentile(&timings, 0.95),
        percentile(&timings, 1.0)
    );
    println!(
        "filter (supplier + validation + date) over {n_rows} documents: p50 {:.2} ms, p95 {:.2} ms",
        percentile(&filtered, 0.5),
        percentile(&filtered, 0.95)
    );
    println!("peak RSS at the end: {:.0} MiB", peak_rss_mib());
    Ok(ExitCode::SUCCESS)
}
