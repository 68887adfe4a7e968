//! XLSX output: one worksheet per table, numbers as numbers (2-decimal format), dates as real dates, a bold
//! frozen header row with an autofilter, column widths from the content, and rows of documents whose
//! validation failed filled red.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

use crate::error::Result;
use crate::table::{neutralize_formula, CellValue, Table};

/// The fill of rows whose validation failed (Excel's "bad" red).
const FAILED_FILL: u32 = 0xFFC7CE;
const NUMBER_FORMAT: &str = "#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    date: Format,
}

impl Formats {
    fn new(failed: bool) -> Formats {
        let base = || {
            if failed {
                Format::new().set_background_color(Color::RGB(FAILED_FILL))
            } else {
                Format::new()
            }
        };
        Formats {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            text: base(),
            number: base().set_num_format(NUMBER_FORMAT),
            date: base().set_num_format(DATE_FORMAT),
        }
    }
}

/// A valid worksheet name: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    cleaned.chars().take(31).collect()
}

fn write_table(sheet: &mut Worksheet, table: &Table) -> Result<()> {
    sheet.set_name(sheet_name(&table.name))?;
    let ok = Formats::new(false);
    let failed = Formats::new(true);
    let mut widths: Vec<usize> = table
        .columns
        .iter()
        .map(|c| c.name.chars().count() + 2)
        .collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, &column.name, &ok.header)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        let r = index as u32 + 1;
        let formats = if row.failed { &failed } else { &ok };
        for (col, cell) in row.cells.iter().enumerate() {
            let c = col as u16;
            let width = match cell {
                CellValue::Empty => {
                    if row.failed {
                        sheet.write_blank(r, c, &formats.text)?;
                    }
                    0
                }
                CellValue::Text(text) => {
                    let text = neutralize_formula(text);
                    sheet.write_string_with_format(r, c, text.as_ref(), &formats.text)?;
                    text.chars().count()
                }
                CellValue::Number(number) => {
                    // The decimal becomes a binary float only here, at the spreadsheet's boundary.
                    let value = number.to_f64().unwrap_or_default();
                    sheet.write_number_with_format(r, c, value, &formats.number)?;
                    format!("{value:.2}").len() + 3
                }
                CellValue::Integer(number) => {
                    sheet.write_number_with_format(r, c, *number as f64, &formats.text)?;
                    number.to_string().len()
                }
                CellValue::Date(date) => {
                    use chrono::Datelike;
                    let excel_date = ExcelDateTime::from_ymd(
                        date.year() as u16,
                        date.month() as u8,
                        date.day() as u8,
                    )?;
                    sheet.write_datetime_with_format(r, c, &excel_date, &formats.date)?;
                    10
                }
            };
            if let Some(current) = widths.get_mut(col) {
                *current = (*current).max(width + 2);
            }
        }
    }
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*width).clamp(8, 60) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.columns.is_empty() {
        let last_row = table.rows.len() as u32;
        sheet.autofilter(0, 0, last_row, table.columns.len() as u16 - 1)?;
    }
    Ok(())
}

/// A workbook with one worksheet per table, as bytes.
pub fn workbook_bytes(tables: &[Table]) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        write_table(sheet, table)?;
    }
    Ok(workbook.save_to_buffer()?)
}
