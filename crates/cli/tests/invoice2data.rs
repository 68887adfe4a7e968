//! End-to-end tests of the invoice2data side of the binary: importing templates, scoring another tool's
//! output with `quire eval --predictions`, and `quire bench extract`.

use super::{quire, write_invoices};

#[test]
fn importing_two_invoice2data_templates_of_the_same_file_name_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, issuer) in [("com", "ACME Inc"), ("fr", "ACME SARL")] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(
            dir.path().join(folder).join("com.acme.yml"),
            format!("issuer: {issuer}\nkeywords: [ACME]\nfields:\n  amount: Total (\\d+)\n"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    let output = quire()
        .args(["templates", "import-invoice2data"])
        .arg(dir.path().join("com/com.acme.yml"))
        .arg(dir.path().join("fr/com.acme.yml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let first = std::fs::read_to_string(out.join("invoice2data-com.acme.json")).unwrap();
    let second = std::fs::read_to_string(out.join("invoice2data-fr-com.acme.json")).unwrap();
    assert!(first.contains("ACME Inc"), "{first}");
    assert!(second.contains("ACME SARL"), "{second}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("imported as `invoice2data-fr-com.acme`"),
        "{stdout}"
    );
}

#[test]
fn eval_scores_another_tools_output_by_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let compare = dir.path().join("compare");
    std::fs::create_dir_all(&compare).unwrap();
    // Only the ground truth is read: predictions are scored, the documents are not read.
    for name in ["a", "b"] {
        std::fs::write(compare.join(format!("{name}.pdf")), "not read").unwrap();
        std::fs::write(
            compare.join(format!("{name}.json")),
            r#"[{"issuer": "ACME", "amount": 1939.0, "date": "2017-12-31", "desc": "Invoice from ACME",
                "lines": [{"name": "Room", "qty": 1.0}]}]"#,
        )
        .unwrap();
    }
    let predictions = dir.path().join("predictions.json");
    std::fs::write(
        &predictions,
        r#"{"a.pdf": {"fields": {"issuer": "acme", "amount": "1939", "date": "2017-12-31"},
                      "line_items": [{"name": "Room", "qty": "1"}]},
            "b.pdf": {"fields": {"issuer": "ACME", "amount": "1939.01"}}}"#,
    )
    .unwrap();
    let output = quire()
        .arg("eval")
        .arg("--corpus")
        .arg(dir.path())
        .arg("--predictions")
        .arg(&predictions)
        .arg("--json")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["n_docs"], 2);
    // a: issuer, amount, date right; b: issuer right, amount wrong, date missing.
    assert_eq!(summary["n_fields"], 6);
    assert_eq!(summary["n_fields_correct"], 4);
    assert_eq!(summary["item_recall"], 0.5);
    assert_eq!(summary["item_precision"], 1.0);
}

#[test]
fn bench_extract_times_rounds_and_writes_what_it_extracted() {
    let dir = tempfile::tempdir().unwrap();
    write_invoices(&dir.path().join("in"), 2);
    let predictions = dir.path().join("predictions.json");
    let output = quire()
        .args([
            "bench",
            "extract",
            "--rounds",
            "2",
            "--workers",
            "2",
            "--json",
            "--no-einvoice",
        ])
        .arg("--predictions-out")
        .arg(&predictions)
        .arg(dir.path().join("in/invoice-0001.pdf"))
        .arg(dir.path().join("in/invoice-0002.pdf"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let figures: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(figures["n_docs"], 2);
    assert_eq!(figures["n_failed"], 0);
    assert_eq!(figures["docs_per_second"].as_array().unwrap().len(), 2);
    assert!(figures["median_docs_per_second"].as_f64().unwrap() > 0.0);
    // The two-thread rounds are timed too.
    assert_eq!(figures["workers"], 2);
    assert_eq!(
        figures["parallel_docs_per_second"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(figures["parallel_median_docs_per_second"].as_f64().unwrap() > 0.0);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&predictions).unwrap()).unwrap();
    let first = &written["invoice-0001.pdf"]["fields"];
    assert!(first["totalAmount"].is_string(), "{written:#}");
    assert_ne!(
        written["invoice-0001.pdf"]["fields"]["documentId"],
        written["invoice-0002.pdf"]["fields"]["documentId"]
    );
}
