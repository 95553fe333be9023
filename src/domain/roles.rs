//! People and what their role lets them do. A database with no registered users is in
//! single-user mode and checks nothing (as before teams); once someone is registered, every act
//! below needs a role that includes it.

use std::fmt;
use std::str::FromStr;

/// A person's role. Roles are cumulative: a supervisor may do what a reviewer may, an admin what a
/// supervisor may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Reviewer,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Reviewer, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn allows(self, act: Act) -> bool {
        self >= act.needs()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; roles are reviewer, supervisor and admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Something a person does that their role must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// Decide matches on the review screen.
    Review,
    /// Spot-check, adjudicate escalations and overturn decisions.
    Supervise,
    /// Export the whole decision history (who decided what).
    ExportHistory,
    /// Put or lift a legal hold on a batch.
    Hold,
    /// Override the address-sufficiency gate for one match.
    Override,
    /// Export: the act of release.
    Release,
    /// Mark released matches as recalled.
    Recall,
    /// Change the release policy.
    ChangePolicy,
    /// Add, disable or change the role of a person.
    ManageUsers,
}

impl Act {
    /// The least role that may do this.
    pub fn needs(self) -> Role {
        match self {
            Act::Review => Role::Reviewer,
            Act::Supervise
            | Act::ExportHistory
            | Act::Hold
            | Act::Override
            | Act::Release
            | Act::Recall => Role::Supervisor,
            Act::ChangePolicy | Act::ManageUsers => Role::Admin,
        }
    }

    /// How refusals and audit entries name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Review => "review",
            Act::Supervise => "supervise",
            Act::ExportHistory => "export-decisions",
            Act::Hold => "hold",
            Act::Override => "override",
            Act::Release => "export",
            Act::Recall => "recall",
            Act::ChangePolicy => "policy-set",
            Act::ManageUsers => "user",
        }
    }
}

/// A registered person as the store knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// When they were disabled; a disabled person may do nothing.
    pub disabled_at: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// Why someone may not do something, in words they can act on. `None`: allowed.
/// `registered` is false in single-user mode, where nothing is checked here.
pub fn refusal(registered: bool, name: &str, user: Option<&User>, act: Act) -> Option<String> {
    if !registered {
        return None;
    }
    let shown = crate::domain::text_safety::escape_for_display(name);
    match user {
        None => Some(format!(
            "{shown} is not a registered user of this database; an admin can add them with `matchgate user add {shown} --role {}`",
            act.needs()
        )),
        Some(u) if u.disabled_at.is_some() => Some(format!(
            "{shown} is disabled on this database; an admin can restore them with `matchgate user role {shown} {}`",
            u.role
        )),
        Some(u) if !u.role.allows(act) => Some(format!(
            "{shown} is a {} and may not {}; that needs the {} role",
            u.role,
            act.describe(),
            act.needs()
        )),
        Some(_) => None,
    }
}

impl Act {
    fn describe(self) -> &'static str {
        match self {
            Act::Review => "review matches",
            Act::Supervise => "supervise",
            Act::ExportHistory => "export the decision history",
            Act::Hold => "put or lift legal holds",
            Act::Override => "override a release gate",
            Act::Release => "export (release) addresses",
            Act::Recall => "mark recalls",
            Act::ChangePolicy => "change the release policy",
            Act::ManageUsers => "add or change users",
        }
    }
}

/// A name may be recorded as an actor: not empty, no control or invisible characters (which could
/// pass for another name on screen), and not absurdly long.
pub fn valid_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.trim() != name {
        return Err("a name must not be empty or start or end with spaces".into());
    }
    if crate::domain::text_safety::contains_unsafe(name) {
        return Err("a name must not hold control or invisible characters".into());
    }
    if name.chars().count() > 64 {
        return Err("a name must be at most 64 characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, disabled: bool) -> User {
        User {
            name: "pat".into(),
            role,
            disabled_at: disabled.then(|| "2026-01-01T00:00:00.000Z".into()),
            created_by: "root".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn roles_are_cumulative() {
        assert!(Role::Reviewer.allows(Act::Review));
        assert!(!Role::Reviewer.allows(Act::Hold));
        assert!(!Role::Reviewer.allows(Act::ChangePolicy));
        assert!(Role::Supervisor.allows(Act::Release));
        assert!(Role::Supervisor.allows(Act::Review));
        assert!(!Role::Supervisor.allows(Act::ManageUsers));
        assert!(Role::Admin.allows(Act::ManageUsers) && Role::Admin.allows(Act::Supervise));
    }

    #[test]
    fn refusals_name_the_fix() {
        assert_eq!(refusal(false, "x", None, Act::ManageUsers), None);
        let unknown = refusal(true, "x", None, Act::Review).expect("refused");
        assert!(unknown.contains("not a registered user") && unknown.contains("user add x"));
        let disabled = refusal(true, "pat", Some(&user(Role::Admin, true)), Act::Review);
        assert!(disabled.expect("refused").contains("disabled"));
        let weak = refusal(true, "pat", Some(&user(Role::Reviewer, false)), Act::Hold);
        assert!(weak.expect("refused").contains("needs the supervisor role"));
        assert_eq!(
            refusal(true, "pat", Some(&user(Role::Supervisor, false)), Act::Hold),
            None
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("alice").is_ok());
        assert!(valid_name("").is_err());
        assert!(valid_name(" bob").is_err());
        assert!(valid_name("ev\u{202e}il").is_err());
        assert!(valid_name("a\x1b[2Jb").is_err());
        assert!(valid_name(&"x".repeat(65)).is_err());
        assert_eq!("supervisor".parse::<Role>(), Ok(Role::Supervisor));
        assert!("boss".parse::<Role>().is_err());
    }
}
