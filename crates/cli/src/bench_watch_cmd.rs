//! `quire bench watch`: hot-folder latency, from the moment a text-layer PDF's last byte is written into a
//! watched folder to the moment its result (document and ledger outcome) is in history, with a chosen settle
//! interval (default: the default one). Files are dropped one at a time, each after the previous one is
//! finished, so each figure is one file's own latency. Prints figures; asserts nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use quire_engine::synthetic::{invoice_text, text_pdf};
use quire_engine::{JobControl, RunConfig};
use quire_extract::TemplateSet;
use quire_history::Store;
use quire_watch::{FolderRequest, WatchEvent, WatchOptions};

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct BenchWatchArgs {
    /// Files to drop, one after another
    #[arg(long, default_value_t = 20)]
    n: u64,
    /// Settle interval in milliseconds
    #[arg(long, value_name = "N", default_value_t = quire_watch::DEFAULT_SETTLE_MS)]
    settle_ms: u64,
    /// Poll the folder instead of using native notifications
    #[arg(long)]
    poll: bool,
    /// Polling interval in milliseconds (with --poll)
    #[arg(long, value_name = "N", default_value_t = quire_watch::DEFAULT_POLL_INTERVAL_MS)]
    poll_ms: u64,
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn millis(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

pub fn run(global: &GlobalArgs, args: &BenchWatchArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.n > 0, "--n must be at least 1");
    let work = tempfile::tempdir().context("creating a work folder")?;
    let inbox = work.path().join("inbox");
    std::fs::create_dir(&inbox)?;
    let db = work.path().join("history.db");
    let templates = TemplateSet::builtin().context("loading the built-in templates")?;
    {
        let store = Store::open(&db)?;
        quire_watch::add_folder(
            &store,
            &templates,
            &FolderRequest {
                folder: inbox.clone(),
                move_to: Some(work.path().join("out")),
                polling: args.poll,
                poll_interval_ms: Some(args.poll_ms),
                settle_ms: Some(args.settle_ms),
                ..Default::default()
            },
        )?;
    }
    let control = JobControl::new();
    let (finished_sender, finished) = mpsc::channel::<(PathBuf, String, Instant)>();
    let (ready_sender, ready) = mpsc::channel::<()>();
    let watcher = {
        let (db, data_dir, control) = (db.clone(), work.path().to_path_buf(), control.clone());
        let reader = global.batch_reader_config();
        std::thread::spawn(move || -> anyhow::Result<()> {
            let templates = TemplateSet::builtin()?;
            let mut store = Store::open(&db)?;
            let config = RunConfig {
                templates: &templates,
                reader,
                n_workers: 0,
                data_dir: Some(data_dir),
            };
            let mut sink = |event: &WatchEvent| match event {
                WatchEvent::Watching { .. } => {
                    let _ = ready_sender.send(());
                }
                WatchEvent::Finished { path, outcome, .. } => {
                    let _ = finished_sender.send((path.clone(), outcome.clone(), Instant::now()));
                }
                _ => {}
            };
            quire_watch::watch(
                &mut store,
                &config,
                &WatchOptions::default(),
                &mut sink,
                &control,
            )?;
            Ok(())
        })
    };
    ready
        .recv_timeout(Duration::from_secs(60))
        .context("the watcher did not start")?;
    println!(
        "quire {} hot-folder latency: {} text-layer invoices, settle {} ms, {}",
        env!("CARGO_PKG_VERSION"),
        args.n,
        args.settle_ms,
        if args.poll {
            format!("polling every {} ms", args.poll_ms)
        } else {
            "native notifications".to_string()
        }
    );
    let mut latencies = Vec::new();
    for number in 0..args.n {
        let bytes = text_pdf(&invoice_text(10_000 + number));
        let path = inbox.join(format!("inv-{number:04}.pdf"));
        std::fs::write(&path, &bytes)?;
        let written = Instant::now();
        let (finished_path, outcome, at) = finished
            .recv_timeout(Duration::from_secs(120))
            .with_context(|| format!("{} was not processed in 120 s", path.display()))?;
        anyhow::ensure!(
            finished_path == path,
            "unexpected file {}",
            finished_path.display()
        );
        anyhow::ensure!(
            outcome == "completed",
            "{}: {outcome}",
            finished_path.display()
        );
        latencies.push(at.duration_since(written));
    }
    control.pause();
    watcher
        .join()
        .map_err(|_| anyhow::anyhow!("the watcher thread panicked"))??;
    latencies.sort();
    let settle = Duration::from_millis(args.settle_ms);
    let over = |latency: Duration| latency.saturating_sub(settle);
    let (median, p95, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        latencies[latencies.len() - 1],
    );
    println!("last write -> result in history:");
    println!(
        "  median {}  p95 {}  max {}  min {}",
        millis(median),
        millis(p95),
        millis(max),
        millis(latencies[0])
    );
    println!(
        "  beyond the settle interval: median {}  p95 {}  max {}",
        millis(over(median)),
        millis(over(p95)),
        millis(over(max))
    );
    Ok(ExitCode::SUCCESS)
}
