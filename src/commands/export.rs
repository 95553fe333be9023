//! `matchgate export`: the act of release (or, with --decisions, the decision history; on a
//! server: `export_server.rs`).

use std::process::ExitCode;

use anyhow::Context;

use super::identity::authorize;
use crate::cli::{ExportArgs, FileFormat};
use crate::domain::policy::{Refusal, ReleaseRow};
use crate::domain::roles::Act;
use crate::domain::text_safety::escape_for_display;
use crate::store::permissions::Access;
use crate::store::{ExportFormat, ExportSummary, Releasable, Store, StoreResult};

pub fn format_of(given: Option<FileFormat>, path: Option<&std::path::Path>) -> ExportFormat {
    match (given, path) {
        (Some(FileFormat::Csv), _) => ExportFormat::Csv,
        (Some(FileFormat::Jsonl), _) => ExportFormat::Jsonl,
        (None, Some(p)) => ExportFormat::from_path(p),
        (None, None) => ExportFormat::Csv,
    }
}

fn fields_line(row: &ReleaseRow) -> String {
    row.fields()
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_for_display(v)))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Exports are written owner-only (0600); when policy names a team group, its members may read
/// them too (0660).
fn share_with_team(store: &Store, out: &std::path::Path) -> anyhow::Result<()> {
    restrict_to(&store.file_access(), out)
}

/// Opens a written export to `access` (nothing to do for the owner alone).
pub(super) fn restrict_to(access: &Access, out: &std::path::Path) -> anyhow::Result<()> {
    if *access != Access::Owner && out.exists() {
        crate::store::permissions::restrict(out, access)
            .with_context(|| format!("cannot set the permissions of {}", out.display()))?;
    }
    Ok(())
}

/// The dry run on either backend: one match's preview, or every match that would go out.
pub(super) fn dry_run(
    match_id: Option<i64>,
    preview: impl FnOnce(i64) -> StoreResult<(ReleaseRow, Vec<Refusal>)>,
    each: impl FnOnce(&mut dyn FnMut(Releasable) -> StoreResult<()>) -> StoreResult<()>,
) -> anyhow::Result<()> {
    if let Some(id) = match_id {
        let (row, refusals) = preview(id)?;
        print_preview(id, &row, &refusals);
        return Ok(());
    }
    let mut count = 0u64;
    each(&mut |item| {
        print_releasable(&item);
        count += 1;
        Ok(())
    })?;
    print_dry_run_total(count);
    Ok(())
}

/// What `--dry-run --match ID` prints.
fn print_preview(id: i64, row: &ReleaseRow, refusals: &[Refusal]) {
    println!("match {id} would hand over exactly these fields (nothing else, never a TIN):");
    for (k, v) in row.fields() {
        println!("  {k:<14} {}", escape_for_display(v));
    }
    if refusals.is_empty() {
        println!("it is releasable now");
    } else {
        println!("it would NOT be released now:");
        for r in refusals {
            println!("  {}", escape_for_display(&r.to_string()));
        }
    }
}

/// One line of the dry run.
fn print_releasable(item: &Releasable) {
    println!("match {}  {}", item.match_id, fields_line(&item.row));
}

fn print_dry_run_total(count: u64) {
    println!("dry run: {count} match(es) would be released (nothing written, nothing marked)");
}

/// What an export says it did.
pub(super) fn print_summary(summary: &ExportSummary, out: &std::path::Path) {
    match summary.release_id {
        Some(id) => println!(
            "release {id}: {} match(es) released to {} at {}",
            summary.count,
            out.display(),
            summary.released_at
        ),
        None => println!(
            "nothing releasable: {} holds only the header; nothing was marked released",
            out.display()
        ),
    }
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if args.dry_run {
        let store = Store::open(&args.db.db)?;
        dry_run(
            args.match_id,
            |id| store.release_preview(id),
            |each| store.each_releasable(each),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let out = args
        .out
        .as_deref()
        .context("--out FILE is required (or use --dry-run to preview)")?;
    let format = format_of(args.format, Some(out));
    let mut store = Store::open(&args.db.db)?;
    let act = if args.decisions {
        Act::ExportHistory
    } else {
        Act::Release
    };
    let who = authorize(&mut store, args.by.as_deref(), act)?;
    if args.decisions {
        let n = store.export_decisions(&who, out, format)?;
        share_with_team(&store, out)?;
        println!(
            "wrote {n} decision events to {} ({})",
            out.display(),
            format.as_str()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let summary = store.export_release(&who, out, format)?;
    share_with_team(&store, out)?;
    print_summary(&summary, out);
    Ok(ExitCode::SUCCESS)
}
