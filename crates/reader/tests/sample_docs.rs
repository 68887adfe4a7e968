//! Every document in sample-docs/ read for real and checked against its ground truth: text-layer pages
//! must contain every ground-truth word, OCR'd pages at least 95% of them.

use std::collections::HashMap;
use std::path::PathBuf;

use quire_document::PageSource;
use serde::Deserialize;

use crate::util::repo_root;

#[derive(Deserialize)]
struct GroundTruth {
    file: String,
    #[serde(default)]
    locale: String,
    pages: Vec<GroundTruthPage>,
}

#[derive(Deserialize)]
struct GroundTruthPage {
    number: u32,
    words: Vec<String>,
}

fn ground_truth_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![repo_root().join("sample-docs")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Words compared as OCR should give them: trimmed of surrounding punctuation that OCR often drops.
fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| matches!(c, '.' | ',' | ':' | ';' | '|' | '"' | '\'' | '(' | ')'))
        .to_string()
}

/// The language OCR should pick by itself (`auto`) for a document of this locale.
fn expected_ocr_language(locale: &str) -> &'static str {
    match locale.split(['-', '_']).next().unwrap_or("") {
        "de" => "deu+eng",
        "fr" => "fra+eng",
        _ => "eng",
    }
}

#[test]
fn every_sample_document_is_read_with_its_words() {
    let truths = ground_truth_files();
    assert!(
        truths.len() >= 15,
        "expected the generated sample-docs, found {} ground-truth files",
        truths.len()
    );
    let mut documents = Vec::new();
    for truth_path in &truths {
        let truth: GroundTruth =
            serde_json::from_str(&std::fs::read_to_string(truth_path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", truth_path.display()));
        documents.push((truth_path.with_file_name(&truth.file), truth));
    }
    // The default settings, as a user gets them: OCR picks each page's language (German umlauts and
    // French accents need the deu / fra models).
    let mut results = HashMap::new();
    let paths: Vec<PathBuf> = documents.iter().map(|(path, _)| path.clone()).collect();
    quire_reader::read_all(&paths, &quire_reader::ReaderConfig::default(), 2, |i, r| {
        results.insert(i, r);
    });
    let mut failures = Vec::new();
    for (index, (path, truth)) in documents.iter().enumerate() {
        let doc = match results.remove(&index).unwrap() {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{e}"));
                continue;
            }
        };
        if doc.pages.len() != truth.pages.len() {
            failures.push(format!(
                "{}: {} pages, expected {}",
                path.display(),
                doc.pages.len(),
                truth.pages.len()
            ));
            continue;
        }
        for truth_page in &truth.pages {
            let page = &doc.pages[truth_page.number as usize - 1];
            if let Some(ocr) = &page.ocr {
                let expected = expected_ocr_language(&truth.locale);
                if ocr.language != expected {
                    failures.push(format!(
                        "{} page {}: OCR language {}, expected {expected}",
                        path.display(),
                        truth_page.number,
                        ocr.language
                    ));
                }
            }
            let mut found: HashMap<String, usize> = HashMap::new();
            for w in &page.words {
                *found.entry(normalise(&w.text)).or_default() += 1;
            }
            let mut n_hits = 0usize;
            let mut missing = Vec::new();
            for word in &truth_page.words {
                let key = normalise(word);
                match found.get_mut(&key) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        n_hits += 1;
                    }
                    _ if key.is_empty() => n_hits += 1,
                    // OCR glues short tokens to their neighbours ("3 x" as "3x", "19 %" as "19%"): a short
                    // word inside a recognised token counts as found.
                    _ if key.chars().count() <= 3
                        && page.words.iter().any(|w| w.text.contains(&key)) =>
                    {
                        n_hits += 1
                    }
                    _ => missing.push(word.clone()),
                }
            }
            let recall = n_hits as f64 / truth_page.words.len().max(1) as f64;
            let (needed, label) = match page.source {
                PageSource::TextLayer => (1.0, "text layer"),
                PageSource::Ocr => (0.95, "OCR"),
            };
            if recall < needed {
                failures.push(format!(
                    "{} page {} ({label}): word recall {:.3} < {needed}; missing {:?}",
                    path.display(),
                    truth_page.number,
                    recall,
                    &missing[..missing.len().min(15)]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
