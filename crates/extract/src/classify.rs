//! Classification: choosing the template for a document by its recognition rules and priority, and saying
//! why. A document no template recognises is "unmatched" with the reason, never a guess passed off as a match.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
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
    evaluate_with(template, text, raw_text, &FoundKeywords::default())
}

/// The regex-mode keywords of a template set (invoice2data's), found in one pass over a document's text
/// instead of one search per keyword and template: those without regex syntax (most of them: a name, a
/// VAT number) by one automaton, the regexes by one regex set (those that need fancy-regex, with
/// lookarounds or backreferences, are left to [`cached_regex`] one by one).
#[derive(Debug, Clone, Default)]
pub(crate) struct KeywordIndex {
    automaton: Option<AhoCorasick>,
    regex_set: Option<regex::RegexSet>,
    /// Per keyword: its pattern id in the automaton (`false`) or the regex set (`true`).
    ids: HashMap<String, (bool, usize)>,
}

impl KeywordIndex {
    pub(crate) fn new(templates: &[Template]) -> KeywordIndex {
        let mut ids: HashMap<String, (bool, usize)> = HashMap::new();
        let mut plain: Vec<&str> = Vec::new();
        let mut regexes: Vec<&str> = Vec::new();
        for recognition in templates
            .iter()
            .map(|t| &t.recognition)
            .filter(|r| r.keywords_are_regex)
        {
            let all = recognition.keywords_all.iter();
            let any = recognition.keywords_any.iter();
            for keyword in all.chain(any).chain(&recognition.exclude_keywords) {
                if keyword.is_empty() || ids.contains_key(keyword.as_str()) {
                    continue;
                }
                if !keyword.contains(REGEX_SYNTAX) {
                    ids.insert(keyword.clone(), (false, plain.len()));
                    plain.push(keyword);
                } else if regex_syntax::parse(keyword).is_ok() {
                    // Regex-crate syntax (no lookaround or backreference), checked without compiling.
                    ids.insert(keyword.clone(), (true, regexes.len()));
                    regexes.push(keyword);
                }
            }
        }
        // A set that cannot be built (far beyond any real template folder) falls back to one search per
        // keyword: the keyword's id then points into nothing and `FoundKeywords::get` says "unknown".
        let automaton = (!plain.is_empty())
            .then(|| AhoCorasick::new(&plain).ok())
            .flatten();
        let regex_set = (!regexes.is_empty())
            .then(|| regex::RegexSet::new(&regexes).ok())
            .flatten();
        KeywordIndex {
            automaton,
            regex_set,
            ids,
        }
    }

    /// Which of the index's keywords occur in `raw_text`.
    fn find(&self, raw_text: &str) -> FoundKeywords<'_> {
        let mut plain = Vec::new();
        if let Some(automaton) = &self.automaton {
            plain = vec![false; automaton.patterns_len()];
            for hit in automaton.find_overlapping_iter(raw_text) {
                plain[hit.pattern().as_usize()] = true;
            }
        }
        let regexes = self
            .regex_set
            .as_ref()
            .map(|set| set.matches(raw_text).iter().collect())
            .unwrap_or_default();
        FoundKeywords {
            index: Some(self),
            plain,
            regexes,
        }
    }
}

/// The outcome of [`KeywordIndex::find`] for one document.
#[derive(Default)]
struct FoundKeywords<'a> {
    index: Option<&'a KeywordIndex>,
    /// Per plain keyword of the index: found.
    plain: Vec<bool>,
    /// The ids of the regex set's patterns that match.
    regexes: std::collections::BTreeSet<usize>,
}

impl FoundKeywords<'_> {
    /// Whether `keyword` occurs, when the index knows it.
    fn get(&self, keyword: &str) -> Option<bool> {
        let index = self.index?;
        match *index.ids.get(keyword)? {
            (false, id) => self.plain.get(id).copied(),
            (true, id) => index.regex_set.as_ref().map(|_| self.regexes.contains(&id)),
        }
    }
}

fn evaluate_with(
    template: &Template,
    text: &str,
    raw_text: &str,
    found: &FoundKeywords<'_>,
) -> Candidate {
    let recognition: &Recognition = &template.recognition;
    let matches = |keyword: &str| -> bool {
        if recognition.keywords_are_regex {
            // A keyword without regex syntax (most are: a name, a VAT number) is a plain substring.
            if let Some(found) = found.get(keyword) {
                return found;
            }
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
    let found = templates.keyword_index().find(&raw_text);
    let mut candidates: Vec<Candidate> = templates
        .templates()
        .iter()
        .map(|template| evaluate_with(template, &text, &raw_text, &found))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::document_from_layout;

    /// An invoice2data-style template (regex keywords) recognised by `all`, `any` and `exclude`.
    fn regex_template(id: &str, all: &[&str], any: &[&str], exclude: &[&str]) -> Template {
        let json = serde_json::json!({
            "id": id,
            "version": 1,
            "name": id,
            "document_type": "invoice",
            "schema_definition": { "general_part": {
                "totalAmount": { "name": "Total", "format_type": "number" }
            } },
            "recognition": {
                "keywords_all": all,
                "keywords_any": any,
                "exclude_keywords": exclude,
                "keywords_are_regex": true
            },
            "extraction": { "fields": { "totalAmount": { "labels": ["Total"] } } }
        });
        Template::from_json_str(id, &json.to_string()).unwrap()
    }

    #[test]
    fn the_keyword_index_finds_what_one_search_per_keyword_finds() {
        let document = document_from_layout(
            "ACME Trading B.V.            Invoice\nVAT NL0056.37.727B01\nTotal: 12.50 EUR\n",
        );
        let mut templates = TemplateSet::new();
        // Plain keywords (the automaton), regex keywords (the regex set), a lookbehind (fancy-regex, one
        // by one), a missing keyword, an excluded one, and `any` keywords with their minimum.
        templates.insert(regex_template(
            "acme",
            &["ACME Trading", "NL0056.37.727B01"],
            &[],
            &[],
        ));
        templates.insert(regex_template(
            "acme-credit",
            &["ACME Trading"],
            &[],
            &["(?i)invoice"],
        ));
        templates.insert(regex_template(
            "lookbehind",
            &[r"(?<=Total:\s)\d+\.\d\d"],
            &[],
            &[],
        ));
        templates.insert(regex_template("missing", &["ACME", "Globex"], &[], &[]));
        templates.insert(regex_template(
            "any",
            &[],
            &["Globex", r"VAT\s+NL", "EUR"],
            &[],
        ));
        let classification = classify(&document, &templates);

        let text = recognition_text(&document);
        let raw_text = document.layout_text();
        for template in templates.templates() {
            let one_by_one = evaluate_recognition(template, &text, &raw_text);
            let candidate = classification
                .candidates
                .iter()
                .find(|c| c.template_id == template.id)
                .unwrap();
            assert_eq!(candidate, &one_by_one, "{}", template.id);
        }
        let outcome = |id: &str| {
            let c = classification
                .candidates
                .iter()
                .find(|c| c.template_id == id);
            c.map(|c| (c.matched, c.matched_keywords.len())).unwrap()
        };
        assert_eq!(outcome("acme"), (true, 2));
        assert_eq!(outcome("acme-credit"), (false, 1));
        assert_eq!(outcome("lookbehind"), (true, 1));
        assert_eq!(outcome("missing"), (false, 1));
        assert_eq!(outcome("any"), (true, 2));
    }

    #[test]
    fn the_keyword_index_follows_template_changes() {
        let document = document_from_layout("Globex Corporation\nInvoice 7\n");
        let mut templates = TemplateSet::new();
        templates.insert(regex_template("acme", &["ACME"], &[], &[]));
        assert!(!classify(&document, &templates).is_matched());
        // A template added after a classification is part of the next one.
        templates.insert(regex_template("globex", &["Globex Corp"], &[], &[]));
        let classification = classify(&document, &templates);
        assert_eq!(classification.template_id.as_deref(), Some("globex"));
    }
}
