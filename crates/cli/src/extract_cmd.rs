//! `quire extract`: reads documents, chooses each one's template (or uses the one given), extracts header
//! fields with provenance and line items, runs the validation rules, and prints the result.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use quire_extract::check_ledger::CheckLedger;
use quire_extract::classify::chosen;
use quire_extract::{
    classify, extract, Classification, ExtractOptions, Extraction, Template, TemplateSet,
};
use quire_reader::Reader;
use serde::Serialize;

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Files to extract (PDF, PNG, JPEG, TIFF, BMP, WebP)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Template id or name, or a path to a template JSON file (default: chosen by classification)
    #[arg(long, value_name = "NAME|PATH")]
    template: Option<String>,
    /// Folder of templates added to the built-in ones (default: ./templates when it exists)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Do not read embedded e-invoice XML (Factur-X / ZUGFeRD / XRechnung): extract from the text only
    #[arg(long)]
    no_einvoice: bool,
    /// Print JSON: an array with one `{path, ok, classification, extraction | error}` per file
    #[arg(long)]
    json: bool,
}

/// One file's outcome, as printed by `--json`.
#[derive(Serialize)]
pub(crate) struct FileResult {
    path: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    classification: Option<Classification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) extraction: Option<Extraction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<ErrorJson>,
}

#[derive(Serialize)]
pub(crate) struct ErrorJson {
    code: &'static str,
    pub(crate) message: String,
}

/// The built-in templates plus those of `dir` (or ./templates when present); files that fail to load are
/// reported on stderr and skipped.
pub fn load_templates(dir: Option<&Path>) -> anyhow::Result<TemplateSet> {
    let mut set = TemplateSet::builtin().context("built-in templates")?;
    let default_dir = Path::new("templates");
    let dir = match dir {
        Some(dir) => Some(dir),
        None => default_dir.is_dir().then_some(default_dir),
    };
    if let Some(dir) = dir {
        for problem in add_template_dir(&mut set, dir)? {
            eprintln!("warning [{}]: {problem}", problem.code());
        }
    }
    Ok(set)
}

/// Adds a folder's templates to `set`, checking only those this build of quire has not checked before
/// (`quire_extract::check_ledger`; the ledger lives in the user's cache folder, `~/.cache/quire`).
pub fn add_template_dir(
    set: &mut TemplateSet,
    dir: &Path,
) -> quire_extract::Result<Vec<quire_extract::ExtractError>> {
    let Some(cache) = dirs::cache_dir() else {
        return set.add_dir(dir);
    };
    let mut ledger = CheckLedger::open(&cache.join("quire").join("checked-templates"));
    let problems = set.add_dir_with(dir, &mut ledger)?;
    // Not saved: the templates are checked again next time.
    let _ = ledger.save();
    Ok(problems)
}

/// The explicitly chosen template: a path to a JSON file, or an id or name in the set.
fn explicit_template(name: &str, set: &TemplateSet) -> anyhow::Result<Template> {
    let path = Path::new(name);
    if name.ends_with(".json") || path.is_file() {
        return Ok(Template::from_path(path)?);
    }
    set.get(name)
        .cloned()
        .ok_or_else(|| quire_extract::ExtractError::UnknownTemplate(name.to_string()).into())
}

pub fn run(global: &GlobalArgs, args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let set = load_templates(args.templates_dir.as_deref())?;
    let explicit = args
        .template
        .as_deref()
        .map(|name| explicit_template(name, &set))
        .transpose()?;
    let mut reader = Reader::new(global.reader_config());
    let mut results = Vec::new();
    let mut n_failed = 0;
    for path in &args.files {
        let options = ExtractOptions {
            e_invoice: !args.no_einvoice,
            ..ExtractOptions::default()
        };
        let outcome = extract_one(&mut reader, path, &set, explicit.as_ref(), &options);
        if outcome.error.is_some() {
            n_failed += 1;
        }
        if args.json {
            results.push(outcome);
        } else {
            print_human(&outcome);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(if n_failed > 0 {
        ExitCode::from(crate::EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads one file, classifies it (unless a template is given), extracts and validates.
pub(crate) fn extract_one(
    reader: &mut Reader,
    path: &Path,
    set: &TemplateSet,
    explicit: Option<&Template>,
    options: &ExtractOptions<'_>,
) -> FileResult {
    let failed = |code: &'static str, message: String| FileResult {
        path: path.display().to_string(),
        ok: false,
        classification: None,
        extraction: None,
        error: Some(ErrorJson { code, message }),
    };
    let document = match reader.read_path(path) {
        Ok(document) => document,
        Err(error) => return failed(error.code(), error.to_string()),
    };
    let classification = match explicit {
        Some(template) => chosen(template),
        None => classify(&document, set),
    };
    let template = match (explicit, classification.template_id.as_deref()) {
        (Some(template), _) => template,
        (None, Some(id)) => match set.get(id) {
            Some(template) => template,
            None => return failed("unknown_template", format!("no template named `{id}`")),
        },
        (None, None) => {
            // Unmatched is an outcome, not a failure: reported with its reason.
            return FileResult {
                path: path.display().to_string(),
                ok: true,
                classification: Some(classification),
                extraction: None,
                error: None,
            };
        }
    };
    match extract(&document, template, options) {
        Ok(mut extraction) => {
            extraction.classification = Some(classification.clone());
            FileResult {
                path: path.display().to_string(),
                ok: true,
                classification: Some(classification),
                extraction: Some(extraction),
                error: None,
            }
        }
        Err(error) => failed(error.code(), format!("{}: {error}", path.display())),
    }
}

fn print_human(outcome: &FileResult) {
    if let Some(error) = &outcome.error {
        eprintln!("error [{}]: {}", error.code, error.message);
        return;
    }
    let Some(classification) = &outcome.classification else {
        return;
    };
    let Some(extraction) = &outcome.extraction else {
        println!("== {}: unmatched: {}", outcome.path, classification.reason);
        return;
    };
    println!(
        "== {}: template {} v{} ({}), {}, read from {}",
        outcome.path,
        extraction.template_id,
        extraction.template_version,
        classification.reason,
        if extraction.is_valid {
            "valid"
        } else {
            "INVALID"
        },
        match extraction.source {
            quire_extract::ExtractionSource::Text => "the text",
            quire_extract::ExtractionSource::EInvoice => "the embedded e-invoice XML",
        }
    );
    if let Some(error) = &extraction.e_invoice_error {
        println!("  embedded e-invoice not used: {error}");
    }
    for disagreement in &extraction.cross_check {
        println!(
            "  cross-check: {} is {} in the XML but {} in the text",
            disagreement.field,
            disagreement.e_invoice,
            disagreement.text.as_deref().unwrap_or("absent")
        );
    }
    for (key, field) in &extraction.fields {
        let origin = match &field.provenance {
            Some(p) => format!(
                "page {}, {:?}{}, confidence {:.0}",
                p.page,
                field.method,
                field
                    .label
                    .as_deref()
                    .map_or(String::new(), |l| format!(" `{l}`")),
                p.confidence
            ),
            None => format!("{:?}", field.method),
        };
        println!(
            "  {key:<20} {:<36} ({origin})",
            field.value.normalized_string()
        );
    }
    if !extraction.table_items.is_empty() {
        println!("  line items: {}", extraction.table_items.len());
        for (index, row) in extraction.table_items.iter().enumerate() {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|(key, cell)| format!("{key}={}", cell.value.normalized_string()))
                .collect();
            println!("    {:>3}  {}", index + 1, cells.join("  "));
        }
    }
    println!("  rules:");
    for result in &extraction.validation {
        let status = match result.status {
            quire_extract::RuleStatus::Pass => "pass",
            quire_extract::RuleStatus::Fail => "FAIL",
            quire_extract::RuleStatus::Warn => "warn",
            quire_extract::RuleStatus::Skipped => "skip",
        };
        println!("    {status:<5} {}: {}", result.rule_name, result.message);
    }
}
