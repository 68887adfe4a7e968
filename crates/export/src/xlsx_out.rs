//! XLSX output, streamed (rust_xlsxwriter's constant-memory mode): one worksheet per table, numbers as
//! numbers (2-decimal format), dates as real dates, a bold frozen header row with an autofilter, column
//! widths from the header and the first rows, rows of documents whose validation failed filled red, and
//! cells to check (line-item values repaired from their row's arithmetic) filled yellow with a note saying
//! why.

use rust_decimal::prelude::ToPrimitive;
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Note, Workbook};

use crate::error::{ExportError, Result};
use crate::table::{neutralize_formula, CellValue, Column, Table, TableRow};

/// The fill of rows whose validation failed (Excel's "bad" red).
const FAILED_FILL: u32 = 0xFFC7CE;
/// The fill of cells to check (Excel's "neutral" yellow).
const CHECK_FILL: u32 = 0xFFEB9C;
const NUMBER_FORMAT: &str = "#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    date: Format,
}

impl Formats {
    fn new(fill: Option<u32>) -> Formats {
        let base = || match fill {
            Some(rgb) => Format::new().set_background_color(Color::RGB(rgb)),
            None => Format::new(),
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

/// How wide a cell's content is, in characters.
fn cell_width(cell: &CellValue) -> usize {
    match cell {
        CellValue::Empty => 0,
        CellValue::Text(text) => neutralize_formula(text).chars().count(),
        CellValue::Number(number) => {
            format!("{:.2}", number.to_f64().unwrap_or_default()).len() + 3
        }
        CellValue::Integer(number) => number.to_string().len(),
        CellValue::Date(_) => 10,
    }
}

/// What a column mostly holds, decided from the first rows written: its number or date format becomes the
/// column's format, so that ordinary cells of that kind are written without a format of their own (looking
/// a cell's format up costs a hash of the whole format, a good part of a large export's time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Plain,
    Number,
    Date,
}

/// A worksheet being written: its columns (and their kinds, once laid out) and the next row to write.
struct SheetProgress {
    columns: Vec<Column>,
    kinds: Vec<ColumnKind>,
    next_row: u32,
    widths_set: bool,
}

/// A workbook written row by row in rust_xlsxwriter's constant-memory mode: each worksheet's rows go to a
/// temporary file as they are written, so memory stays flat however many rows there are. Rows of a sheet
/// are written in order; column widths are decided from the header and the first rows written to a sheet.
pub struct StreamingWorkbook {
    workbook: Workbook,
    sheets: Vec<SheetProgress>,
    ok: Formats,
    failed: Formats,
    check: Formats,
}

impl StreamingWorkbook {
    /// A workbook with one worksheet per `(name, columns)`, in order, each with its bold frozen header row.
    pub fn new(sheets: Vec<(String, Vec<Column>)>) -> Result<StreamingWorkbook> {
        let mut workbook = Workbook::new();
        let ok = Formats::new(None);
        let failed = Formats::new(Some(FAILED_FILL));
        let check = Formats::new(Some(CHECK_FILL));
        let mut progress = Vec::with_capacity(sheets.len());
        for (name, columns) in sheets {
            let sheet = workbook.add_worksheet_with_constant_memory();
            sheet.set_name(sheet_name(&name))?;
            sheet.set_freeze_panes(1, 0)?;
            for (col, column) in columns.iter().enumerate() {
                sheet.write_string_with_format(0, col as u16, &column.name, &ok.header)?;
            }
            progress.push(SheetProgress {
                kinds: vec![ColumnKind::Plain; columns.len()],
                columns,
                next_row: 1,
                widths_set: false,
            });
        }
        Ok(StreamingWorkbook {
            workbook,
            sheets: progress,
            ok,
            failed,
            check,
        })
    }

    /// Lays out a sheet's columns from its header and first `rows`: widths (clamped to 8..=60
    /// characters) and, for columns that hold numbers or dates, the column's format.
    fn set_widths(&mut self, index: usize, rows: &[TableRow]) -> Result<()> {
        let progress = &mut self.sheets[index];
        let n_columns = progress.columns.len();
        let mut widths: Vec<usize> = progress
            .columns
            .iter()
            .map(|c| c.name.chars().count() + 2)
            .collect();
        // Per column: how many numbers, dates and other values the first rows hold.
        let mut counts = vec![[0usize; 3]; n_columns];
        for row in rows {
            for (col, cell) in row.cells.iter().enumerate().take(n_columns) {
                widths[col] = widths[col].max(cell_width(cell) + 2);
                match cell {
                    CellValue::Empty => {}
                    CellValue::Number(_) => counts[col][0] += 1,
                    CellValue::Date(_) => counts[col][1] += 1,
                    CellValue::Text(_) | CellValue::Integer(_) => counts[col][2] += 1,
                }
            }
        }
        progress.kinds = counts
            .iter()
            .map(|[numbers, dates, others]| {
                if *numbers > 0 && *dates == 0 && *numbers >= *others {
                    ColumnKind::Number
                } else if *dates > 0 && *numbers == 0 && *dates >= *others {
                    ColumnKind::Date
                } else {
                    ColumnKind::Plain
                }
            })
            .collect();
        progress.widths_set = true;
        let sheet = self.workbook.worksheet_from_index(index)?;
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, (*width).clamp(8, 60) as f64)?;
            match progress.kinds[col] {
                ColumnKind::Number => {
                    sheet.set_column_format(col as u16, &self.ok.number)?;
                }
                ColumnKind::Date => {
                    sheet.set_column_format(col as u16, &self.ok.date)?;
                }
                ColumnKind::Plain => {}
            }
        }
        Ok(())
    }

    /// Appends rows to the sheet at `index`. The first non-empty call decides the sheet's column widths.
    pub fn write_rows(&mut self, index: usize, rows: &[TableRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if !self.sheets[index].widths_set {
            self.set_widths(index, rows)?;
        }
        let mut r = self.sheets[index].next_row;
        let kinds = &self.sheets[index].kinds;
        let sheet = self.workbook.worksheet_from_index(index)?;
        for row in rows {
            for (col, cell) in row.cells.iter().enumerate() {
                let c = col as u16;
                let mark = row.marks.iter().find(|m| m.column == col);
                let formats = if mark.is_some() {
                    &self.check
                } else if row.failed {
                    &self.failed
                } else {
                    &self.ok
                };
                if let Some(mark) = mark {
                    let note = Note::new(&mark.note)
                        .set_author("Quire")
                        .set_width(320)
                        .set_height(90);
                    sheet.insert_note(r, c, &note)?;
                }
                // An ordinary cell takes its column's format: written without one of its own.
                let kind = kinds.get(col).copied().unwrap_or(ColumnKind::Plain);
                let plain = !row.failed && mark.is_none();
                match cell {
                    CellValue::Empty => {
                        if !plain {
                            sheet.write_blank(r, c, &formats.text)?;
                        }
                    }
                    CellValue::Text(text) => {
                        let text = neutralize_formula(text);
                        if plain && kind == ColumnKind::Plain {
                            sheet.write_string(r, c, text.as_ref())?;
                        } else {
                            sheet.write_string_with_format(r, c, text.as_ref(), &formats.text)?;
                        }
                    }
                    CellValue::Number(number) => {
                        // The decimal becomes a binary float only here, at the spreadsheet's boundary.
                        let value = number.to_f64().unwrap_or_default();
                        if plain && kind == ColumnKind::Number {
                            sheet.write_number(r, c, value)?;
                        } else {
                            sheet.write_number_with_format(r, c, value, &formats.number)?;
                        }
                    }
                    CellValue::Integer(number) => {
                        if plain && kind == ColumnKind::Plain {
                            sheet.write_number(r, c, *number as f64)?;
                        } else {
                            sheet.write_number_with_format(r, c, *number as f64, &formats.text)?;
                        }
                    }
                    CellValue::Date(date) => {
                        use chrono::Datelike;
                        let excel_date = ExcelDateTime::from_ymd(
                            date.year() as u16,
                            date.month() as u8,
                            date.day() as u8,
                        )?;
                        if plain && kind == ColumnKind::Date {
                            sheet.write_datetime(r, c, &excel_date)?;
                        } else {
                            sheet.write_datetime_with_format(r, c, &excel_date, &formats.date)?;
                        }
                    }
                }
            }
            r += 1;
        }
        self.sheets[index].next_row = r;
        Ok(())
    }

    /// Adds each sheet's autofilter (over the rows written) and column widths (from the header alone for
    /// a sheet that got no rows).
    fn finish_sheets(&mut self) -> Result<()> {
        for index in 0..self.sheets.len() {
            if !self.sheets[index].widths_set {
                self.set_widths(index, &[])?;
            }
            let n_columns = self.sheets[index].columns.len();
            let last_row = self.sheets[index].next_row - 1;
            if n_columns > 0 {
                let sheet = self.workbook.worksheet_from_index(index)?;
                sheet.autofilter(0, 0, last_row, n_columns as u16 - 1)?;
            }
        }
        Ok(())
    }

    /// Finishes the workbook and writes it to `path` atomically (a temporary file in the same folder,
    /// synced, then renamed over).
    pub fn save_atomically(mut self, path: &Path) -> Result<()> {
        self.finish_sheets()?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io_error = |source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut temporary = tempfile::NamedTempFile::new_in(&folder).map_err(io_error)?;
        {
            let mut writer = std::io::BufWriter::new(temporary.as_file_mut());
            self.workbook.save_to_writer(&mut writer)?;
            writer.flush().map_err(io_error)?;
        }
        temporary.as_file().sync_all().map_err(io_error)?;
        temporary.persist(path).map_err(|e| io_error(e.error))?;
        Ok(())
    }

    /// Finishes the workbook and returns it as bytes.
    pub fn into_bytes(mut self) -> Result<Vec<u8>> {
        self.finish_sheets()?;
        Ok(self.workbook.save_to_buffer()?)
    }
}

/// A workbook with one worksheet per table, as bytes.
pub fn workbook_bytes(tables: &[Table]) -> Result<Vec<u8>> {
    let mut workbook = StreamingWorkbook::new(
        tables
            .iter()
            .map(|table| (table.name.clone(), table.columns.clone()))
            .collect(),
    )?;
    for (index, table) in tables.iter().enumerate() {
        workbook.write_rows(index, &table.rows)?;
    }
    workbook.into_bytes()
}
