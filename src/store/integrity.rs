//! Damaged or altered database files are refused before anything is written to them, never
//! "repaired": a file shorter than its own header says (truncated), one SQLite reports
//! malformed, and one whose schema differs from what matchgate's migrations make (a dropped
//! append-only trigger, a missing table, an added column, an extra trigger). A supervisor's own
//! extra index, view or table for queries is not an alteration.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use rusqlite::Connection;

use super::schema;

/// One schema object: (type, table it belongs to, its SQL).
type Object = (String, String, Option<String>);

/// Says why the file is shorter than its header claims, when it is. Skipped while a non-empty
/// `-wal` exists: pages may still live there.
pub fn truncation(path: &Path) -> Option<String> {
    let wal = Path::new(&format!("{}-wal", path.display())).to_path_buf();
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return None;
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).ok()?;
    file.read_exact(&mut header).ok()?;
    if &header[..16] != b"SQLite format 3\0" {
        return None;
    }
    let len = file.metadata().ok()?.len();
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(be32(28));
    // The in-header size is valid only when the change counter matches version-valid-for.
    let valid = pages > 0 && be32(24) == be32(92);
    let expected = pages * page_size;
    (valid && len < expected)
        .then(|| format!("it is truncated: {len} bytes where its header says {expected}"))
}

fn objects(conn: &Connection) -> rusqlite::Result<BTreeMap<String, Object>> {
    let mut stmt = conn.prepare(
        "SELECT name, type, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?;
    rows.collect()
}

/// How the file's schema differs from the one migrations 1..=version make; empty when it is
/// the same (extra indexes, views and tables of the user's are allowed; extra triggers are not,
/// since a trigger can change what a write does).
pub fn schema_alterations(conn: &Connection, version: i64) -> rusqlite::Result<Vec<String>> {
    let expected = {
        let memory = Connection::open_in_memory()?;
        for sql in schema::MIGRATIONS.iter().take(version.max(0) as usize) {
            memory.execute_batch(sql)?;
        }
        objects(&memory)?
    };
    let found = objects(conn)?;
    let mut problems = Vec::new();
    for (name, object) in &expected {
        match found.get(name) {
            None => problems.push(format!("{} {name} is missing", object.0)),
            Some(o) if o != object => problems.push(format!("{} {name} was changed", object.0)),
            Some(_) => {}
        }
    }
    for (name, object) in &found {
        if !expected.contains_key(name) && object.0 == "trigger" {
            problems.push(format!("trigger {name} was added"));
        }
    }
    Ok(problems)
}
