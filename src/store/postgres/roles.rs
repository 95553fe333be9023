//! The server's roles and what each may do. The promises are the server's, not only the
//! program's: every privilege below comes from the domain's rule of which role an act needs
//! (`Act::needs`), history tables get no UPDATE or DELETE for anyone, and row-level security
//! lets a role write rows only in its own name.

use crate::domain::roles::{Act, Role};

/// The server role (NOLOGIN, a group) whose members have `role`'s privileges. Each includes the
/// one below it: admin ⊇ supervisor ⊇ reviewer, as `Role::allows` says.
pub fn server_role(role: Role) -> &'static str {
    match role {
        Role::Reviewer => "matchgate_reviewer",
        Role::Supervisor => "matchgate_supervisor",
        Role::Admin => "matchgate_admin",
    }
}

const ROLES: [Role; 3] = [Role::Reviewer, Role::Supervisor, Role::Admin];

const ACTS: [Act; 9] = [
    Act::Review,
    Act::Supervise,
    Act::ExportHistory,
    Act::Hold,
    Act::Override,
    Act::Release,
    Act::Recall,
    Act::ChangePolicy,
    Act::ManageUsers,
];

/// The table privileges an act needs beyond reading. None of them is UPDATE or DELETE on
/// `decisions`, `audit`, `release_items` or `recalls` (append-only: a test holds every role to it).
fn privileges(act: Act) -> &'static [&'static str] {
    match act {
        // A decision (and a supervisor's check, which is a decision too) appends history and
        // audit, moves the match and its request in the queue and settles second reviews.
        Act::Review | Act::Supervise => &[
            "INSERT ON decisions",
            "INSERT ON audit",
            "INSERT, UPDATE, DELETE ON claims",
            "UPDATE (status, updated_at) ON matches",
            "UPDATE (flags, queue_rank) ON requests",
            "INSERT ON queue_moves",
            "INSERT, UPDATE (done_by) ON second_reviews",
            "INSERT ON override_requests",
        ],
        Act::ExportHistory => &[],
        Act::Hold => &["INSERT, UPDATE (lifted_by, lifted_at, lift_reason) ON holds"],
        Act::Override => &["INSERT ON overrides"],
        // An export's release row is counted when it ends, and removed when nothing went out.
        Act::Release => &[
            "INSERT, UPDATE (item_count), DELETE ON releases",
            "INSERT ON release_items",
            "UPDATE (status, updated_at) ON matches",
        ],
        Act::Recall => &["INSERT ON recalls"],
        Act::ChangePolicy => &["INSERT, UPDATE, DELETE ON policy"],
        Act::ManageUsers => &["INSERT, UPDATE ON users"],
    }
}

/// Loading records is an admin's work (no act of its own: the program has always let whoever
/// holds the file import). Cleaning up a failed import removes its unpublished rows.
const IMPORT: &[&str] = &[
    "INSERT, UPDATE, DELETE ON batches, requests, candidates, matches, request_search",
    "INSERT, UPDATE ON imports",
    "INSERT, DELETE ON import_staged",
];

/// Row-level security: who may write which rows. Everyone reads everything (the screens show
/// who decided what); the owner who ran `init` is exempt (it copies history in `migrate`).
const ROW_SECURITY: &str = r#"
ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON decisions FOR SELECT USING (true);
CREATE POLICY decides_as_self ON decisions FOR INSERT WITH CHECK (reviewer = current_user);

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON audit FOR SELECT USING (true);
CREATE POLICY acts_as_self ON audit FOR INSERT WITH CHECK (actor = current_user);

-- A lease is one's own; an expired one may be taken over or cleared by anyone.
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON claims FOR SELECT USING (true);
CREATE POLICY claims_as_self ON claims FOR INSERT WITH CHECK (holder = current_user);
CREATE POLICY renews_own_or_takes_expired ON claims FOR UPDATE
    USING (holder = current_user
           OR expires_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
    WITH CHECK (holder = current_user);
CREATE POLICY ends_own_or_expired ON claims FOR DELETE
    USING (holder = current_user
           OR expires_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

ALTER TABLE holds ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON holds FOR SELECT USING (true);
CREATE POLICY holds_as_self ON holds FOR INSERT WITH CHECK (added_by = current_user);
CREATE POLICY lifts_as_self ON holds FOR UPDATE USING (true) WITH CHECK (lifted_by = current_user);

ALTER TABLE overrides ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON overrides FOR SELECT USING (true);
CREATE POLICY overrides_as_self ON overrides FOR INSERT WITH CHECK (supervisor = current_user);

ALTER TABLE releases ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON releases FOR SELECT USING (true);
CREATE POLICY releases_as_self ON releases FOR INSERT WITH CHECK (released_by = current_user);
CREATE POLICY counts_own ON releases FOR UPDATE
    USING (released_by = current_user) WITH CHECK (released_by = current_user);
CREATE POLICY removes_own_empty ON releases FOR DELETE
    USING (released_by = current_user AND item_count = 0);

ALTER TABLE recalls ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON recalls FOR SELECT USING (true);
CREATE POLICY recalls_as_self ON recalls FOR INSERT WITH CHECK (recalled_by = current_user);

ALTER TABLE policy ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON policy FOR SELECT USING (true);
CREATE POLICY sets_as_self ON policy FOR INSERT WITH CHECK (updated_by = current_user);
CREATE POLICY changes_as_self ON policy FOR UPDATE USING (true) WITH CHECK (updated_by = current_user);
CREATE POLICY clears_any ON policy FOR DELETE USING (true);
"#;

/// The roles (created when the server has none yet: roles are the whole server's, and another
/// database may already have them), their inclusion, grants and row security, in the schema
/// creation's transaction.
pub fn setup_sql() -> String {
    let mut sql = String::from("SET LOCAL search_path = matchgate;\n");
    for role in ROLES {
        let name = server_role(role);
        sql.push_str(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') \
             THEN CREATE ROLE {name} NOLOGIN; END IF; END $$;\n"
        ));
    }
    sql.push_str("GRANT matchgate_reviewer TO matchgate_supervisor;\n");
    sql.push_str("GRANT matchgate_supervisor TO matchgate_admin;\n");
    sql.push_str("REVOKE ALL ON SCHEMA matchgate FROM PUBLIC;\n");
    sql.push_str("GRANT USAGE ON SCHEMA matchgate TO matchgate_reviewer;\n");
    sql.push_str("GRANT SELECT ON ALL TABLES IN SCHEMA matchgate TO matchgate_reviewer;\n");
    sql.push_str("GRANT USAGE ON ALL SEQUENCES IN SCHEMA matchgate TO matchgate_reviewer;\n");
    for act in ACTS {
        let to = server_role(act.needs());
        for privilege in privileges(act) {
            sql.push_str(&format!("GRANT {privilege} TO {to};\n"));
        }
    }
    for privilege in IMPORT {
        sql.push_str(&format!("GRANT {privilege} TO matchgate_admin;\n"));
    }
    sql.push_str(ROW_SECURITY);
    sql
}

/// An identifier quoted for SQL (role names come from admins, not records; still quoted, never
/// pasted).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The statements that make `name` a login with `role`'s privileges and none of the others':
/// what `matchgate user add` runs, or prints for a DBA.
pub fn grant_sql(name: &str, role: Role, create_login: bool) -> Vec<String> {
    let who = quote_ident(name);
    let mut sql = Vec::new();
    if create_login {
        sql.push(format!("CREATE ROLE {who} LOGIN"));
    }
    for other in ROLES.into_iter().filter(|r| *r != role) {
        sql.push(format!("REVOKE {} FROM {who}", server_role(other)));
    }
    sql.push(format!("GRANT {} TO {who}", server_role(role)));
    // Managing people is managing server roles: an admin needs CREATEROLE, and only an admin.
    let attribute = if role == Role::Admin {
        "CREATEROLE"
    } else {
        "NOCREATEROLE"
    };
    sql.push(format!("ALTER ROLE {who} {attribute}"));
    sql
}

/// The statements that stop `name` acting: no more logins, no matchgate privileges (a session
/// already open loses them at once).
pub fn disable_sql(name: &str) -> Vec<String> {
    let who = quote_ident(name);
    let mut sql = vec![format!("ALTER ROLE {who} NOLOGIN")];
    for role in ROLES {
        sql.push(format!("REVOKE {} FROM {who}", server_role(role)));
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_role_is_granted_a_change_to_history() {
        let sql = setup_sql();
        let grants = sql
            .lines()
            .filter(|l| l.starts_with("GRANT") && l.contains(" ON "));
        let mut seen = 0;
        for line in grants {
            let (privileges, rest) = line.split_once(" ON ").expect("GRANT ... ON");
            let tables = rest.split(" TO ").next().expect("ON ... TO");
            for table in tables.split(", ") {
                if ["decisions", "audit", "release_items", "recalls"].contains(&table) {
                    seen += 1;
                    assert!(
                        !privileges.contains("UPDATE") && !privileges.contains("DELETE"),
                        "{line}"
                    );
                }
            }
        }
        assert!(
            seen >= 4,
            "the history tables are granted something: {seen}"
        );
    }

    #[test]
    fn acts_are_granted_to_the_role_they_need() {
        let sql = setup_sql();
        assert!(sql.contains("GRANT INSERT, UPDATE, DELETE ON policy TO matchgate_admin;"));
        assert!(sql.contains("ON holds TO matchgate_supervisor;"));
        assert!(!sql.contains("ON holds TO matchgate_reviewer;"));
        assert!(sql.contains("GRANT INSERT ON decisions TO matchgate_reviewer;"));
    }

    #[test]
    fn names_are_quoted_not_pasted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        let sql = grant_sql("x\"; DROP TABLE decisions; --", Role::Reviewer, true);
        assert_eq!(
            sql[0],
            "CREATE ROLE \"x\"\"; DROP TABLE decisions; --\" LOGIN"
        );
    }
}
