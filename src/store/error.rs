//! The store's typed errors, with messages a person can act on.

use std::path::PathBuf;

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no database at {path}: create one with `matchgate init --db {path}` or `matchgate import --db {path} FILE`"
    )]
    NoDatabase { path: PathBuf },

    #[error("{path} is not a matchgate database ({detail}); nothing was written to it")]
    NotMatchgate { path: PathBuf, detail: String },

    #[error(
        "{path} was written by a newer matchgate (schema version {found}, this build knows up to {supported}); upgrade matchgate, nothing was written to it"
    )]
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path} is damaged ({detail}); it was not changed: restore it from a backup")]
    Damaged { path: PathBuf, detail: String },

    #[error(
        "{path} is a matchgate database whose schema was altered ({detail}); refused, nothing was written to it"
    )]
    Altered { path: PathBuf, detail: String },

    #[error("the database is locked by another process (still busy after waiting); try again")]
    Locked,

    #[error("the database is read-only; the change was not saved")]
    ReadOnly,

    #[error("the disk is full; the change was not saved")]
    DiskFull,

    #[error("{0}")]
    Refused(String),

    #[error("cannot write {path}: {detail}")]
    Io { path: PathBuf, detail: String },

    #[error("not found: {0}")]
    NotFound(String),

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
