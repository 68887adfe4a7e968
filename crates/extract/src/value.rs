//! Extracted values: typed, normalised, and carrying their provenance (page, box, raw text, confidence) so a
//! reviewer can see where each came from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quire_document::BBox;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A typed, normalised value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Text(String),
    /// Exact decimal (money, quantities).
    Decimal(Decimal),
    /// A calendar date, serialised as ISO 8601.
    Date(NaiveDate),
    Bool(bool),
    /// One of the field's `format_options`.
    Choice(String),
}

impl Value {
    /// The value as the normalised string used for comparison and export: text as is, decimals without
    /// trailing zeros beyond two places (`12.5` → `12.50`), dates as ISO 8601, booleans as `true`/`false`.
    pub fn normalized_string(&self) -> String {
        match self {
            Value::Text(text) | Value::Choice(text) => text.clone(),
            Value::Decimal(value) => decimal_string(*value),
            Value::Date(date) => date.format("%Y-%m-%d").to_string(),
            Value::Bool(flag) => flag.to_string(),
        }
    }

    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Decimal(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(date) => Some(*date),
            _ => None,
        }
    }

    /// Whether the value counts as missing for `required`: empty or whitespace-only text, or the string
    /// "null". A numeric 0 is present.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Text(text) | Value::Choice(text) => {
                let trimmed = text.trim();
                trimmed.is_empty() || trimmed.eq_ignore_ascii_case("null")
            }
            Value::Decimal(_) | Value::Date(_) | Value::Bool(_) => false,
        }
    }
}

/// A decimal as text with at least two decimal places when it has a fraction or is money-like
/// (`12` → `12`, `12.5` → `12.50`, `0.0520` → `0.052`).
pub fn decimal_string(value: Decimal) -> String {
    let normalized = value.normalize();
    if normalized.scale() == 1 {
        format!("{:.2}", normalized)
    } else {
        normalized.to_string()
    }
}

/// Where a value was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// 1-based page number.
    pub page: u32,
    /// Box of the value's words, in points (top-left origin).
    pub bbox: BBox,
    /// The text as printed.
    pub raw_text: String,
    /// Lowest word confidence of the value (0–100; 100 for text-layer pages).
    pub confidence: f32,
}

/// How a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Label,
    Regex,
    Zone,
    Static,
    Fallback,
    /// Read from an embedded e-invoice (Factur-X / ZUGFeRD / XRechnung XML).
    EInvoice,
    /// Nothing found: the template's default (e.g. a discount of 0).
    Default,
    /// Computed from other fields through a sum relation (a receipt's total as tendered minus change).
    Computed,
}

/// One extracted header field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub value: Value,
    /// Where it was printed; absent for static values and e-invoice data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    pub method: Method,
    /// The label that anchored it, when found by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Field {
    /// Confidence of the value: the provenance's, or 100 for static and e-invoice values.
    pub fn confidence(&self) -> f32 {
        self.provenance.as_ref().map_or(100.0, |p| p.confidence)
    }
}

/// One table cell: a typed value with provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The value OCR read, when the row's arithmetic showed it misread and `value` is the repaired one
    /// (`crate::row_repair`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repaired_from: Option<Value>,
}

impl Cell {
    /// A cell as read, not repaired.
    pub fn new(value: Value, provenance: Option<Provenance>) -> Cell {
        Cell {
            value,
            provenance,
            repaired_from: None,
        }
    }
}

/// One line-item row: column key → cell (columns without a value are absent).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Row {
    pub cells: BTreeMap<String, Cell>,
    /// Page the row starts on.
    pub page: u32,
}

impl Row {
    pub fn decimal(&self, column: &str) -> Option<Decimal> {
        self.cells.get(column).and_then(|c| c.value.as_decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_print_as_money_when_they_have_one_decimal_place() {
        let cases = [
            ("12.5", "12.50"),
            ("12.00", "12"),
            ("0.0520", "0.052"),
            ("-3.10", "-3.10"),
        ];
        for (raw, expected) in cases {
            let value = Value::Decimal(Decimal::from_str(raw).unwrap());
            assert_eq!(value.normalized_string(), expected, "{raw}");
        }
    }

    #[test]
    fn blank_values_are_empty_whitespace_or_null_text_but_not_zero() {
        assert!(Value::Text("  ".into()).is_blank());
        assert!(Value::Text("NULL".into()).is_blank());
        assert!(!Value::Decimal(Decimal::ZERO).is_blank());
        assert!(!Value::Text("0".into()).is_blank());
    }

    #[test]
    fn values_serialise_with_their_type() {
        let json =
            serde_json::to_string(&Value::Decimal(Decimal::from_str("1.50").unwrap())).unwrap();
        assert_eq!(json, r#"{"type":"decimal","value":"1.50"}"#);
        let date = Value::Date(NaiveDate::from_ymd_opt(2025, 8, 15).unwrap());
        assert_eq!(
            serde_json::to_string(&date).unwrap(),
            r#"{"type":"date","value":"2025-08-15"}"#
        );
    }
}
