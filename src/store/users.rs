//! Registered people and their roles; the role check every gated act makes inside its own
//! transaction, with refusals audited.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::audit::{DONE, append_audit, refuse};
use super::sql::{RowExt, Sql};
use super::sql_sqlite::Lite;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::roles::{Act, Role, User, refusal, valid_name};

/// What actor name a policy-set change of users is recorded under when it comes from the
/// migration of the old policy `supervisors` list.
const FROM_POLICY_LIST: &str = "policy supervisors list";

/// Whether anyone is registered (else the database is in single-user mode).
pub(crate) fn registered(conn: &Connection) -> StoreResult<bool> {
    registered_in(&mut Lite(conn))
}

pub(crate) fn registered_in(sql: &mut dyn Sql) -> StoreResult<bool> {
    sql.one("SELECT EXISTS (SELECT 1 FROM users)", &[], |r| r.flag_at(0))
}

pub(crate) fn find_user(conn: &Connection, name: &str) -> StoreResult<Option<User>> {
    find_user_in(&mut Lite(conn), name)
}

fn find_user_in(sql: &mut dyn Sql, name: &str) -> StoreResult<Option<User>> {
    sql.opt(
        "SELECT name, role, disabled_at, created_by, created_at FROM users WHERE name = ?",
        &[&name],
        user_from,
    )
}

/// The enabled people who count as supervisors (supervisors and admins).
pub(crate) fn supervisor_names_in(sql: &mut dyn Sql) -> StoreResult<Vec<String>> {
    sql.all(
        "SELECT name FROM users WHERE disabled_at IS NULL AND role IN ('supervisor', 'admin')
          ORDER BY name",
        &[],
        |r| r.text_at(0),
    )
}

/// Why `who` may not do `act` now (None: allowed, and always in single-user mode).
pub(crate) fn role_refusal_in(
    sql: &mut dyn Sql,
    who: &str,
    act: Act,
) -> StoreResult<Option<String>> {
    if !registered_in(sql)? {
        return Ok(None);
    }
    let user = find_user_in(sql, who)?;
    Ok(refusal(true, who, user.as_ref(), act))
}

/// Checking others' work needs a supervisor: once people are registered, the role (see
/// [`role_refusal_in`]); on a database without users, a name policy `supervisors` lists, as
/// overrides always have.
pub(crate) fn supervisor_refusal_in(sql: &mut dyn Sql, who: &str) -> StoreResult<Option<String>> {
    if let Some(message) = role_refusal_in(sql, who, Act::Supervise)? {
        return Ok(Some(message));
    }
    if registered_in(sql)? || super::policy::load_policy_in(sql)?.is_supervisor(who) {
        return Ok(None);
    }
    Ok(Some(format!(
        "{} is not a supervisor: on a database without registered users, supervisors are those listed in policy `supervisors` (matchgate policy set supervisors NAME,...), or register people with `matchgate user add`",
        crate::domain::text_safety::escape_for_display(who)
    )))
}

/// Why `who` may not do `act` (None: they may), as every gated act asks it.
pub(crate) fn act_refusal_in(
    sql: &mut dyn Sql,
    who: &str,
    act: Act,
) -> StoreResult<Option<String>> {
    match act {
        Act::Supervise => supervisor_refusal_in(sql, who),
        _ => role_refusal_in(sql, who, act),
    }
}

/// Refuses (audited, committing only the audit entry) unless `who` may do `act`; hands the
/// transaction back when they may.
pub(crate) fn require<'c>(
    tx: Transaction<'c>,
    who: &str,
    act: Act,
    object: &str,
) -> StoreResult<Transaction<'c>> {
    match act_refusal_in(&mut Lite(&tx), who, act)? {
        None => Ok(tx),
        Some(message) => Err(refuse(tx, who, act.as_str(), object, message)),
    }
}

fn user_from(r: &dyn super::sql::Row) -> StoreResult<User> {
    let role = r
        .text_at(1)?
        .parse::<Role>()
        .map_err(|e| StoreError::Refused(format!("corrupt users table: {e}")))?;
    Ok(User {
        name: r.text_at(0)?,
        role,
        disabled_at: r.text(2)?,
        created_by: r.text_at(3)?,
        created_at: r.text_at(4)?,
    })
}

impl Store {
    /// Everyone registered, by name.
    pub fn users(&self) -> StoreResult<Vec<User>> {
        let sql: &mut dyn Sql = &mut Lite(&self.conn);
        sql.all(
            "SELECT name, role, disabled_at, created_by, created_at FROM users ORDER BY name",
            &[],
            user_from,
        )
    }

    /// Registers a person. The first person registered must be an admin (the database then
    /// leaves single-user mode, and the old policy `supervisors` list becomes supervisor users);
    /// after that only an admin may add people.
    pub fn add_user(&mut self, name: &str, role: Role, by: &str) -> StoreResult<User> {
        let tx = self.write()?;
        let object = format!("user:{name}");
        if let Err(problem) = valid_name(name) {
            return Err(refuse(tx, by, "user-add", &object, problem));
        }
        let first = !registered(&tx)?;
        if first && role != Role::Admin {
            return Err(refuse(
                tx,
                by,
                "user-add",
                &object,
                "the first user of a database must be an admin (so someone can manage the others); add one with --role admin".into(),
            ));
        }
        let tx = require(tx, by, Act::ManageUsers, &object)?;
        if find_user(&tx, name)?.is_some() {
            return Err(refuse(
                tx,
                by,
                "user-add",
                &object,
                format!(
                    "{} is already registered; change their role with `matchgate user role`",
                    crate::domain::text_safety::escape_for_display(name)
                ),
            ));
        }
        // Policy's supervisors list predates roles: carry it forward once, audited (read before
        // anyone is registered, after which policy's list comes from the roles).
        let listed = if first {
            listed_supervisors(&tx)?
        } else {
            Vec::new()
        };
        insert_user(&tx, name, role, by)?;
        for supervisor in listed.iter().filter(|s| s.as_str() != name) {
            insert_user(&tx, supervisor, Role::Supervisor, FROM_POLICY_LIST)?;
        }
        tx.commit()?;
        find_user(&self.conn, name)?.ok_or_else(|| StoreError::NotFound(format!("user {name}")))
    }

    /// Disables a person (they keep their history; they may do nothing more).
    pub fn disable_user(&mut self, name: &str, by: &str) -> StoreResult<User> {
        self.change_user(name, by, "user-disable", |tx, user| {
            tx.execute(
                "UPDATE users SET disabled_at = ?1, updated_at = ?1 WHERE name = ?2",
                params![now_utc(), user.name],
            )?;
            Ok(serde_json::json!({ "disabled": true, "role": user.role.as_str() }))
        })
    }

    /// Gives a person a new role (and re-enables them if they were disabled).
    pub fn set_user_role(&mut self, name: &str, role: Role, by: &str) -> StoreResult<User> {
        self.change_user(name, by, "user-role", |tx, user| {
            tx.execute(
                "UPDATE users SET role = ?1, disabled_at = NULL, updated_at = ?2 WHERE name = ?3",
                params![role.as_str(), now_utc(), user.name],
            )?;
            Ok(serde_json::json!({ "old": user.role.as_str(), "new": role.as_str() }))
        })
    }

    fn change_user(
        &mut self,
        name: &str,
        by: &str,
        action: &str,
        change: impl FnOnce(&Transaction<'_>, &User) -> StoreResult<serde_json::Value>,
    ) -> StoreResult<User> {
        let tx = self.write()?;
        let object = format!("user:{name}");
        let tx = require(tx, by, Act::ManageUsers, &object)?;
        let Some(user) = find_user(&tx, name)? else {
            return Err(refuse(
                tx,
                by,
                action,
                &object,
                format!(
                    "{} is not registered; add them with `matchgate user add`",
                    crate::domain::text_safety::escape_for_display(name)
                ),
            ));
        };
        let detail = change(&tx, &user)?;
        // Nobody may lock the database out of its own administration.
        let admins: i64 = tx.query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        if admins == 0 {
            drop(tx);
            let tx = self.write()?;
            return Err(refuse(
                tx,
                by,
                action,
                &object,
                "that would leave no enabled admin; make someone else an admin first".into(),
            ));
        }
        append_audit(&tx, by, action, &object, DONE, &detail.to_string(), None)?;
        tx.commit()?;
        find_user(&self.conn, name)?.ok_or_else(|| StoreError::NotFound(format!("user {name}")))
    }
}

fn insert_user(tx: &Transaction<'_>, name: &str, role: Role, by: &str) -> StoreResult<()> {
    let now = now_utc();
    tx.execute(
        "INSERT INTO users (name, role, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        params![name, role.as_str(), by, now, now],
    )?;
    let detail = serde_json::json!({ "role": role.as_str() }).to_string();
    append_audit(
        tx,
        by,
        "user-add",
        &format!("user:{name}"),
        DONE,
        &detail,
        None,
    )?;
    Ok(())
}

/// The old policy `supervisors` list as stored (read directly: while nobody is registered it is
/// what policy says; afterwards policy's list comes from the roles).
fn listed_supervisors(tx: &Transaction<'_>) -> StoreResult<Vec<String>> {
    let stored: Option<String> = tx
        .query_row(
            "SELECT value FROM policy WHERE key = 'supervisors'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let mut policy = crate::domain::policy::Policy::default();
    if let Some(value) = stored {
        policy
            .set("supervisors", &value)
            .map_err(|e| StoreError::Refused(format!("the stored policy is unreadable: {e}")))?;
    }
    Ok(policy.supervisors)
}
