//! quire-export: exports of processed documents (a job, a selection, a search) as JSON (the hosted API's
//! extraction response shape), CSV (documents or line items) and XLSX (Documents, Line items and Validation
//! sheets). "Unified" projects every document onto one set of columns; "original" keeps one table per
//! template, several files going into one ZIP. Text that a spreadsheet would run as a formula is
//! neutralised, and files are written atomically (temporary file, then rename).

mod csv_out;
mod error;
mod json_out;
pub mod table;
mod xlsx_out;

use std::io::Write;
use std::path::{Path, PathBuf};

use quire_extract::{Extraction, TemplateSet};
use quire_history::{DocumentFilter, DocumentRow, Store};
use serde::{Deserialize, Serialize};

pub use csv_out::{table_csv, CsvOptions};
pub use error::{ExportError, Result};
pub use json_out::documents_json;
pub use table::{neutralize_formula, CellValue, Table};
pub use xlsx_out::{sheet_name, workbook_bytes};

/// A document to export: its history row and its extraction (none when it failed or matched no template).
#[derive(Debug, Clone)]
pub struct ExportDocument {
    pub row: DocumentRow,
    pub extraction: Option<Extraction>,
}

/// Loads the documents matching a filter, in id order.
pub fn load_documents(store: &Store, filter: &DocumentFilter) -> Result<Vec<ExportDocument>> {
    let mut rows = store.documents(filter)?;
    rows.sort_by_key(|row| row.id);
    rows.into_iter()
        .map(|row| {
            let extraction = store.extraction(row.id)?;
            Ok(ExportDocument { row, extraction })
        })
        .collect()
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    /// The format a file name's extension asks for (`.zip` holds CSV files).
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_lowercase();
        match extension.as_str() {
            "csv" | "zip" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// How documents of several templates are laid out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One table: every document projected onto one template's columns (`Some(id)`), or onto the union of
    /// the columns of the templates present (`None`).
    Unified(Option<String>),
    /// One table (sheet or file) per template.
    #[default]
    Original,
}

/// What to export and how.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExportOptions {
    pub layout: Layout,
    /// CSV: export line items (one row per item) instead of documents.
    pub lines: bool,
    pub csv: CsvOptions,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// The file written (a `.zip` when several CSV files were needed).
    pub path: PathBuf,
    /// The files inside it (the file itself for a single file).
    pub files: Vec<String>,
    pub n_documents: usize,
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then renamed over.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io_error = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut temporary = tempfile::NamedTempFile::new_in(&folder).map_err(io_error)?;
    temporary.write_all(bytes).map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// A ZIP archive of named files, as bytes.
pub fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(bytes).map_err(|source| ExportError::Io {
            path: PathBuf::from(name),
            source,
        })?;
    }
    Ok(writer.finish()?.into_inner())
}

/// The tables of an export: per group (one group in unified layout, one per template in original layout)
/// its Documents, Line items and Validation tables.
fn groups<'a>(
    documents: &'a [ExportDocument],
    templates: &TemplateSet,
    layout: &Layout,
) -> Vec<(Option<String>, Vec<&'a ExportDocument>, table::FieldColumns)> {
    match layout {
        Layout::Unified(template) => {
            let all: Vec<&ExportDocument> = documents.iter().collect();
            let ids: Vec<String> = match template {
                Some(id) => vec![id.clone()],
                None => table::by_template(documents).into_keys().collect(),
            };
            let columns = if template.is_some() {
                // Only the chosen template's columns: no fallback keys from other templates.
                table::FieldColumns::for_templates(&ids, templates, &[])
            } else {
                table::FieldColumns::for_templates(&ids, templates, &all)
            };
            vec![(None, all, columns)]
        }
        Layout::Original => table::by_template(documents)
            .into_iter()
            .map(|(id, group)| {
                let columns = table::FieldColumns::for_templates(
                    std::slice::from_ref(&id),
                    templates,
                    &group,
                );
                (Some(id), group, columns)
            })
            .collect(),
    }
}

/// A group's name in sheet names: its document type (`Bank statement`), or `Unprocessed`.
fn group_label(template_id: &str, group: &[&ExportDocument]) -> String {
    let document_type = group
        .iter()
        .find_map(|d| d.extraction.as_ref().map(|e| e.document_type.clone()))
        .unwrap_or_else(|| template_id.to_string());
    let text = document_type.replace(['_', '-'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// Exports documents to `path` in `format`. Returns what was written.
pub fn export(
    documents: &[ExportDocument],
    templates: &TemplateSet,
    format: Format,
    options: &ExportOptions,
    path: &Path,
) -> Result<ExportReport> {
    let file_name = |p: &Path| {
        p.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    };
    match format {
        Format::Json => {
            write_atomically(path, &documents_json(documents))?;
            Ok(ExportReport {
                path: path.to_path_buf(),
                files: vec![file_name(path)],
                n_documents: documents.len(),
            })
        }
        Format::Xlsx => {
            let groups = groups(documents, templates, &options.layout);
            let mut tables = Vec::new();
            let labels: Vec<Option<String>> = groups
                .iter()
                .map(|(id, group, _)| id.as_ref().map(|id| group_label(id, group)))
                .collect();
            for ((id, group, columns), label) in groups.iter().zip(&labels) {
                // A document type shared by two templates is told apart by the template id.
                let shared = label.is_some() && labels.iter().filter(|l| *l == label).count() > 1;
                let (documents_name, lines_name) = match (label, id) {
                    (Some(_), Some(id)) if shared => {
                        (format!("{id} documents"), format!("{id} lines"))
                    }
                    (Some(label), _) => (format!("{label} documents"), format!("{label} lines")),
                    _ => ("Documents".to_string(), "Line items".to_string()),
                };
                tables.push(table::documents_table(&documents_name, group, columns));
                tables.push(table::lines_table(&lines_name, group, columns));
            }
            let all: Vec<&ExportDocument> = documents.iter().collect();
            tables.push(table::validation_table("Validation", &all));
            let mut seen = std::collections::HashSet::new();
            for table in &mut tables {
                // Sheet names are cut to 31 characters: keep them unique.
                let mut name = sheet_name(&table.name);
                let mut n = 2;
                while !seen.insert(name.to_lowercase()) {
                    let tag = format!(" ({n})");
                    name = format!(
                        "{}{tag}",
                        sheet_name(&table.name)
                            .chars()
                            .take(31 - tag.len())
                            .collect::<String>()
                    );
                    n += 1;
                }
                table.name = name;
            }
            write_atomically(path, &workbook_bytes(&tables)?)?;
            Ok(ExportReport {
                path: path.to_path_buf(),
                files: vec![file_name(path)],
                n_documents: documents.len(),
            })
        }
        Format::Csv => {
            let groups = groups(documents, templates, &options.layout);
            let kind = if options.lines { "lines" } else { "documents" };
            let mut files = Vec::new();
            for (id, group, columns) in &groups {
                let table = if options.lines {
                    table::lines_table(kind, group, columns)
                } else {
                    table::documents_table(kind, group, columns)
                };
                let name = match id {
                    Some(id) if groups.len() > 1 => format!("{kind}-{id}.csv"),
                    _ => format!("{kind}.csv"),
                };
                files.push((name, table_csv(&table, &options.csv)?));
            }
            let wants_zip = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
            if files.len() == 1 && !wants_zip {
                write_atomically(path, &files[0].1)?;
                return Ok(ExportReport {
                    path: path.to_path_buf(),
                    files: vec![file_name(path)],
                    n_documents: documents.len(),
                });
            }
            let zip_path = if wants_zip {
                path.to_path_buf()
            } else {
                path.with_extension("zip")
            };
            write_atomically(&zip_path, &zip_bytes(&files)?)?;
            Ok(ExportReport {
                path: zip_path,
                files: files.into_iter().map(|(name, _)| name).collect(),
                n_documents: documents.len(),
            })
        }
    }
}
