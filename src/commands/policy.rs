//! `matchgate policy show|set`.

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::PolicyCommand;
use crate::domain::roles::Act;
use crate::domain::text_safety::{escape_for_display, escape_lines_for_display};
use crate::store::Store;

pub fn run(cmd: &PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Show(db) => {
            let store = Store::open(&db.db)?;
            print!("{}", escape_lines_for_display(&store.policy()?.to_string()));
        }
        PolicyCommand::Set(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::ChangePolicy)?;
            let policy = store.set_policy(&args.key, &args.value, &who)?;
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
