//! `quire templates`: lists, shows and checks templates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use quire_extract::Template;
use serde::Serialize;

use crate::extract_cmd::load_templates;

#[derive(Debug, clap::Subcommand)]
pub enum TemplatesCommand {
    /// List the templates (built-in and ./templates or --templates-dir)
    List(ListArgs),
    /// Print one template as JSON
    Show(ShowArgs),
    /// Check template files against the schema; errors name the file, the line and the field
    Check(CheckArgs),
    /// Convert invoice2data templates (YAML/JSON) into Quire templates, reporting what could not be converted
    ImportInvoice2data(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// invoice2data template files (.yml, .yaml, .json)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Folder the converted templates are written to (one `<id>.json` each)
    #[arg(long, value_name = "DIR", default_value = "templates")]
    out: PathBuf,
    /// Print JSON: one `{path, ok, template_id, written_to, not_converted | error}` per file
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ImportResult {
    path: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    written_to: Option<String>,
    not_converted: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Folder of templates added to the built-in ones (default: ./templates when it exists)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Template id or name
    #[arg(value_name = "NAME")]
    name: String,
    /// Folder of templates added to the built-in ones (default: ./templates when it exists)
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Template files to check
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON: one `{path, ok, error}` per file
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct TemplateSummary<'a> {
    id: &'a str,
    version: u32,
    name: &'a str,
    document_type: &'a str,
    n_fields: usize,
    n_columns: usize,
    n_rules: usize,
}

#[derive(Serialize)]
struct CheckResult {
    path: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(command: &TemplatesCommand) -> anyhow::Result<ExitCode> {
    match command {
        TemplatesCommand::ImportInvoice2data(args) => import_invoice2data(args),
        TemplatesCommand::List(args) => {
            let set = load_templates(args.templates_dir.as_deref())?;
            let summaries: Vec<TemplateSummary> = set
                .templates()
                .iter()
                .map(|t| TemplateSummary {
                    id: &t.id,
                    version: t.version,
                    name: &t.name,
                    document_type: &t.document_type,
                    n_fields: t.schema_definition.general_part.len(),
                    n_columns: t.schema_definition.table_part.len(),
                    n_rules: t.validation_rules.rules.len(),
                })
                .collect();
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summaries)?);
            } else {
                for s in &summaries {
                    println!(
                        "{:<28} v{:<3} {:<16} {:<24} {} fields, {} columns, {} rules",
                        s.id,
                        s.version,
                        s.document_type,
                        s.name,
                        s.n_fields,
                        s.n_columns,
                        s.n_rules
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TemplatesCommand::Show(args) => {
            let set = load_templates(args.templates_dir.as_deref())?;
            let template = set
                .get(&args.name)
                .ok_or_else(|| quire_extract::ExtractError::UnknownTemplate(args.name.clone()))?;
            println!("{}", template.to_json_string());
            Ok(ExitCode::SUCCESS)
        }
        TemplatesCommand::Check(args) => {
            let results: Vec<CheckResult> = args
                .files
                .iter()
                .map(|path| match Template::from_path(path) {
                    Ok(_) => CheckResult {
                        path: path.display().to_string(),
                        ok: true,
                        code: None,
                        error: None,
                    },
                    Err(error) => CheckResult {
                        path: path.display().to_string(),
                        ok: false,
                        code: Some(error.code()),
                        error: Some(error.to_string()),
                    },
                })
                .collect();
            let n_failed = results.iter().filter(|r| !r.ok).count();
            if args.json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                for result in &results {
                    match &result.error {
                        None => println!("ok    {}", result.path),
                        Some(error) => {
                            println!("error [{}]: {error}", result.code.unwrap_or("template"))
                        }
                    }
                }
            }
            Ok(if n_failed > 0 {
                ExitCode::from(crate::EXIT_FAILURES)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn import_invoice2data(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.out)?;
    let mut results = Vec::new();
    let mut used_ids = std::collections::BTreeSet::new();
    for path in &args.files {
        let result = match quire_extract::invoice2data::convert_file(path) {
            Ok(mut conversion) => {
                // Two folders may hold a file of the same name (fr/com.amazon.aws.yml and
                // com/com.amazon.aws.yml): the second gets its folder in the id instead of overwriting.
                if used_ids.contains(&conversion.template.id) {
                    let folder = path
                        .parent()
                        .and_then(Path::file_name)
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    let renamed = conversion.template.id.replacen(
                        "invoice2data-",
                        &format!("invoice2data-{folder}-"),
                        1,
                    );
                    conversion.not_converted.push(format!(
                        "id `{}` is taken by an earlier file of this import: imported as `{renamed}`",
                        conversion.template.id
                    ));
                    conversion.template.id = renamed;
                }
                used_ids.insert(conversion.template.id.clone());
                let target = args.out.join(format!("{}.json", conversion.template.id));
                match std::fs::write(&target, conversion.template.to_json_string() + "\n") {
                    Ok(()) => ImportResult {
                        path: path.display().to_string(),
                        ok: true,
                        template_id: Some(conversion.template.id.clone()),
                        written_to: Some(target.display().to_string()),
                        not_converted: conversion.not_converted,
                        code: None,
                        error: None,
                    },
                    Err(error) => ImportResult {
                        path: path.display().to_string(),
                        ok: false,
                        template_id: Some(conversion.template.id.clone()),
                        written_to: None,
                        not_converted: conversion.not_converted,
                        code: Some("io"),
                        error: Some(format!("{}: {error}", target.display())),
                    },
                }
            }
            Err(error) => ImportResult {
                path: path.display().to_string(),
                ok: false,
                template_id: None,
                written_to: None,
                not_converted: Vec::new(),
                code: Some(error.code()),
                error: Some(error.to_string()),
            },
        };
        results.push(result);
    }
    let n_failed = results.iter().filter(|r| !r.ok).count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for result in &results {
            match (&result.written_to, &result.error) {
                (Some(target), _) => println!("ok    {} -> {target}", result.path),
                (None, Some(error)) => {
                    println!("error [{}]: {error}", result.code.unwrap_or("template"))
                }
                (None, None) => {}
            }
            for note in &result.not_converted {
                println!("      not converted: {note}");
            }
        }
        let n_notes: usize = results.iter().map(|r| r.not_converted.len()).sum();
        eprintln!(
            "converted {} of {} templates ({} parts not converted)",
            results.len() - n_failed,
            results.len(),
            n_notes
        );
    }
    Ok(if n_failed > 0 {
        ExitCode::from(crate::EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    })
}
