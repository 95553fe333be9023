//! Legal holds on batches: add, list, lift (each audited).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::audit::{DONE, append_audit, refuse};
use super::sql::{RowExt, Sql};
use super::sql_sqlite::Lite;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::{Hold, HoldScope};

/// The columns every hold query reads, in [`HoldRow`]'s order (the same SQL on both backends).
pub(crate) const HOLD_COLUMNS: &str = "h.id, h.batch_id, b.name, h.scope, h.reason, h.added_by, \
     h.added_at, h.lifted_by, h.lifted_at, h.lift_reason";

/// A hold as its row stores it, before it becomes the domain's [`Hold`] (both backends).
pub(crate) struct HoldRow {
    pub id: i64,
    pub batch_id: i64,
    pub batch: String,
    pub scope: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: String,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<String>,
    pub lift_reason: Option<String>,
}

impl HoldRow {
    pub fn into_hold(self) -> Hold {
        Hold {
            id: self.id,
            batch_id: self.batch_id,
            batch: self.batch,
            // The column's CHECK allows only the two scopes; fall back to the wider one.
            scope: self.scope.parse().unwrap_or(HoldScope::All),
            reason: self.reason,
            added_by: self.added_by,
            added_at: self.added_at,
            lifted: self.lifted_by.map(|by| {
                (
                    by,
                    self.lifted_at.unwrap_or_default(),
                    self.lift_reason.unwrap_or_default(),
                )
            }),
        }
    }
}

/// The batch a hold goes on (its id, as found by name), or why it may not be put there;
/// checked after the role.
pub(crate) fn batch_to_hold(batch: &str, found: Option<i64>, reason: &str) -> Result<i64, String> {
    let Some(batch_id) = found else {
        return Err(format!("no batch named {batch:?}"));
    };
    if reason.trim().is_empty() {
        return Err("a hold needs a reason".into());
    }
    Ok(batch_id)
}

/// The hold to lift (as found by id), or why it may not be lifted; checked after the role.
pub(crate) fn hold_to_lift(id: i64, found: Option<Hold>, reason: &str) -> Result<Hold, String> {
    match found {
        None => Err(format!("not found: hold {id}")),
        Some(h) if !h.is_active() => Err(format!("hold {id} is already lifted")),
        Some(_) if reason.trim().is_empty() => Err("lifting a hold needs a reason".into()),
        Some(h) => Ok(h),
    }
}

/// The audit details of adding and lifting a hold.
pub(crate) fn add_detail(batch: &str, scope: HoldScope, reason: &str) -> String {
    serde_json::json!({ "batch": batch, "scope": scope.as_str(), "reason": reason }).to_string()
}

pub(crate) fn lift_detail(hold: &Hold, reason: &str) -> String {
    serde_json::json!({ "batch": hold.batch, "reason": reason }).to_string()
}

fn hold_from_row(r: &Row<'_>) -> rusqlite::Result<Hold> {
    Ok(HoldRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        batch: r.get(2)?,
        scope: r.get(3)?,
        reason: r.get(4)?,
        added_by: r.get(5)?,
        added_at: r.get(6)?,
        lifted_by: r.get(7)?,
        lifted_at: r.get(8)?,
        lift_reason: r.get(9)?,
    }
    .into_hold())
}

/// The active holds on one batch (either backend).
pub(crate) fn active_holds(sql: &mut dyn Sql, batch_id: i64) -> StoreResult<Vec<Hold>> {
    let query = format!(
        "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id
          WHERE h.batch_id = ? AND h.lifted_at IS NULL ORDER BY h.id"
    );
    sql.all(&query, &[&batch_id], |r| {
        Ok(HoldRow {
            id: r.int_at(0)?,
            batch_id: r.int_at(1)?,
            batch: r.text_at(2)?,
            scope: r.text_at(3)?,
            reason: r.text_at(4)?,
            added_by: r.text_at(5)?,
            added_at: r.text_at(6)?,
            lifted_by: r.text(7)?,
            lifted_at: r.text(8)?,
            lift_reason: r.text(9)?,
        }
        .into_hold())
    })
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
        let batch_id = match batch_to_hold(batch, batch_id, reason) {
            Ok(batch_id) => batch_id,
            Err(message) => return Err(refuse(tx, who, "hold-add", &object, message)),
        };
        tx.execute(
            "INSERT INTO holds (batch_id, scope, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            params![batch_id, scope.as_str(), reason, who, now_utc()],
        )?;
        let id = tx.last_insert_rowid();
        let detail = add_detail(batch, scope, reason);
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
        let hold = match hold_to_lift(id, find_hold(&tx, id)?, reason) {
            Ok(hold) => hold,
            Err(message) => return Err(refuse(tx, who, "hold-lift", &object, message)),
        };
        tx.execute(
            "UPDATE holds SET lifted_by = ?, lifted_at = ?, lift_reason = ? WHERE id = ?",
            params![who, now_utc(), reason, id],
        )?;
        let detail = lift_detail(&hold, reason);
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
        active_holds(&mut Lite(&self.conn), batch_id)
    }
}

fn hold_by_id(conn: &Connection, id: i64) -> StoreResult<Hold> {
    find_hold(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("hold {id}")))
}

fn find_hold(conn: &Connection, id: i64) -> StoreResult<Option<Hold>> {
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds h JOIN batches b ON b.id = h.batch_id WHERE h.id = ?"
    );
    Ok(conn.query_row(&sql, [id], hold_from_row).optional()?)
}
