//! The audit chain on the server: one chain under many writers. Each append takes a
//! transaction-scoped advisory lock before it reads the head, so two writers' entries cannot
//! name the same predecessor; the lock ends with the writer's commit or rollback.

use postgres::Transaction;

use super::PgStore;
use crate::domain::audit::{AuditEntry, ChainWalk, GENESIS};
use crate::store::audit::{AuditVerdict, REFUSED};
use crate::store::{StoreError, StoreResult, now_utc};

/// The advisory lock key of the chain's head ("MGAT" "AUDT").
const CHAIN_LOCK: i64 = 0x4D47_4154_4155_4454;

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
        tx.commit()?;
        Ok(AuditVerdict::Intact {
            count: walk.count(),
            head,
        })
    }
}
