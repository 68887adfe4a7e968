//! `quire export`: exports a job's documents, or the documents matching a search and filters, as CSV,
//! XLSX or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use quire_export::{CsvOptions, ExportOptions, Format, Layout};

use crate::history_args::{templates, DbArgs, FilterArgs};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Export the documents matching this search
    #[arg(long, value_name = "QUERY")]
    query: Option<String>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Output format (default: from the output file's extension)
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Output file (default: quire-export[-job-N][-lines].<format> in the current folder, numbered so
    /// that no earlier export is overwritten)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// CSV: one row per line item (header fields repeated) instead of one row per document
    #[arg(long)]
    lines: bool,
    /// One table for every document, on the columns of this template (or of all templates present)
    #[arg(long, value_name = "TEMPLATE", num_args = 0..=1, default_missing_value = "")]
    unified: Option<String>,
    /// CSV delimiter
    #[arg(long, default_value = ",")]
    delimiter: char,
    /// CSV: write decimals with a comma
    #[arg(long)]
    decimal_comma: bool,
    /// CSV: start with a byte-order mark (for Excel)
    #[arg(long)]
    bom: bool,
    /// Also load the templates of this folder
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Print what was written as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(FormatArg::Csv), _) => Format::Csv,
        (Some(FormatArg::Xlsx), _) => Format::Xlsx,
        (Some(FormatArg::Json), _) => Format::Json,
        (None, Some(path)) => Format::from_path(path).with_context(|| {
            format!(
                "{}: cannot tell the format from the extension: pass --format",
                path.display()
            )
        })?,
        // A spreadsheet is what most people export to.
        (None, None) => Format::Xlsx,
    };
    anyhow::ensure!(
        args.delimiter.is_ascii(),
        "the delimiter must be one ASCII character"
    );
    let output = match &args.output {
        Some(path) => path.clone(),
        None => default_output(format, args.filter.job, args.lines),
    };
    let store = args.db.open()?;
    // `--job ID` is one of the filters.
    let filter = args.filter.filter(args.query.as_deref(), None)?;
    let templates = templates(args.templates_dir.as_deref())?;
    let options = ExportOptions {
        layout: match &args.unified {
            Some(template) if template.is_empty() => Layout::Unified(None),
            Some(template) => Layout::Unified(Some(template.clone())),
            None => Layout::Original,
        },
        lines: args.lines,
        csv: CsvOptions {
            delimiter: args.delimiter as u8,
            decimal_separator: if args.decimal_comma { ',' } else { '.' },
            bom: args.bom,
        },
    };
    // XLSX streams from the history a page of documents at a time.
    let report =
        quire_export::export_from_store(&store, &filter, &templates, format, &options, &output)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "exported {} document(s) to {}{}",
            report.n_documents,
            report.path.display(),
            if report.files.len() > 1 {
                format!(" ({})", report.files.join(", "))
            } else {
                String::new()
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The default output file: named after the job (and `lines` for line-item CSVs), in the current folder,
/// numbered (`quire-export-job-3 (2).xlsx`) rather than overwriting an earlier export.
fn default_output(format: Format, job: Option<i64>, lines: bool) -> PathBuf {
    let extension = match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
        Format::Json => "json",
    };
    let mut stem = String::from("quire-export");
    if let Some(job) = job {
        stem.push_str(&format!("-job-{job}"));
    }
    if lines && format == Format::Csv {
        stem.push_str("-lines");
    }
    let mut candidate = PathBuf::from(format!("{stem}.{extension}"));
    let mut n = 2;
    // A CSV export of several templates becomes a .zip beside the asked-for name.
    while candidate.exists() || (format == Format::Csv && candidate.with_extension("zip").exists())
    {
        candidate = PathBuf::from(format!("{stem} ({n}).{extension}"));
        n += 1;
    }
    candidate
}
