//! Validation rules over extracted values: every rule type, with messages naming fields and numbers.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use quire_extract::template::Template;
use quire_extract::validate::validate;
use quire_extract::value::Method;
use quire_extract::{
    Cell, Field, InMemoryHistory, NoHistory, Provenance, Row, RuleResult, RuleStatus, Value,
};
use rust_decimal::Decimal;

const TEMPLATE: &str = r#"{
  "id": "rules", "version": 1, "name": "Rules", "document_type": "invoice",
  "schema_definition": {
    "general_part": {
      "supplierName": { "name": "Supplier", "format_type": "text" },
      "documentId": { "name": "Number", "format_type": "text" },
      "date": { "name": "Date", "format_type": "date" },
      "dueDate": { "name": "Due", "format_type": "date" },
      "netAmount": { "name": "Net", "format_type": "number" },
      "taxAmount": { "name": "Tax", "format_type": "number" },
      "totalAmount": { "name": "Total", "format_type": "number" },
      "paymentMethod": { "name": "Payment", "format_type": "multiple_choice", "format_options": ["cash", "card"] },
      "openingBalance": { "name": "Opening", "format_type": "number" },
      "closingBalance": { "name": "Closing", "format_type": "number" }
    },
    "table_part": {
      "description": { "name": "Description", "format_type": "text", "field_type": "table" },
      "quantity": { "name": "Qty", "format_type": "number", "field_type": "table" },
      "unitPrice": { "name": "Price", "format_type": "number", "field_type": "table" },
      "netAmount": { "name": "Net", "format_type": "number", "field_type": "table" },
      "taxAmount": { "name": "Tax", "format_type": "number", "field_type": "table" },
      "totalAmount": { "name": "Total", "format_type": "number", "field_type": "table" },
      "creditAmount": { "name": "Credit", "format_type": "number", "field_type": "table" },
      "debitAmount": { "name": "Debit", "format_type": "number", "field_type": "table" },
      "balanceAmount": { "name": "Balance", "format_type": "number", "field_type": "table" }
    }
  },
  "validation_rules": { "rules": [
    { "rule_name": "required", "rule_type": "required", "targets": ["general_part.supplierName", "general_part.totalAmount", "table_part.description"] },
    { "rule_name": "totals", "rule_type": "compare_totals", "config": { "set_1": ["general_part.netAmount", "general_part.taxAmount"], "set_2": ["general_part.totalAmount"], "tolerance": 0.01 } },
    { "rule_name": "lines", "rule_type": "compare_totals", "config": { "set_1": ["table_part.netAmount"], "set_2": ["general_part.netAmount"], "tolerance": 0.01,
      "alternatives": [ { "set_2": ["general_part.totalAmount"], "label": "gross lines" } ] } },
    { "rule_name": "number format", "rule_type": "format", "targets": ["general_part.documentId"], "config": { "pattern": "^INV-\\d+$" } },
    { "rule_name": "total range", "rule_type": "range", "targets": ["general_part.totalAmount"], "config": { "min": 0, "max": 10000 } },
    { "rule_name": "payment", "rule_type": "one_of", "targets": ["general_part.paymentMethod"] },
    { "rule_name": "dates", "rule_type": "date_order", "targets": ["general_part.date", "general_part.dueDate"] },
    { "rule_name": "arithmetic", "rule_type": "line_arithmetic" },
    { "rule_name": "balance", "rule_type": "statement_balance" },
    { "rule_name": "duplicate", "rule_type": "duplicate", "targets": ["general_part.supplierName", "general_part.documentId"] },
    { "rule_name": "confidence", "rule_type": "low_confidence", "targets": ["general_part.totalAmount"], "config": { "threshold": 70 } }
  ] }
}"#;

fn template() -> Template {
    Template::from_json_str("rules.json", TEMPLATE).unwrap()
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn field(value: Value, confidence: f32) -> Field {
    Field {
        value,
        provenance: Some(Provenance {
            page: 1,
            bbox: Default::default(),
            raw_text: String::new(),
            confidence,
        }),
        method: Method::Label,
        label: None,
    }
}

fn good_fields() -> BTreeMap<String, Field> {
    let mut fields = BTreeMap::new();
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_string(), field(value, 95.0));
    };
    put("supplierName", Value::Text("ACME Ltd".into()));
    put("documentId", Value::Text("INV-42".into()));
    put(
        "date",
        Value::Date(NaiveDate::from_ymd_opt(2025, 8, 15).unwrap()),
    );
    put(
        "dueDate",
        Value::Date(NaiveDate::from_ymd_opt(2025, 9, 14).unwrap()),
    );
    put("netAmount", Value::Decimal(decimal("100.00")));
    put("taxAmount", Value::Decimal(decimal("19.00")));
    put("totalAmount", Value::Decimal(decimal("119.00")));
    put("paymentMethod", Value::Choice("card".into()));
    fields
}

fn row(cells: &[(&str, &str)]) -> Row {
    let mut row = Row {
        cells: BTreeMap::new(),
        page: 1,
    };
    for (key, text) in cells {
        let value = if *key == "description" {
            Value::Text(text.to_string())
        } else {
            Value::Decimal(decimal(text))
        };
        row.cells.insert(key.to_string(), Cell::new(value, None));
    }
    row
}

fn good_rows() -> Vec<Row> {
    vec![
        row(&[
            ("description", "Widget"),
            ("quantity", "2"),
            ("unitPrice", "30.00"),
            ("netAmount", "60.00"),
            ("taxAmount", "11.40"),
            ("totalAmount", "71.40"),
        ]),
        row(&[
            ("description", "Service"),
            ("quantity", "1"),
            ("unitPrice", "40.00"),
            ("netAmount", "40.00"),
        ]),
    ]
}

fn result<'a>(results: &'a [RuleResult], name: &str) -> &'a RuleResult {
    results.iter().find(|r| r.rule_name == name).unwrap()
}

#[test]
fn a_consistent_document_passes_every_applicable_rule() {
    let results = validate(&template(), &good_fields(), &good_rows(), &NoHistory);
    for name in [
        "required",
        "totals",
        "lines",
        "number format",
        "total range",
        "payment",
        "dates",
        "arithmetic",
        "duplicate",
        "confidence",
    ] {
        assert_eq!(
            result(&results, name).status,
            RuleStatus::Pass,
            "{name}: {}",
            result(&results, name).message
        );
    }
    let balance = result(&results, "balance");
    assert_eq!(balance.status, RuleStatus::Skipped, "{}", balance.message);
    assert!(quire_extract::extraction::is_valid(&results));
}

#[test]
fn required_treats_blank_and_null_as_missing_and_zero_as_present() {
    let mut fields = good_fields();
    fields.insert(
        "supplierName".into(),
        field(Value::Text("null".into()), 95.0),
    );
    fields.insert(
        "totalAmount".into(),
        field(Value::Decimal(Decimal::ZERO), 95.0),
    );
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    let required = result(&results, "required");
    assert_eq!(required.status, RuleStatus::Fail);
    assert_eq!(required.message, "missing: general_part.supplierName");
    let no_rows = validate(&template(), &good_fields(), &[], &NoHistory);
    assert!(result(&no_rows, "required")
        .message
        .contains("table_part.description (no table rows)"));
    let mut rows = good_rows();
    rows[1].cells.remove("description");
    let results = validate(&template(), &good_fields(), &rows, &NoHistory);
    assert!(result(&results, "required")
        .message
        .contains("table_part.description (rows 2)"));
}

#[test]
fn compare_totals_names_fields_and_numbers_and_tries_alternatives() {
    let mut fields = good_fields();
    fields.insert(
        "totalAmount".into(),
        field(Value::Decimal(decimal("120.00")), 95.0),
    );
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    let totals = result(&results, "totals");
    assert_eq!(totals.status, RuleStatus::Fail);
    assert_eq!(
        totals.message,
        "netAmount 100.00 + taxAmount 19.00 = 119.00 but totalAmount 120.00 (difference 1.00); tolerance 0.01"
    );
    // Lines sum to 119 (gross prices): the net comparison fails, the alternative passes.
    let rows = vec![row(&[("description", "Gross"), ("netAmount", "120.00")])];
    let results = validate(&template(), &fields, &rows, &NoHistory);
    let lines = result(&results, "lines");
    assert_eq!(lines.status, RuleStatus::Pass, "{}", lines.message);
    assert!(
        lines.message.contains("alternative: gross lines"),
        "{}",
        lines.message
    );
    assert!(!quire_extract::extraction::is_valid(&results));
}

#[test]
fn compare_totals_is_skipped_when_a_value_is_missing() {
    let mut fields = good_fields();
    fields.remove("taxAmount");
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    let totals = result(&results, "totals");
    assert_eq!(totals.status, RuleStatus::Skipped);
    assert_eq!(
        totals.message,
        "cannot compare: general_part.taxAmount is missing"
    );
}

#[test]
fn format_range_and_one_of_report_the_offending_values() {
    let mut fields = good_fields();
    fields.insert("documentId".into(), field(Value::Text("42".into()), 95.0));
    fields.insert(
        "totalAmount".into(),
        field(Value::Decimal(decimal("-5.00")), 95.0),
    );
    fields.insert(
        "paymentMethod".into(),
        field(Value::Choice("cheque".into()), 95.0),
    );
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    assert_eq!(
        result(&results, "number format").message,
        "documentId `42` do(es) not match ^INV-\\d+$"
    );
    assert_eq!(
        result(&results, "total range").message,
        "totalAmount -5.00 not between 0 and 10000"
    );
    assert_eq!(
        result(&results, "payment").message,
        "paymentMethod `cheque` is not one of cash, card"
    );
    for name in ["number format", "total range", "payment"] {
        assert_eq!(result(&results, name).status, RuleStatus::Fail, "{name}");
    }
}

#[test]
fn a_rule_with_warning_severity_warns_instead_of_failing_and_the_document_stays_valid() {
    let json = TEMPLATE.replace(
        r#""config": { "min": 0, "max": 10000 } }"#,
        r#""config": { "min": 0, "max": 10000, "severity": "warning" } }"#,
    );
    assert_ne!(json, TEMPLATE);
    let template = Template::from_json_str("rules.json", &json).unwrap();
    let mut fields = good_fields();
    for (key, amount) in [
        ("netAmount", "-100.00"),
        ("taxAmount", "-19.00"),
        ("totalAmount", "-119.00"),
    ] {
        fields.insert(key.into(), field(Value::Decimal(decimal(amount)), 95.0));
    }
    let results = validate(&template, &fields, &[], &NoHistory);
    let range = result(&results, "total range");
    assert_eq!(range.status, RuleStatus::Warn);
    assert_eq!(range.message, "totalAmount -119.00 not between 0 and 10000");
    // Within range, the rule passes as before.
    let results = validate(&template, &good_fields(), &good_rows(), &NoHistory);
    assert_eq!(result(&results, "total range").status, RuleStatus::Pass);
    // An unknown severity is a template error naming the field.
    let bad = TEMPLATE.replace(
        r#""config": { "min": 0, "max": 10000 } }"#,
        r#""config": { "min": 0, "max": 10000, "severity": "maybe" } }"#,
    );
    let error = Template::from_json_str("rules.json", &bad)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("rules.json") && error.contains("maybe"),
        "{error}"
    );
}

#[test]
fn the_built_in_invoice_accepts_a_credit_notes_negative_total_with_a_warning() {
    let set = quire_extract::TemplateSet::builtin().unwrap();
    let invoice = set.get("generic-invoice").unwrap();
    let mut fields = good_fields();
    for (key, amount) in [
        ("netAmount", "-7.39"),
        ("taxAmount", "-1.40"),
        ("totalAmount", "-8.79"),
    ] {
        fields.insert(key.into(), field(Value::Decimal(decimal(amount)), 95.0));
    }
    let results = validate(invoice, &fields, &[], &NoHistory);
    let negative = results
        .iter()
        .find(|r| r.rule_name.starts_with("total is not negative"))
        .unwrap();
    assert_eq!(negative.status, RuleStatus::Warn, "{}", negative.message);
    assert!(results
        .iter()
        .filter(|r| r.rule_name.starts_with("net plus tax"))
        .all(|r| r.status == RuleStatus::Pass));
}

#[test]
fn a_due_date_before_the_invoice_date_fails() {
    let mut fields = good_fields();
    fields.insert(
        "dueDate".into(),
        field(
            Value::Date(NaiveDate::from_ymd_opt(2025, 8, 1).unwrap()),
            95.0,
        ),
    );
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    let dates = result(&results, "dates");
    assert_eq!(dates.status, RuleStatus::Fail);
    assert_eq!(
        dates.message,
        "dueDate 2025-08-01 is before date 2025-08-15"
    );
}

#[test]
fn line_arithmetic_names_the_row_and_the_numbers() {
    let rows = vec![row(&[
        ("description", "Widget"),
        ("quantity", "3"),
        ("unitPrice", "30.00"),
        ("netAmount", "60.00"),
    ])];
    let results = validate(&template(), &good_fields(), &rows, &NoHistory);
    let arithmetic = result(&results, "arithmetic");
    assert_eq!(arithmetic.status, RuleStatus::Fail);
    assert_eq!(
        arithmetic.message,
        "row 1: quantity 3 × unitPrice 30.00 − discountAmount 0 = 90.00 but netAmount is 60.00"
    );
}

#[test]
fn statement_balance_checks_the_closing_and_every_running_balance() {
    let mut fields = BTreeMap::new();
    fields.insert(
        "openingBalance".to_string(),
        field(Value::Decimal(decimal("100.00")), 99.0),
    );
    fields.insert(
        "closingBalance".to_string(),
        field(Value::Decimal(decimal("130.00")), 99.0),
    );
    let rows = vec![
        row(&[
            ("description", "In"),
            ("creditAmount", "50.00"),
            ("balanceAmount", "150.00"),
        ]),
        row(&[
            ("description", "Out"),
            ("debitAmount", "20.00"),
            ("balanceAmount", "130.00"),
        ]),
    ];
    let results = validate(&template(), &fields, &rows, &NoHistory);
    let balance = result(&results, "balance");
    assert_eq!(balance.status, RuleStatus::Pass, "{}", balance.message);
    let broken = vec![
        rows[0].clone(),
        row(&[
            ("description", "Out"),
            ("debitAmount", "20.00"),
            ("balanceAmount", "140.00"),
        ]),
    ];
    let results = validate(&template(), &fields, &broken, &NoHistory);
    let balance = result(&results, "balance");
    assert_eq!(balance.status, RuleStatus::Fail);
    assert_eq!(
        balance.message,
        "row 2: balance 150.00 + -20.00 = 130.00 but balanceAmount is 140.00"
    );
}

#[test]
fn duplicate_asks_the_history() {
    let mut history = InMemoryHistory::new();
    history.insert("acme  ltd", "inv-42", "invoice.pdf processed 2025-08-16");
    let results = validate(&template(), &good_fields(), &good_rows(), &history);
    let duplicate = result(&results, "duplicate");
    assert_eq!(duplicate.status, RuleStatus::Fail);
    assert_eq!(
        duplicate.message,
        "supplier `ACME Ltd` document `INV-42` already processed: invoice.pdf processed 2025-08-16"
    );
}

#[test]
fn low_confidence_warns_without_failing_the_document() {
    let mut fields = good_fields();
    fields.insert(
        "totalAmount".into(),
        field(Value::Decimal(decimal("119.00")), 41.0),
    );
    let results = validate(&template(), &fields, &good_rows(), &NoHistory);
    let confidence = result(&results, "confidence");
    assert_eq!(confidence.status, RuleStatus::Warn);
    assert_eq!(
        confidence.message,
        "totalAmount `119` read with confidence 41 (threshold 70)"
    );
    assert!(quire_extract::extraction::is_valid(&results));
}
