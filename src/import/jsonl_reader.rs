//! Rows from a JSON Lines file: one JSON object per line, keys as column names.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::column_map::ColumnMap;
use super::columns::{Column, Resolver};
use super::error::{ImportError, RowError};
use super::row::{ImportRow, MAX_FIELD_BYTES, RowBuilder, RowContext};

/// The longest line read whole: room for every field at its maximum size, with JSON escaping.
/// A longer line is reported as bad and skipped without holding it in memory.
const MAX_LINE_BYTES: usize = 1024 * 1024;

const BUFFER_BYTES: usize = 256 * 1024;

/// What one key resolves to, remembered because every line repeats the same keys.
type KeyCache = HashMap<String, Option<Column>>;

/// The good and bad rows of a JSON Lines file, in file order.
pub struct JsonlRows<R: Read> {
    input: BufReader<R>,
    /// The current line's bytes, reused for every line.
    buf: Vec<u8>,
    line: u64,
    /// The first non-blank line was read at construction to refuse an empty file; it is still to
    /// be parsed.
    pending_first: bool,
    keys: KeyCache,
    /// Keys matchgate does not use, in the order first seen.
    ignored: Vec<String>,
    map: ColumnMap,
    ctx: RowContext,
    done: bool,
}

/// One physical line as read.
enum Line {
    Text,
    TooLong,
    End,
}

impl<R: Read> JsonlRows<R> {
    /// Opens the stream; a file with no non-blank line is refused.
    pub fn new(input: R, map: ColumnMap, ctx: RowContext) -> Result<Self, ImportError> {
        let mut rows = JsonlRows {
            input: BufReader::with_capacity(BUFFER_BYTES, input),
            buf: Vec::new(),
            line: 0,
            pending_first: true,
            keys: HashMap::new(),
            ignored: Vec::new(),
            map,
            ctx,
            done: false,
        };
        loop {
            match rows.read_line() {
                Ok(Line::End) => {
                    return Err(ImportError::Empty {
                        file: rows.ctx.file.to_string(),
                    });
                }
                Ok(Line::Text) if rows.buf.trim_ascii().is_empty() => continue,
                Ok(_) => return Ok(rows),
                Err(source) => {
                    return Err(ImportError::Io {
                        path: rows.ctx.file.to_string().into(),
                        source,
                    });
                }
            }
        }
    }

    /// Keys matchgate does not use, seen so far.
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored
    }

    fn read_line(&mut self) -> std::io::Result<Line> {
        self.buf.clear();
        let limit = (MAX_LINE_BYTES + 1) as u64;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(Line::End);
        }
        self.line += 1;
        // A UTF-8 byte order mark (spreadsheets and Windows editors write one) is not data.
        if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
        }
        if self.buf.len() > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') {
            self.input.skip_until(b'\n')?;
            self.buf.clear();
            return Ok(Line::TooLong);
        }
        Ok(Line::Text)
    }

    fn parse_line(&mut self) -> Result<ImportRow, RowError> {
        let row = RowBuilder::new(&self.ctx, self.line);
        let text = std::str::from_utf8(&self.buf).map_err(|e| {
            row.error(format!(
                "the line is not valid UTF-8 (at byte {})",
                e.valid_up_to() + 1
            ))
        })?;
        let object: serde_json::Map<String, Value> =
            serde_json::from_str(text).map_err(|e| row.error(json_problem(&e)))?;
        fill(row, object, &mut self.keys, &mut self.ignored, &self.map)
    }
}

/// Feeds one object's values to the row, resolving keys through the cache.
fn fill(
    mut row: RowBuilder<'_>,
    object: serde_json::Map<String, Value>,
    keys: &mut KeyCache,
    ignored: &mut Vec<String>,
    map: &ColumnMap,
) -> Result<ImportRow, RowError> {
    let resolver = Resolver::new(map);
    for (key, value) in object {
        let column = match keys.get(&key) {
            Some(column) => column,
            None => {
                let column = resolver.resolve(key.trim());
                if column.is_none() {
                    ignored.push(key.clone());
                }
                keys.entry(key).or_insert(column)
            }
        };
        let Some(column) = column else { continue };
        let number;
        let text = match &value {
            Value::String(s) => s.as_str(),
            Value::Number(n) => {
                number = n.to_string();
                number.as_str()
            }
            Value::Null => continue,
            Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
                return Err(row
                    .error(format!(
                        "expected text or a number, found {}",
                        json_kind(&value)
                    ))
                    .in_column(column.label.clone()));
            }
        };
        row.set(column, text)?;
    }
    row.finish(resolver)
}

/// serde_json's message with its position given as a column only: its "line 1" would contradict
/// the file line the error is reported at.
fn json_problem(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    match message.strip_suffix(&position) {
        Some(message) if err.column() > 0 => {
            format!("malformed JSON at column {}: {message}", err.column())
        }
        _ => format!("malformed JSON: {message}"),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl<R: Read> Iterator for JsonlRows<R> {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let read = if self.pending_first {
                self.pending_first = false;
                Ok(Line::Text)
            } else {
                self.read_line()
            };
            match read {
                Ok(Line::End) => {
                    self.done = true;
                    return None;
                }
                Ok(Line::TooLong) => {
                    return Some(Err(RowError::new(
                        &self.ctx.file,
                        self.line,
                        format!(
                            "the line is longer than {MAX_LINE_BYTES} bytes (no field may exceed {MAX_FIELD_BYTES})"
                        ),
                    )));
                }
                Ok(Line::Text) if self.buf.trim_ascii().is_empty() => continue,
                Ok(Line::Text) => return Some(self.parse_line()),
                Err(e) => {
                    self.done = true;
                    return Some(Err(RowError::new(
                        &self.ctx.file,
                        self.line + 1,
                        format!("cannot read the file any further: {e}"),
                    )
                    .fatal()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn rows(text: &[u8]) -> Result<JsonlRows<&[u8]>, ImportError> {
        let ctx = RowContext {
            file: Arc::from("f.jsonl"),
            default_batch: "default".into(),
            requester: String::new(),
            legal_basis: String::new(),
        };
        JsonlRows::new(text, ColumnMap::default(), ctx)
    }

    fn outcome(item: Result<ImportRow, RowError>) -> Result<(u64, String), String> {
        item.map(|r| (r.line, r.flagged.request.id))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn skips_blank_lines_but_counts_them() {
        let text = b"\n{\"request_id\":\"a\",\"candidate_id\":1,\"score\":1}\r\n\n{\"request_id\":7,\"candidate_id\":\"c\",\"score\":0,\"x\":null}\n";
        let mut rows = rows(text).expect("not empty");
        let got: Vec<_> = rows.by_ref().map(outcome).collect();
        assert_eq!(got, vec![Ok((2, "a".into())), Ok((4, "7".into()))]);
        assert_eq!(rows.ignored_columns(), ["x".to_string()]);
    }

    #[test]
    fn a_line_too_long_is_one_bad_row_and_reading_goes_on() {
        let mut text =
            b"{\"request_id\":\"a\",\"candidate_id\":\"b\",\"score\":0.5}\n{\"req_note\":\""
                .to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        text.extend_from_slice(
            b"\"}\n{\"request_id\":\"z\",\"candidate_id\":\"b\",\"score\":0.5}\n",
        );
        let got: Vec<_> = rows(&text).expect("not empty").map(outcome).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], Ok((1, "a".into())));
        assert!(
            got[1]
                .as_ref()
                .is_err_and(|e| e.starts_with("f.jsonl:2: the line is longer than")),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], Ok((3, "z".into())));
    }

    #[test]
    fn invalid_utf8_and_non_objects_are_bad_rows() {
        let text = b"{\"request_id\":\"a\xff\"}\n[1,2]\n";
        let got: Vec<_> = rows(text).expect("not empty").map(outcome).collect();
        assert_eq!(
            got[0],
            Err("f.jsonl:1: the line is not valid UTF-8 (at byte 17)".to_string())
        );
        assert!(
            got[1]
                .as_ref()
                .is_err_and(|e| e.starts_with("f.jsonl:2: malformed JSON")),
            "{:?}",
            got[1]
        );
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert!(matches!(rows(b" \n\n"), Err(ImportError::Empty { .. })));
    }
}
