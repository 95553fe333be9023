//! `matchgate demo`: the review screen on built-in training data (the general demo set or a
//! scenario), in a fresh temporary database that is deleted on exit unless `--keep PATH` (or
//! `--keep URL`: then it is moved onto a server). Nothing is written anywhere else.

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
    // `--keep URL`: the demo is built in a private file as always, then moved onto the server
    // (an empty database there, as its owner) for a team to practise on; training itself runs
    // on the file, as it always does.
    let server = match &args.keep {
        Some(keep) => super::server::target(keep)?,
        None => None,
    };
    let path: PathBuf = match &args.keep {
        _ if server.is_some() => temp.path().join("demo.db"),
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
    let planted = match &scenario {
        Some(scenario) => super::scenario_setup::apply(&mut store, &scenario.setup)?,
        None => Vec::new(),
    };
    let trainee = reviewer_name(args.reviewer.as_deref());
    let supervising = scenario.as_ref().is_some_and(|s| s.setup.supervise);
    if supervising {
        // Single-user training database: the trainee is the supervisor policy names.
        store.set_policy("supervisors", &trainee, "training-setup")?;
    }
    if let Some(target) = &server {
        let moved = crate::store::postgres::migrate::migrate(&store, target)?;
        eprintln!(
            "the demo database is kept on {} ({} audit entries, head {})",
            target.display(),
            moved.audit_entries,
            moved.audit_head
        );
    }
    if args.no_ui {
        let stats = store.stats()?;
        println!(
            "loaded {} training matches into {}{}",
            stats.total,
            path.display(),
            if args.keep.is_some() && server.is_none() {
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
    if supervising {
        return supervise_training(&mut store, trainee, label, &planted, args);
    }
    let report = review(
        &mut store,
        SessionOptions {
            reviewer: trainee,
            batch: None,
            training: true,
            db_label: Some(label),
            tour: args.tour,
        },
    )?;
    if args.json {
        print_scoreboard_json(&report.training_log)?;
    }
    if let Some(keep) = args.keep.as_ref().filter(|_| server.is_none()) {
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

/// The supervising scenario: the trainee supervises the prepared history; the scoreboard says
/// which planted mistakes were caught.
fn supervise_training(
    store: &mut Store,
    trainee: String,
    label: String,
    planted: &[crate::domain::supervision_training::Planted],
    args: &DemoArgs,
) -> anyhow::Result<ExitCode> {
    let report = crate::tui::supervise::supervise(
        store,
        crate::tui::supervise::SuperviseOptions {
            supervisor: trainee,
            since_day: "0000-01-01".into(),
            db_label: label,
        },
    )?;
    let checks: Vec<(i64, bool)> = report
        .checks
        .iter()
        .map(|c| (c.decision_id, c.overturned))
        .collect();
    let board = crate::domain::supervision_training::score(planted, &checks);
    if args.json {
        let json = serde_json::to_string_pretty(&board)?;
        println!("{}", crate::domain::text_safety::json_for_terminal(&json));
    } else {
        for line in board.lines() {
            println!("{}", crate::domain::text_safety::escape_for_display(&line));
        }
    }
    if let Some(keep) = args.keep.as_ref().filter(|k| !is_server(k)) {
        eprintln!("the demo database is kept at {}", keep.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn is_server(keep: &Path) -> bool {
    keep.to_str()
        .is_some_and(crate::store::postgres::connect::is_postgres_url)
}
