//! Tests of the history store, each on a fresh in-memory database.

use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use quire_document::Document;
use quire_extract::test_pages::document_from_layout;
use quire_extract::{classify, extract, ExtractOptions, Extraction, RuleStatus, TemplateSet};

use super::*;

const INVOICE_TEXT: &str = include_str!("../tests/fixtures/invoice.txt");

/// A copy of the sample invoice with another document number, and a content hash of its text.
fn invoice(document_number: &str) -> Document {
    let text = INVOICE_TEXT.replace("INV-2025-0147", document_number);
    let mut document = document_from_layout(&text);
    document.content_hash = format!("hash-of-{document_number}");
    document
}

fn extract_with_builtin(document: &Document, store: &Store) -> Extraction {
    let templates = TemplateSet::builtin().unwrap();
    let classification = classify(document, &templates);
    let template = templates
        .get(classification.template_id.as_deref().unwrap())
        .unwrap();
    let duplicates = store.duplicates_excluding(None);
    extract(
        document,
        template,
        &ExtractOptions {
            duplicates: &duplicates,
            ..ExtractOptions::default()
        },
    )
    .unwrap()
}

/// Stores a queued document processed, with its extraction and timings.
fn record(
    store: &mut Store,
    document_id: i64,
    document: &Document,
    extraction: &Extraction,
    read_ms: u64,
    extract_ms: u64,
) -> DocumentStatus {
    store
        .record_processed(
            document_id,
            &ProcessedDocument {
                document,
                stored_copy: None,
                extraction: Some(extraction),
                unmatched_reason: None,
                read_ms,
                extract_ms,
            },
        )
        .unwrap()
}

/// Queues one document in a new job and stores it processed; returns its id.
fn store_invoice(store: &mut Store, document_number: &str) -> (i64, DocumentStatus) {
    let path = PathBuf::from(format!("/in/{document_number}.pdf"));
    let job_id = store
        .create_job("test", &serde_json::json!({}), &[path])
        .unwrap();
    let (document_id, _) = store.pending_documents(job_id).unwrap()[0].clone();
    let document = invoice(document_number);
    let extraction = extract_with_builtin(&document, store);
    let status = record(store, document_id, &document, &extraction, 3, 2);
    (document_id, status)
}

#[test]
fn a_new_database_is_at_the_latest_schema_version_with_fts5_available() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(schema_version(&store.connection).unwrap(), latest_version());
    let fts5: i64 = store
        .connection
        .query_row(
            "SELECT sqlite_compileoption_used('ENABLE_FTS5')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(fts5, 1);
}

#[test]
fn opening_a_file_database_turns_on_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sub/history.db")).unwrap();
    let mode: String = store
        .connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    let foreign_keys: i64 = store
        .connection
        .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(foreign_keys, 1);
}

#[test]
fn a_database_from_a_newer_quire_is_refused_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    {
        let connection = Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "history_schema_too_new");
    assert!(err.to_string().contains("99"), "{err}");
}

#[test]
fn migrating_a_version_1_database_keeps_its_documents_and_makes_them_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    {
        // A database as the first release wrote it: schema version 1, one processed document.
        let mut connection = Connection::open(&path).unwrap();
        let transaction = connection.transaction().unwrap();
        for sql in &schema::migrations()[0] {
            transaction.execute_batch(sql).unwrap();
        }
        transaction.pragma_update(None, "user_version", 1).unwrap();
        transaction.execute_batch(
            "INSERT INTO jobs (id, name, status, settings_json, created_at, updated_at)
             VALUES (1, 'old', 'completed', '{}', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
             INSERT INTO documents (id, job_id, source_path, file_name, status, queued_at, template_id, supplier)
             VALUES (1, 1, '/old/a.pdf', 'a.pdf', 'completed', '2025-01-01T00:00:00Z', 'generic-invoice', 'Zephyr Paper');
             INSERT INTO pages (document_id, number, source, width, height, mean_confidence, layout_text, words_json)
             VALUES (1, 1, 'text_layer', 595, 842, 100, 'Invoice from Zephyr Paper for toner', '[]');
             INSERT INTO extractions (document_id, template_id, template_version, document_type, source, details_json,
             fields_json, table_items_json, is_valid, elapsed_ms, extracted_at)
             VALUES (1, 'generic-invoice', 1, 'invoice', 'text', '{}',
             '{\"documentId\":{\"value\":{\"type\":\"text\",\"value\":\"OLD-77\"},\"method\":\"label\"}}', '[]', 1, 1,
             '2025-01-01T00:00:00Z');",
        )
        .unwrap();
        transaction.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(schema_version(&store.connection).unwrap(), latest_version());
    let by_text = store
        .documents(&DocumentFilter {
            query: Some("toner".into()),
            ..Default::default()
        })
        .unwrap();
    let by_value = store
        .documents(&DocumentFilter {
            query: Some("OLD-77".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_text.len(), 1);
    assert_eq!(by_text[0].file_name, "a.pdf");
    assert_eq!(by_value.len(), 1);
    assert!(store.sync_state(1).unwrap().is_none());
    let extraction = store.extraction(1).unwrap().unwrap();
    assert_eq!(
        extraction.field_string("documentId").as_deref(),
        Some("OLD-77")
    );
}

#[test]
fn creating_a_job_queues_each_path_once() {
    let mut store = Store::open_in_memory().unwrap();
    let paths = [
        PathBuf::from("/in/a.pdf"),
        PathBuf::from("/in/b.pdf"),
        PathBuf::from("/in/a.pdf"),
    ];
    let job_id = store
        .create_job("batch", &serde_json::json!({"workers": 2}), &paths)
        .unwrap();
    let job = store.job(job_id).unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.settings["workers"], 2);
    assert_eq!(job.counts.n_total, 2);
    assert_eq!(job.counts.n_queued, 2);
    let pending = store.pending_documents(job_id).unwrap();
    assert_eq!(
        pending.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(),
        vec![PathBuf::from("/in/a.pdf"), PathBuf::from("/in/b.pdf")]
    );
}

#[test]
fn a_processed_invoice_is_stored_with_pages_extraction_and_validation() {
    let mut store = Store::open_in_memory().unwrap();
    let (document_id, status) = store_invoice(&mut store, "INV-1");
    let row = store.document(document_id).unwrap();
    assert_eq!(status, DocumentStatus::Completed, "{row:?}");
    assert_eq!(row.status, DocumentStatus::Completed);
    assert_eq!(row.template_id.as_deref(), Some("generic-invoice"));
    assert_eq!(
        row.supplier.as_deref(),
        Some("Brightline Office Supply Co.")
    );
    assert_eq!(row.document_ref.as_deref(), Some("INV-1"));
    assert_eq!(row.document_date.as_deref(), Some("2025-08-15"));
    assert_eq!(row.n_pages, Some(1));
    assert_eq!(row.read_ms, Some(3));
    let pages = store.pages(document_id).unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].layout_text.contains("INV-1"));
    assert!(pages[0].words.iter().any(|w| w.text == "INV-1"));
    let extraction = store.extraction(document_id).unwrap().unwrap();
    assert_eq!(extraction.template_version, 7);
    assert_eq!(
        extraction.field_string("totalAmount").as_deref(),
        Some("2453.45")
    );
    assert_eq!(extraction.table_items.len(), 6);
    let total = &extraction.fields["totalAmount"];
    assert_eq!(total.provenance.as_ref().unwrap().page, 1);
    assert!(!extraction.validation.is_empty());
    assert!(extraction
        .validation
        .iter()
        .all(|r| r.status != RuleStatus::Fail));
}

#[test]
fn storing_a_document_twice_replaces_the_first_attempt_instead_of_adding_rows() {
    let mut store = Store::open_in_memory().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-2");
    let document = invoice("INV-2");
    let extraction = store.extraction(document_id).unwrap().unwrap();
    record(&mut store, document_id, &document, &extraction, 1, 1);
    let count = |sql: &str| -> i64 { store.connection.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM pages"), 1);
    assert_eq!(count("SELECT COUNT(*) FROM extractions"), 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM validation_results"),
        extraction.validation.len() as i64
    );
    assert_eq!(count("SELECT COUNT(*) FROM document_search"), 1);
}

#[test]
fn a_stored_extraction_reads_back_equal_including_its_classification() {
    let mut store = Store::open_in_memory().unwrap();
    let templates = TemplateSet::builtin().unwrap();
    let job_id = store
        .create_job("t", &serde_json::json!({}), &[PathBuf::from("/in/x.pdf")])
        .unwrap();
    let (document_id, _) = store.pending_documents(job_id).unwrap()[0].clone();
    let document = invoice("INV-70");
    let mut extraction = extract_with_builtin(&document, &store);
    extraction.classification = Some(classify(&document, &templates));
    record(&mut store, document_id, &document, &extraction, 0, 0);
    let stored = store.extraction(document_id).unwrap().unwrap();
    assert!(stored.classification.is_some());
    assert_eq!(stored, extraction);
}

#[test]
fn identical_content_is_recorded_as_a_duplicate_of_the_first_document() {
    let mut store = Store::open_in_memory().unwrap();
    let (first_id, _) = store_invoice(&mut store, "INV-3");
    let (second_id, status) = store_invoice(&mut store, "INV-3");
    assert_eq!(status, DocumentStatus::Duplicate);
    let second = store.document(second_id).unwrap();
    assert_eq!(second.duplicate_of, Some(first_id));
    assert!(store.extraction(second_id).unwrap().is_none());
    assert_eq!(store.find_by_hash("hash-of-INV-3").unwrap(), Some(first_id));
}

#[test]
fn the_duplicate_rule_fails_for_the_same_supplier_and_document_number_in_other_content() {
    let mut store = Store::open_in_memory().unwrap();
    let (first_id, _) = store_invoice(&mut store, "INV-4");
    // Same supplier and number, different bytes (another scan of the same invoice).
    let mut rescan = invoice("INV-4");
    rescan.content_hash = "another-hash".into();
    let extraction = extract_with_builtin(&rescan, &store);
    let duplicate_rule = extraction
        .validation
        .iter()
        .find(|r| r.rule_type.as_str() == "duplicate")
        .unwrap();
    assert_eq!(duplicate_rule.status, RuleStatus::Fail);
    assert!(
        duplicate_rule
            .message
            .contains(&format!("document {first_id}")),
        "{}",
        duplicate_rule.message
    );
    // A different number passes.
    let other = extract_with_builtin(&invoice("INV-5"), &store);
    let rule = other
        .validation
        .iter()
        .find(|r| r.rule_type.as_str() == "duplicate")
        .unwrap();
    assert_eq!(rule.status, RuleStatus::Pass);
}

#[test]
fn a_failed_document_keeps_its_error_code_and_message() {
    let mut store = Store::open_in_memory().unwrap();
    let job_id = store
        .create_job(
            "t",
            &serde_json::json!({}),
            &[PathBuf::from("/in/broken.pdf")],
        )
        .unwrap();
    let (document_id, _) = store.pending_documents(job_id).unwrap()[0].clone();
    store.mark_processing(document_id).unwrap();
    assert_eq!(store.job(job_id).unwrap().counts.n_processing, 1);
    store
        .record_failure(
            document_id,
            "truncated_pdf",
            "/in/broken.pdf: the PDF is truncated",
            4,
        )
        .unwrap();
    let row = store.document(document_id).unwrap();
    assert_eq!(row.status, DocumentStatus::Failed);
    assert_eq!(row.error_code.as_deref(), Some("truncated_pdf"));
    assert!(row.error_message.unwrap().contains("truncated"));
    assert!(store.pending_documents(job_id).unwrap().is_empty());
    let stats = store.stats().unwrap();
    assert_eq!(
        stats.failure_reasons,
        vec![("truncated_pdf".to_string(), 1)]
    );
}

/// The ids of the documents a filter finds, in id order.
fn sorted_ids(store: &Store, filter: DocumentFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = store
        .documents(&filter)
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn search_finds_documents_by_text_and_field_values_and_honours_filters() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, _) = store_invoice(&mut store, "INV-10");
    let (b, _) = store_invoice(&mut store, "INV-11");
    let ids = |filter: DocumentFilter| sorted_ids(&store, filter);
    let query = |q: &str| DocumentFilter {
        query: Some(q.into()),
        ..Default::default()
    };
    assert_eq!(ids(query("toner cartridge")), vec![a, b]);
    let newest_first: Vec<i64> = store
        .documents(&query("toner"))
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(newest_first, vec![b, a], "search results come newest first");
    let limited = store
        .documents(&DocumentFilter {
            limit: Some(1),
            ..query("toner")
        })
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(ids(query("INV-11")), vec![b]);
    assert_eq!(ids(query("brightl")), vec![a, b], "prefix match");
    assert!(ids(query("nonexistentword")).is_empty());
    // Quotes and operators typed by a user are not FTS syntax errors.
    assert!(ids(query("\"AND OR NOT (")).is_empty());
    assert_eq!(
        ids(DocumentFilter {
            supplier: Some("brightline".into()),
            template_id: Some("generic-invoice".into()),
            status: Some(DocumentStatus::Completed),
            date_from: NaiveDate::from_ymd_opt(2025, 8, 1),
            date_to: NaiveDate::from_ymd_opt(2025, 8, 31),
            ..Default::default()
        }),
        vec![a, b]
    );
    assert!(ids(DocumentFilter {
        date_from: NaiveDate::from_ymd_opt(2025, 9, 1),
        ..Default::default()
    })
    .is_empty());
    assert!(ids(DocumentFilter {
        validation_failed: Some(true),
        ..Default::default()
    })
    .is_empty());
    assert!(ids(DocumentFilter {
        supplier: Some("acme".into()),
        ..Default::default()
    })
    .is_empty());
    // A selection of documents, also combined with other filters.
    assert_eq!(
        ids(DocumentFilter {
            document_ids: vec![b],
            ..Default::default()
        }),
        vec![b]
    );
    assert!(ids(DocumentFilter {
        document_ids: vec![a, b],
        date_from: NaiveDate::from_ymd_opt(2025, 9, 1),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn search_takes_phrases_or_and_exclusions_as_a_search_box_does() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, _) = store_invoice(&mut store, "INV-10");
    let (b, _) = store_invoice(&mut store, "INV-11");
    let (c, _) = store_invoice(&mut store, "INV-12");
    let ids = |q: &str| {
        sorted_ids(
            &store,
            DocumentFilter {
                query: Some(q.into()),
                ..Default::default()
            },
        )
    };
    assert_eq!(ids("INV-10 OR INV-12"), vec![a, c]);
    assert_eq!(ids("toner AND INV-11"), vec![b]);
    assert_eq!(ids("toner -INV-11"), vec![a, c]);
    assert_eq!(ids("NOT INV-11 NOT INV-12"), vec![a]);
    assert_eq!(ids("-INV-10"), vec![b, c], "only an exclusion");
    assert_eq!(ids("\"toner cartridge\""), vec![a, b, c]);
    assert!(
        ids("\"cartridge toner\"").is_empty(),
        "a phrase keeps its order"
    );
    assert_eq!(ids("INV-10 OR nonexistentword"), vec![a]);
    assert!(ids("INV-10 INV-11").is_empty(), "every word must occur");
}

#[test]
fn editing_a_field_reruns_validation_and_records_the_correction() {
    let mut store = Store::open_in_memory().unwrap();
    let templates = TemplateSet::builtin().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-20");
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    // A wrong total makes the totals rule fail: the document now needs review.
    let outcome = store
        .edit_field(
            &FieldEdit {
                document_id,
                field: "totalAmount",
                line: None,
                new_value: "9999.99",
                corrected_by: "alice",
                corrected_at: at,
            },
            &templates,
        )
        .unwrap();
    assert_eq!(outcome.status, DocumentStatus::NeedsReview);
    assert!(outcome
        .extraction
        .validation
        .iter()
        .any(|r| r.status == RuleStatus::Fail && r.message.contains("9999.99")));
    let row = store.document(document_id).unwrap();
    assert_eq!(row.status, DocumentStatus::NeedsReview);
    assert!(row.validation_failed);
    // Put it back: valid again, and the duplicate rule does not flag the document against itself.
    let outcome = store
        .edit_field(
            &FieldEdit {
                document_id,
                field: "totalAmount",
                line: None,
                new_value: "2453.45",
                corrected_by: "bob",
                corrected_at: at,
            },
            &templates,
        )
        .unwrap();
    assert_eq!(
        outcome.status,
        DocumentStatus::Completed,
        "{:?}",
        outcome.extraction.validation
    );
    let trail = store.corrections(document_id).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].field, "totalAmount");
    assert_eq!(trail[0].old_value.as_deref(), Some("2453.45"));
    assert_eq!(trail[0].new_value.as_deref(), Some("9999.99"));
    assert_eq!(trail[0].corrected_by, "alice");
    assert_eq!(trail[0].corrected_at, "2026-01-02T03:04:05.000Z");
    assert_eq!(trail[1].old_value.as_deref(), Some("9999.99"));
    assert_eq!(trail[1].corrected_by, "bob");
    let stored = store.extraction(document_id).unwrap().unwrap();
    assert_eq!(
        stored.field_string("totalAmount").as_deref(),
        Some("2453.45")
    );
    assert_eq!(store.stats().unwrap().n_corrections, 2);
}

#[test]
fn an_edit_with_a_wrong_type_or_unknown_field_is_refused_and_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let templates = TemplateSet::builtin().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-21");
    let edit = |field, new_value| FieldEdit {
        document_id,
        field,
        line: None,
        new_value,
        corrected_by: "alice",
        corrected_at: Utc::now(),
    };
    let err = store
        .edit_field(&edit("totalAmount", "lots"), &templates)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_edit");
    assert!(err.to_string().contains("not a number"), "{err}");
    let err = store
        .edit_field(&edit("colour", "red"), &templates)
        .unwrap_err();
    assert!(
        err.to_string().contains("no header field `colour`"),
        "{err}"
    );
    let err = store
        .edit_field(
            &FieldEdit {
                document_id: document_id + 100,
                ..edit("totalAmount", "1.00")
            },
            &templates,
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(store.corrections(document_id).unwrap().is_empty());
}

#[test]
fn editing_a_line_item_cell_reruns_the_line_rules_and_is_audited() {
    let mut store = Store::open_in_memory().unwrap();
    let templates = TemplateSet::builtin().unwrap();
    let (document_id, status) = store_invoice(&mut store, "INV-22");
    assert_eq!(status, DocumentStatus::Completed);
    let before = store.extraction(document_id).unwrap().unwrap();
    let n_lines = before.table_items.len();
    assert!(n_lines >= 2, "{:?}", before.table_items);
    let quantity_before = before.table_items[0]
        .cells
        .get("quantity")
        .map(|c| c.value.normalized_string());
    let edit = |line, field, new_value| FieldEdit {
        document_id,
        field,
        line: Some(line),
        new_value,
        corrected_by: "carol",
        corrected_at: Utc.with_ymd_and_hms(2026, 2, 3, 4, 5, 6).unwrap(),
    };
    // A wrong quantity on line 1 breaks quantity x unit price = net amount.
    let outcome = store
        .edit_field(&edit(1, "quantity", "777"), &templates)
        .unwrap();
    assert_eq!(outcome.status, DocumentStatus::NeedsReview);
    assert!(
        outcome
            .extraction
            .validation
            .iter()
            .any(|r| r.status == RuleStatus::Fail && r.message.contains("777")),
        "{:?}",
        outcome.extraction.validation
    );
    let stored = store.extraction(document_id).unwrap().unwrap();
    assert_eq!(
        stored.table_items[0].decimal("quantity"),
        Some(rust_decimal::Decimal::from(777))
    );
    assert_eq!(stored.table_items.len(), n_lines);
    // Setting it back makes the document valid again.
    let outcome = store
        .edit_field(
            &edit(1, "quantity", quantity_before.as_deref().unwrap()),
            &templates,
        )
        .unwrap();
    assert_eq!(
        outcome.status,
        DocumentStatus::Completed,
        "{:?}",
        outcome.extraction.validation
    );
    let trail = store.corrections(document_id).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].field, "tableItems[1].quantity");
    assert_eq!(trail[0].old_value, quantity_before);
    assert_eq!(trail[0].new_value.as_deref(), Some("777"));
    assert_eq!(trail[0].corrected_by, "carol");
    // One past the last line adds a line; further out is refused and changes nothing.
    store
        .edit_field(&edit(n_lines + 1, "description", "Delivery"), &templates)
        .unwrap();
    let stored = store.extraction(document_id).unwrap().unwrap();
    assert_eq!(stored.table_items.len(), n_lines + 1);
    assert_eq!(
        stored.table_items[n_lines]
            .cells
            .get("description")
            .map(|c| c.value.normalized_string())
            .as_deref(),
        Some("Delivery")
    );
    let err = store
        .edit_field(&edit(n_lines + 3, "quantity", "1"), &templates)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_edit");
    assert!(err.to_string().contains("there is no line"), "{err}");
    let err = store
        .edit_field(&edit(1, "colour", "red"), &templates)
        .unwrap_err();
    assert!(
        err.to_string().contains("no line-item column `colour`"),
        "{err}"
    );
    let err = store
        .edit_field(&edit(1, "unitPrice", "cheap"), &templates)
        .unwrap_err();
    assert!(err.to_string().contains("not a number"), "{err}");
    assert_eq!(store.corrections(document_id).unwrap().len(), 3);
}

#[test]
fn editing_the_document_number_updates_search() {
    let mut store = Store::open_in_memory().unwrap();
    let templates = TemplateSet::builtin().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-30");
    store
        .edit_field(
            &FieldEdit {
                document_id,
                field: "orderNumber",
                line: None,
                new_value: "PO-ZZTOP",
                corrected_by: "alice",
                corrected_at: Utc::now(),
            },
            &templates,
        )
        .unwrap();
    let found = store
        .documents(&DocumentFilter {
            query: Some("PO-ZZTOP".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[test]
fn deleting_a_document_removes_its_rows_and_search_entry() {
    let mut store = Store::open_in_memory().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-40");
    store.delete_document(document_id).unwrap();
    assert_eq!(store.document(document_id).unwrap_err().code(), "not_found");
    let count = |sql: &str| -> i64 { store.connection.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM pages"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM validation_results"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM document_search"), 0);
    assert_eq!(
        store.delete_document(document_id).unwrap_err().code(),
        "not_found"
    );
}

/// Queues one document in a new job and stores it processed with `copy` as its original's stored copy.
fn store_with_copy(store: &mut Store, document: &Document, copy: &std::path::Path) -> i64 {
    let job_id = store
        .create_job(
            "test",
            &serde_json::json!({}),
            &[PathBuf::from("/in/a.pdf")],
        )
        .unwrap();
    let (document_id, _) = store.pending_documents(job_id).unwrap()[0].clone();
    let extraction = extract_with_builtin(document, store);
    store
        .record_processed(
            document_id,
            &ProcessedDocument {
                document,
                stored_copy: Some(copy),
                extraction: Some(&extraction),
                unmatched_reason: None,
                read_ms: 1,
                extract_ms: 1,
            },
        )
        .unwrap();
    document_id
}

#[test]
fn deleting_a_document_removes_its_stored_original_once_no_other_document_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("invoice.pdf");
    std::fs::write(&source, b"%PDF-1.4 the original").unwrap();
    let mut document = invoice("INV-41");
    document.content_hash = "0123abcd".into();
    let copy = store_original(&dir.path().join("data"), &source, "0123abcd", "pdf").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let first = store_with_copy(&mut store, &document, &copy);
    let second = store_with_copy(&mut store, &document, &copy);

    assert_eq!(store.delete_document(first).unwrap(), None);
    assert!(
        copy.exists(),
        "the second document still refers to the copy"
    );
    assert_eq!(store.delete_document(second).unwrap(), Some(copy.clone()));
    assert!(!copy.exists());
    assert!(
        !copy.parent().unwrap().exists(),
        "its emptied folder goes too"
    );
    assert!(source.exists(), "the user's own file is never touched");

    // A stored path that is not a copy in an originals folder (here: the source itself) is left alone.
    let third = store_with_copy(&mut store, &document, &source);
    assert_eq!(store.delete_document(third).unwrap(), None);
    assert!(source.exists());
}

#[test]
fn statistics_count_documents_by_status_and_template() {
    let mut store = Store::open_in_memory().unwrap();
    store_invoice(&mut store, "INV-50");
    store_invoice(&mut store, "INV-51");
    store_invoice(&mut store, "INV-51");
    let stats = store.stats().unwrap();
    assert_eq!(stats.n_documents, 3);
    assert_eq!(stats.n_jobs, 3);
    assert_eq!(stats.n_pages, 3);
    assert_eq!(
        stats.by_status,
        vec![("completed".to_string(), 2), ("duplicate".to_string(), 1)]
    );
    assert_eq!(stats.by_template, vec![("generic-invoice".to_string(), 2)]);
    assert_eq!(stats.read_ms, 9);
}

#[test]
fn job_status_changes_are_persisted_and_completion_sets_the_finish_time() {
    let mut store = Store::open_in_memory().unwrap();
    let job_id = store.create_job("t", &serde_json::json!({}), &[]).unwrap();
    store.set_job_status(job_id, JobStatus::Paused).unwrap();
    assert_eq!(store.job_status(job_id).unwrap(), JobStatus::Paused);
    assert!(store.job(job_id).unwrap().finished_at.is_none());
    store.set_job_status(job_id, JobStatus::Completed).unwrap();
    assert!(store.job(job_id).unwrap().finished_at.is_some());
    assert_eq!(
        store
            .set_job_status(999, JobStatus::Paused)
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn originals_are_copied_once_under_their_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.pdf");
    std::fs::write(&source, b"%PDF-1.4 hello").unwrap();
    let data = dir.path().join("data");
    let copy = store_original(&data, &source, "abcdef", "pdf").unwrap();
    assert_eq!(copy, data.join("originals/ab/abcdef.pdf"));
    assert_eq!(std::fs::read(&copy).unwrap(), b"%PDF-1.4 hello");
    std::fs::remove_file(&source).unwrap();
    // Already there: no need for the source.
    assert_eq!(
        store_original(&data, &source, "abcdef", "pdf").unwrap(),
        copy
    );
    let n_files = std::fs::read_dir(data.join("originals/ab"))
        .unwrap()
        .count();
    assert_eq!(n_files, 1);
}

#[test]
fn sync_state_is_recorded_and_replaced() {
    let mut store = Store::open_in_memory().unwrap();
    let (document_id, _) = store_invoice(&mut store, "INV-60");
    let mut sync = SyncState {
        document_id,
        remote_id: None,
        state: "pending".into(),
        synced_at: None,
        last_error: None,
    };
    store.set_sync_state(&sync).unwrap();
    sync.state = "synced".into();
    sync.remote_id = Some("r-1".into());
    store.set_sync_state(&sync).unwrap();
    assert_eq!(store.sync_state(document_id).unwrap(), Some(sync));
}

#[test]
fn extraction_kinds_name_each_extracted_documents_template_in_id_order_across_chunks() {
    let mut store = Store::open_in_memory().unwrap();
    let (first, _) = store_invoice(&mut store, "INV-KIND-1");
    let (second, _) = store_invoice(&mut store, "INV-KIND-2");
    let job_id = store
        .create_job("t", &serde_json::json!({}), &[PathBuf::from("/in/x.pdf")])
        .unwrap();
    let (failed, _) = store.pending_documents(job_id).unwrap()[0].clone();
    store
        .record_failure(failed, "truncated_pdf", "/in/x.pdf: truncated", 0)
        .unwrap();
    let expected_template = store.extraction(first).unwrap().unwrap().template_id;
    // More ids than one statement takes (500), unknown ones included: those without an extraction are left out.
    let mut ids: Vec<i64> = (10_000..10_600).collect();
    ids.extend([second, failed, first]);
    let kinds = store.extraction_kinds(&ids).unwrap();
    let found: Vec<i64> = kinds.iter().map(|k| k.document_id).collect();
    assert_eq!(found, vec![first, second]);
    assert!(kinds
        .iter()
        .all(|k| k.template_id == expected_template && k.document_type == "invoice"));
}

#[test]
fn a_job_s_warnings_name_their_documents_in_order() {
    let mut store = Store::open_in_memory().unwrap();
    let paths = [PathBuf::from("/in/a.pdf"), PathBuf::from("/in/b.pdf")];
    let job_id = store
        .create_job("test", &serde_json::json!({}), &paths)
        .unwrap();
    let pending = store.pending_documents(job_id).unwrap();
    for (index, (document_id, _)) in pending.iter().enumerate() {
        let document = invoice(&format!("INV-3{index}"));
        let mut extraction = extract_with_builtin(&document, &store);
        if index == 1 {
            extraction.validation.push(quire_extract::RuleResult {
                rule_name: "line arithmetic".into(),
                rule_type: quire_extract::template::RuleType::LineArithmetic,
                status: RuleStatus::Warn,
                message: "row 1: quantity read as 20, repaired to 2".into(),
            });
        }
        let status = record(&mut store, *document_id, &document, &extraction, 1, 1);
        assert_eq!(status, DocumentStatus::Completed, "a warning is no failure");
    }
    let warnings = store.job_warnings(job_id).unwrap();
    assert_eq!(
        warnings,
        [Warning {
            document_id: pending[1].0,
            file_name: "b.pdf".into(),
            rule_name: "line arithmetic".into(),
            message: "row 1: quantity read as 20, repaired to 2".into(),
        }]
    );
    assert!(store.job_warnings(job_id + 1).unwrap().is_empty());
    let with_warnings = |has_warnings: bool| {
        sorted_ids(
            &store,
            DocumentFilter {
                has_warnings: Some(has_warnings),
                ..Default::default()
            },
        )
    };
    assert_eq!(with_warnings(true), vec![pending[1].0]);
    assert_eq!(with_warnings(false), vec![pending[0].0]);
}
