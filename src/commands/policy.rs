//! `matchgate policy show|set`.

use std::process::ExitCode;

use super::reviewer_name;
use crate::cli::PolicyCommand;
use crate::store::Store;

pub fn run(cmd: &PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Show(db) => {
            let store = Store::open(&db.db)?;
            print!("{}", store.policy()?);
        }
        PolicyCommand::Set(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = reviewer_name(args.by.as_deref());
            let policy = store.set_policy(&args.key, &args.value, &who)?;
            println!(
                "{} = {} (set by {who}, recorded in the audit log)",
                args.key,
                policy.get(&args.key).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
