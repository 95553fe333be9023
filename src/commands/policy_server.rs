//! `matchgate policy show|set` on a PostgreSQL server: the change is made as the connected role
//! (an admin), and supervisors are the server's role, not a policy key.

use crate::cli::PolicyCommand;
use crate::domain::roles::Act;
use crate::store::postgres::PgTarget;

use super::policy::{set_line, shown, team_access};
use super::server::open_as;

pub fn run(cmd: &PolicyCommand, target: &PgTarget) -> anyhow::Result<()> {
    match cmd {
        PolicyCommand::Show(_) => {
            let mut store = open_as(target, None)?;
            print!("{}", shown(&store.policy()?));
        }
        PolicyCommand::Set(args) => {
            let mut store = open_as(target, args.by.as_deref())?;
            // As on SQLite, someone who may not change policy hears that (audited) first; an
            // unknown group is refused before anything is stored. No database files to
            // restrict on a server; exports still follow the group.
            if store.role_refusal(Act::ChangePolicy)?.is_none() {
                team_access(&args.key, &args.value)?;
            }
            let policy = store.set_policy(&args.key, &args.value)?;
            println!("{}", set_line(&args.key, &policy, store.current_user()));
        }
    }
    Ok(())
}
