//! `quire history`: list, show, search, edit and delete processed documents.

use std::process::ExitCode;

use quire_history::{DocumentRow, FieldEdit};

use crate::history_args::{templates, DbArgs, FilterArgs};

#[derive(Debug, clap::Subcommand)]
pub enum HistoryCommand {
    /// List documents, newest first
    List(HistoryListArgs),
    /// Show one document: status, error, extracted fields, line items, validation, corrections
    Show(HistoryShowArgs),
    /// Full-text search over documents' text and extracted values
    Search(HistorySearchArgs),
    /// Change a header field's value; validation runs again and the correction is recorded
    Edit(HistoryEditArgs),
    /// Delete a document from history
    Delete(HistoryShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct HistoryListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// At most this many documents
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct HistorySearchArgs {
    /// Words to find (each a prefix; all must occur); "a phrase"; OR between two terms; -word or NOT word
    /// leaves documents with it out
    query: String,
    #[command(flatten)]
    filter: FilterArgs,
    /// At most this many documents
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct HistoryShowArgs {
    /// Document id
    id: i64,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, clap::Args)]
pub struct HistoryEditArgs {
    /// Document id
    id: i64,
    /// Header field key, e.g. totalAmount; with --line, a line-item column, e.g. quantity
    field: String,
    /// New value (numbers like 1234.56, dates as YYYY-MM-DD; empty clears the field)
    value: String,
    /// Edit this line item's cell (numbered from 1 as `history show` lists them; one past the last adds a
    /// line)
    #[arg(long, value_name = "N")]
    line: Option<usize>,
    /// Who made the correction (default: the USER environment variable)
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Also load the templates of this folder
    #[arg(long, value_name = "DIR")]
    templates_dir: Option<std::path::PathBuf>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

fn print_rows(rows: &[DocumentRow], json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
        return Ok(());
    }
    println!(
        "{:>6}  {:<12} {:<22} {:<28} {:<16} {:<10} file",
        "id", "status", "template", "supplier", "number", "date"
    );
    for row in rows {
        println!(
            "{:>6}  {:<12} {:<22} {:<28} {:<16} {:<10} {}",
            row.id,
            row.status.as_str(),
            fit(row.template_id.as_deref().unwrap_or("-"), 22),
            fit(row.supplier.as_deref().unwrap_or("-"), 28),
            fit(row.document_ref.as_deref().unwrap_or("-"), 16),
            row.document_date.as_deref().unwrap_or("-"),
            row.file_name
        );
    }
    println!("{} document(s)", rows.len());
    Ok(())
}

/// `text` cut to `width` characters, its last one an ellipsis when something was cut, so columns stay aligned.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

pub fn run(command: &HistoryCommand) -> anyhow::Result<ExitCode> {
    match command {
        HistoryCommand::List(args) => {
            let store = args.db.open()?;
            let rows = store.documents(&args.filter.filter(None, Some(args.limit))?)?;
            print_rows(&rows, args.json)?;
        }
        HistoryCommand::Search(args) => {
            let store = args.db.open()?;
            let rows =
                store.documents(&args.filter.filter(Some(&args.query), Some(args.limit))?)?;
            print_rows(&rows, args.json)?;
        }
        HistoryCommand::Show(args) => {
            let store = args.db.open()?;
            let row = store.document(args.id)?;
            let extraction = store.extraction(args.id)?;
            let corrections = store.corrections(args.id)?;
            if args.json {
                let body = serde_json::json!({ "document": row, "extraction": extraction, "corrections": corrections });
                println!("{}", serde_json::to_string_pretty(&body)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "document {}: {} ({})",
                row.id,
                row.file_name,
                row.status.as_str()
            );
            println!("  source   {}", row.source_path);
            if let Some(stored) = &row.stored_path {
                println!("  copy     {stored}");
            }
            if let (Some(hash), Some(size)) = (&row.content_hash, row.size_bytes) {
                println!(
                    "  content  {hash} ({size} bytes, {} page(s))",
                    row.n_pages.unwrap_or(0)
                );
            }
            if let Some(code) = &row.error_code {
                println!(
                    "  error    [{code}] {}",
                    row.error_message.as_deref().unwrap_or("")
                );
            }
            if let Some(original) = row.duplicate_of {
                println!("  duplicate of document {original}");
            }
            if let Some(extraction) = extraction {
                println!(
                    "  template {} v{}",
                    extraction.template_id, extraction.template_version
                );
                for (key, field) in &extraction.fields {
                    println!("    {key:<16} {}", field.value.normalized_string());
                }
                for (index, item) in extraction.table_items.iter().enumerate() {
                    let cells: Vec<String> = item
                        .cells
                        .iter()
                        .map(|(k, c)| format!("{k}={}", c.value.normalized_string()))
                        .collect();
                    println!("    line {:>3}: {}", index + 1, cells.join("  "));
                }
                for result in &extraction.validation {
                    println!(
                        "    [{:?}] {}: {}",
                        result.status, result.rule_name, result.message
                    );
                }
            }
            for correction in corrections {
                println!(
                    "  corrected {} by {} at {}: {} -> {}",
                    correction.field,
                    correction.corrected_by,
                    correction.corrected_at,
                    correction.old_value.as_deref().unwrap_or("(empty)"),
                    correction.new_value.as_deref().unwrap_or("(empty)")
                );
            }
        }
        HistoryCommand::Edit(args) => {
            let mut store = args.db.open()?;
            let templates = templates(args.templates_dir.as_deref())?;
            let by = args
                .by
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".into());
            let outcome = store.edit_field(
                &FieldEdit {
                    document_id: args.id,
                    field: &args.field,
                    line: args.line,
                    new_value: &args.value,
                    corrected_by: &by,
                    corrected_at: chrono::Utc::now(),
                },
                &templates,
            )?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                println!(
                    "document {}: {} {} -> {}; now {}",
                    args.id,
                    outcome.correction.field,
                    outcome.correction.old_value.as_deref().unwrap_or("(empty)"),
                    outcome.correction.new_value.as_deref().unwrap_or("(empty)"),
                    outcome.status.as_str()
                );
                for result in outcome
                    .extraction
                    .validation
                    .iter()
                    .filter(|r| r.status == quire_extract::RuleStatus::Fail)
                {
                    println!("  failed: {}: {}", result.rule_name, result.message);
                }
            }
        }
        HistoryCommand::Delete(args) => {
            let mut store = args.db.open()?;
            let removed_copy = store.delete_document(args.id)?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "deleted": args.id, "removed_copy": removed_copy })
                );
            } else {
                match removed_copy {
                    Some(copy) => println!(
                        "document {} deleted, with its stored copy {}",
                        args.id,
                        copy.display()
                    ),
                    None => println!("document {} deleted", args.id),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn long_cells_are_cut_with_an_ellipsis_to_their_column_width() {
        assert_eq!(fit("Kestrel Digital Ltd", 28), "Kestrel Digital Ltd");
        assert_eq!(
            fit("Cascade Janitorial Supply Inc.", 28),
            "Cascade Janitorial Supply I…"
        );
        assert_eq!(fit("Bäckerei Konditorei Sommer GmbH", 10), "Bäckerei…");
        assert_eq!(
            fit("Cascade Janitorial Supply Inc.", 28).chars().count(),
            28
        );
    }
}
