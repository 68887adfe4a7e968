//! quire-extract: the heart of Quire. Templates say what a document type looks like; classification picks the
//! template for a document; extraction pulls typed header fields and line-item tables out of its words, each
//! value with its provenance; validation rules check the values. Findings are data, never errors.
//!
//! The pipeline for one document: [`classify`] (or an explicitly chosen template) → [`extract`] → the
//! [`Extraction`] with fields, tables and rule results. The [`eval`] module measures accuracy against ground
//! truth corpora.

pub mod check_ledger;
pub mod classify;
pub mod einvoice;
pub mod error;
pub mod eval;
pub mod extraction;
pub mod fields;
pub mod invoice2data;
pub mod normalize;
pub mod page_view;
pub mod regex_engine;
pub mod row_repair;
pub mod tables;
pub mod template;
pub mod test_pages;
pub mod validate;
pub mod value;
pub mod vertical_text;

pub use classify::{classify, Classification};
pub use error::{ExtractError, Result};
pub use extraction::{extract, ExtractOptions, Extraction, ExtractionSource};
pub use template::{Template, TemplateSet};
pub use validate::{DuplicateLookup, InMemoryHistory, NoHistory, RuleResult, RuleStatus};
pub use value::{Cell, Field, Method, Provenance, Row, Value};
