//! The work one worker does for one document: read → classify (or the chosen template) → extract with
//! validation, plus the content-addressed copy of the original. Storing happens on the batch's thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use quire_document::Document;
use quire_extract::classify::chosen;
use quire_extract::{classify, extract, ExtractOptions, Extraction, TemplateSet};
use quire_reader::Reader;

use crate::events::Stage;

/// What a worker produced for one document.
#[derive(Debug)]
pub(crate) enum WorkOutput {
    Processed {
        document: Box<Document>,
        /// `None` when no template recognised the document.
        extraction: Option<Box<Extraction>>,
        unmatched_reason: Option<String>,
        stored_copy: Option<PathBuf>,
        read_ms: u64,
        extract_ms: u64,
    },
    Failed {
        code: String,
        message: String,
        read_ms: u64,
    },
}

/// The settings every worker shares.
pub(crate) struct PipelineSettings<'a> {
    pub templates: &'a TemplateSet,
    /// The template to use for every document (no classification).
    pub template: Option<&'a str>,
    /// Where content-addressed copies of the originals go (none kept when `None`).
    pub originals_dir: Option<&'a Path>,
    /// The history database, opened read-only by each worker to skip extracting content already
    /// processed (`None` for in-memory stores: the batch thread still records such content as a duplicate).
    pub history_path: Option<&'a Path>,
}

/// Processes one document. Never panics: a panic inside becomes an `internal_error` failure.
pub(crate) fn process_document(
    reader: &mut Reader,
    history: Option<&quire_history::Store>,
    path: &Path,
    settings: &PipelineSettings<'_>,
    on_stage: &mut dyn FnMut(Stage),
) -> WorkOutput {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        process_document_inner(reader, history, path, settings, on_stage)
    }));
    outcome.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        WorkOutput::Failed {
            code: "internal_error".into(),
            message: format!(
                "{}: internal error while processing (please report it): {message}",
                path.display()
            ),
            read_ms: 0,
        }
    })
}

fn process_document_inner(
    reader: &mut Reader,
    history: Option<&quire_history::Store>,
    path: &Path,
    settings: &PipelineSettings<'_>,
    on_stage: &mut dyn FnMut(Stage),
) -> WorkOutput {
    on_stage(Stage::Reading);
    let started = Instant::now();
    let document = match reader.read_path(path) {
        Ok(document) => document,
        Err(err) => {
            return WorkOutput::Failed {
                code: err.code().to_string(),
                message: err.to_string(),
                read_ms: started.elapsed().as_millis() as u64,
            }
        }
    };
    let read_ms = started.elapsed().as_millis() as u64;
    let stored_copy = match settings.originals_dir {
        Some(dir) => {
            let extension = quire_history::extension_for_mime(document.mime.as_str());
            match quire_history::store_original(dir, path, &document.content_hash, extension) {
                Ok(copy) => Some(copy),
                Err(err) => {
                    return WorkOutput::Failed {
                        code: "original_copy_failed".into(),
                        message: format!(
                            "{}: cannot keep a copy of the original: {err}",
                            path.display()
                        ),
                        read_ms,
                    }
                }
            }
        }
        None => None,
    };
    // Identical content already processed: not extracted again (the batch thread records the duplicate).
    let known = history
        .is_some_and(|store| matches!(store.find_by_hash(&document.content_hash), Ok(Some(_))));
    if known {
        return WorkOutput::Processed {
            document: Box::new(document),
            extraction: None,
            unmatched_reason: Some(
                "identical content was processed before, but that document is no longer in history"
                    .into(),
            ),
            stored_copy,
            read_ms,
            extract_ms: 0,
        };
    }
    let started = Instant::now();
    on_stage(Stage::Classifying);
    let (template, classification) = match settings.template {
        Some(id) => match settings.templates.get(id) {
            Some(template) => (template, chosen(template)),
            None => {
                return WorkOutput::Failed {
                    code: "unknown_template".into(),
                    message: format!("no template named `{id}`"),
                    read_ms,
                }
            }
        },
        None => {
            let classification = classify(&document, settings.templates);
            let template = classification
                .template_id
                .as_deref()
                .and_then(|id| settings.templates.get(id));
            match template {
                Some(template) => (template, classification),
                None => {
                    return WorkOutput::Processed {
                        document: Box::new(document),
                        extraction: None,
                        unmatched_reason: Some(classification.reason),
                        stored_copy,
                        read_ms,
                        extract_ms: started.elapsed().as_millis() as u64,
                    }
                }
            }
        }
    };
    on_stage(Stage::Extracting);
    // The duplicate rule runs again against the history when the result is stored.
    match extract(&document, template, &ExtractOptions::default()) {
        Ok(mut extraction) => {
            extraction.classification = Some(classification);
            WorkOutput::Processed {
                document: Box::new(document),
                extraction: Some(Box::new(extraction)),
                unmatched_reason: None,
                stored_copy,
                read_ms,
                extract_ms: started.elapsed().as_millis() as u64,
            }
        }
        Err(err) => WorkOutput::Failed {
            code: err.code().to_string(),
            message: format!("{}: {err}", path.display()),
            read_ms,
        },
    }
}
