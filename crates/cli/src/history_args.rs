//! Arguments shared by the commands that use the history database: where it is (`--db`, `QUIRE_DB`, or the
//! platform's data directory), the data folder beside it, and the filters of listings and exports.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use quire_extract::TemplateSet;
use quire_history::{DocumentFilter, DocumentStatus, Store};

/// Where the history database is.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// History database (default: the platform data directory, e.g. ~/.local/share/quire/history.db)
    #[arg(long, env = "QUIRE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

impl DbArgs {
    pub fn path(&self) -> anyhow::Result<PathBuf> {
        match &self.db {
            Some(path) => Ok(path.clone()),
            None => Ok(dirs::data_dir()
                .context("no data directory on this platform: pass --db or set QUIRE_DB")?
                .join("quire")
                .join("history.db")),
        }
    }

    /// The data folder: the database's folder (originals are kept under `originals/` there).
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        let path = self.path()?;
        Ok(path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf))
    }

    pub fn open(&self) -> anyhow::Result<Store> {
        let path = self.path()?;
        Store::open(&path)
            .with_context(|| format!("opening the history database {}", path.display()))
    }
}

/// The built-in templates, plus (replacing same-id ones) the templates of a folder.
pub fn templates(dir: Option<&Path>) -> anyhow::Result<TemplateSet> {
    let mut set = TemplateSet::builtin().context("loading the built-in templates")?;
    if let Some(dir) = dir {
        let problems = crate::extract_cmd::add_template_dir(&mut set, dir)?;
        for problem in problems {
            eprintln!("warning: template skipped: {problem}");
        }
    }
    Ok(set)
}

/// Filters of document listings, searches and exports.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only this status (queued, processing, completed, failed, unmatched, needs_review, duplicate)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only documents extracted with this template id
    #[arg(long, value_name = "ID")]
    pub template: Option<String>,
    /// Only documents dated on or after this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Only documents dated on or before this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Only documents whose validation failed
    #[arg(long)]
    pub validation_failed: bool,
    /// Only documents with a rule that warned (values OCR misread and the rows' sums repaired, ...)
    #[arg(long)]
    pub with_warnings: bool,
    /// Only documents whose supplier name contains this
    #[arg(long, value_name = "TEXT")]
    pub supplier: Option<String>,
    /// Only documents of this job
    #[arg(long, value_name = "ID")]
    pub job: Option<i64>,
    /// Only these documents (ids as `history list` shows them); repeatable or comma-separated
    #[arg(long = "id", value_name = "ID", value_delimiter = ',')]
    pub ids: Vec<i64>,
}

impl FilterArgs {
    pub fn filter(
        &self,
        query: Option<&str>,
        limit: Option<u32>,
    ) -> anyhow::Result<DocumentFilter> {
        let status = match &self.status {
            Some(text) => Some(DocumentStatus::parse(text).with_context(|| {
                format!(
                    "unknown status `{text}` (one of: {})",
                    DocumentStatus::ALL.map(|s| s.as_str()).join(", ")
                )
            })?),
            None => None,
        };
        Ok(DocumentFilter {
            query: query.map(str::to_string),
            job_id: self.job,
            status,
            template_id: self.template.clone(),
            date_from: self.from,
            date_to: self.to,
            validation_failed: self.validation_failed.then_some(true),
            has_warnings: self.with_warnings.then_some(true),
            supplier: self.supplier.clone(),
            document_ids: self.ids.clone(),
            limit,
        })
    }
}
