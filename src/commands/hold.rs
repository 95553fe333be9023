//! `matchgate hold add|list|lift` (on a server: `hold_server.rs`).

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::{HoldCommand, HoldScopeArg};
use crate::domain::policy::{Hold, HoldScope};
use crate::domain::roles::Act;
use crate::domain::text_safety::escape_for_display;
use crate::store::Store;

/// The database the command names (a server's is `hold_server`'s to run).
pub fn db_of(cmd: &HoldCommand) -> &std::path::Path {
    match cmd {
        HoldCommand::Add(args) => &args.db.db,
        HoldCommand::List(args) => &args.db.db,
        HoldCommand::Lift(args) => &args.db.db,
    }
}

pub fn run(cmd: &HoldCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HoldCommand::Add(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::Hold)?;
            let hold = store.add_hold(&args.batch, scope(args.scope), &args.reason, &who)?;
            println!("{}", added_line(&hold));
        }
        HoldCommand::List(args) => {
            let store = Store::open(&args.db.db)?;
            print!("{}", listed(&store.holds(args.active)?));
        }
        HoldCommand::Lift(args) => {
            let mut store = Store::open(&args.db.db)?;
            let who = authorize(&mut store, args.by.as_deref(), Act::Hold)?;
            let hold = store.lift_hold(args.id, &args.reason, &who)?;
            println!("{}", lifted_line(&hold));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn scope(arg: HoldScopeArg) -> HoldScope {
    match arg {
        HoldScopeArg::Residential => HoldScope::Residential,
        HoldScopeArg::All => HoldScope::All,
    }
}

pub(super) fn added_line(hold: &Hold) -> String {
    format!(
        "hold {} added on batch {} ({}): approvals are refused and export releases nothing covered by it until it is lifted",
        hold.id,
        escape_for_display(&hold.batch),
        hold.scope
    )
}

pub(super) fn lifted_line(hold: &Hold) -> String {
    format!(
        "hold {} on batch {} lifted",
        hold.id,
        escape_for_display(&hold.batch)
    )
}

/// What `hold list` prints: each hold, or that there are none.
pub(super) fn listed(holds: &[Hold]) -> String {
    if holds.is_empty() {
        return "no holds\n".to_string();
    }
    holds.iter().map(|h| format!("{}\n", line(h))).collect()
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
