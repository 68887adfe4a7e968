//! OCR repairs of line items from their own arithmetic.
//!
//! A row states its numbers twice: quantity × unit price − discount = net, and net + tax = total. On a page
//! read by OCR, a digit misread in one cell (`20` for `2`, `4839,00` for `1839,00`, a stray `-`) or a cell
//! not read at all breaks one of those sums while the others still agree. When exactly one value can be
//! changed so that every sum of the row holds, and that value differs from what OCR read by one character
//! (or was not read), it is repaired: `Cell::value` holds the repaired value and `Cell::repaired_from` what
//! OCR read (empty text when it read nothing), and the `line_arithmetic` rule reports the repair as a
//! warning. Rows of text-layer pages are never touched: there, a sum that does not hold is the document's
//! own mistake, for a person to see. The sums are the `line_arithmetic` rule's (`validate::line_product`).

use rust_decimal::Decimal;

use crate::validate::{line_product, DEFAULT_TOLERANCE as TOLERANCE};
use crate::value::{Row, Value};

/// Repairs the rows whose page `is_ocr_page` says OCR read.
pub fn repair_ocr_rows(rows: &mut [Row], is_ocr_page: impl Fn(u32) -> bool) {
    for row in rows.iter_mut().filter(|row| is_ocr_page(row.page)) {
        if let Some((key, value)) = repair(row) {
            if let Some(cell) = row.cells.get_mut(key) {
                cell.repaired_from =
                    Some(std::mem::replace(&mut cell.value, Value::Decimal(value)));
            } else {
                // Not read at all: what OCR read is empty.
                let mut cell = crate::value::Cell::new(Value::Decimal(value), None);
                cell.repaired_from = Some(Value::Text(String::new()));
                row.cells.insert(key.to_string(), cell);
            }
        }
    }
}

/// The one cell to change (or fill) and its value, when the row's sums single it out.
fn repair(row: &Row) -> Option<(&'static str, Decimal)> {
    let quantity = row.decimal("quantity");
    let price = row.decimal("unitPrice");
    let discount = row.decimal("discountAmount").unwrap_or_default().abs();
    let net = row.decimal("netAmount");
    let tax = row.decimal("taxAmount");
    let total = row.decimal("totalAmount");
    let product = |q: Decimal, p: Decimal, scale: u32| line_product(q, p, discount, scale);
    let product_holds = match (quantity, price, net) {
        (Some(q), Some(p), Some(n)) => Some((product(q, p, n.scale()) - n).abs() <= TOLERANCE),
        _ => None,
    };
    let sum_holds = match (net, tax, total) {
        (Some(n), Some(t), Some(g)) => Some((n + t - g).abs() <= TOLERANCE),
        _ => None,
    };
    let mut candidates: Vec<(&'static str, Decimal)> = Vec::new();
    match (product_holds, sum_holds) {
        // Quantity or unit price not read (net, tax and total agree): the other two of the product give it.
        (None, Some(true)) => match (quantity, price, net) {
            (None, Some(p), Some(n)) => {
                candidates.extend(quantity_of(n + discount, p).map(|q| ("quantity", q)))
            }
            (Some(q), None, Some(n)) => {
                candidates.extend(price_of(n + discount, q).map(|p| ("unitPrice", p)))
            }
            _ => {}
        },
        // Net agrees with tax and total: the quantity or the unit price was misread.
        (Some(false), Some(true)) => {
            let (q, p, n) = (quantity?, price?, net?);
            if let Some(fixed) = quantity_of(n + discount, p).filter(|fixed| one_slip(q, *fixed)) {
                candidates.push(("quantity", fixed));
            }
            if let Some(fixed) = price_of(n + discount, q).filter(|fixed| one_slip(p, *fixed)) {
                candidates.push(("unitPrice", fixed));
            }
        }
        // Net agrees with quantity and unit price: the tax or the total was misread.
        (Some(true), Some(false)) => {
            let (n, t, g) = (net?, tax?, total?);
            if one_slip(g, n + t) {
                candidates.push(("totalAmount", n + t));
            }
            // A tax is at most the net amount it is charged on.
            let fixed_tax = g - n;
            if fixed_tax.abs() <= n.abs() && one_slip(t, fixed_tax) {
                candidates.push(("taxAmount", fixed_tax));
            }
        }
        // Neither sum holds: the net amount, if quantity × price agrees with total − tax.
        (Some(false), Some(false)) => {
            let (q, p, n, t, g) = (quantity?, price?, net?, tax?, total?);
            let fixed = product(q, p, n.scale());
            if (fixed + t - g).abs() <= TOLERANCE && one_slip(n, fixed) {
                candidates.push(("netAmount", fixed));
            }
        }
        // Every sum that can be checked holds, or none can be checked: nothing to repair.
        _ => {}
    }
    // Two ways to make the sums hold: the row does not say which value is wrong.
    (candidates.len() == 1).then(|| candidates[0])
}

/// The whole, positive quantity that times `price` gives `amount`.
fn quantity_of(amount: Decimal, price: Decimal) -> Option<Decimal> {
    if price.is_zero() {
        return None;
    }
    let quantity = amount / price;
    (quantity > Decimal::ZERO && quantity.fract().is_zero()).then(|| quantity.normalize())
}

/// The unit price that times `quantity` gives `amount`, when it has at most two decimals (as printed).
fn price_of(amount: Decimal, quantity: Decimal) -> Option<Decimal> {
    if quantity.is_zero() {
        return None;
    }
    let mut price = (amount / quantity).normalize();
    (price.scale() <= 2).then(|| {
        price.rescale(2);
        price
    })
}

/// Whether OCR could have read `fixed` as `read` by one slip: a sign added or lost, the decimal separator
/// lost (`135` for `1,35`), or one digit changed, added or lost.
fn one_slip(read: Decimal, fixed: Decimal) -> bool {
    if read == fixed {
        return false;
    }
    if read == -fixed {
        return true;
    }
    if read.is_sign_negative() != fixed.is_sign_negative() {
        return false;
    }
    if read.scale() == 0 && (read == fixed * Decimal::ONE_HUNDRED || read == fixed * Decimal::TEN) {
        return true;
    }
    let digits = |value: Decimal| -> Vec<char> {
        value
            .abs()
            .normalize()
            .to_string()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    };
    one_edit_apart(&digits(read), &digits(fixed))
}

/// Levenshtein distance of exactly one (the same digits with the separator elsewhere are no slip).
fn one_edit_apart(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() == 1,
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::value::Cell;

    fn row(cells: &[(&str, &str)]) -> Row {
        Row {
            cells: cells
                .iter()
                .map(|(key, value)| {
                    let value = Value::Decimal(Decimal::from_str(value).unwrap());
                    (key.to_string(), Cell::new(value, None))
                })
                .collect(),
            page: 1,
        }
    }

    fn repaired(cells: &[(&str, &str)]) -> Option<(&'static str, String)> {
        repair(&row(cells)).map(|(key, value)| (key, value.to_string()))
    }

    #[test]
    fn one_misread_value_is_singled_out_by_the_sums_of_its_row() {
        let line = [
            ("quantity", "2"),
            ("unitPrice", "45.00"),
            ("netAmount", "90.00"),
            ("taxAmount", "18.00"),
            ("totalAmount", "108.00"),
        ];
        assert_eq!(repaired(&line), None, "every sum holds");
        let with = |key: &str, value: &'static str| {
            let cells: Vec<(&str, &str)> = line
                .iter()
                .map(|&(k, v)| if k == key { (k, value) } else { (k, v) })
                .collect();
            repaired(&cells)
        };
        assert_eq!(with("quantity", "20"), Some(("quantity", "2".into())));
        assert_eq!(
            with("unitPrice", "4500"),
            Some(("unitPrice", "45.00".into()))
        );
        assert_eq!(
            with("unitPrice", "46.00"),
            Some(("unitPrice", "45.00".into()))
        );
        assert_eq!(
            with("totalAmount", "708.00"),
            Some(("totalAmount", "108.00".into()))
        );
        // Tax 19 for 18, or total 108 for 109: either slip explains it, so neither is repaired.
        assert_eq!(with("taxAmount", "19.00"), None);
        assert_eq!(
            with("netAmount", "-90.00"),
            Some(("netAmount", "90.00".into()))
        );
        assert_eq!(
            with("netAmount", "98.00"),
            Some(("netAmount", "90.00".into()))
        );
    }

    #[test]
    fn values_ocr_did_not_read_are_given_by_the_others() {
        let missing_quantity = [
            ("unitPrice", "45.00"),
            ("netAmount", "90.00"),
            ("taxAmount", "18.00"),
            ("totalAmount", "108.00"),
        ];
        assert_eq!(repaired(&missing_quantity), Some(("quantity", "2".into())));
        let missing_price = [
            ("quantity", "3"),
            ("netAmount", "2071.47"),
            ("taxAmount", "414.29"),
            ("totalAmount", "2485.76"),
        ];
        assert_eq!(
            repaired(&missing_price),
            Some(("unitPrice", "690.49".into()))
        );
        // Without tax and total, nothing confirms the net amount.
        assert_eq!(repaired(&missing_quantity[..2]), None);
    }

    #[test]
    fn a_change_of_more_than_one_character_or_two_possible_changes_are_left_for_a_person() {
        // 200 is not one slip away from 2.
        assert_eq!(
            repaired(&[
                ("quantity", "200"),
                ("unitPrice", "45.00"),
                ("netAmount", "90.00"),
                ("taxAmount", "18.00"),
                ("totalAmount", "108.00"),
            ]),
            None
        );
        // Tax 28 or total 118 would both make net + tax = total hold.
        assert_eq!(
            repaired(&[
                ("quantity", "2"),
                ("unitPrice", "45.00"),
                ("netAmount", "90.00"),
                ("taxAmount", "28.00"),
                ("totalAmount", "108.00"),
            ]),
            None
        );
    }

    #[test]
    fn rows_of_text_layer_pages_are_never_repaired() {
        let cells = [
            ("quantity", "20"),
            ("unitPrice", "45.00"),
            ("netAmount", "90.00"),
            ("taxAmount", "18.00"),
            ("totalAmount", "108.00"),
        ];
        let mut rows = vec![row(&cells)];
        repair_ocr_rows(&mut rows, |_| false);
        assert_eq!(rows[0], row(&cells));
        repair_ocr_rows(&mut rows, |_| true);
        assert_eq!(rows[0].decimal("quantity"), Some(Decimal::from(2)));
        assert_eq!(
            rows[0].cells["quantity"].repaired_from,
            Some(Value::Decimal(Decimal::from(20)))
        );
    }

    #[test]
    fn one_slip_is_one_digit_or_a_sign() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert!(one_slip(d("4839.00"), d("1839.00")));
        assert!(one_slip(d("20"), d("2")));
        assert!(one_slip(d("-2019.80"), d("2019.80")));
        assert!(one_slip(d("135"), d("1.35")));
        assert!(!one_slip(d("4839.00"), d("1830.00")));
        assert!(!one_slip(d("2"), d("2.00")));
        assert!(!one_slip(d("45.00"), d("4.50")), "the separator elsewhere");
    }
}
