//! `matchgate hold add|list|lift`.

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::{HoldCommand, HoldScopeArg};
use crate::domain::policy::{Hold, HoldScope};
use crate::domain::roles::Act;
use crate::domain::text_safety::escape_for_display;
use crate::store::Store;

pub fn run(cmd: &HoldCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HoldCommand::Add(args) => {
            let mut store = Store::open(&args.db.db)?;
            let scope = match args.scope {
                HoldScopeArg::Residential => HoldScope::Residential,
                HoldScopeArg::All => HoldScope::All,
            };
            let who = authorize(&mut store, args.by.as_deref(), Act::Hold)?;
            let hold = store.add_hold(&args.batch, scope, &args.reason, &who)?;
            println!(
                "hold {} added on batch {} ({}): approvals are refused and export releases nothing covered by it until it is lifted",
                hold.id,
                escape_for_display(&hold.batch),
                hold.scope
            );
        }
        HoldCommand::List(args) => {
            let store = Store::open(&args.db.db)?;
            let holds = store.holds(args.active)?;
            if holds.is_empty() {
                println!("no holds");
            }
            for h in holds {
                println!("{}", line(&h));
            }
        }
        HoldCommand::Lift(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::Hold)?;
            let hold = store.lift_hold(args.id, &args.reason, &who)?;
            println!(
                "hold {} on batch {} lifted",
                hold.id,
                escape_for_display(&hold.batch)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn line(h: &Hold) -> String {
    let state = match &h.lifted {
        None => "ACTIVE".to_string(),
        Some((by, at, why)) => format!(
            "lifted {at} by {} ({})",
            escape_for_display(by),
            escape_for_display(why)
        ),
    };
    format!(
        "#{:<4} {:<24} {:<11} {state}\n      added {} by {}: {}",
        h.id,
        escape_for_display(&h.batch),
        h.scope.as_str(),
        h.added_at,
        escape_for_display(&h.added_by),
        escape_for_display(&h.reason)
    )
}
