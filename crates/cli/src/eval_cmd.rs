//! `quire eval`: measures extraction accuracy on a corpus with ground truth (sample-docs, zugferd, sroie,
//! invoices9, invoice2data) and prints per-field accuracy, line-item precision / recall / F1, validation
//! outcomes and time per document; thresholds make it fail for CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use quire_document::Document;
use quire_extract::eval::{
    discover, run_case, score_prediction, summarize, CaseResult, Corpus, EvalCase, Prediction,
    ReadError, Summary,
};
use quire_reader::Reader;
use serde::Serialize;

use crate::extract_cmd::load_templates;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Corpus folder (its layout is recognised: sample-docs, zugferd, sroie, invoices9, invoice2data)
    #[arg(long, value_name = "DIR")]
    corpus: PathBuf,
    /// Folder of templates added to the built-in ones (default: ./templates when it exists)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Only documents whose path (relative to the corpus) contains this text
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Print every document's outcome, not only the summary
    #[arg(long)]
    verbose: bool,
    /// Print JSON: the summary and every document's outcome
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when field accuracy (0–1) is below this
    #[arg(long, value_name = "RATIO")]
    min_field_accuracy: Option<f64>,
    /// Exit with status 1 when line-item F1 (0–1) is below this
    #[arg(long, value_name = "RATIO")]
    min_item_f1: Option<f64>,
    /// Score another tool's output instead of extracting: a JSON object from document file name to
    /// `{fields: {key: value}, line_items: [{column: value}]}` (or null for no result). Only the
    /// documents it names are scored, by the same comparison rules as Quire's extractions.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    corpus: String,
    kind: &'static str,
    summary: &'a Summary,
    /// Summaries by rendering (text layer / scan) when the corpus records it.
    by_rendering: Vec<(String, Summary)>,
    documents: &'a [CaseResult],
}

pub fn run(global: &GlobalArgs, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let templates = load_templates(args.templates_dir.as_deref())?;
    let (mut corpus, problems) = discover(&args.corpus)?;
    for problem in &problems {
        eprintln!("warning [{}]: {problem}", problem.code());
    }
    if let Some(filter) = &args.filter {
        corpus
            .cases
            .retain(|case| case.name.contains(filter.as_str()));
    }
    let results = match &args.predictions {
        Some(path) => score_predictions(&mut corpus, path)?,
        None => extract_and_score(global, &corpus, &templates),
    };
    report(args, &corpus, &results)
}

/// Scores the predictions of `path` against the cases they name (by file name), dropping the others.
fn score_predictions(corpus: &mut Corpus, path: &Path) -> anyhow::Result<Vec<CaseResult>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read predictions {}", path.display()))?;
    let predictions: BTreeMap<String, Option<Prediction>> = serde_json::from_str(&text)
        .with_context(|| format!("invalid predictions file {}", path.display()))?;
    let file_name = |case: &EvalCase| {
        Path::new(&case.name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    corpus
        .cases
        .retain(|case| predictions.contains_key(&file_name(case)));
    for name in predictions.keys() {
        if !corpus.cases.iter().any(|case| &file_name(case) == name) {
            eprintln!("warning [no_ground_truth]: {name}: no document of the corpus has this name");
        }
    }
    Ok(corpus
        .cases
        .iter()
        .map(|case| {
            let prediction = predictions.get(&file_name(case)).and_then(Option::as_ref);
            score_prediction(case, prediction)
        })
        .collect())
}

/// Reads, classifies, extracts and scores every case.
fn extract_and_score(
    global: &GlobalArgs,
    corpus: &Corpus,
    templates: &quire_extract::TemplateSet,
) -> Vec<CaseResult> {
    let mut reader = Reader::new(global.reader_config());
    // invoice2data's compare set also feeds plain text (its `.txt` inputs): read as layout text.
    let mut read = |path: &Path| -> Result<Document, ReadError> {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        {
            let text = std::fs::read_to_string(path)?;
            return Ok(quire_extract::test_pages::document_from_layout(&text));
        }
        Ok(reader.read_path(path)?)
    };
    let mut results = Vec::with_capacity(corpus.cases.len());
    for (index, case) in corpus.cases.iter().enumerate() {
        eprint!("\r{}/{} {}\x1b[K", index + 1, corpus.cases.len(), case.name);
        results.push(run_case(corpus.kind, case, templates, &mut read));
    }
    eprintln!();
    results
}

fn report(args: &EvalArgs, corpus: &Corpus, results: &[CaseResult]) -> anyhow::Result<ExitCode> {
    let results = results.to_vec();
    let summary = summarize(&results);
    let mut renderings: Vec<String> = results.iter().filter_map(|r| r.rendering.clone()).collect();
    renderings.sort();
    renderings.dedup();
    let by_rendering: Vec<(String, Summary)> = renderings
        .into_iter()
        .map(|rendering| {
            let subset: Vec<CaseResult> = results
                .iter()
                .filter(|r| r.rendering.as_deref() == Some(rendering.as_str()))
                .cloned()
                .collect();
            (rendering, summarize(&subset))
        })
        .collect();
    if args.json {
        let report = Report {
            corpus: args.corpus.display().to_string(),
            kind: corpus.kind.as_str(),
            summary: &summary,
            by_rendering,
            documents: &results,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if args.verbose {
            for result in &results {
                print_case(result);
            }
        }
        println!(
            "corpus {} ({})",
            args.corpus.display(),
            corpus.kind.as_str()
        );
        print_summary("all", &summary);
        if by_rendering.len() > 1 {
            for (rendering, subset) in &by_rendering {
                print_summary(rendering, subset);
            }
        }
        println!("per field:");
        for field in &summary.per_field {
            println!(
                "  {:<20} {:>4}/{:<4} {:>5.1}%",
                field.field,
                field.n_correct,
                field.n_expected,
                100.0 * field.accuracy
            );
        }
    }
    let mut below = Vec::new();
    if let Some(min) = args.min_field_accuracy {
        if summary.field_accuracy < min {
            below.push(format!(
                "field accuracy {:.3} < {min}",
                summary.field_accuracy
            ));
        }
    }
    if let Some(min) = args.min_item_f1 {
        if summary.item_f1 < min {
            below.push(format!("line-item F1 {:.3} < {min}", summary.item_f1));
        }
    }
    if !below.is_empty() {
        eprintln!("error [below_threshold]: {}", below.join("; "));
        return Ok(ExitCode::from(crate::EXIT_FAILURES));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(label: &str, summary: &Summary) {
    println!(
        "{label}: {} docs ({} errors), fields {}/{} = {:.1}%, line items P {:.3} R {:.3} F1 {:.3}, valid {}/{}, \
         classified {}/{}, {:.0} ms read + {:.0} ms extract per doc",
        summary.n_docs,
        summary.n_errors,
        summary.n_fields_correct,
        summary.n_fields,
        100.0 * summary.field_accuracy,
        summary.item_precision,
        summary.item_recall,
        summary.item_f1,
        summary.n_valid,
        summary.n_docs,
        summary.n_classified_correctly,
        summary.n_classification_checked,
        summary.mean_read_ms,
        summary.mean_extract_ms
    );
}

fn print_case(result: &CaseResult) {
    let n_correct = result.fields.iter().filter(|f| f.correct).count();
    println!(
        "{}: template {}, fields {}/{}, items {}/{} of {}{}",
        result.name,
        result.template_id.as_deref().unwrap_or("-"),
        n_correct,
        result.fields.len(),
        result.n_matched_items,
        result.n_extracted_items,
        result.n_expected_items,
        result
            .error
            .as_deref()
            .map_or(String::new(), |e| format!(", error: {e}"))
    );
    for field in result.fields.iter().filter(|f| !f.correct) {
        println!(
            "    {:<20} expected {:?}, got {:?}",
            field.field, field.expected, field.extracted
        );
    }
}
