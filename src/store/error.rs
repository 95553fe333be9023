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

    /// The PostgreSQL server could not be reached or refused the connection; `target` is the
    /// URL without any secret.
    #[error("cannot use the PostgreSQL server at {target}: {detail}")]
    Server { target: String, detail: String },

    #[error("database error: {}", server_message(.0))]
    Postgres(postgres::Error),
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

impl From<postgres::Error> for StoreError {
    fn from(err: postgres::Error) -> Self {
        use postgres::error::SqlState;
        match err.code() {
            Some(c)
                if *c == SqlState::LOCK_NOT_AVAILABLE
                    || *c == SqlState::T_R_SERIALIZATION_FAILURE =>
            {
                StoreError::Locked
            }
            Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => StoreError::ReadOnly,
            Some(c) if *c == SqlState::DISK_FULL => StoreError::DiskFull,
            // The server's own refusals (privileges, row security, append-only triggers) are
            // what a person needs to read: say them as refusals.
            Some(c)
                if *c == SqlState::INSUFFICIENT_PRIVILEGE || *c == SqlState::RAISE_EXCEPTION =>
            {
                let message = err
                    .as_db_error()
                    .map_or_else(|| err.to_string(), |db| db.message().to_string());
                StoreError::Refused(format!("the server refused: {message}"))
            }
            _ => StoreError::Postgres(err),
        }
    }
}

/// The server's own words (the driver's Display says only "db error").
fn server_message(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => err.to_string(),
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
