//! `matchgate review`: the reviewer's screen on a database.

use std::process::ExitCode;

use super::reviewer_name;
use crate::cli::ReviewArgs;
use crate::store::Store;
use crate::tui::session::{SessionOptions, review};

pub fn run(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    // Opening first: a missing or foreign database fails before the terminal is touched.
    let mut store = Store::open(&args.db.db)?;
    review(
        &mut store,
        SessionOptions {
            reviewer: reviewer_name(args.reviewer.as_deref()),
            batch: args.batch.clone(),
            training: false,
            db_label: None,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
