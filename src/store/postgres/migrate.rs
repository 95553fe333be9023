//! `matchgate migrate --from FILE --to URL`: a team's SQLite file moved whole onto a server.
//! Every table streams through COPY in one server transaction (a failure leaves none of the rows,
//! only the empty schema `init` made), read from one snapshot of the file; the audit chain is
//! verified on the file before and on the server after, and must end at the same head.

use std::io::Write;

use postgres::Transaction;
use rusqlite::types::ValueRef;

use super::{PgStore, PgTarget, copy_csv, roles};
use crate::store::{AuditVerdict, Store, StoreError, StoreResult};

/// Copied in this order (each refers only to those before it). Left behind: `claims` (the
/// leases of screens on the file), `queue_moves` (the live screens' change log) and
/// `request_search` (rebuilt from the requests on the server).
const TABLES: [&str; 17] = [
    "batches",
    "requests",
    "candidates",
    "matches",
    "decisions",
    "policy",
    "holds",
    "overrides",
    "releases",
    "release_items",
    "recalls",
    "audit",
    "users",
    "imports",
    "import_staged",
    "second_reviews",
    "override_requests",
];

/// Tables with an identity id, whose sequence must continue after the copied ids.
const WITH_IDS: [&str; 11] = [
    "batches",
    "requests",
    "candidates",
    "matches",
    "decisions",
    "holds",
    "overrides",
    "releases",
    "recalls",
    "audit",
    "override_requests",
];

/// What a migration moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Rows per table, as copied (and counted again on the server).
    pub rows: Vec<(&'static str, u64)>,
    pub audit_entries: i64,
    pub audit_head: String,
    /// The role statements the file's people need on the server (for `user add` or a DBA).
    pub people: Vec<String>,
}

/// Moves the file's database onto the server; refuses a server database that already holds
/// anything, a file with an unfinished import, and a file whose audit chain does not verify.
pub fn migrate(from: &Store, to: &PgTarget) -> StoreResult<Migrated> {
    let before = match from.audit_verify()? {
        AuditVerdict::Intact { count, head } => (count, head),
        AuditVerdict::Broken { what, problem } => {
            return Err(StoreError::Refused(format!(
                "the file's audit chain does not verify ({what}: {problem}); nothing was moved"
            )));
        }
    };
    let (mut server, _) = PgStore::create(to)?;
    // One snapshot of the file for every table (a reviewer may still be deciding on it).
    let snapshot = from.conn.unchecked_transaction()?;
    let loading: i64 = snapshot.query_row(
        "SELECT count(*) FROM imports WHERE state = 'loading'",
        [],
        |r| r.get(0),
    )?;
    if loading > 0 {
        return Err(StoreError::Refused(
            "the file has an unfinished import; let it finish (or run the next import, which cleans it up) before moving".into(),
        ));
    }
    let target = server.target().to_string();
    let mut tx = server.client.transaction()?;
    refuse_unless_empty(&mut tx, &target)?;
    let mut rows = Vec::new();
    for table in TABLES {
        rows.push((table, copy_table(&snapshot, &mut tx, table)?));
    }
    let seed: Vec<u8> =
        snapshot.query_row("SELECT seed FROM quality_seed WHERE id = 1", [], |r| {
            r.get(0)
        })?;
    // The sample draws already stored were keyed by the file's seed: it moves with them (the
    // owner lifts the set-once trigger for this one statement of this transaction).
    tx.batch_execute("ALTER TABLE quality_seed DISABLE TRIGGER quality_seed_set_once")?;
    tx.execute("UPDATE quality_seed SET seed = $1 WHERE id = 1", &[&seed])?;
    tx.batch_execute("ALTER TABLE quality_seed ENABLE TRIGGER quality_seed_set_once")?;
    tx.batch_execute(
        "INSERT INTO request_search (request_id, text)
         SELECT id, concat_ws(' ', source_id, given_name, surname, street_number, street, unit,
                              city, state, zip)
           FROM requests",
    )?;
    for table in WITH_IDS {
        tx.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('matchgate.{table}', 'id'),
                           COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))?;
    }
    for (table, copied) in &rows {
        let there: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .get(0);
        if there as u64 != *copied {
            return Err(StoreError::Refused(format!(
                "{table}: {copied} rows read from the file but {there} on the server; nothing was moved"
            )));
        }
    }
    tx.commit()?;
    drop(snapshot);
    let after = match server.audit_verify()? {
        AuditVerdict::Intact { count, head } => (count, head),
        AuditVerdict::Broken { what, problem } => {
            return Err(StoreError::Refused(format!(
                "after the move the server's audit chain does not verify ({what}: {problem})"
            )));
        }
    };
    if after != before {
        return Err(StoreError::Refused(format!(
            "the server's audit chain ({} entries, head {}) is not the file's ({} entries, head {})",
            after.0, after.1, before.0, before.1
        )));
    }
    let people = people_statements(from)?;
    Ok(Migrated {
        rows,
        audit_entries: after.0,
        audit_head: after.1,
        people,
    })
}

fn refuse_unless_empty(tx: &mut Transaction<'_>, target: &str) -> StoreResult<()> {
    for table in TABLES.iter().chain(["policy"].iter()) {
        let any: bool = tx
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])?
            .get(0);
        if any {
            return Err(StoreError::Server {
                target: target.to_string(),
                detail: format!(
                    "its matchgate database is not empty ({table} has rows); migrate only into a new one; nothing was moved"
                ),
            });
        }
    }
    Ok(())
}

/// Streams one table from the file into the server with COPY (CSV: NULL unquoted and empty,
/// text always quoted, BLOBs as bytea hex); returns the rows copied.
fn copy_table(
    from: &rusqlite::Transaction<'_>,
    to: &mut Transaction<'_>,
    table: &str,
) -> StoreResult<u64> {
    let columns: Vec<String> = from
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let list = columns.join(", ");
    // In key order (parents before the rows that refer to them within a table).
    let key: Vec<String> = from
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut read = from.prepare(&format!(
        "SELECT {list} FROM {table} ORDER BY {}",
        key.join(", ")
    ))?;
    let mut rows = read.query([])?;
    let writer = to.copy_in(&format!(
        "COPY {table} ({list}) FROM STDIN WITH (FORMAT csv)"
    ))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
    let mut count = 0u64;
    let io = |e: std::io::Error| StoreError::Refused(format!("copying {table}: {e}"));
    while let Some(row) = rows.next()? {
        for i in 0..columns.len() {
            if i > 0 {
                out.write_all(b",").map_err(io)?;
            }
            write_csv_value(&mut out, row.get_ref(i)?).map_err(|e| {
                let key: String = row.get::<_, i64>(0).map_or_else(|_| "?".into(), |id| id.to_string());
                StoreError::Refused(format!(
                    "copying {table}, the row whose {} is {key}, column {}: {e}; nothing was written",
                    columns[0], columns[i]
                ))
            })?;
        }
        out.write_all(b"\n").map_err(io)?;
        count += 1;
    }
    let writer = out
        .into_inner()
        .map_err(|e| StoreError::Refused(format!("copying {table}: {e}")))?;
    writer.finish()?;
    Ok(count)
}

fn write_csv_value(out: &mut impl Write, value: ValueRef<'_>) -> std::io::Result<()> {
    match value {
        ValueRef::Null => Ok(()),
        ValueRef::Integer(n) => copy_csv::int(out, n),
        ValueRef::Real(x) => copy_csv::real(out, x),
        ValueRef::Text(bytes) => {
            // Never altered on the way: text that is not UTF-8 stops the move.
            let text = std::str::from_utf8(bytes).map_err(std::io::Error::other)?;
            if text.contains('\0') {
                // Imports refuse these now; a file written before may still hold one.
                return Err(std::io::Error::other(
                    "the value holds a NUL byte (U+0000), which a PostgreSQL server cannot store",
                ));
            }
            copy_csv::text(out, Some(text))
        }
        ValueRef::Blob(bytes) => copy_csv::bytes(out, bytes),
    }
}

/// `user add` statements for the file's enabled people (their server roles are the DBA's to
/// create: a file knows names, not how the server should authenticate them).
fn people_statements(from: &Store) -> StoreResult<Vec<String>> {
    let mut sql = Vec::new();
    for user in from.users()? {
        if user.disabled_at.is_none() {
            sql.extend(roles::grant_sql(&user.name, user.role, true));
        }
    }
    Ok(sql)
}
