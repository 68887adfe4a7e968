//! CSV output of a table: chosen delimiter and decimal separator, UTF-8 with an optional byte-order mark
//! (for Excel), text neutralised against formula injection.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::table::{neutralize_formula, CellValue, Table};

/// CSV settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// `.` or `,`.
    pub decimal_separator: char,
    /// Start with a UTF-8 byte-order mark so Excel detects the encoding.
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            decimal_separator: '.',
            bom: false,
        }
    }
}

fn cell_text(cell: &CellValue, options: &CsvOptions) -> String {
    match cell {
        CellValue::Empty => String::new(),
        CellValue::Text(text) => neutralize_formula(text).into_owned(),
        CellValue::Number(number) => {
            // The decimal with the scale it was read or entered with (`119.00`, `1.5`).
            let text = number.to_string();
            if options.decimal_separator == '.' {
                text
            } else {
                text.replace('.', &options.decimal_separator.to_string())
            }
        }
        CellValue::Integer(number) => number.to_string(),
        CellValue::Date(date) => date.format("%Y-%m-%d").to_string(),
    }
}

/// The table as CSV bytes (header row of column keys, then one row per table row).
pub fn table_csv(table: &Table, options: &CsvOptions) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if options.bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(options.delimiter)
        .from_writer(out);
    writer.write_record(table.columns.iter().map(|c| c.key.as_str()))?;
    for row in &table.rows {
        writer.write_record(row.cells.iter().map(|cell| cell_text(cell, options)))?;
    }
    writer.flush().map_err(csv::Error::from)?;
    writer
        .into_inner()
        .map_err(|e| crate::ExportError::Csv(csv::Error::from(e.into_error())))
}
