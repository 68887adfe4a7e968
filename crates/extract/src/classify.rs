//! Classification: choosing the template for a document by its recognition rules and priority, and saying
//! why. A document no template recognises is "unmatched" with the reason, never a guess passed off as a match.

use serde::{Deserialize, Serialize};

use quire_document::Document;

use crate::regex_engine::cached_regex;
use crate::template::{Recognition, Template, TemplateSet};

/// The outcome of classifying one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The chosen template's id, absent when unmatched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Share of the chosen template's keywords found (0–1); 1 for an explicitly chosen template.
    pub score: f32,
    /// The keywords that matched.
    pub matched_keywords: Vec<String>,
    /// Why this template was chosen, or why none was.
    pub reason: String,
    /// Every template considered, with its outcome, best first.
    pub candidates: Vec<Candidate>,
}

impl Classification {
    pub fn is_matched(&self) -> bool {
        self.template_id.is_some()
    }
}

/// How one template fared against the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub template_id: String,
    pub priority: i32,
    pub matched: bool,
    pub score: f32,
    pub matched_keywords: Vec<String>,
    /// Why it did not match (missing keyword, excluded keyword, too few keywords).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_because: Option<String>,
}

/// The document's text as recognition sees it: lower case, whitespace collapsed.
pub fn recognition_text(document: &Document) -> String {
    document
        .layout_text()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `phrase` (lower case) occurs in `text` (lower case, collapsed) on word boundaries.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    let phrase = phrase
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if phrase.is_empty() {
        return false;
    }
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut start = 0;
    while let Some(index) = text[start..].find(&phrase) {
        let at = start + index;
        let end = at + phrase.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        let first = phrase.chars().next();
        let last = phrase.chars().next_back();
        let left_ok = !is_word_char(first) || !is_word_char(before);
        let right_ok = !is_word_char(last) || !is_word_char(after);
        if left_ok && right_ok {
            return true;
        }
        start = at + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Characters with a meaning in a regex: a keyword without any of them matches as a plain substring.
const REGEX_SYNTAX: &[char] = &[
    '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
];

/// Evaluates one template's recognition rules against the document's recognition text.
///
/// Plain keywords are matched case-insensitively on `text` (lower case, whitespace collapsed); regex
/// keywords (as invoice2data writes them) on `raw_text`, the layout text as printed.
pub fn evaluate_recognition(template: &Template, text: &str, raw_text: &str) -> Candidate {
    let recognition: &Recognition = &template.recognition;
    let matches = |keyword: &str| -> bool {
        if recognition.keywords_are_regex {
            // A keyword without regex syntax (most are: a name, a VAT number) is a plain substring.
            if !keyword.contains(REGEX_SYNTAX) {
                return raw_text.contains(keyword);
            }
            cached_regex(keyword)
                .ok()
                .and_then(|regex| regex.is_match(raw_text).ok())
                .unwrap_or(false)
        } else {
            contains_phrase(text, keyword)
        }
    };
    let mut matched_keywords = Vec::new();
    let mut rejected_because = None;
    for keyword in &recognition.keywords_all {
        if matches(keyword) {
            matched_keywords.push(keyword.clone());
        } else if rejected_because.is_none() {
            rejected_because = Some(format!("required keyword `{keyword}` not found"));
        }
    }
    let mut n_any = 0;
    for keyword in &recognition.keywords_any {
        if matches(keyword) {
            matched_keywords.push(keyword.clone());
            n_any += 1;
        }
    }
    if rejected_because.is_none() && !recognition.keywords_any.is_empty() {
        let needed = recognition
            .min_any
            .max(1)
            .min(recognition.keywords_any.len());
        if n_any < needed {
            rejected_because = Some(format!(
                "{n_any} of the keywords found, {needed} needed (any of: {})",
                recognition.keywords_any.join(", ")
            ));
        }
    }
    if rejected_because.is_none() {
        if let Some(keyword) = recognition.exclude_keywords.iter().find(|k| matches(k)) {
            rejected_because = Some(format!("excluded keyword `{keyword}` found"));
        }
    }
    if recognition.keywords_all.is_empty() && recognition.keywords_any.is_empty() {
        rejected_because.get_or_insert_with(|| "template has no recognition keywords".into());
    }
    let n_keywords = recognition.keywords_all.len() + recognition.keywords_any.len();
    let score = if n_keywords == 0 {
        0.0
    } else {
        matched_keywords.len() as f32 / n_keywords as f32
    };
    Candidate {
        template_id: template.id.clone(),
        priority: recognition.priority,
        matched: rejected_because.is_none(),
        score,
        matched_keywords,
        rejected_because,
    }
}

/// Chooses the template for a document: among templates whose recognition rules match, the highest
/// priority wins, then the most keywords matched, then the best score.
pub fn classify(document: &Document, templates: &TemplateSet) -> Classification {
    let text = recognition_text(document);
    let raw_text = document.layout_text();
    let mut candidates: Vec<Candidate> = templates
        .templates()
        .iter()
        .map(|template| evaluate_recognition(template, &text, &raw_text))
        .collect();
    candidates.sort_by(|a, b| {
        b.matched
            .cmp(&a.matched)
            .then(b.priority.cmp(&a.priority))
            .then(b.matched_keywords.len().cmp(&a.matched_keywords.len()))
            .then(b.score.total_cmp(&a.score))
            .then(a.template_id.cmp(&b.template_id))
    });
    let winner = candidates
        .first()
        .filter(|c| c.matched)
        .and_then(|c| templates.get(&c.template_id).map(|t| (c, t)));
    match winner {
        Some((candidate, template)) => Classification {
            template_id: Some(template.id.clone()),
            template_version: Some(template.version),
            document_type: Some(template.document_type.clone()),
            score: candidate.score,
            matched_keywords: candidate.matched_keywords.clone(),
            reason: format!(
                "matched {} keyword(s) ({}) with priority {}",
                candidate.matched_keywords.len(),
                candidate.matched_keywords.join(", "),
                candidate.priority
            ),
            candidates,
        },
        None => {
            let reason = if text.trim().is_empty() {
                "the document has no text".to_string()
            } else if candidates.is_empty() {
                "no templates to match against".to_string()
            } else {
                let reasons: Vec<String> = candidates
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c.template_id,
                            c.rejected_because.as_deref().unwrap_or("not matched")
                        )
                    })
                    .collect();
                format!("no template matched ({})", reasons.join("; "))
            };
            Classification {
                template_id: None,
                template_version: None,
                document_type: None,
                score: 0.0,
                matched_keywords: Vec::new(),
                reason,
                candidates,
            }
        }
    }
}

/// The classification of an explicitly chosen template: it overrides recognition.
pub fn chosen(template: &Template) -> Classification {
    Classification {
        template_id: Some(template.id.clone()),
        template_version: Some(template.version),
        document_type: Some(template.document_type.clone()),
        score: 1.0,
        matched_keywords: Vec::new(),
        reason: format!("template `{}` chosen explicitly", template.id),
        candidates: Vec::new(),
    }
}
