//! Test helpers: folders of synthetic invoices, a store, a run configuration.

use std::path::{Path, PathBuf};

use quire_engine::synthetic::{invoice_text, text_pdf};
use quire_engine::{create_job, Inputs, JobSettings, RunConfig};
use quire_extract::TemplateSet;
use quire_history::Store;

/// Writes `n` distinct invoices (`inv-000.pdf` ...) into `dir`, numbered from `first`.
pub fn write_invoices(dir: &Path, first: u64, n: u64) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (first..first + n)
        .map(|number| {
            let path = dir.join(format!("inv-{number:03}.pdf"));
            std::fs::write(&path, text_pdf(&invoice_text(number))).unwrap();
            path
        })
        .collect()
}

pub fn templates() -> TemplateSet {
    TemplateSet::builtin().unwrap()
}

pub fn config(templates: &TemplateSet, n_workers: usize) -> RunConfig<'_> {
    RunConfig {
        templates,
        reader: quire_reader::ReaderConfig::default(),
        n_workers,
        data_dir: None,
    }
}

/// A job over a folder.
pub fn folder_job(store: &mut Store, folder: &Path) -> i64 {
    create_job(
        store,
        "test",
        &JobSettings {
            inputs: Inputs {
                paths: vec![folder.to_path_buf()],
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap()
}

/// `SELECT COUNT(*)` through a second connection (the store keeps its own private).
pub fn count(db: &Path, sql: &str) -> i64 {
    let connection = rusqlite::Connection::open(db).unwrap();
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}
