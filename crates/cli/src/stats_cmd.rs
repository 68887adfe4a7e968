//! `quire stats`: statistics over the history (documents by status and template, pages, failure reasons,
//! time spent).

use std::process::ExitCode;

use crate::history_args::DbArgs;

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open()?;
    let stats = store.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} documents in {} jobs, {} pages",
        stats.n_documents, stats.n_jobs, stats.n_pages
    );
    println!("by status:");
    for (status, n) in &stats.by_status {
        println!("  {status:<14} {n}");
    }
    println!("by template:");
    for (template, n) in &stats.by_template {
        println!("  {template:<24} {n}");
    }
    if !stats.failure_reasons.is_empty() {
        println!("failure reasons:");
        for (code, n) in &stats.failure_reasons {
            println!("  {code:<24} {n}");
        }
    }
    println!("validation failed: {}", stats.n_validation_failed);
    println!("corrections: {}", stats.n_corrections);
    println!(
        "time spent: reading {:.1} s, extracting {:.1} s",
        stats.read_ms as f64 / 1000.0,
        stats.extract_ms as f64 / 1000.0
    );
    println!("database: {} bytes", store.size_bytes());
    Ok(ExitCode::SUCCESS)
}
