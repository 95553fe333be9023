//! Legal holds on batches: add, list, lift (each audited).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::audit::{DONE, append_audit, refuse};
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::{Hold, HoldScope};

const HOLD_COLUMNS: &str = "h.id, h.batch_id, b.name, h.scope, h.reason, h.added_by, h.added_at, \
     h.lifted_by, h.lifted_at, h.lift_reason";

fn hold_from_row(r: &Row<'_>) -> rusqlite::Result<Hold> {
    let scope: String = r.get(3)?;
    let lifted_by: Option<String> = r.get(7)?;
    Ok(Hold {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        batch: r.get(2)?,
        // The column's CHECK allows only the two scopes; fall back to the wider one.
        scope: scope.parse().unwrap_or(HoldScope::All),
        reason: r.get(4)?,
        added_by: r.get(5)?,
        added_at: r.get(6)?,
        lifted: match lifted_by {
            Some(by) => Some((
                by,
                r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            )),
            None => None,
        },
    })
}

/// The active holds on one batch.
pub(crate) fn active_holds(conn: &Connection, batch_id: i64) -> StoreResult<Vec<Hold>> {
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id
          WHERE h.batch_id = ? AND h.lifted_at IS NULL ORDER BY h.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([batch_id], hold_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Puts a legal hold on a batch (by name).
    pub fn add_hold(
        &mut self,
        batch: &str,
        scope: HoldScope,
        reason: &str,
        who: &str,
    ) -> StoreResult<Hold> {
        let tx = self.write()?;
        let object = format!("batch:{batch}");
        let tx = super::users::require(tx, who, crate::domain::roles::Act::Hold, &object)?;
        let batch_id: Option<i64> = tx
            .query_row("SELECT id FROM batches WHERE name = ?", [batch], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(batch_id) = batch_id else {
            return Err(refuse(
                tx,
                who,
                "hold-add",
                &object,
                format!("no batch named {batch:?}"),
            ));
        };
        if reason.trim().is_empty() {
            return Err(refuse(
                tx,
                who,
                "hold-add",
                &object,
                "a hold needs a reason".into(),
            ));
        }
        tx.execute(
            "INSERT INTO holds (batch_id, scope, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            params![batch_id, scope.as_str(), reason, who, now_utc()],
        )?;
        let id = tx.last_insert_rowid();
        let detail =
            serde_json::json!({ "batch": batch, "scope": scope.as_str(), "reason": reason })
                .to_string();
        append_audit(
            &tx,
            who,
            "hold-add",
            &format!("hold:{id}"),
            DONE,
            &detail,
            None,
        )?;
        let hold = hold_by_id(&tx, id)?;
        tx.commit()?;
        Ok(hold)
    }

    /// Lifts an active hold.
    pub fn lift_hold(&mut self, id: i64, reason: &str, who: &str) -> StoreResult<Hold> {
        let tx = self.write()?;
        let object = format!("hold:{id}");
        let tx = super::users::require(tx, who, crate::domain::roles::Act::Hold, &object)?;
        let hold = match hold_by_id(&tx, id) {
            Ok(h) => h,
            Err(StoreError::NotFound(m)) => {
                return Err(refuse(
                    tx,
                    who,
                    "hold-lift",
                    &object,
                    format!("not found: {m}"),
                ));
            }
            Err(e) => return Err(e),
        };
        if !hold.is_active() {
            return Err(refuse(
                tx,
                who,
                "hold-lift",
                &object,
                format!("hold {id} is already lifted"),
            ));
        }
        if reason.trim().is_empty() {
            return Err(refuse(
                tx,
                who,
                "hold-lift",
                &object,
                "lifting a hold needs a reason".into(),
            ));
        }
        tx.execute(
            "UPDATE holds SET lifted_by = ?, lifted_at = ?, lift_reason = ? WHERE id = ?",
            params![who, now_utc(), reason, id],
        )?;
        let detail = serde_json::json!({ "batch": hold.batch, "reason": reason }).to_string();
        append_audit(&tx, who, "hold-lift", &object, DONE, &detail, None)?;
        let hold = hold_by_id(&tx, id)?;
        tx.commit()?;
        Ok(hold)
    }

    /// Every hold (or only the active ones), oldest first.
    pub fn holds(&self, active_only: bool) -> StoreResult<Vec<Hold>> {
        let sql = format!(
            "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id
              WHERE (? = 0 OR h.lifted_at IS NULL) ORDER BY h.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([i64::from(active_only)], hold_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The active holds on a batch (for the review screen's banner and `release_check`).
    pub fn active_holds(&self, batch_id: i64) -> StoreResult<Vec<Hold>> {
        active_holds(&self.conn, batch_id)
    }
}

fn hold_by_id(conn: &Connection, id: i64) -> StoreResult<Hold> {
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id WHERE h.id = ?"
    );
    conn.query_row(&sql, [id], hold_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("hold {id}")))
}
