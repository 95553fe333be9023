//! `cargo bench --bench backends`: the same work on both backends, each beside its own floor in
//! the same run, as one table (figure, backend, matchgate, floor, ratio). A throwaway
//! PostgreSQL server is started for the run (as the tests do) and removed after; without
//! PostgreSQL's binaries the bench says so and stops.
//!
//! BACKENDS_ROWS generated rows (default 200,000) are imported into a new SQLite file and a new
//! server database, against the bare-table load of the same CSV (`sqlite3`'s `.import`; `psql`'s
//! `\copy`); the file is moved onto the server with `migrate`. Then both databases get the same
//! team and the same decision history, made through the library (`backends/history.rs`: about
//! one match in ten decided, some undone, some checked by a supervisor), and the same
//! commands are timed on each (`backends/commands.rs`: stats, the supervisors' figures, the dry
//! run, the decision history, the release, the recall listing, the audit verification), then
//! the review screen's store work in process (`backends/screen.rs`).
//!
//! Timings are wall clock on a shared machine: read the ratios, not the seconds.

#[path = "../tests/support/pg.rs"]
#[allow(dead_code)]
mod pg;

#[path = "backends/commands.rs"]
mod commands;
#[path = "backends/history.rs"]
mod history;
#[path = "backends/screen.rs"]
mod screen;
#[path = "scale/session.rs"]
mod session;
#[path = "backends/side.rs"]
mod side;
#[path = "backends/table.rs"]
mod table;

use std::path::Path;
use std::time::Instant;

use side::{BIN, Side, run};
use table::{note, row, seconds};

fn main() {
    let rows: u64 = std::env::var("BACKENDS_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let Some(server) = pg::PgServer::start("backends bench") else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("m.csv");
    let c = csv.to_str().expect("path");
    let rows_arg = rows.to_string();
    let args = ["generate", "--rows", &rows_arg, "--seed", "7"];
    run(BIN, &[&args[..], &["--batches", "3", "--out", c]].concat());
    println!(
        "backends: {rows} rows, {} cores; load now: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load()
    );
    table::header();

    let file = dir.path().join("m.db");
    let f = file.to_str().expect("path");
    let sqlite = seconds(|| drop(run(BIN, &["import", "--db", f, c])));
    let bare = dir.path().join("bare.db");
    let b = bare.to_str().expect("path");
    let import = format!(".import {c} t");
    let sqlite_floor = seconds(|| drop(run("sqlite3", &[b, ".mode csv", &import])));
    row(
        "import (floor: sqlite3 .import)",
        "SQLite",
        sqlite,
        sqlite_floor,
    );

    let url = server.url("postgres", &server.create_database("team"));
    run(BIN, &["init", "--db", &url]);
    let server_import = seconds(|| drop(run(BIN, &["import", "--db", &url, c])));
    let header = std::fs::read_to_string(&csv)
        .expect("csv")
        .lines()
        .next()
        .expect("header")
        .split(',')
        .map(|name| format!("\"{name}\" text"))
        .collect::<Vec<_>>()
        .join(", ");
    server.create_database("bare");
    server.psql("bare", &format!("CREATE TABLE t ({header})"));
    let copy_floor = psql_copy(&server, "bare", &csv);
    row(
        "import (floor: psql \\copy into a bare table)",
        "PostgreSQL",
        server_import,
        copy_floor,
    );

    let moved = server.url("postgres", &server.create_database("moved"));
    let migrate = seconds(|| drop(run(BIN, &["migrate", "--from", f, "--to", &moved])));
    row(
        "migrate the imported file here (floor: \\copy)",
        "PostgreSQL",
        migrate,
        copy_floor,
    );
    server.psql("postgres", "DROP DATABASE moved");

    // What autovacuum does unasked within its naptime (a minute), done now rather than in the
    // middle of a figure: after the import, and again once the history is written.
    let analyse = || seconds(|| drop(server.psql("team", "VACUUM ANALYZE")));
    analyse();
    let sides = [
        Side::File(file.clone()),
        Side::Server {
            server: &server,
            db: "team".into(),
        },
    ];
    let written = std::thread::scope(|scope| {
        let each = sides.each_ref().map(|side| {
            scope.spawn(move || {
                history::add_people(side);
                history::write(side)
            })
        });
        each.map(|h| h.join().expect("history"))
    });
    for (side, w) in sides.iter().zip(&written) {
        note(&format!(
            "history on {} (untimed, both at once): {} decisions ({} undone; {} approvals a gate refused, rejected \
             instead), {} supervisor's checks, {} refused; {:.0} s",
            side.name(),
            w.decisions,
            w.undone,
            w.rejected_instead,
            w.checks,
            w.refused,
            w.seconds
        ));
    }
    assert_eq!(
        written[0].decisions, written[1].decisions,
        "the same decisions were taken on both backends"
    );

    note(&format!(
        "server database: VACUUM ANALYZE after the import and after the history ({:.1} s), \
         what autovacuum does unasked; the file is not analysed (matchgate does not)",
        analyse()
    ));

    commands::measure(&sides, dir.path());
    screen::measure(&sides);
    println!(
        "\nbackends bench: {:.0} s in all; load now: {}",
        started.elapsed().as_secs_f64(),
        load()
    );
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn psql_copy(server: &pg::PgServer, db: &str, csv: &Path) -> f64 {
    let copy = format!(
        "\\copy t FROM '{}' WITH (FORMAT csv, HEADER true)",
        csv.display()
    );
    seconds(|| drop(server.psql(db, &copy)))
}
