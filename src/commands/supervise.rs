//! `matchgate supervise`: the supervisor's screen: escalations, overrides waiting, disagreements
//! of second reviews, and the spot-check sample.

use std::process::ExitCode;

use super::identity::authorize;
use super::recall::parse_time;
use crate::cli::SuperviseArgs;
use crate::domain::roles::Act;
use crate::store::Store;
use crate::tui::supervise::{SuperviseOptions, supervise};

/// How far back lots are sampled unless `--since` says otherwise.
pub const DEFAULT_DAYS: i64 = 14;

/// The first UTC day whose lots are sampled: that of `since` (stored form), else
/// [`DEFAULT_DAYS`] back. `stats --reviewers` lists the Z1.4 lots from the same day.
pub fn since_day(since: Option<&str>) -> String {
    match since {
        Some(t) => t.chars().take(10).collect(),
        None => (chrono::Utc::now() - chrono::Duration::days(DEFAULT_DAYS))
            .format("%Y-%m-%d")
            .to_string(),
    }
}

pub fn run(args: &SuperviseArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = super::server::target(&args.db.db)? {
        return on_server(args, &target);
    }
    // Opening and checking first: a refusal never touches the terminal.
    let mut store = Store::open(&args.db.db)?;
    let supervisor = authorize(&mut store, args.supervisor.as_deref(), Act::Supervise)?;
    let options = SuperviseOptions {
        supervisor,
        since_day: first_day(args)?,
        db_label: args.db.db.display().to_string(),
    };
    supervise(&mut store, options)?;
    Ok(ExitCode::SUCCESS)
}

/// The supervisor's screen on a PostgreSQL server, as the connected role (`--supervisor`, when
/// given, must name it).
fn on_server(
    args: &SuperviseArgs,
    target: &crate::store::postgres::PgTarget,
) -> anyhow::Result<ExitCode> {
    let mut store = super::server::open_as(target, args.supervisor.as_deref())?;
    if let Some(message) = store.role_refusal(Act::Supervise)? {
        anyhow::bail!(message);
    }
    let options = SuperviseOptions {
        supervisor: store.current_user().to_string(),
        since_day: first_day(args)?,
        db_label: store.target().to_string(),
    };
    supervise(&mut store, options)?;
    Ok(ExitCode::SUCCESS)
}

/// The first day sampled, from `--since` when given.
fn first_day(args: &SuperviseArgs) -> anyhow::Result<String> {
    let since = args
        .since
        .as_deref()
        .map(|t| parse_time(t, false))
        .transpose()?;
    Ok(since_day(since.as_deref()))
}
