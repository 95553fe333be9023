//! `matchgate policy show|set`.

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::PolicyCommand;
use crate::domain::roles::Act;
use crate::domain::text_safety::{escape_for_display, escape_lines_for_display};
use crate::store::Store;
use crate::store::permissions::{self, Access};

pub fn run(cmd: &PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Show(db) => {
            let store = Store::open(&db.db)?;
            print!("{}", escape_lines_for_display(&store.policy()?.to_string()));
        }
        PolicyCommand::Set(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::ChangePolicy)?;
            // A group this host does not know is refused before anything is stored.
            let access = (args.key == "team_group")
                .then(|| Access::from_team_group(Some(&args.value)))
                .transpose()?;
            let policy = store.set_policy(&args.key, &args.value, &who)?;
            if let Some(access) = access {
                // The files follow the policy at once: 0660 for the team, else 0600.
                permissions::restrict_database(store.path(), &access)?;
            }
            println!(
                "{} = {} (set by {}, recorded in the audit log)",
                escape_for_display(&args.key),
                escape_for_display(&policy.get(&args.key).unwrap_or_default()),
                escape_for_display(&who)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
