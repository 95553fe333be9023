//! `cargo bench --bench backends`: the same work on both backends, each beside its own floor in
//! the same run. A throwaway PostgreSQL server is started for the run (as the tests do) and
//! removed after; without PostgreSQL's binaries the bench says so and stops.
//!
//! Figures: importing BACKENDS_ROWS generated rows (default 200,000) into a new database, against
//! the bare-table load of the same CSV (SQLite: the `sqlite3` shell's `.import`; PostgreSQL:
//! `psql`'s `\copy`); and moving the imported file onto the server with `migrate`.

#[path = "../tests/support/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_matchgate");

fn timed(program: &str, args: &[&str]) -> f64 {
    let started = Instant::now();
    let out = Command::new(program).args(args).output().expect("run");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    seconds
}

fn row(figure: &str, seconds: f64, floor: f64) {
    println!(
        "{figure:<52} {seconds:>8.2} s {floor:>8.2} s {:>7.2}x",
        seconds / floor
    );
}

fn main() {
    let rows: u64 = std::env::var("BACKENDS_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let Some(server) = pg::PgServer::start("backends bench") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("m.csv");
    let c = csv.to_str().expect("path");
    timed(
        BIN,
        &[
            "generate",
            "--rows",
            &rows.to_string(),
            "--seed",
            "7",
            "--batches",
            "3",
            "--out",
            c,
        ],
    );
    println!(
        "backends: {rows} rows; load now: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "{:<52} {:>10} {:>10} {:>8}",
        "figure", "matchgate", "floor", "ratio"
    );

    let file = dir.path().join("m.db");
    let f = file.to_str().expect("path");
    let sqlite = timed(BIN, &["import", "--db", f, c]);
    let bare = dir.path().join("bare.db");
    let sqlite_floor = timed(
        "sqlite3",
        &[
            bare.to_str().expect("path"),
            ".mode csv",
            &format!(".import {c} t"),
        ],
    );
    row(
        "import, SQLite file (floor: sqlite3 .import)",
        sqlite,
        sqlite_floor,
    );

    let url = server.url("postgres", &server.create_database("team"));
    timed(BIN, &["init", "--db", &url]);
    let server_import = timed(BIN, &["import", "--db", &url, c]);
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
        "import, PostgreSQL (floor: psql \\copy into a bare table)",
        server_import,
        copy_floor,
    );

    let moved = server.url("postgres", &server.create_database("moved"));
    let migrate = timed(BIN, &["migrate", "--from", f, "--to", &moved]);
    row(
        "migrate the imported file onto the server (floor: \\copy)",
        migrate,
        copy_floor,
    );
}

fn psql_copy(server: &pg::PgServer, db: &str, csv: &Path) -> f64 {
    let started = Instant::now();
    server.psql(
        db,
        &format!(
            "\\copy t FROM '{}' WITH (FORMAT csv, HEADER true)",
            csv.display()
        ),
    );
    started.elapsed().as_secs_f64()
}
