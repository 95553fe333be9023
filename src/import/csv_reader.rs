//! Rows from a CSV file with a header row, streamed one record at a time.

use std::io::Read;

use super::column_map::ColumnMap;
use super::columns::{Layout, Resolver};
use super::error::{ImportError, RowError};
use super::row::{ImportRow, RowBuilder, RowContext};

/// The CSV reader's buffer: large enough that reading is a small share of the import.
const BUFFER_BYTES: usize = 256 * 1024;

/// The good and bad rows of a CSV file, in file order.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    /// Reused for every record, so reading does not allocate per row.
    record: csv::ByteRecord,
    layout: Layout,
    map: ColumnMap,
    ctx: RowContext,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    /// Reads and resolves the header; a file without one, or lacking a required column, is
    /// refused before any row is read.
    pub fn new(input: R, map: ColumnMap, ctx: RowContext) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            // Rows with the wrong number of fields are reported as bad rows by line, not as a
            // reader error that would end the file.
            .flexible(true)
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(input);
        let file = ctx.file.to_string();
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(ImportError::Empty { file }),
            Err(e) => {
                return Err(ImportError::BadHeader {
                    file,
                    detail: e.to_string(),
                });
            }
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, cell) in header.iter().enumerate() {
            let name = std::str::from_utf8(cell).map_err(|_| ImportError::BadHeader {
                file: file.clone(),
                detail: format!("column {} is not valid UTF-8", i + 1),
            })?;
            names.push(name.trim());
        }
        let layout = Layout::from_header(&names, Resolver::new(&map), &file)?;
        Ok(CsvRows {
            reader,
            record: csv::ByteRecord::new(),
            layout,
            map,
            ctx,
            done: false,
        })
    }

    /// Header names matchgate does not use.
    pub fn ignored_columns(&self) -> &[String] {
        &self.layout.ignored
    }

    fn parse_record(&self, line: u64) -> Result<ImportRow, RowError> {
        let mut row = RowBuilder::new(&self.ctx, line);
        let expected = self.layout.columns.len();
        if self.record.len() != expected {
            let spans_lines = self
                .record
                .iter()
                .any(|f| f.contains(&b'\n') || f.contains(&b'\r'));
            let hint = if spans_lines {
                "; a quoted field runs over several lines (an unbalanced quote?)"
            } else {
                ""
            };
            return Err(row.error(format!(
                "malformed CSV: expected {expected} fields as in the header, found {}{hint}",
                self.record.len()
            )));
        }
        for (column, bytes) in self.layout.columns.iter().zip(self.record.iter()) {
            let Some(column) = column else { continue };
            let value = std::str::from_utf8(bytes).map_err(|_| {
                row.error("the value is not valid UTF-8")
                    .in_column(column.label.clone())
            })?;
            row.set(column, value)?;
        }
        row.finish(Resolver::new(&self.map))
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                Some(self.parse_record(line))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                // With byte records and flexible rows the only reader error left is I/O, after
                // which nothing later in the file can be trusted.
                self.done = true;
                let line = e
                    .position()
                    .map_or_else(|| self.reader.position().line(), csv::Position::line);
                Some(Err(RowError::new(
                    &self.ctx.file,
                    line,
                    format!("cannot read the file any further: {e}"),
                )
                .fatal()))
            }
        }
    }
}
