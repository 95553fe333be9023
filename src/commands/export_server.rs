//! `matchgate export --decisions` on a PostgreSQL server, as the connected role (a supervisor).
//! The release export does not run on a server yet: `Store::open` refuses it, saying so.

use std::process::ExitCode;

use anyhow::Context;

use super::export::{format_of, restrict_to};
use crate::cli::ExportArgs;
use crate::store::postgres::PgTarget;

pub fn run_history(args: &ExportArgs, target: &PgTarget) -> anyhow::Result<ExitCode> {
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
