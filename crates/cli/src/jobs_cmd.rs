//! `quire jobs`: list jobs, show one, and pause, resume or cancel a job.

use std::process::ExitCode;

use quire_history::JobStatus;

use crate::history_args::{templates, DbArgs};
use crate::process_cmd::{exit_code, print_summary, run_with_progress};
use crate::GlobalArgs;

#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first
    List(JobsListArgs),
    /// Show a job's status, counts and failed files
    Show(JobArgs),
    /// Ask a running job to stop after the documents in hand (resume later)
    Pause(JobArgs),
    /// Process the rest of a paused or interrupted job
    Resume(JobResumeArgs),
    /// Stop a job for good (its unprocessed documents stay queued)
    Cancel(JobArgs),
}

#[derive(Debug, clap::Args)]
pub struct JobsListArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct JobArgs {
    /// Job id
    id: i64,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct JobResumeArgs {
    #[command(flatten)]
    job: JobArgs,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Load templates from this folder instead of the one the job was started with
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<std::path::PathBuf>,
}

pub fn run(global: &GlobalArgs, command: &JobsCommand) -> anyhow::Result<ExitCode> {
    match command {
        JobsCommand::List(args) => {
            let store = args.db.open()?;
            let jobs = store.jobs()?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&jobs)?);
            } else {
                println!(
                    "{:>5}  {:<10} {:>6} {:>6} {:>6} {:>6}  {:<24} name",
                    "id", "status", "total", "done", "review", "failed", "created"
                );
                for job in jobs {
                    println!(
                        "{:>5}  {:<10} {:>6} {:>6} {:>6} {:>6}  {:<24} {}",
                        job.id,
                        job.status.as_str(),
                        job.counts.n_total,
                        job.counts.n_done(),
                        job.counts.n_needs_review,
                        job.counts.n_failed,
                        job.created_at,
                        job.name
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Show(args) => {
            let store = args.db.open()?;
            let job = store.job(args.id)?;
            let failures = quire_engine::failures(&store, args.id)?;
            if args.json {
                let body = serde_json::json!({ "job": job, "failures": failures });
                println!("{}", serde_json::to_string_pretty(&body)?);
            } else {
                println!("job {} ({}): {}", job.id, job.name, job.status.as_str());
                println!("  created {}, updated {}", job.created_at, job.updated_at);
                let c = &job.counts;
                println!(
                    "  {} documents: {} completed, {} need review, {} unmatched, {} duplicates, {} failed, {} pending",
                    c.n_total, c.n_completed, c.n_needs_review, c.n_unmatched, c.n_duplicate, c.n_failed, c.n_pending()
                );
                for failure in failures {
                    println!("  [{}] {}", failure.code, failure.message);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Pause(args) => set_status(args, JobStatus::Paused),
        JobsCommand::Cancel(args) => set_status(args, JobStatus::Cancelled),
        JobsCommand::Resume(args) => {
            let mut store = args.job.db.open()?;
            // The job's own templates folder unless another is given.
            let settings = quire_engine::job_settings(&store, args.job.id)?;
            let templates_dir = args.templates_dir.clone().or(settings.templates_dir);
            let templates = templates(templates_dir.as_deref())?;
            let summary = run_with_progress(
                global,
                &args.job.db,
                &mut store,
                &templates,
                args.job.id,
                args.workers,
                args.job.json,
            )?;
            print_summary(&store, &summary, args.job.json, None)?;
            Ok(exit_code(&summary))
        }
    }
}

fn set_status(args: &JobArgs, status: JobStatus) -> anyhow::Result<ExitCode> {
    let store = args.db.open()?;
    let current = store.job_status(args.id)?;
    anyhow::ensure!(
        !matches!(current, JobStatus::Completed | JobStatus::Cancelled),
        "job {} is already {}",
        args.id,
        current.as_str()
    );
    store.set_job_status(args.id, status)?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "job_id": args.id, "status": status })
        );
    } else {
        println!("job {}: {}", args.id, status.as_str());
    }
    Ok(ExitCode::SUCCESS)
}
