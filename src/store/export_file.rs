//! Writing an export or a listing one row at a time to a synced temporary file next to its
//! target, so memory stays flat whatever the number of rows, and renaming it into place.
//!
//! CSV cells are neutralised against formula injection (OWASP): a text cell that begins with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet shows it
//! as text instead of running it. JSON Lines keeps every value exactly.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::export::ExportFormat;
use super::{StoreError, StoreResult};

/// A CSV cell as a spreadsheet may show it safely.
pub fn neutralise_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Rows written as they come.
pub enum RowWriter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W, Vec<String>),
}

impl<W: Write> RowWriter<W> {
    /// Starts the output (a CSV writes its header row at once).
    pub fn new(out: W, format: ExportFormat, header: &[&str]) -> std::io::Result<Self> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(header).map_err(std::io::Error::other)?;
                RowWriter::Csv(Box::new(w))
            }
            ExportFormat::Jsonl => {
                RowWriter::Jsonl(out, header.iter().map(|h| h.to_string()).collect())
            }
        })
    }

    /// One row, its values in header order.
    pub fn row(&mut self, values: &[Value]) -> std::io::Result<()> {
        match self {
            RowWriter::Csv(w) => {
                for v in values {
                    let cell = match v {
                        Value::Null => std::borrow::Cow::Borrowed(""),
                        Value::String(s) => neutralise_cell(s),
                        other => other.to_string().into(),
                    };
                    w.write_field(cell.as_bytes())
                        .map_err(std::io::Error::other)?;
                }
                w.write_record(None::<&[u8]>).map_err(std::io::Error::other)
            }
            RowWriter::Jsonl(out, header) => {
                let mut obj = serde_json::Map::with_capacity(values.len());
                for (h, v) in header.iter().zip(values) {
                    obj.insert(h.clone(), v.clone());
                }
                serde_json::to_writer(&mut *out, &Value::Object(obj))?;
                out.write_all(b"\n")
            }
        }
    }

    /// Pushes every complete row through to the output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            RowWriter::Csv(w) => w.flush(),
            RowWriter::Jsonl(out, _) => out.flush(),
        }
    }

    /// The underlying output, flushed.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            RowWriter::Csv(w) => w.into_inner().map_err(|e| e.into_error()),
            RowWriter::Jsonl(mut out, _) => {
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// A temporary file in the target's directory, written through a buffer.
pub struct TempExport {
    target: PathBuf,
    pub rows: RowWriter<BufWriter<tempfile::NamedTempFile>>,
}

impl TempExport {
    pub fn create(target: &Path, format: ExportFormat, header: &[&str]) -> StoreResult<Self> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let err = io_err(target);
        let tmp = tempfile::Builder::new()
            .prefix(".matchgate-export-")
            .tempfile_in(&dir)
            .map_err(&err)?;
        let rows =
            RowWriter::new(BufWriter::with_capacity(1 << 16, tmp), format, header).map_err(&err)?;
        Ok(TempExport {
            target: target.to_path_buf(),
            rows,
        })
    }

    pub fn row(&mut self, values: &[Value]) -> StoreResult<()> {
        self.rows.row(values).map_err(io_err(&self.target))
    }

    /// Flushes and syncs the file; it is ready to be renamed into place.
    pub fn synced(self) -> StoreResult<tempfile::NamedTempFile> {
        let err = io_err(&self.target);
        let buffered = self.rows.finish().map_err(&err)?;
        let tmp = buffered.into_inner().map_err(|e| err(e.into_error()))?;
        tmp.as_file().sync_all().map_err(&err)?;
        Ok(tmp)
    }
}

/// Renames the synced temporary file into place (never over an existing file) and syncs the
/// directory.
pub fn publish(tmp: tempfile::NamedTempFile, out: &Path) -> StoreResult<()> {
    match tmp.persist_noclobber(out) {
        Ok(_) => {
            if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty())
                && let Ok(d) = std::fs::File::open(dir)
            {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Err(e) => {
            let kept = e
                .file
                .into_temp_path()
                .keep()
                .map(|p| p.display().to_string());
            Err(StoreError::Io {
                path: out.to_path_buf(),
                detail: format!(
                    "{}; the data is in {}",
                    e.error,
                    kept.unwrap_or_else(|_| "a temporary file that could not be kept".into())
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_in_csv_only() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_cell(bad), format!("'{bad}"));
        }
        for fine in ["12 Main St", "", "a=b", "'quoted"] {
            assert_eq!(neutralise_cell(fine), fine);
        }
        let mut csv = RowWriter::new(Vec::new(), ExportFormat::Csv, &["a", "n"]).expect("csv");
        csv.row(&[Value::from("=HYPERLINK(\"x\")"), Value::from(-3)])
            .expect("row");
        let text = String::from_utf8(csv.finish().expect("finish")).expect("utf8");
        assert_eq!(text, "a,n\n\"'=HYPERLINK(\"\"x\"\")\",-3\n");
        let mut jsonl = RowWriter::new(Vec::new(), ExportFormat::Jsonl, &["a"]).expect("jsonl");
        jsonl.row(&[Value::from("=1+1")]).expect("row");
        let text = String::from_utf8(jsonl.finish().expect("finish")).expect("utf8");
        assert_eq!(text, "{\"a\":\"=1+1\"}\n");
    }
}
