//! People on a server are its roles: `user add` makes (or finds) a login role and grants it the
//! matchgate role; the `users` table keeps who added them and when, as on SQLite. A person's
//! role is what the server says they are a member of, never what the program is told.

use postgres::{GenericClient, Transaction};

use super::PgStore;
use super::audit::{append_audit, refuse};
use super::roles::{disable_sql, grant_sql, server_role};
use crate::domain::roles::{Act, Role, User, refusal, valid_name};
use crate::domain::text_safety::escape_for_display;
use crate::store::audit::DONE;
use crate::store::{StoreError, StoreResult, now_utc};

/// What `user add` does with the server's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChanges {
    /// Run the statements (the connecting role has CREATEROLE).
    Run,
    /// Only return them, for a DBA to run; record nothing.
    Print,
}

impl PgStore {
    /// Everyone registered, by name, with the role the server gives them now.
    pub fn users(&mut self) -> StoreResult<Vec<User>> {
        let rows = self.client.query(
            "SELECT name, disabled_at, created_by, created_at FROM users ORDER BY name",
            &[],
        )?;
        let mut users = Vec::new();
        for r in rows {
            let name: String = r.get(0);
            let role = server_role_of(&mut self.client, &name)?.unwrap_or(Role::Reviewer);
            users.push(User {
                role,
                name,
                disabled_at: r.get(1),
                created_by: r.get(2),
                created_at: r.get(3),
            });
        }
        Ok(users)
    }

    /// The matchgate role the connected person holds on the server (None: none).
    pub fn own_role(&mut self) -> StoreResult<Option<Role>> {
        let me = self.user.clone();
        server_role_of(&mut self.client, &me)
    }

    /// Why the connected person may not do `act` (None: they may). The database's owner (who
    /// ran `init`) may manage people before anyone else is registered.
    pub fn role_refusal(&mut self, act: Act) -> StoreResult<Option<String>> {
        let me = self.user.clone();
        let role = server_role_of(&mut self.client, &me)?;
        if act == Act::ManageUsers && role.is_none() && self.owns_schema()? {
            return Ok(None);
        }
        let user = role.map(|role| User {
            name: me.clone(),
            role,
            disabled_at: None,
            created_by: String::new(),
            created_at: String::new(),
        });
        Ok(refusal(true, &me, user.as_ref(), act))
    }

    fn owns_schema(&mut self) -> StoreResult<bool> {
        Ok(self
            .client
            .query_one(
                "SELECT pg_has_role(current_user, nspowner, 'MEMBER')
                   FROM pg_namespace WHERE nspname = 'matchgate'",
                &[],
            )?
            .get(0))
    }

    /// Registers `name` with `role`: creates their login role if the server has none by that
    /// name (no password: the DBA sets one, or the server authenticates them otherwise), grants
    /// the matchgate role, records and audits it. With `RoleChanges::Print`, returns the role
    /// statements a DBA would run and changes nothing.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        changes: RoleChanges,
    ) -> StoreResult<Vec<String>> {
        let exists = role_exists(&mut self.client, name)?;
        let statements = grant_sql(name, role, !exists);
        if changes == RoleChanges::Print {
            return Ok(statements);
        }
        let refusal = self.role_refusal(Act::ManageUsers)?;
        let me = self.user.clone();
        let object = format!("user:{name}");
        let tx = self.client.transaction()?;
        if let Err(problem) = valid_name(name) {
            return Err(refuse(tx, &me, "user-add", &object, problem));
        }
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, "user-add", &object, message));
        }
        let mut tx = tx;
        let registered = tx
            .query_opt("SELECT 1 FROM users WHERE name = $1", &[&name])?
            .is_some();
        if registered {
            let message = format!(
                "{} is already registered; change their role with `matchgate user role`",
                escape_for_display(name)
            );
            return Err(refuse(tx, &me, "user-add", &object, message));
        }
        run_role_statements(&mut tx, &statements)?;
        let now = now_utc();
        tx.execute(
            "INSERT INTO users (name, role, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4)",
            &[&name, &role.as_str(), &me, &now],
        )?;
        let detail = serde_json::json!({ "role": role.as_str(), "server_role": server_role(role) });
        append_audit(
            &mut tx,
            &me,
            "user-add",
            &object,
            DONE,
            &detail.to_string(),
            None,
        )?;
        tx.commit()?;
        Ok(statements)
    }

    /// Gives a registered person a new role on the server (and lets them log in again).
    pub fn set_user_role(&mut self, name: &str, role: Role) -> StoreResult<Vec<String>> {
        let mut statements = vec![format!(
            "ALTER ROLE {} LOGIN",
            super::roles::quote_ident(name)
        )];
        statements.extend(grant_sql(name, role, false));
        self.change_user(name, "user-role", role.as_str(), &statements)
    }

    /// Stops a person: no more logins, no matchgate privileges; their history stays.
    pub fn disable_user(&mut self, name: &str) -> StoreResult<Vec<String>> {
        self.change_user(name, "user-disable", "disabled", &disable_sql(name))
    }

    fn change_user(
        &mut self,
        name: &str,
        action: &str,
        to: &str,
        statements: &[String],
    ) -> StoreResult<Vec<String>> {
        let refusal = self.role_refusal(Act::ManageUsers)?;
        let me = self.user.clone();
        let object = format!("user:{name}");
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, action, &object, message));
        }
        if tx
            .query_opt("SELECT 1 FROM users WHERE name = $1", &[&name])?
            .is_none()
        {
            let message = format!(
                "{} is not registered; add them with `matchgate user add`",
                escape_for_display(name)
            );
            return Err(refuse(tx, &me, action, &object, message));
        }
        // Nobody may lock the database out of its own administration (asked before the role
        // changes: one's own revoked membership would hide the tables from the rest of it).
        let other_admins: i64 = tx
            .query_one(
                "SELECT count(*) FROM users u JOIN pg_roles r ON r.rolname = u.name
                  WHERE u.disabled_at IS NULL AND u.name <> $1
                    AND pg_has_role(r.oid, 'matchgate_admin', 'MEMBER')",
                &[&name],
            )?
            .get(0);
        let is_admin = matches!(server_role_of(&mut tx, name)?, Some(Role::Admin));
        if is_admin && other_admins == 0 && to != Role::Admin.as_str() {
            let message =
                "that would leave no enabled admin; make someone else an admin first".to_string();
            return Err(refuse(tx, &me, action, &object, message));
        }
        run_role_statements(&mut tx, statements)?;
        let disabled = (action == "user-disable").then(now_utc);
        tx.execute(
            "UPDATE users SET role = COALESCE($2, role), disabled_at = $3, updated_at = $4
              WHERE name = $1",
            &[
                &name,
                &(action == "user-role").then_some(to),
                &disabled,
                &now_utc(),
            ],
        )?;
        let detail = serde_json::json!({ "to": to });
        append_audit(
            &mut tx,
            &me,
            action,
            &object,
            DONE,
            &detail.to_string(),
            None,
        )?;
        tx.commit()?;
        Ok(statements.to_vec())
    }
}

/// Role statements run in the caller's transaction (role changes are transactional on
/// PostgreSQL: a refusal later undoes them).
fn run_role_statements(tx: &mut Transaction<'_>, statements: &[String]) -> StoreResult<()> {
    for sql in statements {
        tx.batch_execute(sql).map_err(|e| {
            let message = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |db| db.message().to_string());
            StoreError::Refused(format!(
                "the server refused `{sql}`: {message}; the role running this needs CREATEROLE (or run `matchgate user add --print-sql` and give the statements to a DBA); nothing was changed"
            ))
        })?;
    }
    Ok(())
}

/// The highest matchgate role `name` is a member of on the server (None: none, or no such role).
fn server_role_of(client: &mut impl GenericClient, name: &str) -> StoreResult<Option<Role>> {
    let row = client.query_one(
        "SELECT pg_has_role(r.oid, 'matchgate_admin', 'MEMBER'),
                pg_has_role(r.oid, 'matchgate_supervisor', 'MEMBER'),
                pg_has_role(r.oid, 'matchgate_reviewer', 'MEMBER')
           FROM pg_roles r WHERE r.rolname = $1
          UNION ALL SELECT false, false, false LIMIT 1",
        &[&name],
    )?;
    Ok(match (row.get(0), row.get(1), row.get(2)) {
        (true, _, _) => Some(Role::Admin),
        (_, true, _) => Some(Role::Supervisor),
        (_, _, true) => Some(Role::Reviewer),
        _ => None,
    })
}

fn role_exists(client: &mut postgres::Client, name: &str) -> StoreResult<bool> {
    Ok(client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])?
        .is_some())
}
