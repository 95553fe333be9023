//! Legal holds on the server: add, list, lift as the connected role (a supervisor), with the
//! same checks, messages and audit entries as on SQLite (`store::holds`). Row security lets a
//! role add or lift a hold only in its own name.

use postgres::GenericClient;
use postgres::Row;

use super::PgStore;
use super::audit::{append_audit, refuse};
use crate::domain::policy::{Hold, HoldScope};
use crate::domain::roles::Act;
use crate::store::audit::DONE;
use crate::store::holds::{
    HOLD_COLUMNS, HoldRow, add_detail, batch_to_hold, hold_to_lift, lift_detail,
};
use crate::store::{StoreError, StoreResult, now_utc};

fn hold_from_row(r: &Row) -> Hold {
    HoldRow {
        id: r.get(0),
        batch_id: r.get(1),
        batch: r.get(2),
        scope: r.get(3),
        reason: r.get(4),
        added_by: r.get(5),
        added_at: r.get(6),
        lifted_by: r.get(7),
        lifted_at: r.get(8),
        lift_reason: r.get(9),
    }
    .into_hold()
}

/// One hold by id; `lock` keeps it from changing until the transaction ends (a second lift
/// then waits, and sees it lifted).
fn find_hold(client: &mut impl GenericClient, id: i64, lock: bool) -> StoreResult<Option<Hold>> {
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id WHERE h.id = $1{}",
        if lock { " FOR UPDATE OF h" } else { "" }
    );
    Ok(client.query_opt(&sql, &[&id])?.as_ref().map(hold_from_row))
}

impl PgStore {
    /// Puts a legal hold on a batch (by name).
    pub fn add_hold(&mut self, batch: &str, scope: HoldScope, reason: &str) -> StoreResult<Hold> {
        let refusal = self.role_refusal(Act::Hold)?;
        let me = self.user.clone();
        let object = format!("batch:{batch}");
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, Act::Hold.as_str(), &object, message));
        }
        let found: Option<i64> = tx
            .query_opt("SELECT id FROM batches WHERE name = $1", &[&batch])?
            .map(|r| r.get(0));
        let batch_id = match batch_to_hold(batch, found, reason) {
            Ok(batch_id) => batch_id,
            Err(message) => return Err(refuse(tx, &me, "hold-add", &object, message)),
        };
        let id: i64 = tx
            .query_one(
                "INSERT INTO holds (batch_id, scope, reason, added_by, added_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&batch_id, &scope.as_str(), &reason, &me, &now_utc()],
            )?
            .get(0);
        let detail = add_detail(batch, scope, reason);
        let object = format!("hold:{id}");
        append_audit(&mut tx, &me, "hold-add", &object, DONE, &detail, None)?;
        let hold = find_hold(&mut tx, id, false)?;
        tx.commit()?;
        hold.ok_or_else(|| StoreError::NotFound(object))
    }

    /// Lifts an active hold.
    pub fn lift_hold(&mut self, id: i64, reason: &str) -> StoreResult<Hold> {
        let refusal = self.role_refusal(Act::Hold)?;
        let me = self.user.clone();
        let object = format!("hold:{id}");
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, Act::Hold.as_str(), &object, message));
        }
        let found = find_hold(&mut tx, id, true)?;
        let hold = match hold_to_lift(id, found, reason) {
            Ok(hold) => hold,
            Err(message) => return Err(refuse(tx, &me, "hold-lift", &object, message)),
        };
        tx.execute(
            "UPDATE holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE id = $4",
            &[&me, &now_utc(), &reason, &id],
        )?;
        let detail = lift_detail(&hold, reason);
        append_audit(&mut tx, &me, "hold-lift", &object, DONE, &detail, None)?;
        let hold = find_hold(&mut tx, id, false)?;
        tx.commit()?;
        hold.ok_or_else(|| StoreError::NotFound(object))
    }

    /// Every hold (or only the active ones), oldest first.
    pub fn holds(&mut self, active_only: bool) -> StoreResult<Vec<Hold>> {
        let sql = format!(
            "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id
              WHERE NOT $1 OR h.lifted_at IS NULL ORDER BY h.id"
        );
        let rows = self.client.query(&sql, &[&active_only])?;
        Ok(rows.iter().map(hold_from_row).collect())
    }

    /// The active holds on a batch (for the review screen's banner and the release check).
    pub fn active_holds(&mut self, batch_id: i64) -> StoreResult<Vec<Hold>> {
        let sql = format!(
            "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id
              WHERE h.batch_id = $1 AND h.lifted_at IS NULL ORDER BY h.id"
        );
        let rows = self.client.query(&sql, &[&batch_id])?;
        Ok(rows.iter().map(hold_from_row).collect())
    }
}
