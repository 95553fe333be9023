//! What can go wrong while reading an import file: problems with the whole file (which stop the
//! import before it starts) and problems with one row (which the store skips or rolls back on).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A problem with the whole file or the column map: nothing can be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{file}: the file is empty (no header row)")]
    Empty { file: String },

    #[error("{file}: the header row is not valid CSV: {detail}")]
    BadHeader { file: String, detail: String },

    #[error("{file}: missing required column {column}")]
    MissingColumn { file: String, column: String },

    #[error("{file}: column {column} appears more than once in the header")]
    DuplicateColumn { file: String, column: String },

    #[error(
        "cannot tell the format of {path} from its extension (.csv, .jsonl, .ndjson); use --format csv|jsonl"
    )]
    UnknownFormat { path: PathBuf },

    #[error("column map {path}: {detail}")]
    BadMap { path: PathBuf, detail: String },
}

/// One bad row: which file, which line, which column (when one is to blame) and why.
///
/// Displays as `data.csv:17: column "score": "1.7" is out of range 0..1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file as the user named it; shared because every error of a file repeats it.
    pub file: Arc<str>,
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The column as the file names it, with matchgate's name when a map renamed it.
    pub column: Option<String>,
    pub problem: String,
    /// The file could not be read any further (an I/O error): no later row can be trusted, so the
    /// import stops even when bad rows are being skipped.
    pub fatal: bool,
}

impl RowError {
    pub fn new(file: &Arc<str>, line: u64, problem: impl Into<String>) -> Self {
        RowError {
            file: Arc::clone(file),
            line,
            column: None,
            problem: problem.into(),
            fatal: false,
        }
    }

    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn fatal(mut self) -> Self {
        self.fatal = true;
        self
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, "column {column}: ")?;
        }
        f.write_str(&self.problem)
    }
}

impl std::error::Error for RowError {}
