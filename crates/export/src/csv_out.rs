//! CSV output of a table: chosen delimiter and decimal separator, UTF-8 with an optional byte-order mark
//! (for Excel), text neutralised against formula injection.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::table::{neutralize_formula, CellValue, Column, Table, TableRow};

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

/// Writes a table's CSV row by row: the optional byte-order mark and the header row of column keys, then
/// rows as they come.
pub struct TableCsvWriter<W: std::io::Write> {
    writer: csv::Writer<W>,
    options: CsvOptions,
}

impl<W: std::io::Write> TableCsvWriter<W> {
    /// Starts the output (with the byte-order mark when asked for).
    pub fn new(mut out: W, options: CsvOptions) -> Result<TableCsvWriter<W>> {
        if options.bom {
            out.write_all("\u{feff}".as_bytes())
                .map_err(csv::Error::from)?;
        }
        Ok(TableCsvWriter {
            writer: csv::WriterBuilder::new()
                .delimiter(options.delimiter)
                .from_writer(out),
            options,
        })
    }

    pub fn write_header(&mut self, columns: &[Column]) -> Result<()> {
        self.writer
            .write_record(columns.iter().map(|c| c.key.as_str()))?;
        Ok(())
    }

    pub fn write_row(&mut self, row: &TableRow) -> Result<()> {
        let options = self.options;
        self.writer
            .write_record(row.cells.iter().map(|cell| cell_text(cell, &options)))?;
        Ok(())
    }

    /// Flushes everything written and returns the output.
    pub fn finish(self) -> Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| crate::ExportError::Csv(csv::Error::from(e.into_error())))
    }
}

/// The table as CSV bytes (header row of column keys, then one row per table row).
pub fn table_csv(table: &Table, options: &CsvOptions) -> Result<Vec<u8>> {
    let mut writer = TableCsvWriter::new(Vec::new(), *options)?;
    writer.write_header(&table.columns)?;
    for row in &table.rows {
        writer.write_row(row)?;
    }
    writer.finish()
}
