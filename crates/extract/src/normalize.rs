//! Normalisation of raw document text into typed values: amounts as exact decimals (locale-aware), dates as
//! calendar dates (ISO 8601), currency codes from symbols and words, booleans.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use fancy_regex::Regex;
use rust_decimal::Decimal;

use crate::template::{DateOrder, NormalizeOptions};

/// An amount with the currency printed next to it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    pub currency: Option<&'static str>,
}

/// ISO 4217 codes recognised when printed as such.
const ISO_CODES: [&str; 30] = [
    "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN",
    "CZK", "HUF", "MYR", "SGD", "INR", "HKD", "ZAR", "BRL", "MXN", "RUB", "TRY", "RON", "BGN",
    "ISK", "IDR", "THB", "AED",
];

/// Symbols and words that stand for a currency (matched case-insensitively, longest first).
const CURRENCY_WORDS: [(&str, &str); 20] = [
    ("€", "EUR"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("us$", "USD"),
    ("$", "USD"),
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("£", "GBP"),
    ("pounds sterling", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("rs.", "INR"),
    ("rs", "INR"),
    ("rupees", "INR"),
    ("fr.", "CHF"),
    ("sfr", "CHF"),
    ("rm", "MYR"),
    ("ringgit", "MYR"),
    ("zł", "PLN"),
    ("kč", "CZK"),
];

/// The ISO 4217 code of a currency symbol, code or word (`€`, `eur`, `Euro`, `RM`), if known.
pub fn currency_code(raw: &str) -> Option<&'static str> {
    let trimmed = raw
        .trim()
        .trim_matches(|c: char| c == '(' || c == ')' || c == ':' || c == ',');
    if trimmed.is_empty() {
        return None;
    }
    let upper = trimmed.to_uppercase();
    if let Some(code) = ISO_CODES.iter().find(|code| **code == upper) {
        return Some(code);
    }
    let lower = trimmed.to_lowercase();
    CURRENCY_WORDS
        .iter()
        .find(|(word, _)| *word == lower)
        .map(|(_, code)| *code)
}

/// Finds a currency mentioned anywhere in a text: a code or symbol standing as its own token.
pub fn find_currency(text: &str) -> Option<&'static str> {
    for symbol in ["€", "£", "¥", "₹"] {
        if text.contains(symbol) {
            return currency_code(symbol);
        }
    }
    text.split(|c: char| {
        c.is_whitespace() || c.is_ascii_digit() || c == '(' || c == ')' || c == ':'
    })
    .find_map(|token| {
        let token = token.trim_matches(|c: char| c == '.' || c == ',' || c == '-');
        let is_code = token.len() == 3 && token.chars().all(|c| c.is_ascii_uppercase());
        if is_code {
            currency_code(token)
        } else if token.starts_with('$') || token == "US$" {
            Some("USD")
        } else {
            None
        }
    })
}

/// Parses an amount in any common locale form: `1.234,56`, `1,234.56`, `1 234,56`, `1'234.56`, with
/// negatives as `-1.00`, `(1.00)` or `1.00-`, and a currency symbol or code before or after.
/// `options.decimal_separator` settles the separator when given.
pub fn parse_amount(raw: &str, options: &NormalizeOptions) -> Option<Amount> {
    let mut text = raw.trim().to_string();
    for (from, to) in &options.replace {
        text = text.replace(from.as_str(), to);
    }
    // Currency: a symbol or code at either end (possibly glued to the number).
    let mut currency = None;
    let mut rest = text.as_str();
    loop {
        let before = rest;
        rest = rest.trim();
        if let Some((code, remaining)) = strip_currency_prefix(rest) {
            currency = currency.or(Some(code));
            rest = remaining;
        }
        if let Some((code, remaining)) = strip_currency_suffix(rest) {
            currency = currency.or(Some(code));
            rest = remaining;
        }
        if rest == before {
            break;
        }
    }
    let mut negative = false;
    let mut body = rest.trim();
    if body.starts_with('(') && body.ends_with(')') && body.len() > 2 {
        negative = true;
        body = body[1..body.len() - 1].trim();
        if let Some((code, remaining)) = strip_currency_prefix(body) {
            currency = currency.or(Some(code));
            body = remaining.trim();
        }
    }
    for minus in ['-', '−', '–'] {
        if let Some(stripped) = body.strip_prefix(minus) {
            negative = true;
            body = stripped.trim_start();
            if let Some((code, remaining)) = strip_currency_prefix(body) {
                currency = currency.or(Some(code));
                body = remaining.trim();
            }
        } else if let Some(stripped) = body.strip_suffix(minus) {
            negative = true;
            body = stripped.trim_end();
        }
    }
    if let Some(stripped) = body.strip_prefix('+') {
        body = stripped.trim_start();
    }
    let digits = normalise_number(body, options.decimal_separator)?;
    let mut value = Decimal::from_str(&digits).ok()?;
    if negative {
        value = -value;
    }
    Some(Amount { value, currency })
}

fn strip_currency_prefix(text: &str) -> Option<(&'static str, &str)> {
    let mut end = 0;
    for (index, c) in text.char_indices() {
        if c.is_ascii_digit() || c == '-' || c == '(' || c == '−' || c == '+' || c == '.' {
            break;
        }
        end = index + c.len_utf8();
    }
    if end == 0 {
        return None;
    }
    let code = currency_code(text[..end].trim())?;
    Some((code, &text[end..]))
}

fn strip_currency_suffix(text: &str) -> Option<(&'static str, &str)> {
    let mut start = text.len();
    for (index, c) in text.char_indices().rev() {
        if c.is_ascii_digit() || c == '-' || c == ')' || c == '−' {
            break;
        }
        start = index;
    }
    if start == text.len() {
        return None;
    }
    let code = currency_code(text[start..].trim())?;
    Some((code, &text[..start]))
}

/// Turns the digits and separators of a number into `1234.56` form, or `None` when it is not a number.
fn normalise_number(body: &str, forced_decimal: Option<char>) -> Option<String> {
    if body.is_empty() || !body.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let allowed = |c: char| {
        c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | '’' | ' ' | '\u{a0}' | '\u{202f}')
    };
    if !body.chars().all(allowed)
        || !body.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // Spaces and apostrophes only ever group thousands; groups after them must be three digits.
    let grouping: Vec<&str> = body.split([' ', '\u{a0}', '\u{202f}', '\'', '’']).collect();
    for group in &grouping[1..] {
        let digits_before_separator = group.split(['.', ',']).next().unwrap_or("");
        if digits_before_separator.len() != 3 {
            return None;
        }
    }
    let compact: String = grouping.concat();
    let guessed = || guess_decimal_separator(&compact);
    match forced_decimal {
        // A forced separator settles ambiguous numbers (`1,234`); one that cannot read the number
        // (`14940.0` on a page whose other amounts write `58 015,00`) leaves it to the number's own form.
        Some(separator) => digits_with_separator(&compact, Some(separator)).or_else(|| {
            guessed()
                .filter(|&g| g != separator)
                .and_then(|g| digits_with_separator(&compact, Some(g)))
        }),
        None => digits_with_separator(&compact, guessed()),
    }
}

/// `compact` (a number without its space or apostrophe groupings) in `1234.56` form, read with `decimal`
/// as its decimal separator, or `None` when its groups do not fit that reading.
fn digits_with_separator(compact: &str, decimal: Option<char>) -> Option<String> {
    // Thousands groups after the first must have exactly three digits.
    let integer_part = match decimal {
        Some(separator) => compact.rsplit_once(separator).map_or(compact, |(i, _)| i),
        None => compact,
    };
    let groups: Vec<&str> = integer_part.split(['.', ',']).collect();
    if groups.len() > 1 && groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        match c {
            '0'..='9' => out.push(c),
            '.' | ',' if Some(c) == decimal => out.push('.'),
            _ => {}
        }
    }
    if out.matches('.').count() > 1 || out == "." {
        return None;
    }
    if out.starts_with('.') {
        out.insert(0, '0');
    }
    Some(out)
}

/// The decimal separator of a number written with `.` and `,`: the last of both kinds when both appear; a
/// single separator followed by exactly three digits is a thousands separator, otherwise a decimal one.
fn guess_decimal_separator(compact: &str) -> Option<char> {
    let last_dot = compact.rfind('.');
    let last_comma = compact.rfind(',');
    match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        (None, None) => None,
        (Some(index), None) | (None, Some(index)) => {
            let separator = compact[index..].chars().next()?;
            if compact.matches(separator).count() > 1 {
                return None;
            }
            let n_after = compact.len() - index - 1;
            let n_before = index;
            if n_after == 3 && n_before > 0 && n_before <= 3 && compact[..index] != *"0" {
                None
            } else {
                Some(separator)
            }
        }
    }
}

/// Month names and abbreviations in English, German, French and Dutch (lower case, without trailing dot).
const MONTHS: [(&str, u32); 68] = [
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("jänner", 1),
    ("janvier", 1),
    ("janv", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("fevr", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mär", 3),
    ("mrz", 3),
    ("mars", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("avr", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("juil", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("okt", 10),
    ("octobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("dez", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    ("sept.", 9),
    ("jun.", 6),
    ("jul.", 7),
    ("mai.", 5),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mrt", 3),
    ("mei", 5),
    ("augustus", 8),
];

/// The month number of a month name or abbreviation (EN/DE/FR/NL).
pub fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim().trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == lower).map(|(_, m)| *m)
}

/// The numeric date pattern (a constant; `None` only if it failed to compile, which its unit tests rule out).
fn numeric_date_regex() -> Option<&'static Regex> {
    static REGEX: OnceLock<Option<Regex>> = OnceLock::new();
    REGEX
        .get_or_init(|| {
            Regex::new(r"(?<![\d.\p{L}])(\d{1,4})\s?([./\-])\s?(\d{1,2})\s?\2\s?(\d{2,4})(?![\d])")
                .ok()
        })
        .as_ref()
}

/// The date-with-month-name pattern (a constant, see [`numeric_date_regex`]).
fn named_date_regex() -> Option<&'static Regex> {
    static REGEX: OnceLock<Option<Regex>> = OnceLock::new();
    REGEX.get_or_init(|| {
        // 15 Aug 2025, 15. August 2025, 15-Aug-25, 1er août 2025, Aug 15, 2025, August 15 2025, August 3 , 2014.
        Regex::new(
            r"(?i)(?<![\p{L}\d])(?:(\d{1,2})(?:er|st|nd|rd|th)?\.?[\s\-/]*(\p{L}{3,9}\.?)[\s\-/,]*(\d{4}|\d{2})|(\p{L}{3,9}\.?)\s*(\d{1,2})(?:st|nd|rd|th)?\s?,?\s+(\d{4}))(?![\d])",
        )
        .ok()
    })
    .as_ref()
}

fn full_year(year: i32, n_digits: usize) -> i32 {
    if n_digits <= 2 {
        if year < 70 {
            2000 + year
        } else {
            1900 + year
        }
    } else {
        year
    }
}

/// A date found in a text, with its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

/// Parses a date written in one of the forms seen on documents (15/08/2025, 08/15/2025, 15.08.2025,
/// 2025-08-15, 15 Aug 2025, 15. August 2025, 15 août 2025, Aug 15, 2025), the whole text being the date
/// (surrounding punctuation allowed).
pub fn parse_date(raw: &str, options: &NormalizeOptions) -> Option<NaiveDate> {
    let text = raw
        .trim()
        .trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '(' | ')'));
    for format in &options.date_formats {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Some(date);
        }
    }
    let found = find_date(text, options)?;
    let rest_is_blank =
        text[..found.start].trim().is_empty() && text[found.end..].trim().is_empty();
    rest_is_blank.then_some(found.date)
}

/// Finds the first date in a text.
pub fn find_date(text: &str, options: &NormalizeOptions) -> Option<FoundDate> {
    find_dates(text, options).into_iter().next()
}

/// Every date in a text, in order.
pub fn find_dates(text: &str, options: &NormalizeOptions) -> Vec<FoundDate> {
    let mut found = Vec::new();
    let (Some(numeric), Some(named)) = (numeric_date_regex(), named_date_regex()) else {
        return Vec::new();
    };
    for captures in numeric.captures_iter(text).flatten() {
        let whole = captures.get(0).map_or(0..0, |m| m.range());
        let part = |i: usize| captures.get(i).map_or("", |m| m.as_str());
        let (a, b, c) = (part(1), part(3), part(4));
        let date = numeric_date(a, b, c, options.date_order);
        if let Some(date) = date {
            found.push(FoundDate {
                date,
                start: whole.start,
                end: whole.end,
            });
        }
    }
    for captures in named.captures_iter(text).flatten() {
        let whole = captures.get(0).map_or(0..0, |m| m.range());
        let part = |i: usize| captures.get(i).map(|m| m.as_str());
        let (day, month, year) = match (part(1), part(2), part(3)) {
            (Some(day), Some(month), Some(year)) => (day, month, year),
            _ => match (part(5), part(4), part(6)) {
                (Some(day), Some(month), Some(year)) => (day, month, year),
                _ => continue,
            },
        };
        let (Some(month), Ok(day), Ok(year_number)) =
            (month_number(month), day.parse::<u32>(), year.parse::<i32>())
        else {
            continue;
        };
        let year_number = full_year(year_number, year.len());
        if let Some(date) = NaiveDate::from_ymd_opt(year_number, month, day) {
            found.push(FoundDate {
                date,
                start: whole.start,
                end: whole.end,
            });
        }
    }
    found.sort_by_key(|f| f.start);
    found.dedup_by(|later, earlier| later.start < earlier.end);
    found
}

fn numeric_date(a: &str, b: &str, c: &str, order: DateOrder) -> Option<NaiveDate> {
    let (na, nb, nc) = (
        a.parse::<u32>().ok()?,
        b.parse::<u32>().ok()?,
        c.parse::<i32>().ok()?,
    );
    if a.len() == 4 {
        // 2025-08-15: year first is never ambiguous in practice; `2015-30-01`, whose middle number cannot
        // be a month, is year, day, month (printed so by some invoicing software).
        let year = na as i32;
        let third = nc.try_into().ok()?;
        let year_month_day = NaiveDate::from_ymd_opt(year, nb, third);
        let year_day_month = || NaiveDate::from_ymd_opt(year, third, nb);
        return match order {
            DateOrder::Ydm => year_day_month().or(year_month_day),
            _ => year_month_day.or_else(|| (nb > 12).then(year_day_month).flatten()),
        };
    }
    if c.len() == 3 {
        return None;
    }
    let year = full_year(nc, c.len());
    let day_month = NaiveDate::from_ymd_opt(year, nb, na);
    let month_day = NaiveDate::from_ymd_opt(year, na, nb);
    match order {
        DateOrder::Mdy => month_day.or(day_month),
        DateOrder::Dmy | DateOrder::Ymd | DateOrder::Ydm => day_month.or(month_day),
    }
}

/// Parses a yes/no value in English, German or French.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "ja" | "oui" | "x" | "✓" | "1" => Some(true),
        "no" | "n" | "false" | "nein" | "non" | "0" => Some(false),
        _ => None,
    }
}

/// Cleans a text value: applies the replace pairs, collapses whitespace, trims separator punctuation at the
/// ends, and applies `remove_whitespace` / `lowercase`.
pub fn clean_text(raw: &str, options: &NormalizeOptions) -> String {
    let mut text = raw.to_string();
    for (from, to) in &options.replace {
        text = text.replace(from.as_str(), to);
    }
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text = text
        .trim_matches(|c: char| matches!(c, ':' | ';' | ',' | '|' | '#') || c.is_whitespace())
        .to_string();
    if options.remove_whitespace {
        text.retain(|c| !c.is_whitespace());
    }
    if options.lowercase {
        text = text.to_lowercase();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(raw: &str) -> Option<String> {
        parse_amount(raw, &NormalizeOptions::default()).map(|a| a.value.to_string())
    }

    #[test]
    fn amounts_in_every_locale_form() {
        let cases = [
            ("1.234,56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("1 234,56", "1234.56"),
            ("1\u{a0}234,56", "1234.56"),
            ("1'234.56", "1234.56"),
            ("1’234.56", "1234.56"),
            ("12.160,00 €", "12160.00"),
            ("12 160,00 €", "12160.00"),
            ("1.234.567,89", "1234567.89"),
            ("1,234,567.89", "1234567.89"),
            ("0,52", "0.52"),
            ("0.0520", "0.0520"),
            ("1.234", "1234"),
            ("1,5", "1.5"),
            ("100", "100"),
            ("19,00", "19.00"),
            ("€12.50", "12.50"),
            ("EUR 1.234,56", "1234.56"),
            ("1.234,56 EUR", "1234.56"),
            ("$1,000.00", "1000.00"),
            ("RM 9.00", "9.00"),
            ("CHF 1'250.50", "1250.50"),
            (".50", "0.50"),
        ];
        for (raw, expected) in cases {
            assert_eq!(amount(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn negative_amounts_in_every_form() {
        let cases = [
            ("-1.00", "-1.00"),
            ("(1.00)", "-1.00"),
            ("1.00-", "-1.00"),
            ("- 1.234,56", "-1234.56"),
            ("−5,00", "-5.00"),
            ("-€5.00", "-5.00"),
            ("€-5.00", "-5.00"),
            ("(€ 12.00)", "-12.00"),
            ("12,00- EUR", "-12.00"),
        ];
        for (raw, expected) in cases {
            assert_eq!(amount(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn non_amounts_are_rejected() {
        for raw in [
            "",
            "abc",
            "12a",
            "1.2.3",
            "EUR",
            "15/08/2025",
            "1 23,00",
            "Total 12",
        ] {
            assert_eq!(amount(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_forced_decimal_separator_settles_ambiguous_numbers() {
        let comma = NormalizeOptions {
            decimal_separator: Some(','),
            ..NormalizeOptions::default()
        };
        assert_eq!(
            parse_amount("1.234", &comma).unwrap().value.to_string(),
            "1234"
        );
        assert_eq!(
            parse_amount("1,234", &comma).unwrap().value.to_string(),
            "1.234"
        );
        let dot = NormalizeOptions {
            decimal_separator: Some('.'),
            ..NormalizeOptions::default()
        };
        assert_eq!(
            parse_amount("1.234", &dot).unwrap().value.to_string(),
            "1.234"
        );
        // A number the forced separator cannot read keeps its own form: `14940.0` among `58 015,00`.
        assert_eq!(
            parse_amount("€14940.0", &comma).unwrap().value.to_string(),
            "14940.0"
        );
        assert_eq!(
            parse_amount("12,5", &dot).unwrap().value.to_string(),
            "12.5"
        );
        assert!(parse_amount("1.23.4", &comma).is_none());
    }

    #[test]
    fn amounts_keep_the_printed_currency() {
        let options = NormalizeOptions::default();
        assert_eq!(
            parse_amount("12,00 €", &options).unwrap().currency,
            Some("EUR")
        );
        assert_eq!(
            parse_amount("£3.10", &options).unwrap().currency,
            Some("GBP")
        );
        assert_eq!(
            parse_amount("USD 3.10", &options).unwrap().currency,
            Some("USD")
        );
        assert_eq!(parse_amount("3.10", &options).unwrap().currency, None);
    }

    #[test]
    fn currency_codes_from_symbols_and_words() {
        let cases = [
            ("€", Some("EUR")),
            ("eur", Some("EUR")),
            ("Euro", Some("EUR")),
            ("EUROS", Some("EUR")),
            ("$", Some("USD")),
            ("£", Some("GBP")),
            ("CHF", Some("CHF")),
            ("RM", Some("MYR")),
            ("Rs.", Some("INR")),
            ("₹", Some("INR")),
            ("(EUR)", Some("EUR")),
            ("ABC", None),
            ("", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(currency_code(raw), expected, "{raw}");
        }
        assert_eq!(find_currency("Total amount (EUR): 12.00"), Some("EUR"));
        assert_eq!(find_currency("Gesamt 12,00 €"), Some("EUR"));
        assert_eq!(find_currency("Total 12.00"), None);
    }

    fn date(raw: &str, order: DateOrder) -> Option<String> {
        let options = NormalizeOptions {
            date_order: order,
            ..NormalizeOptions::default()
        };
        parse_date(raw, &options).map(|d| d.to_string())
    }

    #[test]
    fn the_date_patterns_compile() {
        assert!(numeric_date_regex().is_some());
        assert!(named_date_regex().is_some());
    }

    #[test]
    fn dates_in_every_format() {
        let cases = [
            ("15/08/2025", "2025-08-15"),
            ("08/15/2025", "2025-08-15"),
            ("15.08.2025", "2025-08-15"),
            ("15.08.25", "2025-08-15"),
            ("2025-08-15", "2025-08-15"),
            ("2025/08/15", "2025-08-15"),
            ("15-08-2025", "2025-08-15"),
            ("15 Aug 2025", "2025-08-15"),
            ("15-Aug-2025", "2025-08-15"),
            ("15-AUG-25", "2025-08-15"),
            ("15. August 2025", "2025-08-15"),
            ("15 août 2025", "2025-08-15"),
            ("1er mars 2024", "2024-03-01"),
            ("3. März 2024", "2024-03-03"),
            ("Aug 15, 2025", "2025-08-15"),
            ("August 15 2025", "2025-08-15"),
            ("15 décembre 2025", "2025-12-15"),
            ("15 Dez. 2025", "2025-12-15"),
            ("Date: 15/08/2025", "2025-08-15"),
        ];
        for (raw, expected) in cases {
            let found = find_date(raw, &NormalizeOptions::default()).map(|f| f.date.to_string());
            assert_eq!(found.as_deref(), Some(expected), "{raw}");
        }
        assert_eq!(
            date("15 août 2025", DateOrder::Dmy).as_deref(),
            Some("2025-08-15")
        );
        assert_eq!(
            date("Date: 15/08/2025", DateOrder::Dmy),
            None,
            "parse_date wants the date alone"
        );
    }

    #[test]
    fn the_template_decides_ambiguous_day_month_order() {
        assert_eq!(
            date("05/08/2025", DateOrder::Dmy).as_deref(),
            Some("2025-08-05")
        );
        assert_eq!(
            date("05/08/2025", DateOrder::Mdy).as_deref(),
            Some("2025-05-08")
        );
        // Unambiguous dates parse whatever the order.
        assert_eq!(
            date("13/08/2025", DateOrder::Mdy).as_deref(),
            Some("2025-08-13")
        );
        assert_eq!(
            date("08/13/2025", DateOrder::Dmy).as_deref(),
            Some("2025-08-13")
        );
    }

    #[test]
    fn year_first_dates_are_year_month_day_unless_the_order_or_the_numbers_say_day_month() {
        // The middle number cannot be a month: year, day, month whatever the order.
        assert_eq!(
            date("2015-30-01", DateOrder::Dmy).as_deref(),
            Some("2015-01-30")
        );
        assert_eq!(
            date("2015-04-07", DateOrder::Dmy).as_deref(),
            Some("2015-04-07")
        );
        assert_eq!(
            date("2015-04-07", DateOrder::Ydm).as_deref(),
            Some("2015-07-04")
        );
        // An impossible year-day-month reading falls back to year-month-day.
        assert_eq!(
            date("2015-04-30", DateOrder::Ydm).as_deref(),
            Some("2015-04-30")
        );
        // Other dates are day-first under `ydm`.
        assert_eq!(
            date("05/08/2025", DateOrder::Ydm).as_deref(),
            Some("2025-08-05")
        );
        assert_eq!(date("2015-30-13", DateOrder::Dmy), None);
    }

    #[test]
    fn dutch_month_names_and_a_space_before_the_comma_are_dates() {
        let options = NormalizeOptions::default();
        let date = |text: &str| parse_date(text, &options).map(|d| d.to_string());
        assert_eq!(date("29 maart 2014").as_deref(), Some("2014-03-29"));
        assert_eq!(date("18 mei 2014").as_deref(), Some("2014-05-18"));
        assert_eq!(date("August 3 , 2014").as_deref(), Some("2014-08-03"));
        assert_eq!(date("Aug 15 2025").as_deref(), Some("2025-08-15"));
    }

    #[test]
    fn custom_date_formats_come_first() {
        let options = NormalizeOptions {
            date_formats: vec!["%Y%m%d".into()],
            ..NormalizeOptions::default()
        };
        assert_eq!(
            parse_date("20250815", &options).unwrap().to_string(),
            "2025-08-15"
        );
    }

    #[test]
    fn impossible_dates_and_non_dates_are_rejected() {
        for raw in [
            "32/01/2025",
            "2025-13-13",
            "2025-02-30",
            "hello",
            "12.50",
            "1234567",
        ] {
            assert_eq!(date(raw, DateOrder::Dmy), None, "{raw}");
        }
        // A product code (`HCO3-7 - 15`) is no date: the digits are glued to letters.
        let options = NormalizeOptions::default();
        assert!(find_dates("HCO3-7 - 15", &options).is_empty());
        assert_eq!(find_dates("am 3-7-15", &options).len(), 1);
    }

    #[test]
    fn text_cleaning_collapses_whitespace_and_applies_options() {
        let options = NormalizeOptions {
            replace: vec![("Inv-".into(), "".into())],
            remove_whitespace: true,
            lowercase: true,
            ..NormalizeOptions::default()
        };
        assert_eq!(clean_text(" :Inv-AB  12 ", &options), "ab12");
        assert_eq!(
            clean_text("  ACME   GmbH, ", &NormalizeOptions::default()),
            "ACME GmbH"
        );
    }

    #[test]
    fn booleans_in_three_languages() {
        assert_eq!(parse_bool("Ja"), Some(true));
        assert_eq!(parse_bool("non"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
