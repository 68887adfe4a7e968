//! Conversion of invoice2data templates (YAML or JSON: keywords, exclude_keywords, fields with regex /
//! static / lines parsers, options, required_fields, priority) into Quire templates. Python-style regexes
//! keep working (the engine supports named groups and lookarounds); what cannot be converted is reported.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::error::{ExtractError, Result};
use crate::regex_engine::compile_regex;
use crate::template::{
    ExtractionRules, FieldMeta, FieldRule, FieldType, FormatType, NormalizeOptions, Pick,
    PromptSet, Recognition, RegexText, Rule, RuleConfig, RuleType, SchemaDefinition, TableRule,
    Template, ValidationRules,
};

/// A converted template and what could not be converted.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub template: Template,
    /// Human-readable notes, one per part that was dropped or approximated.
    pub not_converted: Vec<String>,
}

/// Reads and converts one invoice2data template file (`.yml`, `.yaml` or `.json`).
pub fn convert_file(path: &Path) -> Result<Conversion> {
    let text = std::fs::read_to_string(path).map_err(|source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: Json = if is_json {
        serde_json::from_str(&text).map_err(|error| ExtractError::BadInput {
            file: file.clone(),
            reason: format!("invalid JSON: {error}"),
        })?
    } else {
        serde_yaml::from_str(&text).map_err(|error| ExtractError::BadInput {
            file: file.clone(),
            reason: format!("invalid YAML: {error}"),
        })?
    };
    // A JSON file may hold a list of templates; the first is taken.
    let value = match value {
        Json::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => other,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "template".into());
    convert(&file, &stem, &value)
}

/// Python regex syntax the engine spells differently: `{,n}`, `(?P=name)`, `\Z`.
pub fn translate_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            if chars[i + 1] == 'Z' {
                out.push_str("\\z");
            } else {
                out.push(c);
                out.push(chars[i + 1]);
            }
            i += 2;
            continue;
        }
        if c == '{' && chars.get(i + 1) == Some(&',') {
            out.push_str("{0");
            i += 1;
            continue;
        }
        if c == '(' && chars[i..].starts_with(&['(', '?', 'P', '=']) {
            if let Some(close) = chars[i..].iter().position(|&c| c == ')') {
                let name: String = chars[i + 4..i + close].iter().collect();
                out.push_str(&format!("\\k<{name}>"));
                i += close + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn strings(value: Option<&Json>) -> Vec<String> {
    match value {
        Some(Json::String(text)) => vec![text.clone()],
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Json::String(text) => Some(text.clone()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Json::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

/// The type invoice2data gives a field: from its `type`, else from its name (`date…`, `amount…`).
fn format_for(name: &str, declared: Option<&str>) -> FormatType {
    match declared {
        Some("float") | Some("int") => FormatType::Number,
        Some("date") => FormatType::Date,
        Some(_) => FormatType::Text,
        None if name.starts_with("date") => FormatType::Date,
        None if name.starts_with("amount") => FormatType::Number,
        None => FormatType::Text,
    }
}

fn meta(name: &str, format_type: FormatType, position: u32, field_type: FieldType) -> FieldMeta {
    FieldMeta {
        name: name.to_string(),
        prompt: String::new(),
        field_type,
        format_type,
        format_options: Vec::new(),
        position,
        char_limit: None,
        is_editable: true,
        is_displayed: true,
    }
}

/// A lines or tables definition's `types` (column → invoice2data type name).
fn column_types(object: &serde_json::Map<String, Json>) -> BTreeMap<String, String> {
    object
        .get("types")
        .and_then(Json::as_object)
        .map(|types| {
            types
                .iter()
                .filter_map(|(key, value)| value.as_str().map(|s| (key.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The patterns of a lines-parser entry (a string or a list), translated.
fn patterns_of(object: &serde_json::Map<String, Json>, name: &str) -> Vec<String> {
    strings(object.get(name))
        .iter()
        .map(|p| translate_regex(p))
        .collect()
}

/// A line pattern that starts with an exact indentation (`^` and two or more spaces, as counted in
/// `pdftotext -layout` text) accepts one space less or more: the reader's layout text places columns
/// by the page's median character width, which can differ from pdftotext's by a column.
pub fn tolerate_indentation(pattern: &str) -> String {
    let Some(rest) = pattern.strip_prefix('^') else {
        return pattern.to_string();
    };
    let n_spaces = rest.chars().take_while(|&c| c == ' ').count();
    let after = &rest[n_spaces..];
    let quantified = after.starts_with(['{', '*', '+', '?']);
    if n_spaces < 2 || quantified {
        return pattern.to_string();
    }
    format!("^ {{{},{}}}{after}", n_spaces - 1, n_spaces + 1)
}

/// One rule set of invoice2data's `lines` parser (`start`, `end`, `line`, `first_line`, `last_line`,
/// `skip_line`; each line pattern may be a list, tried in order) as a regex-mode table rule. Its named
/// groups become table columns, typed by `types`.
fn lines_rule(
    rule_object: &serde_json::Map<String, Json>,
    label: &str,
    types: &BTreeMap<String, String>,
    table_part: &mut BTreeMap<String, FieldMeta>,
    not_converted: &mut Vec<String>,
) -> Option<TableRule> {
    let line_patterns = |name: &str| -> Vec<String> {
        patterns_of(rule_object, name)
            .iter()
            .map(|p| tolerate_indentation(p))
            .collect()
    };
    let line = line_patterns("line");
    let first_line = line_patterns("first_line");
    let last_line = line_patterns("last_line");
    let first_of = |name: &str| patterns_of(rule_object, name).into_iter().next();
    let (start, end) = (first_of("start"), first_of("end"));
    let skip_lines = patterns_of(rule_object, "skip_line");
    let mut broken = Vec::new();
    for pattern in line.iter().chain(&first_line).chain(&last_line) {
        match compile_regex(pattern) {
            Ok(regex) => {
                for name in regex.capture_names().flatten() {
                    if !table_part.contains_key(name) {
                        let column_position = table_part.len() as u32 + 1;
                        let format_type = match types.get(name) {
                            Some(declared) => format_for(name, Some(declared)),
                            None => FormatType::Text,
                        };
                        table_part.insert(
                            name.to_string(),
                            meta(name, format_type, column_position, FieldType::Table),
                        );
                    }
                }
            }
            Err(reason) => broken.push(reason),
        }
    }
    broken.extend(
        [&start, &end]
            .into_iter()
            .flatten()
            .chain(&skip_lines)
            .filter_map(|p| compile_regex(p).err()),
    );
    if !broken.is_empty() {
        not_converted.push(format!("{label}: {}", broken.join("; ")));
        return None;
    }
    // invoice2data reads `line` only after a `first_line`; without `line`, `first_line` is the line.
    let (line, first_line) = if line.is_empty() {
        (first_line, Vec::new())
    } else {
        (line, first_line)
    };
    let mut line = line.into_iter();
    let Some(line_regex) = line.next() else {
        not_converted.push(format!("{label}: lines parser without `line`"));
        return None;
    };
    let mut first_line = first_line.into_iter();
    let mut last_line = last_line.into_iter();
    Some(TableRule {
        start_regex: start,
        end_regex: end,
        line_regex: Some(line_regex),
        line_regex_alternatives: line.collect(),
        first_line_regex: first_line.next(),
        first_line_regex_alternatives: first_line.collect(),
        last_line_regex: last_line.next(),
        last_line_regex_alternatives: last_line.collect(),
        skip_lines,
        merge_wrapped: true,
        continue_on_next_page: true,
        ..TableRule::default()
    })
}

/// Top-level keys of an invoice2data template that the conversion reads (or that carry nothing to
/// convert: `input_module` picks invoice2data's own text reader, `template_name` is set by its loader).
const KNOWN_KEYS: [&str; 11] = [
    "issuer",
    "keywords",
    "exclude_keywords",
    "fields",
    "lines",
    "tables",
    "options",
    "required_fields",
    "priority",
    "input_module",
    "template_name",
];

/// A `tables` body regex with one named group kept as `value` and the other named groups made
/// non-capturing (Python's `(?P<name>` syntax).
fn body_for_group(body: &str, group: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(found) = rest.find("(?P<") {
        let escaped = rest[..found]
            .chars()
            .rev()
            .take_while(|&c| c == '\\')
            .count()
            % 2
            == 1;
        out.push_str(&rest[..found]);
        let after = &rest[found + 4..];
        match after.find('>') {
            Some(close) if !escaped => {
                let name = &after[..close];
                out.push_str(if name == group { "(?P<value>" } else { "(?:" });
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str("(?P<");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Converts one entry of invoice2data's `tables` plugin: the text between the first match of `start` and
/// that of `end` is searched line by line for `body`, whose named groups are fields (the first matching
/// line gives them). Each named group becomes a regex field: `start`, then any text not reaching `end`,
/// then `body` with that group as the value.
fn convert_table(
    index: usize,
    table: &Json,
    general: &mut BTreeMap<String, FieldMeta>,
    field_rules: &mut BTreeMap<String, FieldRule>,
    position: &mut u32,
    not_converted: &mut Vec<String>,
) {
    let Json::Object(object) = table else {
        not_converted.push(format!("tables[{index}]: not a mapping"));
        return;
    };
    let part = |key: &str| strings(object.get(key)).first().map(|p| translate_regex(p));
    let (Some(start), Some(end), Some(body)) = (part("start"), part("end"), part("body")) else {
        not_converted.push(format!("tables[{index}]: needs start, end and body"));
        return;
    };
    let body_regex = match compile_regex(&body) {
        Ok(regex) => regex,
        Err(reason) => {
            not_converted.push(format!("tables[{index}]: {reason}"));
            return;
        }
    };
    let types = column_types(object);
    for group in body_regex.capture_names().flatten() {
        if general.contains_key(group) {
            not_converted.push(format!(
                "tables[{index}].{group}: already a field (the field's rule is kept)"
            ));
            continue;
        }
        let pattern = format!(
            "(?:{start})(?:(?!{end})[\\s\\S])*?(?:{})",
            body_for_group(&body, group)
        );
        if let Err(reason) = compile_regex(&pattern) {
            not_converted.push(format!("tables[{index}].{group}: {reason}"));
            continue;
        }
        *position += 1;
        general.insert(
            group.to_string(),
            meta(
                group,
                format_for(group, types.get(group).map(String::as_str)),
                *position,
                FieldType::General,
            ),
        );
        field_rules.insert(
            group.to_string(),
            FieldRule {
                regex: vec![pattern],
                ..FieldRule::default()
            },
        );
    }
}

/// Converts one parsed invoice2data template.
pub fn convert(file: &str, stem: &str, value: &Json) -> Result<Conversion> {
    let Json::Object(root) = value else {
        return Err(ExtractError::BadInput {
            file: file.to_string(),
            reason: "an invoice2data template is a mapping".into(),
        });
    };
    let mut not_converted = Vec::new();
    let issuer = root
        .get("issuer")
        .and_then(Json::as_str)
        .unwrap_or(stem)
        .to_string();
    let options_json = root.get("options").and_then(Json::as_object);
    let option = |key: &str| options_json.and_then(|o| o.get(key));
    let options = NormalizeOptions {
        date_formats: strings(option("date_formats")),
        decimal_separator: option("decimal_separator")
            .and_then(Json::as_str)
            .and_then(|s| s.chars().next()),
        default_currency: option("currency")
            .and_then(Json::as_str)
            .map(str::to_string),
        ..NormalizeOptions::default()
    };
    // invoice2data applies `replace` to the whole text (regex substitutions) before fields are read.
    let mut text_replace = Vec::new();
    let replace_pairs = match option("replace") {
        // One flat pair or a list of pairs.
        Some(Json::Array(items)) if items.len() == 2 && items.iter().all(Json::is_string) => {
            vec![Json::Array(items.clone())]
        }
        Some(Json::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    for pair in &replace_pairs {
        let parts = strings(Some(pair));
        if let [from, to] = parts.as_slice() {
            let pattern = translate_regex(from);
            match compile_regex(&pattern) {
                Ok(_) => text_replace.push((pattern, to.clone())),
                Err(reason) => not_converted.push(format!("options.replace: {reason}")),
            }
        } else {
            not_converted.push(format!(
                "options.replace entry {pair} (expected [pattern, replacement])"
            ));
        }
    }
    let regex_text = RegexText {
        remove_whitespace: option("remove_whitespace")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        lowercase: option("lowercase").and_then(Json::as_bool).unwrap_or(false),
        replace: text_replace,
    };
    if option("remove_accents").and_then(Json::as_bool) == Some(true) {
        not_converted.push("options.remove_accents (accents are kept)".into());
    }
    let mut general = BTreeMap::new();
    let mut field_rules = BTreeMap::new();
    let mut table: Option<TableRule> = None;
    let mut table_part = BTreeMap::new();
    let mut position = 0;
    fn add_static(
        general: &mut BTreeMap<String, FieldMeta>,
        rules: &mut BTreeMap<String, FieldRule>,
        position: &mut u32,
        key: &str,
        value: String,
    ) {
        let format_type = match format_for(key, None) {
            FormatType::Date => FormatType::Text,
            other => other,
        };
        *position += 1;
        general.insert(
            key.to_string(),
            meta(key, format_type, *position, FieldType::General),
        );
        rules.insert(
            key.to_string(),
            FieldRule {
                static_value: Some(value),
                ..FieldRule::default()
            },
        );
    }
    add_static(
        &mut general,
        &mut field_rules,
        &mut position,
        "issuer",
        issuer.clone(),
    );
    if let Some(currency) = &options.default_currency {
        add_static(
            &mut general,
            &mut field_rules,
            &mut position,
            "currency",
            currency.clone(),
        );
    }
    let mut fields: Vec<(String, Json)> = root
        .get("fields")
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    // Old templates put `lines` beside `fields`.
    if let Some(lines) = root.get("lines") {
        fields.push(("lines".into(), lines.clone()));
    }
    for (key, spec) in fields {
        if let Some(name) = key.strip_prefix("static_") {
            let value = strings(Some(&spec)).join(" ");
            add_static(&mut general, &mut field_rules, &mut position, name, value);
            continue;
        }
        let (parser, object) = match &spec {
            Json::Object(object) => (
                object
                    .get("parser")
                    .and_then(Json::as_str)
                    .unwrap_or(if object.contains_key("start") {
                        "lines"
                    } else {
                        "regex"
                    })
                    .to_string(),
                Some(object),
            ),
            _ => ("regex".to_string(), None),
        };
        match parser.as_str() {
            "static" => {
                let value = object
                    .map(|o| strings(o.get("value")).join(" "))
                    .unwrap_or_default();
                add_static(&mut general, &mut field_rules, &mut position, &key, value);
            }
            "regex" => {
                let patterns = match object {
                    Some(o) => strings(o.get("regex")),
                    None => strings(Some(&spec)),
                };
                let declared = object.and_then(|o| o.get("type")).and_then(Json::as_str);
                let pick = match object.and_then(|o| o.get("group")).and_then(Json::as_str) {
                    None | Some("first") => Pick::First,
                    Some("last") => Pick::Last,
                    Some("max") => Pick::Max,
                    Some("min") => Pick::Min,
                    Some("sum") => Pick::Sum,
                    Some("join") => Pick::Join,
                    Some(group) => {
                        not_converted.push(format!(
                            "fields.{key}.group `{group}` (the first match is taken)"
                        ));
                        Pick::First
                    }
                };
                let mut regex = Vec::new();
                for pattern in patterns {
                    let translated = translate_regex(&pattern);
                    match compile_regex(&translated) {
                        Ok(_) => regex.push(translated),
                        Err(reason) => not_converted.push(format!("fields.{key}: {reason}")),
                    }
                }
                if regex.is_empty() {
                    not_converted.push(format!("fields.{key}: no usable regex"));
                    continue;
                }
                position += 1;
                general.insert(
                    key.clone(),
                    meta(
                        &key,
                        format_for(&key, declared),
                        position,
                        FieldType::General,
                    ),
                );
                field_rules.insert(
                    key.clone(),
                    FieldRule {
                        regex,
                        pick,
                        ..FieldRule::default()
                    },
                );
            }
            "lines" => {
                let Some(object) = object else {
                    continue;
                };
                if table.is_some() {
                    not_converted.push(format!(
                        "fields.{key}: a second lines table (only one is kept)"
                    ));
                    continue;
                }
                let types = column_types(object);
                // Newer templates list several rule sets under `rules`: each is read, rows appended.
                let rule_objects: Vec<&serde_json::Map<String, Json>> =
                    match object.get("rules").and_then(Json::as_array) {
                        Some(list) => list.iter().filter_map(Json::as_object).collect(),
                        None => vec![object],
                    };
                let mut rules = Vec::new();
                for (index, rule_object) in rule_objects.into_iter().enumerate() {
                    let label = if object.contains_key("rules") {
                        format!("fields.{key}.rules[{index}]")
                    } else {
                        format!("fields.{key}")
                    };
                    let rule_types: BTreeMap<String, String> = rule_object
                        .get("types")
                        .and_then(Json::as_object)
                        .map(|t| {
                            t.iter()
                                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut all_types = types.clone();
                    all_types.extend(rule_types);
                    if let Some(rule) = lines_rule(
                        rule_object,
                        &label,
                        &all_types,
                        &mut table_part,
                        &mut not_converted,
                    ) {
                        rules.push(rule);
                    }
                }
                if rules.is_empty() {
                    continue;
                }
                let mut first = rules.remove(0);
                first.more_rules = rules;
                table = Some(first);
            }
            other => not_converted.push(format!("fields.{key}: parser `{other}` is not supported")),
        }
    }
    if let Some(tables) = root.get("tables") {
        let tables = match tables {
            Json::Array(list) => list.clone(),
            other => vec![other.clone()],
        };
        for (index, table) in tables.iter().enumerate() {
            convert_table(
                index,
                table,
                &mut general,
                &mut field_rules,
                &mut position,
                &mut not_converted,
            );
        }
    }
    for key in root.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            not_converted.push(format!("`{key}` is not supported (ignored)"));
        }
    }
    let keywords = strings(root.get("keywords"))
        .iter()
        .map(|k| translate_regex(k))
        .collect::<Vec<_>>();
    let exclude_keywords = strings(root.get("exclude_keywords"))
        .iter()
        .map(|k| translate_regex(k))
        .collect::<Vec<_>>();
    for keyword in keywords.iter().chain(&exclude_keywords) {
        if let Err(reason) = compile_regex(keyword) {
            return Err(ExtractError::BadInput {
                file: file.to_string(),
                reason: format!("keyword: {reason}"),
            });
        }
    }
    if keywords.is_empty() {
        not_converted.push("no keywords: the template is never chosen by classification".into());
    }
    let priority = root.get("priority").and_then(Json::as_i64).unwrap_or(5) as i32;
    let required: Vec<String> = match root.get("required_fields") {
        Some(list) => strings(Some(list)),
        None => ["date", "amount", "invoice_number", "issuer"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let has_table = table.is_some();
    let required_targets: Vec<String> = required
        .iter()
        .filter(|key| {
            if has_table && (key.as_str() == "lines" || key.as_str() == "line_items") {
                return true;
            }
            let present = general.contains_key(*key);
            if !present {
                not_converted.push(format!("required field `{key}` has no extraction rule"));
            }
            present
        })
        .map(|key| {
            if general.contains_key(key) {
                format!("general_part.{key}")
            } else {
                "table_part".to_string()
            }
        })
        .collect();
    let mut rules = Vec::new();
    if !required_targets.is_empty() {
        rules.push(Rule {
            rule_name: "required fields".into(),
            rule_type: RuleType::Required,
            targets: required_targets,
            config: RuleConfig::default(),
        });
    }
    let template = Template {
        id: format!("invoice2data-{stem}"),
        version: 1,
        name: issuer.clone(),
        description: format!("Imported from invoice2data template {file}"),
        template_language: root
            .get("options")
            .and_then(|o| o.get("languages"))
            .map(|l| strings(Some(l)).join(","))
            .unwrap_or_default(),
        document_type: "invoice".into(),
        schema_definition: SchemaDefinition {
            general_part: general,
            table_part,
        },
        prompt_set: PromptSet::default(),
        validation_rules: ValidationRules { rules },
        recognition: Recognition {
            keywords_all: keywords,
            keywords_any: Vec::new(),
            min_any: 1,
            exclude_keywords,
            keywords_are_regex: true,
            priority,
        },
        extraction: ExtractionRules {
            options,
            fields: field_rules,
            table,
            regex_text,
            sum_relations: Vec::new(),
        },
    };
    // The result must pass the same check as any template file.
    let text = template.to_json_string();
    template.check(file, &text)?;
    Ok(Conversion {
        template,
        not_converted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extraction::{extract, ExtractOptions};
    use crate::test_pages::document_from_layout;

    const YAML: &str = r#"
issuer: ACME Widgets
keywords:
  - ACME Widgets
  - 'Invoice\s+No'
exclude_keywords:
  - Credit note
fields:
  amount: Total\s+EUR\s+(\d+,\d\d)
  date: Date:\s+(\d{2}\.\d{2}\.\d{4})
  invoice_number:
    parser: regex
    regex: (?<=Invoice No\. )(?P<number>[A-Z]+-\d+)
  static_vat: DE123456789
  lines:
    parser: lines
    start: Pos\s+Description
    end: Total\s+EUR
    line: ^\s*(?P<pos>\d+)\s+(?P<desc>.{,30}?)\s+(?P<price>\d+,\d\d)$
    types:
      price: float
options:
  currency: EUR
  decimal_separator: ","
  date_formats:
    - "%d.%m.%Y"
"#;

    fn converted() -> Conversion {
        let value: Json = serde_yaml::from_str(YAML).unwrap();
        convert("acme.yml", "acme", &value).unwrap()
    }

    #[test]
    fn an_invoice2data_template_converts_with_python_regexes() {
        let conversion = converted();
        let template = &conversion.template;
        assert_eq!(template.id, "invoice2data-acme");
        assert!(template.recognition.keywords_are_regex);
        assert_eq!(template.recognition.priority, 5);
        let general = &template.schema_definition.general_part;
        assert_eq!(general["amount"].format_type, FormatType::Number);
        assert_eq!(general["date"].format_type, FormatType::Date);
        assert_eq!(general["vat"].format_type, FormatType::Text);
        assert_eq!(
            template.schema_definition.table_part["price"].format_type,
            FormatType::Number
        );
        assert!(
            conversion.not_converted.is_empty(),
            "{:?}",
            conversion.not_converted
        );
        assert_eq!(translate_regex(r"a{,3}(?P=x)\Z"), r"a{0,3}\k<x>\z");
        assert_eq!(
            tolerate_indentation(r"^    (?P<name>\w+)"),
            r"^ {3,5}(?P<name>\w+)"
        );
        assert_eq!(tolerate_indentation(r"^ (?P<name>\w+)"), r"^ (?P<name>\w+)");
        assert_eq!(tolerate_indentation(r"^  +x"), r"^  +x");
    }

    #[test]
    fn a_converted_template_extracts_its_fields_and_lines() {
        let conversion = converted();
        let document = document_from_layout(
            "ACME Widgets\nInvoice No. AW-1042\nDate: 15.08.2025\n\nPos  Description        Price\n1    Blue widget        10,50\n2    Red widget          5,25\nTotal EUR 15,75\n",
        );
        let set = {
            let mut set = crate::TemplateSet::new();
            set.insert(conversion.template.clone());
            set
        };
        let classification = crate::classify(&document, &set);
        assert_eq!(
            classification.template_id.as_deref(),
            Some("invoice2data-acme")
        );
        let extraction =
            extract(&document, &conversion.template, &ExtractOptions::default()).unwrap();
        let get = |key: &str| extraction.field_string(key);
        assert_eq!(get("amount").as_deref(), Some("15.75"));
        assert_eq!(get("date").as_deref(), Some("2025-08-15"));
        assert_eq!(get("invoice_number").as_deref(), Some("AW-1042"));
        assert_eq!(get("vat").as_deref(), Some("DE123456789"));
        assert_eq!(get("issuer").as_deref(), Some("ACME Widgets"));
        assert_eq!(get("currency").as_deref(), Some("EUR"));
        assert_eq!(extraction.table_items.len(), 2);
        assert_eq!(
            extraction.table_items[1]
                .decimal("price")
                .unwrap()
                .to_string(),
            "5.25"
        );
        assert!(extraction.is_valid, "{:#?}", extraction.validation);
    }

    const HOTEL_YAML: &str = r#"
issuer: Hotel Quire
keywords:
  - Hotel Quire
required_fields: [amount, date, lines]
fields:
  amount: Grand Total\s+Rs (\d+)
  date: Date:\s(\d{1,2}/\d{1,2}/\d{4})
  note:
    parser: regex
    regex:
      - (Customer:\s+\d+)
      - (Thank you)
    group: join
  date_due:
    parser: regex
    regex: (\d{2}/\d{2}/\d{4})
    group: max
    type: date
  date_start: du (\d{1,2} \w+ \d{4}) au
  lines:
    parser: lines
    rules:
      - start: Item\s+Qty
        end: Subtotal
        first_line:
          - ^(?P<name>\w[\w ]*?)\s+(?P<qty>\d+)\s+(?P<price>\d+\.\d\d)$
          - ^\s+(?P<line_note>Serial:\s\w+)
        line: ^\s+(?P<name>\w[\w ]*)$
        types:
          qty: int
          price: float
      - start: Item\s+Qty
        end: Subtotal
        line: ^Charge\s+(?P<price>\d+\.\d\d)$
        types:
          price: float
tables:
  - start: Booking ID\s+Payment Mode
    end: Item\s+Qty
    body: (?P<booking_id>\w+)\s+(?P<payment_method>(?:\w+ ?)*)
options:
  currency: INR
  date_formats: ["%d/%m/%Y"]
  replace:
    - ['du (?P<day>\d{1,2}) au (\d{1,2}) (?P<rest>\w+ \d{4})', 'du \g<day> \g<rest> au \2 \g<rest>']
    - ['\nFee ', '\nCharge ']
"#;

    const HOTEL_TEXT: &str = "Hotel Quire                         Date: 03/01/2025
Customer: 4711
Stay du 1 au 3 janvier 2025
Booking ID              Payment Mode
IBZY2087                Cash at Hotel
Item                 Qty      Price
Blue room            1       100.00
   Serial: AB12
Red room             2        50.00
   with breakfast
Fee 5.00
Subtotal 155.00
Grand Total     Rs 155
Due 15/01/2025
Thank you
";

    #[test]
    fn tables_replace_join_date_groups_and_several_line_rules_convert_and_extract() {
        let value: Json = serde_yaml::from_str(HOTEL_YAML).unwrap();
        let conversion = convert("hotel.yml", "hotel", &value).unwrap();
        assert!(
            conversion.not_converted.is_empty(),
            "{:?}",
            conversion.not_converted
        );
        let template = &conversion.template;
        let document = document_from_layout(HOTEL_TEXT);
        let extraction = extract(&document, template, &ExtractOptions::default()).unwrap();
        let get = |key: &str| extraction.field_string(key);
        assert_eq!(get("amount").as_deref(), Some("155"));
        assert_eq!(get("date").as_deref(), Some("2025-01-03"));
        // `group: max` on a date field: the latest date.
        assert_eq!(get("date_due").as_deref(), Some("2025-01-15"));
        // `group: join`: every regex's matches, in the regexes' order.
        assert_eq!(get("note").as_deref(), Some("Customer: 4711 Thank you"));
        // `replace` rewrote "du 1 au 3 janvier 2025" before the field regexes ran.
        assert_eq!(get("date_start").as_deref(), Some("2025-01-01"));
        // The `tables` plugin: the body's named groups on the first line after `start`.
        assert_eq!(get("booking_id").as_deref(), Some("IBZY2087"));
        assert_eq!(get("payment_method").as_deref(), Some("Cash at Hotel"));
        assert_eq!(get("currency").as_deref(), Some("INR"));
        // Two rule sets; the first with two first-line patterns and a continuation line.
        let rows: Vec<String> = extraction
            .table_items
            .iter()
            .map(|row| {
                row.cells
                    .iter()
                    .map(|(key, cell)| format!("{key}={}", cell.value.normalized_string()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert_eq!(rows[0], "name=Blue room price=100 qty=1");
        assert_eq!(rows[1], "line_note=Serial: AB12");
        assert!(
            rows[2].starts_with("name=Red room") && rows[2].contains("breakfast"),
            "{rows:#?}"
        );
        assert!(rows[2].ends_with("price=50 qty=2"), "{rows:#?}");
        // The second rule set reads "Fee 5.00" as `replace` rewrote it ("Charge 5.00").
        assert_eq!(rows[3], "price=5");
    }

    #[test]
    fn unsupported_parts_are_reported() {
        let value: Json = serde_yaml::from_str(
            "issuer: X\nkeywords: [X]\nfields:\n  amount:\n    parser: regex\n    regex: 'Total (\\d+)'\n    group: median\n  other:\n    parser: magic\noptions:\n  remove_accents: true\ncamelot_tables: []\n",
        )
        .unwrap();
        let conversion = convert("x.yml", "x", &value).unwrap();
        let notes = conversion.not_converted.join("\n");
        assert!(notes.contains("group `median`"), "{notes}");
        assert!(
            notes.contains("`camelot_tables` is not supported"),
            "{notes}"
        );
        assert!(notes.contains("parser `magic`"), "{notes}");
        assert!(notes.contains("remove_accents"), "{notes}");
        assert!(notes.contains("`date` has no extraction rule"), "{notes}");
    }
}
