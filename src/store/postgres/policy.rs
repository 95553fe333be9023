//! The release policy on the server: the same keys, validation and audit as on SQLite
//! (`store::policy`). Supervisors are the server's: the registered people who are members of
//! `matchgate_supervisor`, so `policy set supervisors` is refused here.

use postgres::GenericClient;

use super::PgStore;
use super::audit::{append_audit, refuse};
use crate::domain::policy::Policy;
use crate::domain::roles::Act;
use crate::store::audit::DONE;
use crate::store::policy::{change_policy, policy_from_rows, supervisors_are_a_role};
use crate::store::{StoreResult, now_utc};

/// The advisory lock that serialises policy changes ("MGPO" "LICY"), so the old value an
/// audit entry records is the one the change replaced.
const POLICY_LOCK: i64 = 0x4D47_504F_4C49_4359;

/// The policy as stored, with the supervisors the server's roles make.
fn load_policy(client: &mut impl GenericClient) -> StoreResult<Policy> {
    let rows: Vec<(String, String)> = client
        .query("SELECT key, value FROM policy ORDER BY key", &[])?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut policy = policy_from_rows(&rows)?;
    // Ordered bytewise, as SQLite orders the same names.
    policy.supervisors = client
        .query(
            "SELECT u.name FROM users u JOIN pg_roles r ON r.rolname = u.name
              WHERE u.disabled_at IS NULL
                AND pg_has_role(r.oid, 'matchgate_supervisor', 'MEMBER')
              ORDER BY u.name COLLATE \"C\"",
            &[],
        )?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    Ok(policy)
}

impl PgStore {
    /// The release policy every reviewer shares.
    pub fn policy(&mut self) -> StoreResult<Policy> {
        load_policy(&mut self.client)
    }

    /// Sets one policy key as the connected role (an admin), validated and recorded in the
    /// audit log with the old and new values; refusals are audited too.
    pub fn set_policy(&mut self, key: &str, value: &str) -> StoreResult<Policy> {
        let refusal = self.role_refusal(Act::ChangePolicy)?;
        let me = self.user.clone();
        let object = format!("policy:{key}");
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(
                tx,
                &me,
                Act::ChangePolicy.as_str(),
                &object,
                message,
            ));
        }
        if key == "supervisors" {
            let message = supervisors_are_a_role("on a PostgreSQL server people are its roles");
            return Err(refuse(tx, &me, "policy-set", &object, message));
        }
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&POLICY_LOCK])?;
        let change = match change_policy(load_policy(&mut tx)?, key, value) {
            Ok(change) => change,
            Err(message) => return Err(refuse(tx, &me, "policy-set", &object, message)),
        };
        tx.execute(
            "INSERT INTO policy (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            &[&key, &change.new, &me, &now_utc()],
        )?;
        append_audit(
            &mut tx,
            &me,
            "policy-set",
            &object,
            DONE,
            &change.detail,
            None,
        )?;
        tx.commit()?;
        Ok(change.policy)
    }
}
