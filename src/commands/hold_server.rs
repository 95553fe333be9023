//! `matchgate hold add|list|lift` on a PostgreSQL server, as the connected role (a supervisor).

use crate::cli::HoldCommand;
use crate::store::postgres::PgTarget;

use super::hold::{added_line, lifted_line, listed, scope};
use super::server::open_as;

pub fn run(cmd: &HoldCommand, target: &PgTarget) -> anyhow::Result<()> {
    match cmd {
        HoldCommand::Add(args) => {
            let mut store = open_as(target, args.by.as_deref())?;
            let hold = store.add_hold(&args.batch, scope(args.scope), &args.reason)?;
            println!("{}", added_line(&hold));
        }
        HoldCommand::List(args) => {
            let mut store = open_as(target, None)?;
            print!("{}", listed(&store.holds(args.active)?));
        }
        HoldCommand::Lift(args) => {
            let mut store = open_as(target, args.by.as_deref())?;
            let hold = store.lift_hold(args.id, &args.reason)?;
            println!("{}", lifted_line(&hold));
        }
    }
    Ok(())
}
