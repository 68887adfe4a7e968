//! `quire process`: runs a batch over files, folders and path lists, stores everything in the history
//! database, optionally exports the result, and prints a summary. Running the same command again after a
//! crash resumes the unfinished job instead of starting over.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use quire_engine::{
    create_job, find_unfinished_job, run_job, JobControl, JobSettings, NoEvents, RunConfig,
    RunOutcome, RunSummary,
};
use quire_export::{ExportOptions, Format, Layout};
use quire_history::{DocumentFilter, Store};

use crate::history_args::{templates, DbArgs};
use crate::progress::ProgressBars;
use crate::{GlobalArgs, EXIT_FAILURES};

#[derive(Debug, clap::Args)]
pub struct ProcessArgs {
    /// Files and folders to process (folders are searched recursively)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// CSV file listing the paths to process (a `path` column, or the first column); repeatable
    #[arg(long, value_name = "CSV")]
    list: Vec<PathBuf>,
    /// Only files in folders matching this glob (e.g. '*.pdf'); repeatable
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave out files in folders matching this glob (e.g. 'archive/**'); repeatable
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Use this template for every document instead of classifying
    #[arg(long, value_name = "ID")]
    template: Option<String>,
    /// Also load the templates of this folder
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Export the job's documents when done (.xlsx, .csv, .zip or .json)
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Export every document onto one set of columns instead of one table per template
    #[arg(long)]
    unified: bool,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Do not keep a copy of each original in the data folder
    #[arg(long)]
    no_copy: bool,
    /// Always start a new job, even when an unfinished one has the same inputs
    #[arg(long)]
    new_job: bool,
    /// Print the summary as JSON (no progress bar)
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(global: &GlobalArgs, args: &ProcessArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        !args.paths.is_empty() || !args.list.is_empty(),
        "nothing to process: give files, folders or --list paths.csv"
    );
    if let Some(export) = &args.export {
        anyhow::ensure!(
            Format::from_path(export).is_some(),
            "{}: unknown export format (use .xlsx, .csv, .zip or .json)",
            export.display()
        );
    }
    let templates = templates(args.templates_dir.as_deref())?;
    if let Some(template) = &args.template {
        anyhow::ensure!(
            templates.get(template).is_some(),
            "no template named `{template}`"
        );
    }
    // Absolute paths, so the job's settings compare equal when the command is run again from elsewhere.
    let absolute =
        |paths: &[PathBuf]| -> Vec<PathBuf> { paths.iter().map(|p| absolute_path(p)).collect() };
    let settings = JobSettings {
        inputs: quire_engine::Inputs {
            paths: absolute(&args.paths),
            lists: absolute(&args.list),
            include: args.include.clone(),
            exclude: args.exclude.clone(),
        },
        template: args.template.clone(),
        keep_originals: !args.no_copy,
        templates_dir: args.templates_dir.as_deref().map(absolute_path),
    };
    let mut store = args.db.open()?;
    let resumed = if args.new_job {
        None
    } else {
        find_unfinished_job(&store, &settings)?
    };
    let job_id = match resumed {
        Some(job_id) => {
            if !args.json {
                eprintln!("resuming unfinished job {job_id} with the same inputs");
            }
            job_id
        }
        None => {
            let name = args
                .paths
                .iter()
                .chain(&args.list)
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            create_job(&mut store, &name, &settings)?
        }
    };
    let summary = run_with_progress(
        global,
        &args.db,
        &mut store,
        &templates,
        job_id,
        args.workers,
        args.json,
    )?;
    let interrupted = summary.outcome != RunOutcome::Completed;
    let export_report = match &args.export {
        Some(path) if !interrupted => {
            Some(export_job(&store, &templates, job_id, path, args.unified)?)
        }
        Some(path) => {
            eprintln!(
                "not exported to {}: the job did not finish (export it with `quire export --job {job_id}`)",
                path.display()
            );
            None
        }
        None => None,
    };
    print_summary(&store, &summary, args.json, export_report.as_ref())?;
    Ok(exit_code(&summary))
}

fn absolute_path(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Runs (or resumes) a job, with a progress bar unless `quiet`.
pub fn run_with_progress(
    global: &GlobalArgs,
    db: &DbArgs,
    store: &mut Store,
    templates: &quire_extract::TemplateSet,
    job_id: i64,
    workers: Option<usize>,
    quiet: bool,
) -> anyhow::Result<RunSummary> {
    let config = RunConfig {
        templates,
        reader: global.batch_reader_config(),
        n_workers: workers.unwrap_or(0),
        data_dir: Some(db.data_dir()?),
    };
    // The first Ctrl-C pauses the job: documents in flight finish and are stored, the rest stay queued
    // for `quire jobs resume` (a second Ctrl-C exits at once; see interrupt.rs).
    let control = JobControl::new();
    let interrupts = crate::interrupt::install();
    let for_interrupt = control.clone();
    interrupts.on_first_interrupt(move || for_interrupt.pause());
    let summary = if quiet {
        run_job(store, job_id, &config, &mut NoEvents, &control)?
    } else {
        run_job(store, job_id, &config, &mut ProgressBars::new(), &control)?
    };
    Ok(summary)
}

fn export_job(
    store: &Store,
    templates: &quire_extract::TemplateSet,
    job_id: i64,
    path: &Path,
    unified: bool,
) -> anyhow::Result<quire_export::ExportReport> {
    let format = Format::from_path(path).context("unknown export format")?;
    let filter = DocumentFilter {
        job_id: Some(job_id),
        ..Default::default()
    };
    let options = ExportOptions {
        layout: if unified {
            Layout::Unified(None)
        } else {
            Layout::Original
        },
        ..Default::default()
    };
    Ok(quire_export::export_from_store(
        store, &filter, templates, format, &options, path,
    )?)
}

/// 0 when every document was processed, 1 when some failed or the run stopped early, 130 when it was
/// stopped by Ctrl-C.
pub fn exit_code(summary: &RunSummary) -> ExitCode {
    if crate::interrupt::stop_requested() {
        ExitCode::from(crate::interrupt::EXIT_INTERRUPTED)
    } else if summary.counts.n_failed > 0 || summary.outcome != RunOutcome::Completed {
        ExitCode::from(EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    }
}

/// Warnings listed under a run's summary (all of them are in `--json`).
const MAX_WARNINGS_LISTED: usize = 10;

/// Prints how a run ended: counts, each failed file with its reason, and the rules that warned.
pub fn print_summary(
    store: &Store,
    summary: &RunSummary,
    json: bool,
    export: Option<&quire_export::ExportReport>,
) -> anyhow::Result<()> {
    let warnings = store.job_warnings(summary.job_id)?;
    if json {
        let body = serde_json::json!({
            "job": store.job(summary.job_id)?,
            "outcome": summary.outcome,
            "processed_this_run": summary.n_processed_this_run,
            "failures": summary.failures,
            "warnings": warnings,
            "export": export,
        });
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    let counts = &summary.counts;
    let outcome = match summary.outcome {
        RunOutcome::Completed => "completed",
        RunOutcome::Paused => "paused (resume with `quire jobs resume`)",
        RunOutcome::Cancelled => "cancelled",
    };
    println!("job {}: {outcome}", summary.job_id);
    println!("  documents          {}", counts.n_total);
    println!("  completed          {}", counts.n_completed);
    println!(
        "  validation failed  {}  (needs review)",
        counts.n_needs_review
    );
    println!("  unmatched          {}", counts.n_unmatched);
    println!("  duplicates         {}", counts.n_duplicate);
    println!("  failed             {}", counts.n_failed);
    if counts.n_pending() > 0 {
        println!("  not yet processed  {}", counts.n_pending());
    }
    let mut warned: Vec<i64> = warnings.iter().map(|w| w.document_id).collect();
    warned.dedup();
    if !warned.is_empty() {
        println!(
            "  with warnings      {}  (valid; worth a look: quire history list --with-warnings --job {})",
            warned.len(),
            summary.job_id
        );
    }
    if !summary.failures.is_empty() {
        println!("failed files:");
        for failure in &summary.failures {
            println!("  [{}] {}", failure.code, failure.message);
        }
    }
    if !warnings.is_empty() {
        println!("warnings:");
        for warning in warnings.iter().take(MAX_WARNINGS_LISTED) {
            println!(
                "  {} {}: {}: {}",
                warning.document_id, warning.file_name, warning.rule_name, warning.message
            );
        }
        if warnings.len() > MAX_WARNINGS_LISTED {
            println!(
                "  … and {} more (quire process --json lists them all)",
                warnings.len() - MAX_WARNINGS_LISTED
            );
        }
    }
    if let Some(export) = export {
        println!(
            "exported {} documents to {}",
            export.n_documents,
            export.path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn every_command_s_arguments_are_consistent() {
        crate::Cli::command().debug_assert();
    }

    #[test]
    fn process_export_and_history_arguments_parse() {
        use clap::Parser;
        for line in [
            "quire process a.pdf folder --export out.xlsx --workers 2 --list paths.csv --json --db x.db",
            "quire export --job 3 --format csv --lines --unified --delimiter ; --decimal-comma --bom",
            "quire export --query toner --format xlsx --unified generic-invoice -o x.xlsx",
            "quire history search toner --status completed --from 2025-01-01 --validation-failed",
            "quire history edit 5 totalAmount 12.50 --by alice",
            "quire jobs resume 2 --workers 1",
            "quire stats --json",
        ] {
            let parsed = crate::Cli::try_parse_from(line.split_whitespace());
            assert!(parsed.is_ok(), "{line}: {}", parsed.unwrap_err());
        }
    }
}
