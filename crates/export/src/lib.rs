//! quire-export: exports of processed documents (a job, a selection, a search) as JSON (the hosted API's
//! extraction response shape), CSV (documents or line items) and XLSX (Documents, Line items and Validation
//! sheets). "Unified" projects every document onto one set of columns; "original" keeps one table per
//! template, several files going into one ZIP. Text that a spreadsheet would run as a formula is
//! neutralised, and files are written atomically (temporary file, then rename). Exports from the history
//! stream in every format: documents are loaded a page at a time and their rows written as they come
//! (XLSX in constant-memory worksheets, CSV and JSON straight to temporary files).

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

pub use csv_out::{table_csv, CsvOptions, TableCsvWriter};
pub use error::{ExportError, Result};
pub use json_out::documents_json;
pub use table::{neutralize_formula, CellValue, Table};
pub use xlsx_out::{sheet_name, workbook_bytes, StreamingWorkbook};

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
    load_pages(store, rows)
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
    let mut temporary = temporary_beside(path)?;
    temporary
        .write_all(bytes)
        .map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    persist(temporary, path)
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

/// A group's name in sheet names: its document type (`Bank statement`), or `Unprocessed`.
fn group_label(template_id: &str, document_type: Option<&str>) -> String {
    let text = document_type
        .unwrap_or(template_id)
        .replace(['_', '-'], " ");
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
    let kinds: Vec<DocumentKind> = documents.iter().map(DocumentKind::of).collect();
    let unknown: Vec<ExportDocument> = documents
        .iter()
        .filter(|d| has_unknown_template(d, templates))
        .cloned()
        .collect();
    let pages = documents
        .chunks(PAGE_SIZE)
        .map(|page| Ok(std::borrow::Cow::Borrowed(page)));
    write_selection(
        Selection {
            kinds,
            unknown,
            pages: Box::new(pages),
        },
        templates,
        format,
        options,
        path,
    )
}

/// Documents loaded from the history per page while a streamed export is written.
pub const PAGE_SIZE: usize = 500;

/// The group key of documents without an extraction.
const UNPROCESSED: &str = "unprocessed";

/// What laying out an XLSX export's sheets needs to know of a document before its rows are written.
#[derive(Debug, Clone)]
struct DocumentKind {
    /// The template that extracted it, or `unprocessed`.
    template_key: String,
    document_type: Option<String>,
}

impl DocumentKind {
    fn of(document: &ExportDocument) -> DocumentKind {
        match &document.extraction {
            Some(extraction) => DocumentKind {
                template_key: extraction.template_id.clone(),
                document_type: Some(extraction.document_type.clone()),
            },
            None => DocumentKind {
                template_key: UNPROCESSED.to_string(),
                document_type: None,
            },
        }
    }
}

/// Whether a document was extracted by a template that is not loaded (since deleted): its own field keys
/// then become columns.
fn has_unknown_template(document: &ExportDocument, templates: &TemplateSet) -> bool {
    document
        .extraction
        .as_ref()
        .is_some_and(|e| templates.get(&e.template_id).is_none())
}

/// One sheet pair of an XLSX export: its template (none in unified layout), label and columns.
struct SheetGroup {
    template_id: Option<String>,
    label: Option<String>,
    columns: table::FieldColumns,
}

impl SheetGroup {
    /// Whether the group gets a Line items sheet (or lines CSV): not the group of documents that were
    /// never extracted, which has no line items.
    fn has_lines(&self) -> bool {
        self.template_id.as_deref() != Some(UNPROCESSED)
    }
}

/// The groups of an export (one in unified layout, one per template in original layout, by template id),
/// from every document's kind; `unknown` holds the documents of templates that are not loaded.
fn sheet_groups(
    kinds: &[DocumentKind],
    unknown: &[&ExportDocument],
    templates: &TemplateSet,
    layout: &Layout,
) -> Vec<SheetGroup> {
    let mut first_type: std::collections::BTreeMap<&str, Option<&str>> =
        std::collections::BTreeMap::new();
    for kind in kinds {
        let entry = first_type.entry(kind.template_key.as_str()).or_default();
        if entry.is_none() {
            *entry = kind.document_type.as_deref();
        }
    }
    match layout {
        Layout::Unified(template) => {
            let columns = match template {
                // Only the chosen template's columns: no fallback keys from other templates.
                Some(id) => {
                    table::FieldColumns::for_templates(std::slice::from_ref(id), templates, &[])
                }
                None => {
                    let ids: Vec<String> = first_type.keys().map(|k| k.to_string()).collect();
                    table::FieldColumns::for_templates(&ids, templates, unknown)
                }
            };
            vec![SheetGroup {
                template_id: None,
                label: None,
                columns,
            }]
        }
        Layout::Original => first_type
            .iter()
            .map(|(id, document_type)| {
                let id = id.to_string();
                let group_unknown: Vec<&ExportDocument> = unknown
                    .iter()
                    .copied()
                    .filter(|d| d.extraction.as_ref().is_some_and(|e| e.template_id == id))
                    .collect();
                let columns = table::FieldColumns::for_templates(
                    std::slice::from_ref(&id),
                    templates,
                    &group_unknown,
                );
                SheetGroup {
                    label: Some(group_label(&id, *document_type)),
                    template_id: Some(id),
                    columns,
                }
            })
            .collect(),
    }
}

/// The sheet names of the groups' Documents and Line items sheets then the Validation sheet: cut to 31
/// characters and unique.
fn sheet_names(groups: &[SheetGroup]) -> Vec<String> {
    let mut names = Vec::new();
    for group in groups {
        // A document type shared by two templates is told apart by the template id.
        let shared =
            group.label.is_some() && groups.iter().filter(|g| g.label == group.label).count() > 1;
        let (documents_name, lines_name) = match (&group.label, &group.template_id) {
            (Some(_), Some(id)) if shared => (format!("{id} documents"), format!("{id} lines")),
            (Some(label), _) => (format!("{label} documents"), format!("{label} lines")),
            _ => ("Documents".to_string(), "Line items".to_string()),
        };
        names.push(documents_name);
        if group.has_lines() {
            names.push(lines_name);
        }
    }
    names.push("Validation".to_string());
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|wanted| {
            let mut name = sheet_name(&wanted);
            let mut n = 2;
            while !seen.insert(name.to_lowercase()) {
                let tag = format!(" ({n})");
                name = format!(
                    "{}{tag}",
                    sheet_name(&wanted)
                        .chars()
                        .take(31 - tag.len())
                        .collect::<String>()
                );
                n += 1;
            }
            name
        })
        .collect()
}

/// What an export writes: every document's kind (for laying out sheets and files before any row is
/// written), the documents of templates that are not loaded (they bring their own columns), and the
/// documents themselves in pages, in id order.
struct Selection<'a> {
    kinds: Vec<DocumentKind>,
    unknown: Vec<ExportDocument>,
    pages: Box<dyn Iterator<Item = Result<std::borrow::Cow<'a, [ExportDocument]>>> + 'a>,
}

/// Writes a selection in `format`, streaming: each page's rows are written and dropped before the next
/// page is loaded.
fn write_selection(
    selection: Selection<'_>,
    templates: &TemplateSet,
    format: Format,
    options: &ExportOptions,
    path: &Path,
) -> Result<ExportReport> {
    let n_documents = selection.kinds.len();
    let file_name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let report = |path: PathBuf, files: Vec<String>| ExportReport {
        path,
        files,
        n_documents,
    };
    let unknown: Vec<&ExportDocument> = selection.unknown.iter().collect();
    match format {
        Format::Json => {
            write_json(selection.pages, path)?;
            Ok(report(path.to_path_buf(), vec![file_name]))
        }
        Format::Xlsx => {
            let groups = sheet_groups(&selection.kinds, &unknown, templates, &options.layout);
            write_xlsx(&groups, selection.pages, &options.layout, path)?;
            Ok(report(path.to_path_buf(), vec![file_name]))
        }
        Format::Csv => {
            let mut groups = sheet_groups(&selection.kinds, &unknown, templates, &options.layout);
            // Lines files only for groups with line items (unless no group has any: one file, header only).
            if options.lines && groups.iter().any(SheetGroup::has_lines) {
                groups.retain(SheetGroup::has_lines);
            }
            if groups.is_empty() {
                // Nothing to export: one file with the common columns.
                groups = sheet_groups(&[], &[], templates, &Layout::Unified(None));
            }
            let (written, files) = write_csv(&groups, selection.pages, options, path)?;
            Ok(report(written, files))
        }
    }
}

/// The group (index into `groups`) a document's rows go to.
fn group_index(groups: &[SheetGroup], layout: &Layout, document: &ExportDocument) -> usize {
    match layout {
        Layout::Unified(_) => 0,
        Layout::Original => {
            let key = DocumentKind::of(document).template_key;
            groups
                .iter()
                .position(|g| g.template_id.as_deref() == Some(key.as_str()))
                .unwrap_or(0)
        }
    }
}

/// Writes an XLSX export: per group a Documents and a Line items sheet, then the Validation sheet.
fn write_xlsx<'a>(
    groups: &[SheetGroup],
    pages: impl Iterator<Item = Result<std::borrow::Cow<'a, [ExportDocument]>>>,
    layout: &Layout,
    path: &Path,
) -> Result<()> {
    let names = sheet_names(groups);
    let mut columns = Vec::with_capacity(names.len());
    // Per group, its Documents sheet and its Line items sheet (if any), as indexes into the sheets.
    let mut group_sheets: Vec<(usize, Option<usize>)> = Vec::with_capacity(groups.len());
    for group in groups {
        columns.push(table::documents_columns(&group.columns));
        let documents_sheet = columns.len() - 1;
        let lines_sheet = group.has_lines().then(|| {
            columns.push(table::lines_columns(&group.columns));
            columns.len() - 1
        });
        group_sheets.push((documents_sheet, lines_sheet));
    }
    columns.push(table::validation_columns());
    let validation_sheet = columns.len() - 1;
    let mut workbook = StreamingWorkbook::new(names.into_iter().zip(columns).collect())?;
    for page in pages {
        let page = page?;
        let mut rows: Vec<Vec<table::TableRow>> = vec![Vec::new(); validation_sheet + 1];
        for document in page.iter() {
            let index = group_index(groups, layout, document);
            let columns = &groups[index].columns;
            let (documents_sheet, lines_sheet) = group_sheets[index];
            rows[documents_sheet].push(table::document_row(document, columns));
            if let Some(lines_sheet) = lines_sheet {
                rows[lines_sheet].extend(table::line_rows(document, columns));
            }
            rows[validation_sheet].extend(table::validation_rows(document));
        }
        for (sheet, sheet_rows) in rows.iter().enumerate() {
            workbook.write_rows(sheet, sheet_rows)?;
        }
    }
    workbook.save_atomically(path)
}

/// A temporary file in the folder of `path` (so that renaming it over `path` is atomic).
fn temporary_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::NamedTempFile::new_in(&folder).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Syncs a finished temporary file and renames it over `path`.
fn persist(temporary: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let io_error = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// Writes a JSON export document by document (the same bytes as [`documents_json`] of the whole
/// selection, without holding it).
fn write_json<'a>(
    pages: impl Iterator<Item = Result<std::borrow::Cow<'a, [ExportDocument]>>>,
    path: &Path,
) -> Result<()> {
    let io_error = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut temporary = temporary_beside(path)?;
    {
        let mut writer = std::io::BufWriter::new(temporary.as_file_mut());
        let mut n_written = 0usize;
        writer
            .write_all(b"{\n  \"documents\": [")
            .map_err(io_error)?;
        for page in pages {
            for document in page?.iter() {
                writer
                    .write_all(if n_written == 0 { b"\n" } else { b",\n" })
                    .map_err(io_error)?;
                json_out::write_document_indented(&mut writer, document, 4).map_err(io_error)?;
                n_written += 1;
            }
        }
        let end: &[u8] = if n_written == 0 {
            b"]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        writer.write_all(end).map_err(io_error)?;
        writer.flush().map_err(io_error)?;
    }
    persist(temporary, path)
}

/// Writes a CSV export: one file per group (documents, or line items with `options.lines`), several
/// files going into one ZIP (also when `path` ends in `.zip`). Rows go to temporary files as pages come;
/// returns the path written and the names of the files in it.
fn write_csv<'a>(
    groups: &[SheetGroup],
    pages: impl Iterator<Item = Result<std::borrow::Cow<'a, [ExportDocument]>>>,
    options: &ExportOptions,
    path: &Path,
) -> Result<(PathBuf, Vec<String>)> {
    let kind = if options.lines { "lines" } else { "documents" };
    let mut writers = Vec::with_capacity(groups.len());
    let mut names = Vec::with_capacity(groups.len());
    for group in groups {
        let columns = if options.lines {
            table::lines_columns(&group.columns)
        } else {
            table::documents_columns(&group.columns)
        };
        let temporary = temporary_beside(path)?;
        let file = temporary.reopen().map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut writer = csv_out::TableCsvWriter::new(std::io::BufWriter::new(file), options.csv)?;
        writer.write_header(&columns)?;
        writers.push((temporary, writer));
        names.push(match &group.template_id {
            Some(id) if groups.len() > 1 => format!("{kind}-{id}.csv"),
            _ => format!("{kind}.csv"),
        });
    }
    for page in pages {
        for document in page?.iter() {
            // A document never extracted has no line items: its group may have no lines file.
            let index = group_index(groups, &options.layout, document);
            let columns = &groups[index].columns;
            let writer = &mut writers[index].1;
            if options.lines {
                for row in table::line_rows(document, columns) {
                    writer.write_row(&row)?;
                }
            } else {
                writer.write_row(&table::document_row(document, columns))?;
            }
        }
    }
    let mut temporaries = Vec::with_capacity(writers.len());
    for (temporary, writer) in writers {
        writer.finish()?.flush().map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        temporaries.push(temporary);
    }
    let wants_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if temporaries.len() == 1 && !wants_zip {
        let file_name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        persist(temporaries.remove(0), path)?;
        return Ok((path.to_path_buf(), vec![file_name]));
    }
    let zip_path = if wants_zip {
        path.to_path_buf()
    } else {
        path.with_extension("zip")
    };
    let io_error = |source| ExportError::Io {
        path: zip_path.clone(),
        source,
    };
    let mut zip_file = temporary_beside(&zip_path)?;
    {
        let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(zip_file.as_file_mut()));
        let zip_options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, temporary) in names.iter().zip(&temporaries) {
            writer.start_file(name.as_str(), zip_options)?;
            let mut csv_file = temporary.reopen().map_err(io_error)?;
            std::io::copy(&mut csv_file, &mut writer).map_err(io_error)?;
        }
        writer.finish()?.flush().map_err(io_error)?;
    }
    persist(zip_file, &zip_path)?;
    Ok((zip_path, names))
}

/// Exports the documents of the history matching a filter, in id order, streaming: the layout comes from
/// one light query (each document's template), then documents are loaded [`PAGE_SIZE`] at a time and
/// written as they come, so memory stays flat in the number of documents, in every format.
pub fn export_from_store(
    store: &Store,
    filter: &DocumentFilter,
    templates: &TemplateSet,
    format: Format,
    options: &ExportOptions,
    path: &Path,
) -> Result<ExportReport> {
    export_from_store_in_pages(store, filter, templates, format, options, path, PAGE_SIZE)
}

/// [`export_from_store`], loading `page_size` documents at a time.
pub fn export_from_store_in_pages(
    store: &Store,
    filter: &DocumentFilter,
    templates: &TemplateSet,
    format: Format,
    options: &ExportOptions,
    path: &Path,
    page_size: usize,
) -> Result<ExportReport> {
    let page_size = page_size.max(1);
    let mut rows = store.documents(filter)?;
    rows.sort_by_key(|row| row.id);
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut extraction_kinds = store.extraction_kinds(&ids)?.into_iter().peekable();
    let mut kinds = Vec::with_capacity(ids.len());
    let mut unknown_ids = std::collections::HashSet::new();
    for id in &ids {
        match extraction_kinds.next_if(|kind| kind.document_id == *id) {
            Some(kind) => {
                if templates.get(&kind.template_id).is_none() {
                    unknown_ids.insert(*id);
                }
                kinds.push(DocumentKind {
                    template_key: kind.template_id,
                    document_type: Some(kind.document_type),
                });
            }
            None => kinds.push(DocumentKind {
                template_key: UNPROCESSED.to_string(),
                document_type: None,
            }),
        }
    }
    // Documents of templates since deleted bring their own columns: load them first (usually none).
    let unknown_rows: Vec<DocumentRow> = rows
        .iter()
        .filter(|row| unknown_ids.contains(&row.id))
        .cloned()
        .collect();
    let unknown = load_pages(store, unknown_rows)?;
    let mut remaining = rows.into_iter();
    let pages = std::iter::from_fn(move || {
        let page: Vec<DocumentRow> = remaining.by_ref().take(page_size).collect();
        if page.is_empty() {
            return None;
        }
        Some(load_pages(store, page).map(std::borrow::Cow::Owned))
    });
    write_selection(
        Selection {
            kinds,
            unknown,
            pages: Box::new(pages),
        },
        templates,
        format,
        options,
        path,
    )
}

/// The extractions of a page of history rows, loaded together.
fn load_pages(store: &Store, rows: Vec<DocumentRow>) -> Result<Vec<ExportDocument>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut extractions = store.extractions(&ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let extraction = extractions.remove(&row.id);
            ExportDocument { row, extraction }
        })
        .collect())
}
