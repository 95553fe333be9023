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

use std::path::Path;

use rusqlite::types::ValueRef;

use super::audit::{DONE, append_audit, refuse};
use super::export_file::{TempExport, publish};
use super::gates::load_context;
use super::policy::load_policy;
use super::release::{each_releasable_in, release_in};
use super::settle::settle;
use super::sql_sqlite::Lite;
use super::{Store, StoreResult};
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
        each_releasable_in(&mut Lite(&self.conn), &mut |_, r| each(r))
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
        let result = release_in(&mut Lite(&tx), who, out, format);
        let (summary, tmp) = settle(tx, result)?;
        publish(tmp, out)?;
        Ok(summary)
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
