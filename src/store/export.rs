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

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::audit::{DONE, append_audit, refuse};
use super::gates::load_context;
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
    pub items: Vec<Releasable>,
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

/// Every approved, not yet released match that passes every gate now.
fn releasable_in(conn: &Connection) -> StoreResult<Vec<Releasable>> {
    let policy = load_policy(conn)?;
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT m.id FROM matches m
              WHERE m.status = 'approved'
                AND NOT EXISTS (SELECT 1 FROM release_items ri WHERE ri.match_id = m.id)
              ORDER BY m.id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for id in ids {
        let loaded = load_context(conn, id, None)?;
        if check_release(&loaded.ctx, &policy).is_empty() {
            out.push(Releasable {
                match_id: id,
                row: ReleaseRow::new(&loaded.batch, &loaded.ctx.request, &loaded.ctx.candidate),
                approvers: loaded.ctx.approvals.clone(),
                flags: loaded.flags,
            });
        }
    }
    Ok(out)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Writes rows to a synced temporary file in the target's directory.
fn write_temp(
    out: &Path,
    format: ExportFormat,
    header: &[&str],
    rows: &[Vec<serde_json::Value>],
) -> StoreResult<tempfile::NamedTempFile> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let err = io_err(out);
    let mut tmp = tempfile::Builder::new()
        .prefix(".matchgate-export-")
        .tempfile_in(&dir)
        .map_err(&err)?;
    {
        let file = tmp.as_file_mut();
        match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut *file);
                w.write_record(header).map_err(|e| StoreError::Io {
                    path: out.to_path_buf(),
                    detail: e.to_string(),
                })?;
                for row in rows {
                    let cells: Vec<String> = row.iter().map(cell_text).collect();
                    w.write_record(&cells).map_err(|e| StoreError::Io {
                        path: out.to_path_buf(),
                        detail: e.to_string(),
                    })?;
                }
                w.flush().map_err(&err)?;
            }
            ExportFormat::Jsonl => {
                for row in rows {
                    let obj: serde_json::Map<String, serde_json::Value> = header
                        .iter()
                        .map(|h| h.to_string())
                        .zip(row.iter().cloned())
                        .collect();
                    let line = serde_json::Value::Object(obj).to_string();
                    writeln!(file, "{line}").map_err(&err)?;
                }
            }
        }
        file.flush().map_err(&err)?;
        file.sync_all().map_err(&err)?;
    }
    Ok(tmp)
}

fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renames the synced temporary file into place and syncs the directory.
fn publish(tmp: tempfile::NamedTempFile, out: &Path) -> StoreResult<()> {
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
        releasable_in(&self.conn)
    }

    /// Exactly which fields would go out for one match, and what (if anything) would stop it
    /// from being released now. For the review screen's release preview.
    pub fn release_preview(&self, match_id: i64) -> StoreResult<(ReleaseRow, Vec<Refusal>)> {
        let policy = load_policy(&self.conn)?;
        let loaded = load_context(&self.conn, match_id, None)?;
        let mut refusals = check_release(&loaded.ctx, &policy);
        let released: i64 = self.conn.query_row(
            "SELECT count(*) FROM release_items WHERE match_id = ?",
            [match_id],
            |r| r.get(0),
        )?;
        if released > 0 {
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
        Ok((row, refusals))
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
            let msg = format!(
                "{} exists; an export never overwrites a file",
                out.display()
            );
            return Err(refuse(tx, who, "export", "release:none", msg));
        }
        let items = releasable_in(&tx)?;
        let now = now_utc();
        let release_id = if items.is_empty() {
            None
        } else {
            tx.execute(
                "INSERT INTO releases (released_by, released_at, file, format, item_count)
                 VALUES (?, ?, ?, ?, ?)",
                params![
                    who,
                    now,
                    out.display().to_string(),
                    format.as_str(),
                    items.len() as i64
                ],
            )?;
            Some(tx.last_insert_rowid())
        };
        let rows: Vec<Vec<serde_json::Value>> = items
            .iter()
            .map(|i| release_values(release_id, &now, &i.row))
            .collect();
        let tmp = write_temp(out, format, &RELEASE_COLUMNS, &rows)?;
        if let Some(release_id) = release_id {
            let mut ins = tx.prepare_cached(
                "INSERT INTO release_items (release_id, match_id, approvers, flags) VALUES (?, ?, ?, ?)",
            )?;
            let mut upd = tx.prepare_cached(
                "UPDATE matches SET status = 'released', updated_at = ? WHERE id = ? AND status = 'approved'",
            )?;
            for item in &items {
                let approvers = serde_json::to_string(&item.approvers)
                    .map_err(|e| StoreError::Refused(e.to_string()))?;
                ins.execute(params![
                    release_id,
                    item.match_id,
                    approvers,
                    i64::from(item.flags)
                ])?;
                upd.execute(params![now, item.match_id])?;
            }
        }
        let detail = serde_json::json!({
            "file": out.display().to_string(),
            "format": format.as_str(),
            "count": items.len(),
            "match_ids": items.iter().map(|i| i.match_id).collect::<Vec<_>>(),
        })
        .to_string();
        let object = release_id.map_or("release:none".to_string(), |id| format!("release:{id}"));
        append_audit(&tx, who, "export", &object, DONE, &detail, None)?;
        tx.commit()?;
        publish(tmp, out)?;
        Ok(ExportSummary {
            release_id,
            released_at: now,
            items,
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
        const HEADER: [&str; 15] = [
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
        let tx = self.write()?;
        if out.exists() {
            let msg = format!(
                "{} exists; an export never overwrites a file",
                out.display()
            );
            return Err(refuse(tx, who, "export-decisions", "decisions", msg));
        }
        let rows: Vec<Vec<serde_json::Value>> = {
            let mut stmt = tx.prepare(
                "SELECT d.id, d.match_id, r.source_id, b.name, d.group_id, d.reviewer, d.action,
                        d.status_before, d.status_after, d.reason_code, d.note, d.decided_at,
                        d.viewed_ms, d.undoes, d.session
                   FROM decisions d JOIN matches m ON m.id = d.match_id
                   JOIN requests r ON r.id = m.request_id JOIN batches b ON b.id = m.batch_id
                  ORDER BY d.id",
            )?;
            let mapped = stmt.query_map([], |r| {
                let mut v = Vec::with_capacity(HEADER.len());
                for i in 0..HEADER.len() {
                    let val: rusqlite::types::Value = r.get(i)?;
                    v.push(match val {
                        rusqlite::types::Value::Null => serde_json::Value::Null,
                        rusqlite::types::Value::Integer(n) => n.into(),
                        rusqlite::types::Value::Real(x) => x.into(),
                        rusqlite::types::Value::Text(t) => t.into(),
                        rusqlite::types::Value::Blob(_) => serde_json::Value::Null,
                    });
                }
                Ok(v)
            })?;
            mapped.collect::<Result<_, _>>()?
        };
        let tmp = write_temp(out, format, &HEADER, &rows)?;
        let detail = serde_json::json!({
            "file": out.display().to_string(),
            "format": format.as_str(),
            "count": rows.len(),
        })
        .to_string();
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
        Ok(rows.len())
    }
}
