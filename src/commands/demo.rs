//! `matchgate demo`: the review screen on built-in demo data, in a fresh temporary database that
//! is deleted on exit (unless `--keep PATH`). Nothing is written anywhere else.

use std::path::PathBuf;
use std::process::ExitCode;

use super::reviewer_name;
use crate::cli::DemoArgs;
use crate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use crate::store::Store;
use crate::tui::session::{SessionOptions, review};

/// The demo set: made by `matchgate generate` with the demo constants (see `generate`), checked
/// in as `assets/demo.csv` and built into the binary so `demo` works from any directory.
pub const DEMO_CSV: &str = include_str!("../../assets/demo.csv");

pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let temp = tempfile::Builder::new()
        .prefix("matchgate-demo-")
        .tempdir()?;
    let path: PathBuf = match &args.keep {
        Some(keep) => {
            if keep.exists() {
                anyhow::bail!(
                    "{} already exists; --keep writes a new demo database and never overwrites a file",
                    keep.display()
                );
            }
            keep.clone()
        }
        None => temp.path().join("demo.db"),
    };
    let mut store = load_demo(&path)?;
    if args.no_ui {
        let stats = store.stats()?;
        println!(
            "loaded {} demo matches into {}{}",
            stats.total,
            path.display(),
            if args.keep.is_some() {
                ""
            } else {
                " (deleted on exit; use --keep PATH to keep it)"
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    review(
        &mut store,
        SessionOptions {
            reviewer: reviewer_name(args.reviewer.as_deref()),
            batch: None,
            training: true,
            db_label: Some("demo data (temporary copy)".into()),
        },
    )?;
    if let Some(keep) = &args.keep {
        println!("the demo database is kept at {}", keep.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates a database at `path` holding the demo set.
pub fn load_demo(path: &std::path::Path) -> anyhow::Result<Store> {
    let (mut store, _) = Store::create(path)?;
    let rows = FlaggedReader::new(
        DEMO_CSV.as_bytes(),
        "assets/demo.csv",
        Format::Csv,
        &ImportOptions::default(),
    )?;
    let mut problems = Vec::new();
    let report = store.import_matches(rows, OnBadRow::Abort, |e| problems.push(e.to_string()))?;
    if !report.committed {
        anyhow::bail!(
            "the built-in demo data did not import: {}",
            problems.join("; ")
        );
    }
    Ok(store)
}
