//! `matchgate policy show|set` (on a server: `policy_server.rs`).

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::PolicyCommand;
use crate::domain::policy::Policy;
use crate::domain::roles::Act;
use crate::domain::text_safety::{escape_for_display, escape_lines_for_display};
use crate::store::Store;
use crate::store::permissions::{self, Access};

/// The database the command names (a server's is `policy_server`'s to run).
pub fn db_of(cmd: &PolicyCommand) -> &std::path::Path {
    match cmd {
        PolicyCommand::Show(db) => &db.db,
        PolicyCommand::Set(args) => &args.db.db,
    }
}

pub fn run(cmd: &PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Show(db) => {
            let store = Store::open(&db.db)?;
            print!("{}", shown(&store.policy()?));
        }
        PolicyCommand::Set(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::ChangePolicy)?;
            let access = team_access(&args.key, &args.value)?;
            let policy = store.set_policy(&args.key, &args.value, &who)?;
            if let Some(access) = access {
                // The files follow the policy at once: 0660 for the team, else 0600.
                permissions::restrict_database(store.path(), &access)?;
            }
            println!("{}", set_line(&args.key, &policy, &who));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `policy show` prints: every key and its value.
pub(super) fn shown(policy: &Policy) -> String {
    escape_lines_for_display(&policy.to_string())
}

/// A group this host does not know is refused before anything is stored (`team_group` also
/// decides who may read exports).
pub(super) fn team_access(key: &str, value: &str) -> anyhow::Result<Option<Access>> {
    Ok((key == "team_group")
        .then(|| Access::from_team_group(Some(value)))
        .transpose()?)
}

/// What `policy set` prints once the change is stored.
pub(super) fn set_line(key: &str, policy: &Policy, who: &str) -> String {
    format!(
        "{} = {} (set by {}, recorded in the audit log)",
        escape_for_display(key),
        escape_for_display(&policy.get(key).unwrap_or_default()),
        escape_for_display(who)
    )
}
