//! Export is the act of release: the releasable matches are written to a file and marked
//! released, with a release id and time, in one transaction that also records the export in the
//! audit log. Every gate is evaluated again at export time.
//!
//! Order, and why: the file is written to a temporary file next to the target and synced;
//! then the database transaction (release rows, status `released`, audit entry) commits; then
//! the temporary file is renamed into place. A crash before the commit leaves no release in the
//! database and only a stray temporary file nothing points at (nothing has gone out). A crash
//! between the commit and the rename leaves a release recorded with its file under the
//! temporary name: the database may claim a release whose file was never handed over, but it
//! can never have handed over a file whose rows it does not record. For a confidentiality law
//! that over-claiming error is the safe one: `recall` lists the release, and a disposal request
//! costs less than an address gone out without a trace.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::audit::{DONE, append_audit, refuse};
use super::export_file::{TempExport, publish};
use super::gates::load_context;
use super::gates_batch::load_contexts;
use super::policy::load_policy;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::{Refusal, ReleaseRow, check_release};

/// An export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    /// From the file's extension: `.jsonl`/`.ndjson`/`.json` is JSON Lines, anything else CSV.
    pub fn from_path(path: &Path) -> ExportFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => ExportFormat::Jsonl,
            _ => ExportFormat::Csv,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

/// A match that would be released now, with what would go out.
#[derive(Debug, Clone, PartialEq)]
pub struct Releasable {
    pub match_id: i64,
    pub row: ReleaseRow,
    pub approvers: Vec<String>,
    pub flags: u32,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    /// None when nothing was releasable (no release is recorded then, only the audit entry).
    pub release_id: Option<i64>,
    pub released_at: String,
    /// How many matches were released.
    pub count: u64,
}

/// The release file's columns, in order.
pub const RELEASE_COLUMNS: [&str; 10] = [
    "release_id",
    "released_at",
    "request_id",
    "batch",
    "street_number",
    "street",
    "unit",
    "city",
    "state",
    "zip",
];

/// The decision history file's columns, in order (`export --decisions`, on either backend).
pub(crate) const DECISION_COLUMNS: [&str; 15] = [
    "id",
    "match_id",
    "request_id",
    "batch",
    "group_id",
    "reviewer",
    "action",
    "status_before",
    "status_after",
    "reason_code",
    "note",
    "decided_at",
    "viewed_ms",
    "undoes",
    "session",
];

/// Why an export refuses its target (either backend).
pub(crate) fn never_overwrites(out: &Path) -> String {
    format!(
        "{} exists; an export never overwrites a file",
        out.display()
    )
}

/// What the audit entry of a decision history export records.
pub(crate) fn history_detail(out: &Path, format: ExportFormat, count: usize) -> String {
    serde_json::json!({
        "file": out.display().to_string(),
        "format": format.as_str(),
        "count": count,
    })
    .to_string()
}

/// Matches checked per page: one set of gate-loading queries per page.
const PAGE: usize = 500;

/// Calls `each` with every approved, not yet released match that passes every gate now, by id,
/// a page at a time (keyset on the id), so nothing grows with the number of approvals.
fn each_releasable_in(
    conn: &Connection,
    mut each: impl FnMut(&Connection, Releasable) -> StoreResult<()>,
) -> StoreResult<()> {
    let policy = load_policy(conn)?;
    let mut holds = HashMap::new();
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = conn
            .prepare_cached(
                "SELECT m.id FROM matches m
                  WHERE m.status = 'approved' AND m.id > ?1
                    AND NOT EXISTS (SELECT 1 FROM release_items ri WHERE ri.match_id = m.id)
                  ORDER BY m.id LIMIT ?2",
            )?
            .query_map(params![after, PAGE as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let Some(last) = ids.last() else {
            return Ok(());
        };
        after = *last;
        let page = load_contexts(conn, &ids, &mut holds)?;
        let passes = passing(&page, &policy);
        for ((id, loaded), passes) in page.into_iter().zip(passes) {
            if passes {
                each(
                    conn,
                    Releasable {
                        match_id: id,
                        row: ReleaseRow::new(
                            &loaded.batch,
                            &loaded.ctx.request,
                            &loaded.ctx.candidate,
                        ),
                        approvers: loaded.ctx.approvals,
                        flags: loaded.flags,
                    },
                )?;
            }
        }
        if ids.len() < PAGE {
            return Ok(());
        }
    }
}

/// Whether each match of a page passes every release rule, on two threads: the rules are pure,
/// and they are most of an export's time (perf, 100,000 approvals of the 1.28M set: the domain's
/// comparisons and their allocations about 60%, SQLite about 15%).
fn passing(
    page: &[(i64, super::gates::Loaded)],
    policy: &crate::domain::policy::Policy,
) -> Vec<bool> {
    let check = |part: &[(i64, super::gates::Loaded)]| -> Vec<bool> {
        part.iter()
            .map(|(_, loaded)| check_release(&loaded.ctx, policy).is_empty())
            .collect()
    };
    let (first, second) = page.split_at(page.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| check(second));
        let mut passes = check(first);
        // A panic in the rules is a defect; it surfaces here as it would have on one thread.
        passes.extend(
            other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        passes
    })
}

fn release_values(release_id: Option<i64>, at: &str, row: &ReleaseRow) -> Vec<serde_json::Value> {
    use serde_json::Value::{Null, String as S};
    let mut v = vec![
        release_id.map_or(Null, |id| id.into()),
        if release_id.is_some() {
            S(at.to_string())
        } else {
            Null
        },
    ];
    v.extend(row.fields().into_iter().map(|(_, val)| S(val.to_string())));
    v
}

impl Store {
    /// What an export would release now (the dry run): nothing is written or marked.
    pub fn releasable(&self) -> StoreResult<Vec<Releasable>> {
        let mut out = Vec::new();
        self.each_releasable(|r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The dry run, a match at a time.
    pub fn each_releasable(
        &self,
        mut each: impl FnMut(Releasable) -> StoreResult<()>,
    ) -> StoreResult<()> {
        each_releasable_in(&self.conn, |_, r| each(r))
    }

    /// Exactly which fields would go out for one match, and what (if anything) would stop it
    /// from being released now. For the review screen's release preview.
    pub fn release_preview(&self, match_id: i64) -> StoreResult<(ReleaseRow, Vec<Refusal>)> {
        let policy = load_policy(&self.conn)?;
        let loaded = load_context(&mut super::sql_sqlite::Lite(&self.conn), match_id, None)?;
        let released: i64 = self.conn.query_row(
            "SELECT count(*) FROM release_items WHERE match_id = ?",
            [match_id],
            |r| r.get(0),
        )?;
        Ok(preview(&loaded, &policy, released > 0))
    }

    /// Releases every releasable match into `out` (refusing an existing file), marks them
    /// released and records the export, all in one transaction. Running it again releases
    /// nothing twice.
    pub fn export_release(
        &mut self,
        who: &str,
        out: &Path,
        format: ExportFormat,
    ) -> StoreResult<ExportSummary> {
        let tx = self.write()?;
        if out.exists() {
            let msg = never_overwrites(out);
            return Err(refuse(tx, who, "export", "release:none", msg));
        }
        let now = now_utc();
        // The release row comes first: its id is in every line of the file. It is removed
        // again when nothing turns out to be releasable.
        tx.execute(
            "INSERT INTO releases (released_by, released_at, file, format, item_count)
             VALUES (?, ?, ?, ?, 0)",
            params![who, now, out.display().to_string(), format.as_str()],
        )?;
        let release_id = tx.last_insert_rowid();
        let mut file = TempExport::create(out, format, &RELEASE_COLUMNS)?;
        let mut count = 0u64;
        // The audit entry names the release and a digest of its match ids (in id order), so a
        // changed `release_items` list shows without the entry holding a million ids.
        let mut digest = Sha256::new();
        each_releasable_in(&tx, |tx, item| {
            file.row(&release_values(Some(release_id), &now, &item.row))?;
            let approvers = serde_json::to_string(&item.approvers)
                .map_err(|e| StoreError::Refused(e.to_string()))?;
            tx.prepare_cached(
                "INSERT INTO release_items (release_id, match_id, approvers, flags) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![release_id, item.match_id, approvers, i64::from(item.flags)])?;
            tx.prepare_cached(
                "UPDATE matches SET status = 'released', updated_at = ? WHERE id = ? AND status = 'approved'",
            )?
            .execute(params![now, item.match_id])?;
            digest.update(format!("{},", item.match_id).as_bytes());
            count += 1;
            Ok(())
        })?;
        let tmp = file.synced()?;
        let release_id = if count == 0 {
            tx.execute("DELETE FROM releases WHERE id = ?", [release_id])?;
            None
        } else {
            tx.execute(
                "UPDATE releases SET item_count = ? WHERE id = ?",
                params![count as i64, release_id],
            )?;
            Some(release_id)
        };
        let detail = serde_json::json!({
            "file": out.display().to_string(),
            "format": format.as_str(),
            "count": count,
            "match_ids_sha256": hex::encode(digest.finalize()),
        })
        .to_string();
        let object = release_id.map_or("release:none".to_string(), |id| format!("release:{id}"));
        append_audit(&tx, who, "export", &object, DONE, &detail, None)?;
        tx.commit()?;
        publish(tmp, out)?;
        Ok(ExportSummary {
            release_id,
            released_at: now,
            count,
        })
    }

    /// Writes the whole decision history (every event) to `out`; returns the row count. The
    /// export is recorded in the audit log.
    pub fn export_decisions(
        &mut self,
        who: &str,
        out: &Path,
        format: ExportFormat,
    ) -> StoreResult<usize> {
        let tx = self.write()?;
        if out.exists() {
            let msg = never_overwrites(out);
            return Err(refuse(tx, who, "export-decisions", "decisions", msg));
        }
        let mut file = TempExport::create(out, format, &DECISION_COLUMNS)?;
        let mut count = 0usize;
        {
            // Streamed in id order straight into the file: memory stays flat.
            let mut stmt = tx.prepare(
                "SELECT d.id, d.match_id, r.source_id, b.name, d.group_id, d.reviewer, d.action,
                        d.status_before, d.status_after, d.reason_code, d.note, d.decided_at,
                        d.viewed_ms, d.undoes, d.session
                   FROM decisions d JOIN matches m ON m.id = d.match_id
                   JOIN requests r ON r.id = m.request_id JOIN batches b ON b.id = m.batch_id
                  ORDER BY d.id",
            )?;
            let mut rows = stmt.query([])?;
            let mut v = Vec::with_capacity(DECISION_COLUMNS.len());
            while let Some(r) = rows.next()? {
                v.clear();
                for i in 0..DECISION_COLUMNS.len() {
                    v.push(match r.get_ref(i)? {
                        ValueRef::Null | ValueRef::Blob(_) => serde_json::Value::Null,
                        ValueRef::Integer(n) => n.into(),
                        ValueRef::Real(x) => x.into(),
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                    });
                }
                file.row(&v)?;
                count += 1;
            }
        }
        let tmp = file.synced()?;
        let detail = history_detail(out, format, count);
        append_audit(
            &tx,
            who,
            "export-decisions",
            "decisions",
            DONE,
            &detail,
            None,
        )?;
        tx.commit()?;
        publish(tmp, out)?;
        Ok(count)
    }
}

/// One match's preview from what the gates loaded: the row that would go out and everything
/// that stops it now (the rule book's refusals, an earlier release, a status not approved).
/// Both backends' `release_preview`.
pub(crate) fn preview(
    loaded: &super::gates::Loaded,
    policy: &crate::domain::policy::Policy,
    released: bool,
) -> (ReleaseRow, Vec<Refusal>) {
    let mut refusals = check_release(&loaded.ctx, policy);
    if released {
        refusals.push(Refusal {
            rule: "released",
            reason: "already released".into(),
            remedy: "nothing: a match is released once".into(),
        });
    } else if loaded.status != crate::domain::MatchStatus::Approved
        && !refusals
            .iter()
            .any(|r| r.rule == "approval" || r.rule == "two-person")
    {
        refusals.push(Refusal {
            rule: "approval",
            reason: format!("the match is {}", loaded.status),
            remedy: "approval by the required number of people".into(),
        });
    }
    let row = ReleaseRow::new(&loaded.batch, &loaded.ctx.request, &loaded.ctx.candidate);
    (row, refusals)
}
