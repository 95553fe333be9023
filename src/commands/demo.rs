//! `matchgate demo`: the review screen on built-in training data (the general demo set or a
//! scenario), in a fresh temporary database that is deleted on exit unless `--keep PATH`.
//! Nothing is written anywhere else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{print_scoreboard_json, reviewer_name};
use crate::cli::DemoArgs;
use crate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use crate::scenarios;
use crate::store::Store;
use crate::tui::session::{SessionOptions, review};

/// The demo set: made by `matchgate generate` with the demo constants (see `generate`), checked
/// in as `assets/demo.csv` and built into the binary so `demo` works from any directory.
pub const DEMO_CSV: &str = include_str!("../../assets/demo.csv");

pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        list()?;
        return Ok(ExitCode::SUCCESS);
    }
    // An unknown scenario is refused before anything is created.
    let scenario = args.scenario.as_deref().map(scenarios::find).transpose()?;
    let temp = crate::store::permissions::private_temp_dir("matchgate-demo-")?;
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
    let (csv, name) = match &scenario {
        Some(s) => (s.csv, s.file_name()),
        None => (DEMO_CSV, "assets/demo.csv".to_string()),
    };
    let mut store = load_training_data(&path, csv, &name)?;
    // The right answers (demo and scenarios) were set on this day; address ages are measured on
    // it, so an answer does not turn wrong as the calendar moves on.
    store.set_policy(
        "review_date",
        &crate::generate::scenario::REFERENCE_DATE.to_string(),
        "training-setup",
    )?;
    if let Some(scenario) = &scenario {
        super::scenario_setup::apply(&mut store, &scenario.setup)?;
    }
    if args.no_ui {
        let stats = store.stats()?;
        println!(
            "loaded {} training matches into {}{}",
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
    let label = match &scenario {
        Some(s) => format!("scenario {} (temporary copy)", s.name),
        None => "demo data (temporary copy)".to_string(),
    };
    let report = review(
        &mut store,
        SessionOptions {
            reviewer: reviewer_name(args.reviewer.as_deref()),
            batch: None,
            training: true,
            db_label: Some(label),
            tour: args.tour,
        },
    )?;
    if args.json {
        print_scoreboard_json(&report.training_log)?;
    }
    if let Some(keep) = &args.keep {
        eprintln!("the demo database is kept at {}", keep.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn list() -> anyhow::Result<()> {
    println!("Built-in training scenarios (matchgate demo --scenario NAME):\n");
    for scenario in scenarios::all()? {
        println!("{:<22} {}", scenario.name, scenario.title);
        println!("{:<22} {}", "", scenario.description.trim());
        for lesson in &scenario.teaches {
            println!("{:<22} - {lesson}", "");
        }
        println!();
    }
    println!("Without --scenario, demo opens the general demo set (300 generated matches).");
    Ok(())
}

/// Creates a database at `path` holding the given embedded training CSV.
pub fn load_training_data(path: &Path, csv: &'static str, name: &str) -> anyhow::Result<Store> {
    let (mut store, _) = Store::create(path)?;
    let rows = FlaggedReader::new(csv.as_bytes(), name, Format::Csv, &ImportOptions::default())?;
    let mut problems = Vec::new();
    let report = store.import_matches(rows, OnBadRow::Abort, |e| problems.push(e.to_string()))?;
    if !report.committed {
        anyhow::bail!(
            "the built-in data {name} did not import: {}",
            problems.join("; ")
        );
    }
    Ok(store)
}
