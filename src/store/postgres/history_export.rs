//! `matchgate export --decisions` on the server: the whole decision history streamed from one
//! query (one snapshot) into the same file, row for row, as on SQLite (`store::export`), by the
//! connected role when it may (a supervisor), recorded in the audit log.

use std::path::Path;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use serde_json::Value;

use super::PgStore;
use super::audit::{append_audit, refuse};
use crate::domain::roles::Act;
use crate::store::audit::DONE;
use crate::store::export::{DECISION_COLUMNS, history_detail, never_overwrites};
use crate::store::export_file::{TempExport, publish};
use crate::store::permissions::Access;
use crate::store::{ExportFormat, StoreError, StoreResult};

impl PgStore {
    /// Writes the whole decision history (every event) to `out`; returns the row count. The
    /// export is recorded in the audit log; a role that may not export history is refused, and
    /// the refusal recorded.
    pub fn export_decisions(&mut self, out: &Path, format: ExportFormat) -> StoreResult<usize> {
        let refusal = self.role_refusal(Act::ExportHistory)?;
        let me = self.user.clone();
        let action = Act::ExportHistory.as_str();
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, action, "decisions", message));
        }
        if out.exists() {
            return Err(refuse(tx, &me, action, "decisions", never_overwrites(out)));
        }
        let mut file = TempExport::create(out, format, &DECISION_COLUMNS)?;
        let mut count = 0usize;
        let params: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = tx.query_raw(
            "SELECT d.id, d.match_id, r.source_id, b.name, d.group_id, d.reviewer, d.action,
                    d.status_before, d.status_after, d.reason_code, d.note, d.decided_at,
                    d.viewed_ms, d.undoes, d.session
               FROM decisions d JOIN matches m ON m.id = d.match_id
               JOIN requests r ON r.id = m.request_id JOIN batches b ON b.id = m.batch_id
              ORDER BY d.id",
            params,
        )?;
        let mut values = Vec::with_capacity(DECISION_COLUMNS.len());
        while let Some(r) = rows.next()? {
            values.clear();
            for (i, column) in r.columns().iter().enumerate() {
                values.push(json_value(&r, i, column.type_())?);
            }
            file.row(&values)?;
            count += 1;
        }
        drop(rows);
        let tmp = file.synced()?;
        let detail = history_detail(out, format, count);
        append_audit(&mut tx, &me, action, "decisions", DONE, &detail, None)?;
        tx.commit()?;
        publish(tmp, out)?;
        Ok(count)
    }

    /// Who besides the owner may read files this program writes (policy `team_group`, as on
    /// SQLite; owner only when it is unset or unknown on this host).
    pub fn file_access(&mut self) -> StoreResult<Access> {
        let policy = self.policy()?;
        Ok(Access::from_team_group(policy.team_group.as_deref()).unwrap_or(Access::Owner))
    }
}

/// A history column as the file holds it: integers as numbers, text as strings, NULL as empty.
fn json_value(r: &postgres::Row, i: usize, ty: &Type) -> StoreResult<Value> {
    let value = match *ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::from),
        Type::TEXT => r.try_get::<_, Option<String>>(i)?.map(Value::from),
        _ => {
            return Err(StoreError::Refused(format!(
                "the decision history's column {} has type {ty}, which the export does not know",
                DECISION_COLUMNS.get(i).unwrap_or(&"?")
            )));
        }
    };
    Ok(value.unwrap_or(Value::Null))
}
