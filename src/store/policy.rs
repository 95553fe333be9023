//! Reading and changing the release policy (audited).

use rusqlite::{Connection, params};

use super::audit::{DONE, append_audit, refuse};
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::Policy;
use crate::domain::roles::Act;

/// The policy as stored (defaults for keys never set). A stored value that no longer parses is
/// an error, never a silent fallback to a looser default.
pub(crate) fn load_policy(conn: &Connection) -> StoreResult<Policy> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM policy ORDER BY key")?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut policy = Policy::from_entries(rows.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| StoreError::Refused(format!("the stored policy is unreadable: {e}")))?;
    // Once people are registered, who supervises is their role, not the old policy list.
    if super::users::registered(conn)? {
        policy.supervisors = super::users::supervisor_names(conn)?;
    }
    Ok(policy)
}

impl Store {
    /// The release policy every reviewer shares.
    pub fn policy(&self) -> StoreResult<Policy> {
        load_policy(&self.conn)
    }

    /// Sets one policy key (validated), recorded in the audit log with the old and new values.
    /// A bad key or value is refused, and the refusal is audited too.
    pub fn set_policy(&mut self, key: &str, value: &str, who: &str) -> StoreResult<Policy> {
        let tx = self.write()?;
        let object = format!("policy:{key}");
        let tx = super::users::require(tx, who, Act::ChangePolicy, &object)?;
        if key == "supervisors" && super::users::registered(&tx)? {
            return Err(refuse(
                tx,
                who,
                "policy-set",
                &object,
                "this database has registered users, so supervisors are people with the supervisor role; use `matchgate user role NAME supervisor`".into(),
            ));
        }
        let mut policy = load_policy(&tx)?;
        let old = policy.get(key);
        if let Err(e) = policy.set(key, value) {
            return Err(refuse(tx, who, "policy-set", &object, e.to_string()));
        }
        let new = policy.get(key).unwrap_or_default();
        tx.prepare_cached(
            "INSERT INTO policy (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )?
        .execute(params![key, new, who, now_utc()])?;
        let detail = serde_json::json!({ "key": key, "old": old, "new": new }).to_string();
        append_audit(&tx, who, "policy-set", &object, DONE, &detail, None)?;
        tx.commit()?;
        Ok(policy)
    }
}
