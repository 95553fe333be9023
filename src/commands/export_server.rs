//! `matchgate export` on a PostgreSQL server, as the connected role (a supervisor): the dry run,
//! the release and the decision history, printing what they print on a file.

use std::process::ExitCode;

use anyhow::Context;

use super::export::{dry_run, format_of, print_summary, restrict_to};
use crate::cli::ExportArgs;
use crate::store::postgres::PgTarget;

pub fn run(args: &ExportArgs, target: &PgTarget) -> anyhow::Result<ExitCode> {
    if args.decisions {
        return run_history(args, target);
    }
    let mut store = super::server::open_as(target, args.by.as_deref())?;
    if args.dry_run {
        // Both closures need the store; each runs alone, one after the other at most.
        let store = std::cell::RefCell::new(&mut store);
        dry_run(
            args.match_id,
            |id| store.borrow_mut().release_preview(id),
            |each| store.borrow_mut().each_releasable(each),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let out = args
        .out
        .as_deref()
        .context("--out FILE is required (or use --dry-run to preview)")?;
    let summary = store.export_release(out, format_of(args.format, Some(out)))?;
    restrict_to(&store.file_access()?, out)?;
    print_summary(&summary, out);
    Ok(ExitCode::SUCCESS)
}

fn run_history(args: &ExportArgs, target: &PgTarget) -> anyhow::Result<ExitCode> {
    let out = args
        .out
        .as_deref()
        .context("--out FILE is required (or use --dry-run to preview)")?;
    let format = format_of(args.format, Some(out));
    let mut store = super::server::open_as(target, args.by.as_deref())?;
    let n = store.export_decisions(out, format)?;
    restrict_to(&store.file_access()?, out)?;
    println!(
        "wrote {n} decision events to {} ({})",
        out.display(),
        format.as_str()
    );
    Ok(ExitCode::SUCCESS)
}
