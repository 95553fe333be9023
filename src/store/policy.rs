//! Reading and changing the release policy (audited).

use rusqlite::{Connection, params};

use super::audit::{DONE, append_audit, refuse};
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::{IdentityMode, Policy};
use crate::domain::roles::Act;

/// The policy as stored (defaults for keys never set). A stored value that no longer parses is
/// an error, never a silent fallback to a looser default.
pub(crate) fn load_policy(conn: &Connection) -> StoreResult<Policy> {
    load_policy_in(&mut super::sql_sqlite::Lite(conn))
}

/// [`load_policy`] on either backend (on a server, `users` mirrors the server's roles: the
/// user commands change both in one transaction).
pub(crate) fn load_policy_in(sql: &mut dyn super::sql::Sql) -> StoreResult<Policy> {
    use super::sql::RowExt;
    let rows = sql.all("SELECT key, value FROM policy ORDER BY key", &[], |r| {
        Ok((r.text_at(0)?, r.text_at(1)?))
    })?;
    let mut policy = policy_from_rows(&rows)?;
    // Once people are registered, who supervises is their role, not the old policy list.
    if super::users::registered_in(sql)? {
        policy.supervisors = super::users::supervisor_names_in(sql)?;
    }
    Ok(policy)
}

/// The policy from its stored rows, over the defaults (both backends).
pub(crate) fn policy_from_rows(rows: &[(String, String)]) -> StoreResult<Policy> {
    Policy::from_entries(rows.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| StoreError::Refused(format!("the stored policy is unreadable: {e}")))
}

/// Why `policy set supervisors` is refused once supervisors are a role; `because` says why
/// they are (registered users, or a server's roles).
pub(crate) fn supervisors_are_a_role(because: &str) -> String {
    format!(
        "{because}, so supervisors are people with the supervisor role; use `matchgate user role NAME supervisor`"
    )
}

/// One validated `policy set`: the policy after it, the value to store and the audit detail
/// (old and new values).
pub(crate) struct PolicyChange {
    pub policy: Policy,
    pub new: String,
    pub detail: String,
}

/// Applies `key = value` to `policy` (both backends); the domain's refusal when the key or
/// value is bad.
pub(crate) fn change_policy(
    mut policy: Policy,
    key: &str,
    value: &str,
) -> Result<PolicyChange, String> {
    let old = policy.get(key);
    policy.set(key, value).map_err(|e| e.to_string())?;
    let new = policy.get(key).unwrap_or_default();
    let detail = serde_json::json!({ "key": key, "old": old, "new": new }).to_string();
    Ok(PolicyChange {
        policy,
        new,
        detail,
    })
}

impl Store {
    /// Checks that `who` may do `act` before a command starts: the identity policy (under
    /// `login`, the name must be the process's login name) and the role. Refusals are audited.
    pub fn authorize(&mut self, who: &str, login: Option<&str>, act: Act) -> StoreResult<()> {
        let tx = self.write()?;
        let policy = load_policy(&tx)?;
        if policy.identity == IdentityMode::Login && login != Some(who) {
            let message = format!(
                "policy identity = login: you are logged in as {}, so you cannot work as {}; drop --reviewer/--by or log in as that person",
                crate::domain::text_safety::escape_for_display(login.unwrap_or("(unknown)")),
                crate::domain::text_safety::escape_for_display(who),
            );
            return Err(refuse(tx, who, act.as_str(), "identity", message));
        }
        let tx = super::users::require(tx, who, act, "session")?;
        tx.commit()?;
        Ok(())
    }

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
            let message = supervisors_are_a_role("this database has registered users");
            return Err(refuse(tx, who, "policy-set", &object, message));
        }
        let change = match change_policy(load_policy(&tx)?, key, value) {
            Ok(change) => change,
            Err(message) => return Err(refuse(tx, who, "policy-set", &object, message)),
        };
        tx.prepare_cached(
            "INSERT INTO policy (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )?
        .execute(params![key, change.new, who, now_utc()])?;
        append_audit(&tx, who, "policy-set", &object, DONE, &change.detail, None)?;
        tx.commit()?;
        Ok(change.policy)
    }
}
