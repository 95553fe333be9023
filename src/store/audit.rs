//! The hash-chained audit log: appending entries inside the caller's transaction, verifying the
//! chain and every decision's presence in it, and the head for recording outside the database.

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::sql::{Dialect, RowExt, Sql};
use super::sql_sqlite::Lite;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::Field;
use crate::domain::audit::{AuditEntry, ChainWalk, GENESIS};

/// `done` / `refused`.
pub const DONE: &str = "done";
pub const REFUSED: &str = "refused";

/// Appends one audit entry in the caller's (write-locked) transaction; returns its id.
pub(crate) fn append_audit(
    conn: &Connection,
    actor: &str,
    action: &str,
    object: &str,
    outcome: &str,
    detail: &str,
    decision_id: Option<i64>,
) -> StoreResult<i64> {
    append_audit_in(
        &mut Lite(conn),
        actor,
        action,
        object,
        outcome,
        detail,
        decision_id,
    )
}

/// The advisory lock key of the chain's head on a server ("MGAT" "AUDT").
pub(crate) const CHAIN_LOCK: i64 = 0x4D47_4154_4155_4454;

/// [`append_audit`] on either backend. On a server, writers are not serialised by the
/// database as SQLite's write lock does: the chain's head is read under a transaction-scoped
/// advisory lock, so two writers' entries never name the same predecessor.
pub(crate) fn append_audit_in(
    sql: &mut dyn Sql,
    actor: &str,
    action: &str,
    object: &str,
    outcome: &str,
    detail: &str,
    decision_id: Option<i64>,
) -> StoreResult<i64> {
    if sql.dialect() == Dialect::Postgres {
        sql.each(
            "SELECT pg_advisory_xact_lock(?)",
            &[&CHAIN_LOCK],
            &mut |_| Ok(()),
        )?;
    }
    let last = sql.opt(
        "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
        &[],
        |r| Ok((r.int_at(0)?, r.text_at(1)?)),
    )?;
    let (prev_id, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let entry = AuditEntry {
        id: prev_id + 1,
        at: now_utc(),
        actor: actor.to_string(),
        action: action.to_string(),
        object: object.to_string(),
        outcome: outcome.to_string(),
        detail: detail.to_string(),
        decision_id,
    };
    let hash = entry.hash(&prev_hash);
    sql.run(
        "INSERT INTO audit (id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            &entry.id,
            &entry.at,
            &entry.actor,
            &entry.action,
            &entry.object,
            &entry.outcome,
            &entry.detail,
            &entry.decision_id,
            &prev_hash,
            &hash,
        ],
    )?;
    Ok(entry.id)
}

/// Records a refusal in the audit log and commits it (the refused action itself wrote nothing
/// in this transaction), then returns the refusal as the error to report.
pub(crate) fn refuse(
    tx: Transaction<'_>,
    actor: &str,
    action: &str,
    object: &str,
    message: String,
) -> StoreError {
    let detail = serde_json::json!({ "refusal": message }).to_string();
    match append_audit(&tx, actor, action, object, REFUSED, &detail, None) {
        Ok(_) => match tx.commit() {
            Ok(()) => StoreError::Refused(message),
            Err(e) => e.into(),
        },
        Err(e) => e,
    }
}

/// A decisions row as the audit entry records it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecisionRecord {
    pub id: i64,
    pub match_id: i64,
    pub group_id: i64,
    pub reviewer: String,
    pub action: String,
    pub status_before: String,
    pub status_after: String,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub decided_at: String,
    pub undoes: Option<i64>,
}

impl DecisionRecord {
    /// The audit detail: a JSON object (keys sorted), so the row can be compared later.
    pub fn detail(&self) -> String {
        serde_json::json!({
            "decision_id": self.id,
            "match_id": self.match_id,
            "group_id": self.group_id,
            "reviewer": self.reviewer,
            "action": self.action,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "reason_code": self.reason_code,
            "note": self.note,
            "decided_at": self.decided_at,
            "undoes": self.undoes,
        })
        .to_string()
    }
}

/// The outcome of `audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerdict {
    /// Every entry verifies and every decision has its entry.
    Intact { count: i64, head: String },
    /// The first entry (or decision) that does not verify.
    Broken { what: String, problem: String },
}

impl Store {
    /// Recomputes the chain in id order and checks that every decisions row has an audit entry
    /// whose detail matches the row.
    pub fn audit_verify(&self) -> StoreResult<AuditVerdict> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash
               FROM audit ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut walk = ChainWalk::default();
        while let Some(r) = rows.next()? {
            let entry = AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                object: r.get(4)?,
                outcome: r.get(5)?,
                detail: r.get(6)?,
                decision_id: r.get(7)?,
            };
            let prev: String = r.get(8)?;
            let hash: String = r.get(9)?;
            if let Err(problem) = walk.step(&entry, &prev, &hash) {
                return Ok(AuditVerdict::Broken {
                    what: format!("audit entry {}", entry.id),
                    problem,
                });
            }
        }
        let count = walk.count();
        drop(rows);
        // Every decision must be in the log, with the content it has now.
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.match_id, d.group_id, d.reviewer, d.action, d.status_before,
                    d.status_after, d.reason_code, d.note, d.decided_at, d.undoes, a.id, a.detail
               FROM decisions d LEFT JOIN audit a ON a.decision_id = d.id ORDER BY d.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let d = DecisionRecord {
                id: r.get(0)?,
                match_id: r.get(1)?,
                group_id: r.get(2)?,
                reviewer: r.get(3)?,
                action: r.get(4)?,
                status_before: r.get(5)?,
                status_after: r.get(6)?,
                reason_code: r.get(7)?,
                note: r.get(8)?,
                decided_at: r.get(9)?,
                undoes: r.get(10)?,
            };
            let audit_id: Option<i64> = r.get(11)?;
            let detail: Option<String> = r.get(12)?;
            match (audit_id, detail) {
                (Some(aid), Some(detail)) if detail != d.detail() => {
                    return Ok(AuditVerdict::Broken {
                        what: format!("decision {} (audit entry {aid})", d.id),
                        problem: "the decision row differs from what the audit log recorded".into(),
                    });
                }
                (Some(_), Some(_)) => {}
                _ => {
                    return Ok(AuditVerdict::Broken {
                        what: format!("decision {}", d.id),
                        problem: "it has no audit entry".into(),
                    });
                }
            }
        }
        Ok(AuditVerdict::Intact {
            count,
            head: self.audit_head()?.1,
        })
    }

    /// (entry count, head hash); the genesis hash when the log is empty.
    pub fn audit_head(&self) -> StoreResult<(i64, String)> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
        let head: Option<String> = self
            .conn
            .query_row("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok((count, head.unwrap_or_else(|| GENESIS.to_string())))
    }

    /// Reveals the unmasked value of a field of a match's candidate to `who`, recording the
    /// reveal in the audit log first. The value is only returned once the entry is committed.
    pub fn record_reveal(
        &mut self,
        match_id: i64,
        field: Field,
        who: &str,
    ) -> StoreResult<Option<String>> {
        let tx = self.write()?;
        let value = reveal_in(&mut Lite(&tx), match_id, field, who)?;
        tx.commit()?;
        Ok(value)
    }
}

/// [`Store::record_reveal`] on either backend, in the caller's transaction.
pub(crate) fn reveal_in(
    sql: &mut dyn Sql,
    match_id: i64,
    field: Field,
    who: &str,
) -> StoreResult<Option<String>> {
    // The column comes from the domain's field list, never from input.
    let query = format!(
        "SELECT c.{} FROM matches m JOIN candidates c ON c.id = m.candidate_id WHERE m.id = ?",
        field.key()
    );
    let Some(value) = sql.opt(&query, &[&match_id], |r| r.text(0))? else {
        return Err(StoreError::NotFound(format!("match {match_id}")));
    };
    let detail = serde_json::json!({ "field": field.key() }).to_string();
    append_audit_in(
        sql,
        who,
        "reveal",
        &format!("match:{match_id}"),
        DONE,
        &detail,
        None,
    )?;
    Ok(value)
}
