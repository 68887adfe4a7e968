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

/// The first pattern of a lines-parser entry (a string or a list), noting any others that are dropped.
fn first_pattern(
    object: &serde_json::Map<String, Json>,
    name: &str,
    key: &str,
    notes: &mut Vec<String>,
) -> Option<String> {
    let patterns = strings(object.get(name));
    if patterns.len() > 1 {
        notes.push(format!(
            "fields.{key}.{name}: {} more patterns (only the first is kept)",
            patterns.len() - 1
        ));
    }
    patterns.first().map(|p| translate_regex(p))
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
    let mut options = NormalizeOptions {
        date_formats: strings(option("date_formats")),
        decimal_separator: option("decimal_separator")
            .and_then(Json::as_str)
            .and_then(|s| s.chars().next()),
        default_currency: option("currency")
            .and_then(Json::as_str)
            .map(str::to_string),
        ..NormalizeOptions::default()
    };
    if let Some(Json::Array(pairs)) = option("replace") {
        for pair in pairs {
            let parts = strings(Some(pair));
            if let [from, to] = parts.as_slice() {
                options.replace.push((from.clone(), to.clone()));
            } else {
                not_converted.push(format!(
                    "options.replace entry {pair} (expected [from, to])"
                ));
            }
        }
    }
    let regex_text = RegexText {
        remove_whitespace: option("remove_whitespace")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        lowercase: option("lowercase").and_then(Json::as_bool).unwrap_or(false),
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
                // Newer templates list `rules`; the first one is read.
                let rule_object = match object.get("rules").and_then(Json::as_array) {
                    Some(list) => {
                        if list.len() > 1 {
                            not_converted.push(format!(
                                "fields.{key}: {} more lines rules (only the first is kept)",
                                list.len() - 1
                            ));
                        }
                        list.first().and_then(Json::as_object).unwrap_or(object)
                    }
                    None => object,
                };
                let mut get =
                    |name: &str| first_pattern(rule_object, name, &key, &mut not_converted);
                let line = get("line");
                let first_line = get("first_line");
                let last_line = get("last_line");
                let start = get("start");
                let end = get("end");
                let types: BTreeMap<String, String> = object
                    .get("types")
                    .and_then(Json::as_object)
                    .map(|t| {
                        t.iter()
                            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut column_position = 0;
                for pattern in [&line, &first_line, &last_line].into_iter().flatten() {
                    match compile_regex(pattern) {
                        Ok(regex) => {
                            for name in regex.capture_names().flatten() {
                                if !table_part.contains_key(name) {
                                    column_position += 1;
                                    let declared = types.get(name).map(String::as_str);
                                    let format_type = match declared {
                                        Some(_) => format_for(name, declared),
                                        None => FormatType::Text,
                                    };
                                    table_part.insert(
                                        name.to_string(),
                                        meta(name, format_type, column_position, FieldType::Table),
                                    );
                                }
                            }
                        }
                        Err(reason) => not_converted.push(format!("fields.{key}: {reason}")),
                    }
                }
                let skip_lines = strings(rule_object.get("skip_line"))
                    .iter()
                    .map(|p| translate_regex(p))
                    .collect();
                let line_regex = line.or_else(|| first_line.clone());
                if line_regex.is_none() {
                    not_converted.push(format!("fields.{key}: lines parser without `line`"));
                    continue;
                }
                let has_separate_first = rule_object.contains_key("line") && first_line.is_some();
                let broken: Vec<String> = [&start, &end]
                    .into_iter()
                    .flatten()
                    .chain(&skip_lines)
                    .filter_map(|p| compile_regex(p).err())
                    .collect();
                if !broken.is_empty() {
                    not_converted.push(format!("fields.{key}: {}", broken.join("; ")));
                    continue;
                }
                table = Some(TableRule {
                    start_regex: start,
                    end_regex: end,
                    line_regex,
                    first_line_regex: if has_separate_first { first_line } else { None },
                    last_line_regex: last_line,
                    skip_lines,
                    merge_wrapped: true,
                    continue_on_next_page: true,
                    ..TableRule::default()
                });
            }
            other => not_converted.push(format!("fields.{key}: parser `{other}` is not supported")),
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

    #[test]
    fn unsupported_parts_are_reported() {
        let value: Json = serde_yaml::from_str(
            "issuer: X\nkeywords: [X]\nfields:\n  amount:\n    parser: regex\n    regex: 'Total (\\d+)'\n    group: join\n  other:\n    parser: magic\noptions:\n  remove_accents: true\n",
        )
        .unwrap();
        let conversion = convert("x.yml", "x", &value).unwrap();
        let notes = conversion.not_converted.join("\n");
        assert!(notes.contains("group `join`"), "{notes}");
        assert!(notes.contains("parser `magic`"), "{notes}");
        assert!(notes.contains("remove_accents"), "{notes}");
        assert!(notes.contains("`date` has no extraction rule"), "{notes}");
    }
}
