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
    // Opening and checking first: a refusal never touches the terminal.
    let mut store = Store::open(&args.db.db)?;
    let supervisor = authorize(&mut store, args.supervisor.as_deref(), Act::Supervise)?;
    let since = args
        .since
        .as_deref()
        .map(|t| parse_time(t, false))
        .transpose()?;
    let since_day = since_day(since.as_deref());
    let options = SuperviseOptions {
        supervisor,
        since_day,
        db_label: args.db.db.display().to_string(),
    };
    supervise(&mut store, options)?;
    Ok(ExitCode::SUCCESS)
}
