//! Extraction of one document with one template: header fields, line items, then validation. The result
//! records which template (id and version) produced it.

use std::collections::BTreeMap;
use std::time::Instant;

use quire_document::Document;
use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::einvoice::{cross_check, embedded_xml, from_factur_x_xml, Disagreement};
use crate::error::Result;
use crate::fields::{effective_options, extract_fields};
use crate::page_view::PageView;
use crate::tables::extract_table;
use crate::template::Template;
use crate::validate::{validate, DuplicateLookup, NoHistory, RuleResult, RuleStatus};
use crate::value::{Field, Row};

/// Options of one extraction.
#[derive(Clone, Copy)]
pub struct ExtractOptions<'a> {
    /// Answers the `duplicate` rule (the history store; [`NoHistory`] when there is none).
    pub duplicates: &'a dyn DuplicateLookup,
    /// Read an embedded Factur-X / ZUGFeRD / XRechnung XML when the document carries one (the text
    /// extraction then only cross-checks it). Off to measure text/OCR extraction.
    pub e_invoice: bool,
}

impl Default for ExtractOptions<'_> {
    fn default() -> Self {
        ExtractOptions {
            duplicates: &NoHistory,
            e_invoice: true,
        }
    }
}

impl std::fmt::Debug for ExtractOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractOptions").finish_non_exhaustive()
    }
}

/// Where the values came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtractionSource {
    /// The document's words (text layer or OCR), through the template's rules.
    Text,
    /// An embedded e-invoice XML (Factur-X / ZUGFeRD / XRechnung).
    EInvoice,
}

/// Everything extracted from one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub template_id: String,
    pub template_version: u32,
    pub document_type: String,
    pub source: ExtractionSource,
    /// How the template was chosen, when classification ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// Header fields found, by key.
    pub fields: BTreeMap<String, Field>,
    /// Line items (`tableItems`).
    pub table_items: Vec<Row>,
    pub validation: Vec<RuleResult>,
    /// True when no rule fails (warnings and skipped rules do not fail it).
    pub is_valid: bool,
    /// With an e-invoice source: the header fields where the printed text reads differently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_check: Vec<Disagreement>,
    /// Why an embedded e-invoice XML could not be used (the text extraction is returned instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_invoice_error: Option<String>,
    /// Wall time of the extraction, in milliseconds.
    pub elapsed_ms: u64,
}

impl Extraction {
    /// The normalised string of a header field, if found.
    pub fn field_string(&self, key: &str) -> Option<String> {
        self.fields.get(key).map(|f| f.value.normalized_string())
    }

    /// Re-runs validation (after a reviewer edits values).
    pub fn revalidate(&mut self, template: &Template, options: &ExtractOptions<'_>) {
        self.validation = validate(
            template,
            &self.fields,
            &self.table_items,
            options.duplicates,
        );
        self.is_valid = is_valid(&self.validation);
    }
}

/// Whether a set of rule results makes a document valid: no rule failed.
pub fn is_valid(results: &[RuleResult]) -> bool {
    results.iter().all(|r| r.status != RuleStatus::Fail)
}

/// Extracts fields and line items from a document with a template and validates them.
///
/// `Err` only for a template that cannot be applied (a regex hitting its backtracking limit); missing
/// values and failed rules are reported in the extraction.
pub fn extract(
    document: &Document,
    template: &Template,
    options: &ExtractOptions<'_>,
) -> Result<Extraction> {
    let started = Instant::now();
    // Compiled on every core at the template's first use in this process.
    crate::regex_engine::precompile(&template.extraction_regexes());
    // Vertical watermarks would put stray characters at the start of every line they cross.
    let cleaned = crate::vertical_text::without_vertical_text(document);
    let document = cleaned.as_ref().unwrap_or(document);
    let views: Vec<PageView<'_>> = document.pages.iter().map(PageView::new).collect();
    let fields = extract_fields(document, &views, template)?;
    let mut table_items = match &template.extraction.table {
        Some(table) => extract_table(
            &views,
            template,
            table,
            &effective_options(&template.extraction.options, document),
        )?,
        None => Vec::new(),
    };
    crate::row_repair::repair_ocr_rows(&mut table_items, |page| {
        page.checked_sub(1)
            .and_then(|index| document.pages.get(index as usize))
            .is_some_and(|p| p.source == quire_document::PageSource::Ocr)
    });
    let validation = validate(template, &fields, &table_items, options.duplicates);
    let mut text_extraction = Extraction {
        template_id: template.id.clone(),
        template_version: template.version,
        document_type: template.document_type.clone(),
        source: ExtractionSource::Text,
        classification: None,
        is_valid: is_valid(&validation),
        fields,
        table_items,
        validation,
        cross_check: Vec::new(),
        e_invoice_error: None,
        elapsed_ms: 0,
    };
    let xml =
        embedded_xml(document).filter(|_| options.e_invoice && template.document_type == "invoice");
    let mut result = match xml.map(|xml| from_factur_x_xml(xml, template, options)) {
        Some(Ok(mut from_xml)) => {
            from_xml.cross_check = cross_check(&from_xml, &text_extraction);
            from_xml
        }
        Some(Err(error)) => {
            text_extraction.e_invoice_error = Some(error.to_string());
            text_extraction
        }
        None => text_extraction,
    };
    result.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(result)
}
