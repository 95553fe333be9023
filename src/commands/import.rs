//! `matchgate import`: read a CSV / JSON Lines file of flagged matches into the database, all or
//! nothing unless `--skip-bad`.

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{FileFormat, ImportArgs};
use crate::import::quote::quoted;
use crate::import::{
    ColumnMap, Dialect, FlaggedReader, Format, ImportError, ImportOptions, ImportReport, OnBadRow,
    RowError,
};
use crate::store::postgres::PgStore;
use crate::store::{Created, ImportNotice, Store};

/// How many bad rows a refused import lists before summing up the rest.
const LISTED_BAD_ROWS: u64 = 20;
/// How many ignored column names the summary shows.
const LISTED_IGNORED_COLUMNS: usize = 20;

pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    // Everything about the input is checked before the database is touched, so a wrong map or a
    // header without `score` does not leave a new empty database behind.
    if args.batch.trim().is_empty() {
        anyhow::bail!("--batch needs a name");
    }
    let dialect = match &args.from {
        Some(tool) => Dialect::parse(tool).ok_or_else(|| {
            anyhow::anyhow!(
                "--from {}: unknown tool; known: splink, matchgate",
                quoted(tool)
            )
        })?,
        None => Dialect::default(),
    };
    let columns = match &args.map {
        Some(path) => ColumnMap::load(path)?,
        None => ColumnMap::default(),
    }
    .with_dialect(dialect);
    let format = match args.format {
        Some(FileFormat::Csv) => Format::Csv,
        Some(FileFormat::Jsonl) => Format::Jsonl,
        None => Format::from_path(&args.file).ok_or_else(|| ImportError::UnknownFormat {
            path: args.file.clone(),
        })?,
    };
    let options = ImportOptions {
        format: Some(format),
        default_batch: args.batch.clone(),
        requester: args.requester.clone().unwrap_or_default(),
        legal_basis: args.legal_basis.clone().unwrap_or_default(),
        columns,
    };
    let file = File::open(&args.file).map_err(|source| ImportError::Io {
        path: args.file.clone(),
        source,
    })?;
    let bar = progress_bar(&file);
    let input: Box<dyn Read + Send> = match &bar {
        Some(bar) => Box::new(bar.wrap_read(file)),
        None => Box::new(file),
    };
    let file_name = args.file.display().to_string();
    let mut rows = FlaggedReader::new(input, &file_name, format, &options)?;

    let policy = if args.skip_bad {
        OnBadRow::Skip
    } else {
        OnBadRow::Abort
    };
    let mut listed = 0u64;
    let say = |line: String| match &bar {
        Some(bar) => bar.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    };
    let on_bad = |err: RowError| {
        // Skipped rows are all listed (the user asked to go on without them); a refused import
        // lists enough to start fixing the file.
        if policy == OnBadRow::Skip || listed < LISTED_BAD_ROWS || err.fatal {
            listed += 1;
            say(err.to_string());
        }
    };
    let context = || format!("importing {file_name} into {}", args.db.db.display());
    // On a server the schema is the DBA's (`init`); the import is one transaction there.
    let (report, created, store) = match super::server::target(&args.db.db)? {
        Some(target) => {
            let mut server = PgStore::open(&target)?;
            let report = server
                .import_file(&file_name, &mut rows, policy, on_bad)
                .with_context(context)?;
            (report, Created::Existing, None)
        }
        None => {
            let (mut store, created) = Store::create(&args.db.db)?;
            let report = store
                .import_file(&file_name, &mut rows, policy, on_bad, |notice| {
                    say(notice_text(&notice))
                })
                .with_context(context)?;
            (report, created, Some(store))
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let ignored = rows.ignored_columns();
    if !ignored.is_empty() {
        // JSON Lines may bring new keys on every line: name a few, count the rest.
        let mut names: Vec<String> = ignored
            .iter()
            .take(LISTED_IGNORED_COLUMNS)
            .map(|n| quoted(n))
            .collect();
        if ignored.len() > LISTED_IGNORED_COLUMNS {
            names.push(format!(
                "and {} more",
                ignored.len() - LISTED_IGNORED_COLUMNS
            ));
        }
        println!(
            "ignored columns matchgate does not know: {}",
            names.join(", ")
        );
    }
    if !report.committed {
        if report.bad_rows > listed {
            eprintln!("... and {} more bad rows", report.bad_rows - listed);
        }
        if created == Created::New {
            // Nothing went in: leave no empty database behind either.
            drop(store);
            remove_database(&args.db.db);
        }
        anyhow::bail!(
            "nothing was imported from {file_name}: {} bad {}; fix {} or use --skip-bad to import the good rows",
            report.bad_rows,
            plural(report.bad_rows, "row", "rows"),
            plural(report.bad_rows, "it", "them"),
        );
    }
    if created == Created::New {
        println!("created database {}", args.db.db.display());
    }
    println!("{}", summary(&report, &file_name));
    Ok(ExitCode::SUCCESS)
}

/// A progress bar by bytes read, on stderr, only when a person is watching it.
fn progress_bar(file: &File) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let len = file.metadata().map(|m| m.len()).ok()?;
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("importing {wide_bar} {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn notice_text(notice: &ImportNotice) -> String {
    match notice {
        ImportNotice::Waiting(id) => {
            format!("waiting for import {id}, which is loading into this database, to finish")
        }
        ImportNotice::CleanedUp(c) => format!(
            "cleaned up unfinished import {} of {} (started {}): removed {} hidden {}",
            c.id,
            quoted(&c.file),
            c.started_at,
            c.matches,
            plural(c.matches, "match", "matches")
        ),
    }
}

fn summary(report: &ImportReport, file_name: &str) -> String {
    let mut text = format!(
        "imported {} {} ({} {}, {} {}) into {} {} from {file_name}; {} already present",
        report.inserted,
        plural(report.inserted, "match", "matches"),
        report.new_requests,
        plural(report.new_requests, "request", "requests"),
        report.new_candidates,
        plural(report.new_candidates, "candidate", "candidates"),
        report.batches,
        plural(report.batches, "batch", "batches"),
        report.already_present,
    );
    if report.new_batches > 0 {
        text.push_str(&format!(
            "; {} new {}",
            report.new_batches,
            plural(report.new_batches, "batch", "batches")
        ));
    }
    if report.bad_rows > 0 {
        text.push_str(&format!(
            "; skipped {} bad {}",
            report.bad_rows,
            plural(report.bad_rows, "row", "rows")
        ));
    }
    text
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Removes a database this import created (with its WAL files) after nothing was imported.
fn remove_database(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        // Best effort: the file is empty of data either way.
        let _ = std::fs::remove_file(file);
    }
}
