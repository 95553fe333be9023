//! What is at a database's path, looked at read-only before anything is written: ours (and how
//! its schema was altered, if it was), an empty SQLite file, or something else refused by name.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{BUSY_TIMEOUT, StoreError, StoreResult, integrity, schema};

pub(super) enum Found {
    /// Ours, with how its schema was altered (empty when it was not).
    Matchgate(Vec<String>),
    /// A SQLite file with no tables and no marks (for instance a 0-byte file).
    EmptySqlite,
}

/// Looks at an existing file read-only to decide whether it is ours, without writing to it.
pub(super) fn inspect(path: &Path) -> StoreResult<Found> {
    let not_ours = |detail: String| StoreError::NotMatchgate {
        path: path.to_path_buf(),
        detail,
    };
    if path.is_dir() {
        return Err(not_ours("it is a directory".into()));
    }
    let damaged = |detail: String| StoreError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    // SQLite reports a damaged file only when a query reaches the damage; say so as damage.
    let corrupt = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => damaged(e.to_string()),
        _ => StoreError::from(e),
    };
    if let Some(detail) = integrity::truncation(path) {
        return Err(damaged(detail));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_ours(format!("cannot be opened as SQLite: {e}")))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let app_id = match read("PRAGMA application_id") {
        Ok(id) => id,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Err(not_ours("it is not a SQLite file".into()));
        }
        Err(e) => return Err(corrupt(e)),
    };
    let version = read("PRAGMA user_version").map_err(corrupt)?;
    let tables = read("SELECT count(*) FROM sqlite_master").map_err(corrupt)?;
    if app_id == schema::APPLICATION_ID {
        if version > schema::current_version() {
            return Err(StoreError::NewerVersion {
                path: path.to_path_buf(),
                found: version,
                supported: schema::current_version(),
            });
        }
        let altered = integrity::schema_alterations(&conn, version).map_err(corrupt)?;
        return Ok(Found::Matchgate(altered));
    }
    if app_id == 0 && version == 0 && tables == 0 {
        return Ok(Found::EmptySqlite);
    }
    Err(not_ours(if app_id != 0 {
        format!("its application id is {app_id:#x}")
    } else {
        format!("it is a SQLite database with {tables} objects of another application")
    }))
}
