//! `matchgate user add|list|disable|role`.

use std::process::ExitCode;

use super::identity::actor_name;
use crate::cli::{RoleArg, UserCommand};
use crate::domain::roles::{Role, User};
use crate::domain::text_safety::escape_for_display;
use crate::store::Store;

/// The database the command names (a server's is `user_server`'s to run).
pub fn db_of(cmd: &UserCommand) -> &std::path::Path {
    match cmd {
        UserCommand::Add(args) => &args.db.db,
        UserCommand::List(args) => &args.db,
        UserCommand::Disable(args) => &args.db.db,
        UserCommand::Role(args) => &args.db.db,
    }
}

pub fn run(cmd: &UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add(args) if args.print_sql => {
            anyhow::bail!(
                "--print-sql is for a PostgreSQL server (--db postgres://…); a SQLite file has no server roles"
            )
        }
        UserCommand::Add(args) => {
            let mut store = Store::open(&args.db.db)?;
            let by = actor_name(args.by.as_deref());
            let user = store.add_user(&args.name, role(args.role), &by)?;
            println!("added {}", line(&user));
        }
        UserCommand::List(args) => {
            let store = Store::open(&args.db)?;
            let users = store.users()?;
            if users.is_empty() {
                println!(
                    "no registered users: single-user mode (anyone may do anything); register an admin with `matchgate user add NAME --role admin`"
                );
            }
            for user in users {
                println!("{}", line(&user));
            }
        }
        UserCommand::Disable(args) => {
            let mut store = Store::open(&args.db.db)?;
            let by = actor_name(args.by.as_deref());
            let user = store.disable_user(&args.name, &by)?;
            println!("disabled {}", line(&user));
        }
        UserCommand::Role(args) => {
            let mut store = Store::open(&args.db.db)?;
            let by = actor_name(args.by.as_deref());
            let user = store.set_user_role(&args.name, role(args.role), &by)?;
            println!("changed {}", line(&user));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Reviewer => Role::Reviewer,
        RoleArg::Supervisor => Role::Supervisor,
        RoleArg::Admin => Role::Admin,
    }
}

pub(super) fn line(user: &User) -> String {
    let state = match &user.disabled_at {
        Some(at) => format!("DISABLED since {at}"),
        None => "enabled".to_string(),
    };
    format!(
        "{:<20} {:<10} {state} (added {} by {})",
        escape_for_display(&user.name),
        user.role,
        user.created_at,
        escape_for_display(&user.created_by)
    )
}
