//! A watched folder's automatic export after each batch: a `.csv` or `.xlsx` file rewritten (atomically)
//! from history with every document the folder produced (so it is complete and consistent after restarts,
//! whatever was written before), or one JSON file per new document in an output folder.

use std::path::{Path, PathBuf};

use quire_export::{ExportDocument, ExportOptions, Layout};
use quire_extract::TemplateSet;
use quire_history::{DocumentStatus, Store, WatchFolder};

use crate::error::{Result, WatchError};
use crate::folders::export_file_kind;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderExport {
    pub path: PathBuf,
    pub n_documents: usize,
}

fn load(store: &Store, document_id: i64) -> Result<Option<ExportDocument>> {
    let row = match store.document(document_id) {
        Ok(row) => row,
        Err(quire_history::HistoryError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    // A duplicate's data is its original's: exported once.
    if row.status == DocumentStatus::Duplicate || !row.status.is_final() {
        return Ok(None);
    }
    let extraction = store.extraction(document_id)?;
    Ok(Some(ExportDocument { row, extraction }))
}

fn json_file_name(document: &ExportDocument) -> String {
    let stem = Path::new(&document.row.file_name).file_stem().map_or_else(
        || "document".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    format!("{stem}.{}.json", document.row.id)
}

/// Writes the folder's export, if it has one, after `new_document_ids` were finished.
pub fn export_folder(
    store: &Store,
    templates: &TemplateSet,
    folder: &WatchFolder,
    new_document_ids: &[i64],
) -> Result<Option<FolderExport>> {
    let Some(path) = &folder.export_path else {
        return Ok(None);
    };
    let export_error = |source| WatchError::Export {
        path: path.clone(),
        source,
    };
    match export_file_kind(path) {
        Some(format) => {
            let mut documents = Vec::new();
            let mut ids: Vec<i64> = store
                .ledger(folder.id)?
                .into_iter()
                .filter_map(|entry| entry.document_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                documents.extend(load(store, id)?);
            }
            let options = ExportOptions {
                layout: Layout::Unified(None),
                ..Default::default()
            };
            let report = quire_export::export(&documents, templates, format, &options, path)
                .map_err(export_error)?;
            Ok(Some(FolderExport {
                path: report.path,
                n_documents: report.n_documents,
            }))
        }
        None => {
            std::fs::create_dir_all(path).map_err(|source| WatchError::Io {
                path: path.clone(),
                source,
            })?;
            let mut n_documents = 0;
            for id in new_document_ids {
                let Some(document) = load(store, *id)? else {
                    continue;
                };
                let bytes = quire_export::documents_json(std::slice::from_ref(&document));
                quire_export::write_atomically(&path.join(json_file_name(&document)), &bytes)
                    .map_err(export_error)?;
                n_documents += 1;
            }
            Ok(Some(FolderExport {
                path: path.clone(),
                n_documents,
            }))
        }
    }
}
