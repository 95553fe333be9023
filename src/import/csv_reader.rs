//! Rows from a CSV file with a header row, streamed one record at a time.

use std::io::Read;

use super::column_map::ColumnMap;
use super::columns::{Layout, Resolver};
use super::error::{ImportError, RowError};
use super::lines::LineCounted;
use super::row::{ImportRow, RowBuilder, RowContext};

/// The CSV reader's buffer: large enough that reading is a small share of the import.
const BUFFER_BYTES: usize = 256 * 1024;

/// The good and bad rows of a CSV file, in file order.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<LineCounted<R>>,
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
            .from_reader(LineCounted::new(input));
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
                // The parser's own line count is one short after a CR LF; count line breaks
                // from the record's byte offset instead.
                let line = self
                    .record
                    .position()
                    .map_or(0, |p| self.reader.get_ref().line_at(p.byte()));
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
                let byte = e
                    .position()
                    .map_or_else(|| self.reader.position().byte(), csv::Position::byte);
                let line = self.reader.get_ref().line_at(byte);
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::Field;

    fn rows(text: &str) -> Result<CsvRows<&[u8]>, ImportError> {
        let ctx = RowContext {
            file: Arc::from("f.csv"),
            default_batch: "default".into(),
            requester: String::new(),
            legal_basis: String::new(),
        };
        CsvRows::new(text.as_bytes(), ColumnMap::default(), ctx)
    }

    #[test]
    fn reads_past_a_byte_order_mark_and_blank_header_cells() {
        let mut rows =
            rows("\u{feff}request_id,candidate_id,score,,\nr1,c1,0.5,,\n").expect("header");
        assert!(rows.ignored_columns().is_empty());
        let row = rows.next().expect("a row").expect("good");
        assert_eq!(row.flagged.request.id, "r1");
        assert!(rows.next().is_none());
    }

    #[test]
    fn lines_count_from_the_header_and_through_quoted_newlines() {
        let rows = rows(
            "request_id,candidate_id,score,cand_street\n\
             r1,c1,0.5,\"12 Main St\nBack House\"\n\
             r2,c2,0.5,Elm St\n\
             r3,c3,x,Oak Ave\n",
        )
        .expect("header");
        let lines: Vec<(u64, bool)> = rows
            .map(|r| match r {
                Ok(row) => (row.line, true),
                Err(e) => (e.line, false),
            })
            .collect();
        assert_eq!(lines, vec![(2, true), (4, true), (5, false)]);
    }

    #[test]
    fn keeps_newlines_inside_quoted_fields() {
        let mut rows = rows("request_id,candidate_id,score,cand_street\nr1,c1,0.5,\"a\nb\"\n")
            .expect("header");
        let row = rows.next().expect("a row").expect("good");
        assert_eq!(row.flagged.candidate.get(Field::Street), Some("a\nb"));
    }

    #[test]
    fn a_file_without_a_header_is_refused() {
        assert!(matches!(rows(""), Err(ImportError::Empty { .. })));
        assert!(matches!(
            rows("request_id,score\n"),
            Err(ImportError::MissingColumn { .. })
        ));
    }
}
