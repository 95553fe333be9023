//! Reading CSV / JSON Lines files of flagged matches into domain types. No SQL here: the reader
//! yields checked rows (or bad-row errors with file, line and column) and the store writes them.
//!
//! - [`columns`]: matchgate's column names and how a file's names resolve onto them.
//! - [`column_map`]: the `--map MAP.toml` file.
//! - [`row`]: checking one row's values and building a [`FlaggedMatch`](crate::domain::FlaggedMatch).
//! - [`csv_reader`], [`jsonl_reader`]: streaming the two formats.
//! - [`report`]: what an import did.

pub mod column_map;
pub mod columns;
pub mod csv_reader;
pub mod error;
pub mod jsonl_reader;
pub mod lines;
pub mod quote;
pub mod report;
pub mod row;
pub mod splink;

pub use column_map::ColumnMap;
pub use error::{ImportError, RowError};
pub use report::{ImportReport, OnBadRow};
pub use row::{ImportRow, MAX_FIELD_BYTES};
pub use splink::Dialect;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use csv_reader::CsvRows;
use jsonl_reader::JsonlRows;
use row::RowContext;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The format a file's extension names: `.csv`, `.jsonl` or `.ndjson` (any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The format; None takes it from the file's extension.
    pub format: Option<Format>,
    /// The batch of rows without a `batch` value.
    pub default_batch: String,
    /// The requester of new batches whose rows have no `requester` value.
    pub requester: String,
    /// The legal basis of new batches whose rows have no `legal_basis` value.
    pub legal_basis: String,
    /// Their column names onto ours; the default map changes nothing.
    pub columns: ColumnMap,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            default_batch: "default".to_string(),
            requester: String::new(),
            legal_basis: String::new(),
            columns: ColumnMap::default(),
        }
    }
}

/// Opens a file of flagged matches and reads its header (for CSV) or first line (for JSON Lines).
pub fn read_flagged(
    path: &Path,
    options: &ImportOptions,
) -> Result<FlaggedReader<File>, ImportError> {
    let format = match options.format {
        Some(format) => format,
        None => Format::from_path(path).ok_or_else(|| ImportError::UnknownFormat {
            path: path.to_path_buf(),
        })?,
    };
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    FlaggedReader::new(file, &path.display().to_string(), format, options)
}

/// The rows of one file, good ones as [`ImportRow`], bad ones as [`RowError`], in file order.
/// Rows are read as they are asked for; the file is never held in memory.
pub enum FlaggedReader<R: Read> {
    Csv(CsvRows<R>),
    Jsonl(JsonlRows<R>),
}

impl<R: Read> FlaggedReader<R> {
    /// Reads from any byte stream (a file, a progress-counting wrapper, a test buffer);
    /// `file_name` names it in messages.
    pub fn new(
        input: R,
        file_name: &str,
        format: Format,
        options: &ImportOptions,
    ) -> Result<Self, ImportError> {
        let ctx = RowContext {
            file: Arc::from(file_name),
            default_batch: options.default_batch.clone(),
            requester: options.requester.clone(),
            legal_basis: options.legal_basis.clone(),
        };
        let map = options.columns.clone();
        Ok(match format {
            Format::Csv => FlaggedReader::Csv(CsvRows::new(input, map, ctx)?),
            Format::Jsonl => FlaggedReader::Jsonl(JsonlRows::new(input, map, ctx)?),
        })
    }

    /// Column names (CSV header cells, JSON keys) matchgate ignores; for JSON Lines, those seen
    /// so far, so ask after reading.
    pub fn ignored_columns(&self) -> &[String] {
        match self {
            FlaggedReader::Csv(rows) => rows.ignored_columns(),
            FlaggedReader::Jsonl(rows) => rows.ignored_columns(),
        }
    }
}

impl<R: Read> Iterator for FlaggedReader<R> {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            FlaggedReader::Csv(rows) => rows.next(),
            FlaggedReader::Jsonl(rows) => rows.next(),
        }
    }
}
