//! `matchgate review`: the reviewer's screen on a database; with `--training`, on a scratch copy
//! whose decisions are checked against the gold answers and never reach the original.

use std::process::ExitCode;

use super::identity::authorize;
use super::print_scoreboard_json;
use crate::cli::ReviewArgs;
use crate::domain::roles::Act;
use crate::store::Store;
use crate::tui::session::{SessionOptions, review};

pub fn run(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = super::server::target(&args.db.db)? {
        return on_server(args, &target);
    }
    // Opening first: a missing or foreign database fails before the terminal is touched.
    let mut store = Store::open(&args.db.db)?;
    let reviewer = authorize(&mut store, args.reviewer.as_deref(), Act::Review)?;
    let options = SessionOptions {
        reviewer,
        batch: args.batch.clone(),
        training: args.training,
        db_label: None,
        tour: false,
    };
    if !args.training {
        review(&mut store, options)?;
        return Ok(ExitCode::SUCCESS);
    }
    if store.gold_count()? == 0 {
        anyhow::bail!(
            "{} has no gold answers; training needs data imported with `gold` and `gold_note` columns",
            args.db.db.display()
        );
    }
    let scratch_dir = crate::store::permissions::private_temp_dir("matchgate-training-")?;
    let scratch = scratch_dir.path().join("training.db");
    store.copy_to(&scratch)?;
    drop(store);
    let mut copy = Store::open(&scratch)?;
    let report = review(
        &mut copy,
        SessionOptions {
            db_label: Some(format!("{} (training copy)", args.db.db.display())),
            ..options
        },
    )?;
    if args.json {
        print_scoreboard_json(&report.training_log)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The review screen on a PostgreSQL server, as the connected role.
fn on_server(
    args: &ReviewArgs,
    target: &crate::store::postgres::PgTarget,
) -> anyhow::Result<ExitCode> {
    if args.training {
        anyhow::bail!(
            "training runs on a private copy of a SQLite file (`matchgate review --training --db FILE`, or `matchgate demo`), never on the team's server"
        );
    }
    let mut store = super::server::open_as(target, args.reviewer.as_deref())?;
    if let Some(message) = store.role_refusal(Act::Review)? {
        anyhow::bail!(message);
    }
    let options = SessionOptions {
        reviewer: store.current_user().to_string(),
        batch: args.batch.clone(),
        training: false,
        db_label: None,
        tour: false,
    };
    review(&mut store, options)?;
    Ok(ExitCode::SUCCESS)
}
