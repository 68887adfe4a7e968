//! Integration tests of the exports: documents stored in a real (in-memory) history, exported, and read
//! back: CSV against golden files, XLSX cell by cell with types, JSON by shape.

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use std::str::FromStr;

use chrono::NaiveDate;
use quire_document::BBox;
use quire_export::{
    documents_json, export, export_from_store_in_pages, load_documents, CsvOptions, ExportDocument,
    ExportOptions, Format, Layout,
};
use quire_extract::template::RuleType;
use quire_extract::test_pages::document_from_layout;
use quire_extract::value::Method;
use quire_extract::{
    Cell, Extraction, Field, Provenance, Row, RuleResult, RuleStatus, TemplateSet, Value,
};
use quire_history::{DocumentFilter, ProcessedDocument, Store};
use rust_decimal::Decimal;

fn field(value: Value) -> Field {
    Field {
        provenance: Some(Provenance {
            page: 1,
            bbox: BBox::new(100.0, 200.0, 160.0, 210.0),
            raw_text: value.normalized_string(),
            confidence: 100.0,
        }),
        value,
        method: Method::Label,
        label: None,
    }
}

fn decimal(text: &str) -> Value {
    Value::Decimal(Decimal::from_str(text).unwrap())
}

fn date(text: &str) -> Value {
    Value::Date(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
}

fn text(text: &str) -> Value {
    Value::Text(text.to_string())
}

fn item(cells: &[(&str, Value)]) -> Row {
    Row {
        cells: cells
            .iter()
            .map(|(key, value)| (key.to_string(), Cell::new(value.clone(), None)))
            .collect(),
        page: 1,
    }
}

fn extraction(
    template_id: &str,
    fields: &[(&str, Value)],
    items: Vec<Row>,
    totals_pass: bool,
) -> Extraction {
    let status = if totals_pass {
        RuleStatus::Pass
    } else {
        RuleStatus::Fail
    };
    let fields: std::collections::BTreeMap<String, Field> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), field(v.clone())))
        .collect();
    let validation = vec![
        RuleResult {
            rule_name: "required fields".into(),
            rule_type: RuleType::Required,
            status: RuleStatus::Pass,
            message: "all present".into(),
        },
        RuleResult {
            rule_name: "net plus tax equals total".into(),
            rule_type: RuleType::CompareTotals,
            status,
            message: "net 100.00 + tax 19.00 = 119.00".into(),
        },
    ];
    // Through serde, so fields added to `Extraction` with defaults need no change here.
    serde_json::from_value(serde_json::json!({
        "template_id": template_id,
        "template_version": 1,
        "document_type": template_id.trim_start_matches("generic-"),
        "source": "text",
        "fields": fields,
        "table_items": items,
        "validation": validation,
        "is_valid": totals_pass,
        "elapsed_ms": 1,
    }))
    .unwrap()
}

fn invoice(number: &str, supplier: &str, total: &str, valid: bool) -> Extraction {
    extraction(
        "generic-invoice",
        &[
            ("supplierName", text(supplier)),
            ("documentId", text(number)),
            ("date", date("2025-08-15")),
            ("currencyCode", text("EUR")),
            ("netAmount", decimal("100.00")),
            ("taxAmount", decimal("19.00")),
            ("totalAmount", decimal(total)),
            ("discountAmount", decimal("-2.50")),
        ],
        vec![
            item(&[
                ("description", text("Toner, black")),
                ("quantity", decimal("2")),
                ("unitPrice", decimal("30.00")),
                ("totalAmount", decimal("60.00")),
            ]),
            item(&[
                ("description", text("Paper; A4, \"premium\"")),
                ("quantity", decimal("1.5")),
                ("unitPrice", decimal("26.6667")),
                ("totalAmount", decimal("40.00")),
            ]),
        ],
        valid,
    )
}

/// A history with: two invoices (the second failing validation, with a formula-like supplier name), one
/// receipt, one failed file. Extractions are built by hand so the tests depend on exports only.
fn history() -> (Store, TemplateSet) {
    let templates = TemplateSet::builtin().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let receipt = extraction(
        "generic-receipt",
        &[
            ("supplierName", text("Freshway Local")),
            ("date", date("2025-08-15")),
            ("totalAmount", decimal("20.32")),
            ("paymentMethod", Value::Choice("card".into())),
        ],
        Vec::new(),
        true,
    );
    let documents = [
        (
            "inv-a.pdf",
            invoice("INV-1", "Brightline Office Supply Co.", "119.00", true),
        ),
        (
            "inv-b.pdf",
            invoice("INV-2", "=HYPERLINK(\"http://x\")", "9999.00", false),
        ),
        ("receipt.pdf", receipt),
    ];
    let mut paths: Vec<PathBuf> = documents
        .iter()
        .map(|(name, _)| PathBuf::from(format!("/in/{name}")))
        .collect();
    paths.push(PathBuf::from("/in/broken.pdf"));
    let job_id = store
        .create_job("export test", &serde_json::json!({}), &paths)
        .unwrap();
    let pending = store.pending_documents(job_id).unwrap();
    for ((document_id, _), (name, extraction)) in pending.iter().zip(&documents) {
        let mut document = document_from_layout(&format!("Document {name}"));
        document.content_hash = format!("hash-{name}");
        record(&mut store, *document_id, &document, extraction);
    }
    store
        .record_failure(
            pending[3].0,
            "truncated_pdf",
            "/in/broken.pdf: the PDF is truncated",
            0,
        )
        .unwrap();
    (store, templates)
}

/// Stores a document of the history processed, with its extraction.
fn record(
    store: &mut Store,
    document_id: i64,
    document: &quire_document::Document,
    extraction: &Extraction,
) {
    store
        .record_processed(
            document_id,
            &ProcessedDocument {
                document,
                stored_copy: None,
                extraction: Some(extraction),
                unmatched_reason: None,
                read_ms: 1,
                extract_ms: 1,
            },
        )
        .unwrap();
}

fn documents(store: &Store) -> Vec<ExportDocument> {
    load_documents(store, &DocumentFilter::default()).unwrap()
}

fn golden(name: &str, actual: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("QUIRE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{name} differs from its golden file (QUIRE_UPDATE_GOLDEN=1 rewrites it)"
    );
}

#[test]
fn unified_documents_csv_matches_its_golden_file() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("documents.csv");
    let options = ExportOptions {
        layout: Layout::Unified(None),
        ..Default::default()
    };
    let report = export(&documents(&store), &templates, Format::Csv, &options, &out).unwrap();
    assert_eq!(report.path, out);
    assert_eq!(report.n_documents, 4);
    golden("documents-unified.csv", &std::fs::read(&out).unwrap());
}

#[test]
fn lines_csv_with_semicolons_decimal_commas_and_bom_matches_its_golden_file() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lines.csv");
    let options = ExportOptions {
        layout: Layout::Unified(Some("generic-invoice".into())),
        lines: true,
        csv: CsvOptions {
            delimiter: b';',
            decimal_separator: ',',
            bom: true,
        },
    };
    export(&documents(&store), &templates, Format::Csv, &options, &out).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    golden("lines-invoice-semicolon.csv", &bytes);
}

#[test]
fn formula_like_text_is_neutralised_but_negative_numbers_stay_numbers() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.csv");
    export(
        &documents(&store),
        &templates,
        Format::Csv,
        &ExportOptions {
            layout: Layout::Unified(None),
            ..Default::default()
        },
        &out,
    )
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(!text.contains(",=HYPERLINK"));
    for (raw, safe) in [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
    ] {
        assert_eq!(quire_export::neutralize_formula(raw), safe);
    }
    // In the workbook too: the cell is the neutralised text.
    let xlsx = dir.path().join("d.xlsx");
    export(
        &documents(&store),
        &templates,
        Format::Xlsx,
        &ExportOptions {
            layout: Layout::Unified(None),
            ..Default::default()
        },
        &xlsx,
    )
    .unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = workbook.worksheet_range("Documents").unwrap();
    let supplier_col = column(&sheet, "Supplier");
    assert_eq!(
        sheet.get((2, supplier_col)),
        Some(&Data::String("'=HYPERLINK(\"http://x\")".into()))
    );
    // The workbook has no formulas at all.
    let formulas = workbook.worksheet_formula("Documents").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

fn column(sheet: &calamine::Range<Data>, name: &str) -> usize {
    (0..sheet.width())
        .find(|&c| sheet.get((0, c)) == Some(&Data::String(name.into())))
        .unwrap_or_else(|| panic!("no column {name}: {:?}", sheet.rows().next()))
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn xlsx_cells_read_back_with_their_types_and_failed_rows_are_marked() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.xlsx");
    export(
        &documents(&store),
        &templates,
        Format::Xlsx,
        &ExportOptions {
            layout: Layout::Unified(None),
            ..Default::default()
        },
        &out,
    )
    .unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Documents", "Line items", "Validation"]
    );
    let sheet = workbook.worksheet_range("Documents").unwrap();
    assert_eq!(sheet.height(), 5, "header + 4 documents");
    let (total, date, file, status, validation, id) = (
        column(&sheet, "Total amount"),
        column(&sheet, "Invoice date"),
        column(&sheet, "File"),
        column(&sheet, "Status"),
        column(&sheet, "Validation"),
        column(&sheet, "Document"),
    );
    // Row 1: the first invoice.
    assert_eq!(sheet.get((1, id)), Some(&Data::Float(1.0)));
    assert_eq!(
        sheet.get((1, file)),
        Some(&Data::String("inv-a.pdf".into()))
    );
    assert_eq!(sheet.get((1, total)), Some(&Data::Float(119.0)));
    match sheet.get((1, date)) {
        Some(Data::DateTime(value)) => {
            // Excel serial date of 2025-08-15.
            assert_eq!(value.as_f64(), 45884.0);
        }
        other => panic!("date cell is {other:?}"),
    }
    assert_eq!(
        sheet.get((1, validation)),
        Some(&Data::String("passed".into()))
    );
    // Row 2: the edited invoice, failing validation.
    assert_eq!(sheet.get((2, total)), Some(&Data::Float(9999.0)));
    assert_eq!(
        sheet.get((2, status)),
        Some(&Data::String("needs_review".into()))
    );
    assert_eq!(
        sheet.get((2, validation)),
        Some(&Data::String("failed".into()))
    );
    // Row 3: the receipt, projected onto the union of columns.
    assert_eq!(sheet.get((3, total)), Some(&Data::Float(20.32)));
    // Row 4: the failed file: no values.
    assert_eq!(sheet.get((4, status)), Some(&Data::String("failed".into())));
    assert_eq!(sheet.get((4, total)), Some(&Data::Empty));
    let lines = workbook.worksheet_range("Line items").unwrap();
    let quantity = column(&lines, "Quantity");
    assert_eq!(lines.get((1, quantity)), Some(&Data::Float(2.0)));
    assert_eq!(lines.get((2, quantity)), Some(&Data::Float(1.5)));
    let validation_sheet = workbook.worksheet_range("Validation").unwrap();
    assert!(validation_sheet
        .rows()
        .any(|row| row.get(4) == Some(&Data::String("fail".into()))));

    // Presentation, from the sheet XML: frozen header, autofilter, widths, 2-decimal format, red fill on the
    // failed document's row and not on the others.
    let sheet_xml = zip_entry(&out, "xl/worksheets/sheet1.xml");
    let styles_xml = zip_entry(&out, "xl/styles.xml");
    assert!(sheet_xml.contains("ySplit=\"1\""), "frozen header");
    assert!(sheet_xml.contains("<autoFilter ref=\"A1:"), "autofilter");
    assert!(sheet_xml.contains("<col "), "column widths");
    assert!(styles_xml.contains("#,##0.00"));
    assert!(styles_xml.contains("FFFFC7CE"), "red fill for failed rows");
    let row_styles = |row: u32| -> Vec<String> {
        let start = sheet_xml.find(&format!("<row r=\"{row}\"")).unwrap();
        let end = start + sheet_xml[start..].find("</row>").unwrap();
        sheet_xml[start..end]
            .split(" s=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect()
    };
    let fill_ids: Vec<String> = styles_xml
        .split("<xf ")
        .filter(|xf| xf.contains("fillId=\"2\""))
        .map(|xf| xf.to_string())
        .collect();
    assert!(!fill_ids.is_empty(), "a style with the red fill");
    let failed_row = row_styles(3);
    let passed_row = row_styles(2);
    assert!(!failed_row.is_empty());
    assert!(
        failed_row.iter().all(|s| !passed_row.contains(s)),
        "failed row styled differently: {failed_row:?} vs {passed_row:?}"
    );
}

#[test]
fn original_layout_writes_one_csv_per_template_into_a_zip() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.csv");
    let report = export(
        &documents(&store),
        &templates,
        Format::Csv,
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    assert_eq!(report.path, dir.path().join("export.zip"));
    assert_eq!(
        report.files,
        [
            "documents-generic-invoice.csv",
            "documents-generic-receipt.csv",
            "documents-unprocessed.csv"
        ]
    );
    let invoices = zip_entry(&report.path, "documents-generic-invoice.csv");
    assert_eq!(invoices.lines().count(), 3, "header + 2 invoices");
    assert!(invoices.lines().next().unwrap().contains("totalAmount"));
    let receipts = zip_entry(&report.path, "documents-generic-receipt.csv");
    assert!(receipts.lines().next().unwrap().contains("paymentMethod"));
    assert!(
        !receipts.lines().next().unwrap().contains("iban"),
        "only the receipt's own columns"
    );
    assert!(!out.exists());
}

#[test]
fn original_layout_xlsx_has_a_sheet_pair_per_template() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.xlsx");
    export(
        &documents(&store),
        &templates,
        Format::Xlsx,
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    let workbook: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Invoice documents",
            "Invoice lines",
            "Receipt documents",
            "Receipt lines",
            "Unprocessed documents",
            "Validation"
        ],
        "documents that were never extracted have no Line items sheet"
    );
    let mut workbook = workbook;
    let unprocessed = workbook.worksheet_range("Unprocessed documents").unwrap();
    assert_eq!(unprocessed.height(), 2, "header + the failed file");
    let lines = workbook.worksheet_range("Receipt lines").unwrap();
    assert_eq!(lines.height(), 1, "the receipt has no items: header only");
}

#[test]
fn original_layout_lines_csv_has_no_file_for_documents_never_extracted() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lines.zip");
    let options = ExportOptions {
        lines: true,
        ..Default::default()
    };
    let report = export(&documents(&store), &templates, Format::Csv, &options, &out).unwrap();
    assert_eq!(
        report.files,
        ["lines-generic-invoice.csv", "lines-generic-receipt.csv"]
    );
    let invoices = zip_entry(&report.path, "lines-generic-invoice.csv");
    assert_eq!(
        invoices.lines().count(),
        5,
        "header + 2 lines of 2 invoices"
    );
}

#[test]
fn json_has_the_hosted_api_shape_with_exact_amounts_and_provenance() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.json");
    export(
        &documents(&store),
        &templates,
        Format::Json,
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let documents = json["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 4);
    let first = &documents[0];
    for key in [
        "document_id",
        "file_name",
        "page_start",
        "page_end",
        "template_id",
        "extracted_data",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["file_name"], "inv-a.pdf");
    assert_eq!(first["page_start"], 1);
    assert_eq!(first["page_end"], 1);
    assert_eq!(first["template_id"], "generic-invoice");
    assert_eq!(
        first["extracted_data"]["general_part"]["totalAmount"],
        "119.00"
    );
    assert_eq!(
        first["extracted_data"]["general_part"]["date"],
        "2025-08-15"
    );
    assert_eq!(
        first["extracted_data"]["table_part"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        first["extracted_data"]["table_part"][1]["unitPrice"],
        "26.6667"
    );
    assert_eq!(
        first["provenance"]["general_part"]["totalAmount"]["page"],
        1
    );
    assert!(first["validation_results"].as_array().unwrap().len() > 1);
    assert_eq!(documents[1]["is_valid"], false);
    assert_eq!(documents[3]["status"], "failed");
    assert_eq!(documents[3]["error"]["code"], "truncated_pdf");
    assert!(documents[3]["template_id"].is_null());
}

#[test]
fn an_export_replaces_an_existing_file_whole_and_leaves_no_temporary_files() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.json");
    std::fs::write(&out, "old content that is much longer than nothing at all").unwrap();
    export(
        &documents(&store),
        &templates,
        Format::Json,
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&std::fs::read(&out).unwrap()).is_ok());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("export.json")]);
    // A folder that does not exist is an error naming the path, not a panic.
    let err = export(
        &documents(&store),
        &templates,
        Format::Json,
        &ExportOptions::default(),
        &dir.path().join("no/such/dir/x.json"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains("x.json"));
}

/// Every sheet of a workbook: its name and its cells, row by row.
fn workbook_cells(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).unwrap();
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|row| row.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn xlsx_streamed_from_the_history_in_pages_has_the_same_cells_as_an_export_of_loaded_documents() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Original, Layout::Unified(None)] {
        let options = ExportOptions {
            layout: layout.clone(),
            ..Default::default()
        };
        let whole = dir.path().join("whole.xlsx");
        export(
            &documents(&store),
            &templates,
            Format::Xlsx,
            &options,
            &whole,
        )
        .unwrap();
        let expected = workbook_cells(&whole);
        for page_size in [1, 2, 500] {
            let streamed = dir.path().join(format!("streamed-{page_size}.xlsx"));
            let report = export_from_store_in_pages(
                &store,
                &DocumentFilter::default(),
                &templates,
                Format::Xlsx,
                &options,
                &streamed,
                page_size,
            )
            .unwrap();
            assert_eq!(report.n_documents, 4);
            let actual = workbook_cells(&streamed);
            assert_eq!(actual, expected, "{layout:?}, pages of {page_size}");
            let sheet_xml = zip_entry(&streamed, "xl/worksheets/sheet1.xml");
            assert!(sheet_xml.contains("ySplit=\"1\""), "frozen header");
            assert!(sheet_xml.contains("<col "), "column widths");
        }
        let n_rows: usize = expected
            .iter()
            .filter(|(name, _)| name.ends_with("documents") || name == "Documents")
            .map(|(_, rows)| rows.len() - 1)
            .sum();
        assert_eq!(n_rows, 4, "{layout:?}: one row per document");
    }
}

/// The names and contents of a ZIP's files.
fn zip_files(path: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_string(), text)
        })
        .collect()
}

#[test]
fn json_and_csv_streamed_from_the_history_in_pages_equal_exports_of_loaded_documents() {
    let (store, templates) = history();
    let dir = tempfile::tempdir().unwrap();
    // JSON: the same bytes as the whole selection serialised at once, and valid JSON.
    let expected_json = documents_json(&documents(&store));
    for page_size in [1, 3, 500] {
        let out = dir.path().join(format!("streamed-{page_size}.json"));
        let report = export_from_store_in_pages(
            &store,
            &DocumentFilter::default(),
            &templates,
            Format::Json,
            &ExportOptions::default(),
            &out,
            page_size,
        )
        .unwrap();
        assert_eq!(report.n_documents, 4);
        let written = std::fs::read(&out).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected_json),
            "pages of {page_size}"
        );
        let parsed: serde_json::Value = serde_json::from_slice(&written).unwrap();
        assert_eq!(parsed["documents"].as_array().unwrap().len(), 4);
    }
    // An empty selection is still a valid, empty list.
    let empty = dir.path().join("empty.json");
    let report = export_from_store_in_pages(
        &store,
        &DocumentFilter {
            query: Some("nothing-matches-this".into()),
            ..Default::default()
        },
        &templates,
        Format::Json,
        &ExportOptions::default(),
        &empty,
        10,
    )
    .unwrap();
    assert_eq!(report.n_documents, 0);
    assert_eq!(std::fs::read(&empty).unwrap(), documents_json(&[]));
    // CSV, one file (unified) and one per template in a ZIP (original), documents and lines.
    for (layout, lines) in [
        (Layout::Unified(None), false),
        (Layout::Unified(None), true),
        (Layout::Original, false),
        (Layout::Original, true),
    ] {
        let options = ExportOptions {
            layout: layout.clone(),
            lines,
            csv: CsvOptions {
                delimiter: b';',
                decimal_separator: ',',
                bom: true,
            },
        };
        let extension = if layout == Layout::Original {
            "zip"
        } else {
            "csv"
        };
        let whole = dir.path().join(format!("whole.{extension}"));
        let whole_report = export(
            &documents(&store),
            &templates,
            Format::Csv,
            &options,
            &whole,
        )
        .unwrap();
        for page_size in [1, 500] {
            let streamed = dir.path().join(format!("streamed-{page_size}.{extension}"));
            let report = export_from_store_in_pages(
                &store,
                &DocumentFilter::default(),
                &templates,
                Format::Csv,
                &options,
                &streamed,
                page_size,
            )
            .unwrap();
            if extension == "zip" {
                assert_eq!(report.files, whole_report.files, "{layout:?} lines={lines}");
                let files = zip_files(&streamed);
                assert!(files.len() > 1, "{files:?}");
                assert_eq!(files, zip_files(&whole), "{layout:?} lines={lines}");
                assert!(files.iter().all(|(_, text)| text.starts_with('\u{feff}')));
            } else {
                let text = std::fs::read_to_string(&streamed).unwrap();
                assert_eq!(text, std::fs::read_to_string(&whole).unwrap());
                let n_rows = text.lines().count() - 1;
                if lines {
                    assert!(n_rows >= 2 && text.contains("Toner, black"), "{text}");
                } else {
                    assert_eq!(n_rows, 4, "one row per document: {text}");
                }
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn documents_without_values_say_why_in_csv_and_json() {
    let (mut store, templates) = history();
    // The same content again, in a new job: recorded as a duplicate of the first invoice.
    let job_id = store
        .create_job(
            "again",
            &serde_json::json!({}),
            &[PathBuf::from("/in/again.pdf")],
        )
        .unwrap();
    let (document_id, _) = store.pending_documents(job_id).unwrap()[0].clone();
    let mut document = document_from_layout("Document inv-a.pdf");
    document.content_hash = "hash-inv-a.pdf".into();
    let extraction = invoice("INV-1", "Brightline Office Supply Co.", "119.00", true);
    record(&mut store, document_id, &document, &extraction);
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("documents.csv");
    let options = ExportOptions {
        layout: Layout::Unified(None),
        ..Default::default()
    };
    export(
        &documents(&store),
        &templates,
        Format::Csv,
        &options,
        &csv_path,
    )
    .unwrap();
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let problem = headers.iter().position(|h| h == "problem").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let problem_of = |file: &str| {
        rows.iter()
            .find(|r| &r[1] == file)
            .map(|r| r[problem].to_string())
            .unwrap()
    };
    assert_eq!(
        problem_of("broken.pdf"),
        "[truncated_pdf] /in/broken.pdf: the PDF is truncated"
    );
    assert_eq!(
        problem_of("again.pdf"),
        "identical content was already processed as document 1"
    );
    assert_eq!(problem_of("inv-a.pdf"), "");
    let json_path = dir.path().join("documents.json");
    export(
        &documents(&store),
        &templates,
        Format::Json,
        &ExportOptions::default(),
        &json_path,
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let again = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file_name"] == "again.pdf")
        .unwrap();
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["duplicate_of"], 1);
}

#[test]
fn a_line_value_repaired_from_its_row_is_highlighted_with_a_note_and_kept_in_json() {
    let templates = TemplateSet::builtin().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let mut scanned = invoice("INV-9", "Brightline Office Supply Co.", "119.00", true);
    // OCR read `20` where the row says 2 (and did not read the second row's unit price at all).
    let cells = &mut scanned.table_items[0].cells;
    cells.get_mut("quantity").unwrap().repaired_from = Some(decimal("20"));
    let cells = &mut scanned.table_items[1].cells;
    cells.get_mut("unitPrice").unwrap().repaired_from = Some(Value::Text(String::new()));
    let job_id = store
        .create_job(
            "repairs",
            &serde_json::json!({}),
            &[PathBuf::from("/in/scan.png")],
        )
        .unwrap();
    let pending = store.pending_documents(job_id).unwrap();
    let document = document_from_layout("Document scan.png");
    record(&mut store, pending[0].0, &document, &scanned);
    let loaded = documents(&store);
    let dir = tempfile::tempdir().unwrap();

    let xlsx = dir.path().join("repairs.xlsx");
    let options = ExportOptions {
        layout: Layout::Unified(None),
        ..Default::default()
    };
    export(&loaded, &templates, Format::Xlsx, &options, &xlsx).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let lines = workbook.worksheet_range("Line items").unwrap();
    let (quantity, price) = (column(&lines, "Quantity"), column(&lines, "Unit price"));
    // The values stay the repaired ones, as numbers.
    assert_eq!(lines.get((1, quantity)), Some(&Data::Float(2.0)));
    // The notes sit on the repaired cells (sheet 2 is Line items) and say what OCR read.
    let cell_ref = |row: u32, col: usize| format!("{}{}", (b'A' + col as u8) as char, row + 1);
    let comments = zip_entry(&xlsx, "xl/comments1.xml");
    assert_eq!(comments.matches("<comment ").count(), 2, "{comments}");
    assert!(comments.contains(&format!("ref=\"{}\"", cell_ref(1, quantity))));
    assert!(comments.contains(&format!("ref=\"{}\"", cell_ref(2, price))));
    assert!(comments.contains("OCR read 20; repaired so that the row adds up"));
    assert!(comments.contains("OCR did not read this value"));
    // ... and are filled yellow, unlike their neighbours.
    let styles_xml = zip_entry(&xlsx, "xl/styles.xml");
    assert!(
        styles_xml.contains("FFFFEB9C"),
        "yellow fill for cells to check"
    );
    let sheet_xml = zip_entry(&xlsx, "xl/worksheets/sheet2.xml");
    let style_of = |reference: &str| -> Option<String> {
        let start = sheet_xml.find(&format!("<c r=\"{reference}\""))?;
        let cell = &sheet_xml[start..start + sheet_xml[start..].find('>')?];
        cell.split(" s=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap_or("").to_string())
    };
    let repaired_style = style_of(&cell_ref(1, quantity));
    assert!(repaired_style.is_some());
    assert_ne!(repaired_style, style_of(&cell_ref(2, quantity)));

    let json_path = dir.path().join("repairs.json");
    export(&loaded, &templates, Format::Json, &options, &json_path).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let provenance = &json["documents"][0]["provenance"]["table_part"];
    assert_eq!(provenance[0]["quantity"]["repaired_from"], "20");
    assert_eq!(provenance[1]["unitPrice"]["repaired_from"], "");
    assert!(provenance[0]["unitPrice"].get("repaired_from").is_none());
}
