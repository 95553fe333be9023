//! The audit chain on the server: one chain under many writers. Each append takes a
//! transaction-scoped advisory lock before it reads the head, so two writers' entries cannot
//! name the same predecessor; the lock ends with the writer's commit or rollback.

use postgres::Transaction;

use super::PgStore;
use crate::domain::audit::{AuditEntry, ChainWalk, GENESIS};
use crate::store::audit::{AuditVerdict, DecisionRecord, REFUSED};
use crate::store::{StoreError, StoreResult, now_utc};

/// The advisory lock key of the chain's head ("MGAT" "AUDT").
pub(super) const CHAIN_LOCK: i64 = 0x4D47_4154_4155_4454;

/// Appends one entry in the caller's transaction; returns its id.
pub(super) fn append_audit(
    tx: &mut Transaction<'_>,
    actor: &str,
    action: &str,
    object: &str,
    outcome: &str,
    detail: &str,
    decision_id: Option<i64>,
) -> StoreResult<i64> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])?;
    let last = tx.query_opt("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &[])?;
    let (prev_id, prev_hash) = last.map_or((0, GENESIS.to_string()), |r| (r.get(0), r.get(1)));
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
    tx.execute(
        "INSERT INTO audit (id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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

/// Records a refusal and commits it (the refused act wrote nothing in this transaction), then
/// returns the refusal as the error to report. Someone with no matchgate role at all may not
/// even append to the log: they get the refusal, unrecorded (the server logs their attempt).
pub(super) fn refuse(
    mut tx: Transaction<'_>,
    actor: &str,
    action: &str,
    object: &str,
    message: String,
) -> StoreError {
    let detail = serde_json::json!({ "refusal": message }).to_string();
    match append_audit(&mut tx, actor, action, object, REFUSED, &detail, None) {
        Ok(_) => match tx.commit() {
            Ok(()) => StoreError::Refused(message),
            Err(e) => e.into(),
        },
        Err(StoreError::Refused(_)) => StoreError::Refused(message),
        Err(e) => e,
    }
}

impl PgStore {
    /// (entry count, head hash); the genesis hash when the log is empty. One statement: one
    /// snapshot, so the count and the head agree while others append.
    pub fn audit_head(&mut self) -> StoreResult<(i64, String)> {
        let row = self.client.query_one(
            "SELECT count(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit",
            &[],
        )?;
        let head: Option<String> = row.get(1);
        Ok((row.get(0), head.unwrap_or_else(|| GENESIS.to_string())))
    }

    /// Recomputes the chain in id order, streaming (the log can hold millions of entries).
    pub fn audit_verify(&mut self) -> StoreResult<AuditVerdict> {
        let mut tx = self.client.transaction()?;
        // One snapshot for the walk and the head it reports.
        tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let mut walk = ChainWalk::default();
        let params: [&(dyn postgres::types::ToSql + Sync); 0] = [];
        let mut rows = tx.query_raw(
            "SELECT id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash
               FROM audit ORDER BY id",
            params,
        )?;
        let mut head = GENESIS.to_string();
        while let Some(r) = postgres::fallible_iterator::FallibleIterator::next(&mut rows)? {
            let entry = AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                object: r.get(4),
                outcome: r.get(5),
                detail: r.get(6),
                decision_id: r.get(7),
            };
            let prev: String = r.get(8);
            let hash: String = r.get(9);
            if let Err(problem) = walk.step(&entry, &prev, &hash) {
                return Ok(AuditVerdict::Broken {
                    what: format!("audit entry {}", entry.id),
                    problem,
                });
            }
            head = hash;
        }
        drop(rows);
        if let Some(broken) = decision_without_its_entry(&mut tx)? {
            return Ok(broken);
        }
        tx.commit()?;
        Ok(AuditVerdict::Intact {
            count: walk.count(),
            head,
        })
    }
}

/// Every decision must be in the log, with the content it has now (as on SQLite).
fn decision_without_its_entry(tx: &mut Transaction<'_>) -> StoreResult<Option<AuditVerdict>> {
    let params: [&(dyn postgres::types::ToSql + Sync); 0] = [];
    let mut rows = tx.query_raw(
        "SELECT d.id, d.match_id, d.group_id, d.reviewer, d.action, d.status_before,
                d.status_after, d.reason_code, d.note, d.decided_at, d.undoes, a.id, a.detail
           FROM decisions d LEFT JOIN audit a ON a.decision_id = d.id ORDER BY d.id",
        params,
    )?;
    while let Some(r) = postgres::fallible_iterator::FallibleIterator::next(&mut rows)? {
        let d = DecisionRecord {
            id: r.get(0),
            match_id: r.get(1),
            group_id: r.get(2),
            reviewer: r.get(3),
            action: r.get(4),
            status_before: r.get(5),
            status_after: r.get(6),
            reason_code: r.get(7),
            note: r.get(8),
            decided_at: r.get(9),
            undoes: r.get(10),
        };
        let audit_id: Option<i64> = r.get(11);
        let detail: Option<String> = r.get(12);
        let problem = match (audit_id, detail) {
            (Some(_), Some(detail)) if detail == d.detail() => continue,
            (Some(aid), Some(_)) => (
                format!("decision {} (audit entry {aid})", d.id),
                "the decision row differs from what the audit log recorded",
            ),
            _ => (format!("decision {}", d.id), "it has no audit entry"),
        };
        return Ok(Some(AuditVerdict::Broken {
            what: problem.0,
            problem: problem.1.to_string(),
        }));
    }
    Ok(None)
}
