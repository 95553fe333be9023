//! `matchgate user …` on a PostgreSQL server: people are server roles (see
//! `store::postgres::users`).

use crate::cli::{UserCommand, UserRoleArgs};
use crate::store::postgres::PgTarget;
use crate::store::postgres::users::RoleChanges;

use super::server::open_as;
use super::user::{line, role};

pub fn run(cmd: &UserCommand, target: &PgTarget) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add(args) => {
            let mut store = open_as(target, args.by.as_deref())?;
            let changes = if args.print_sql {
                RoleChanges::Print
            } else {
                RoleChanges::Run
            };
            let statements = store.add_user(&args.name, role(args.role), changes)?;
            if args.print_sql {
                for sql in statements {
                    println!("{sql};");
                }
                eprintln!(
                    "for a DBA to run; then `matchgate user add` again (as an admin) records them"
                );
            } else {
                let shown = crate::domain::text_safety::escape_for_display(&args.name);
                println!(
                    "added {shown} as a {} (server role granted)",
                    role(args.role)
                );
                if statements.iter().any(|s| s.starts_with("CREATE ROLE")) {
                    println!(
                        "{shown} has no password yet: a DBA sets one (psql: \\password {shown}) or the server authenticates them otherwise"
                    );
                }
            }
        }
        UserCommand::List(_) => {
            let mut store = open_as(target, None)?;
            for user in store.users()? {
                println!("{}", line(&user));
            }
        }
        UserCommand::Disable(args) => {
            let mut store = open_as(target, args.by.as_deref())?;
            store.disable_user(&args.name)?;
            println!(
                "disabled {}: no more logins, no matchgate privileges",
                crate::domain::text_safety::escape_for_display(&args.name)
            );
        }
        UserCommand::Role(UserRoleArgs {
            name, role: r, by, ..
        }) => {
            let mut store = open_as(target, by.as_deref())?;
            store.set_user_role(name, role(*r))?;
            println!(
                "{} is now a {}",
                crate::domain::text_safety::escape_for_display(name),
                role(*r)
            );
        }
    }
    Ok(())
}
