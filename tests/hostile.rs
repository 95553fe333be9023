//! Hostile data end to end: every value of the fixture set (tests/support/hostile.rs) is
//! imported or refused with a clear message, into a SQLite file and onto a PostgreSQL server
//! alike; what is imported is stored exactly, shown on the
//! review screen escaped and aligned, and none of its control sequences reaches the terminal
//! (the raw bytes the program writes are captured from its pty with tmux's pipe-pane).
#![cfg(unix)]

mod support;

use std::path::Path;

use support::hostile::{Case, FORBIDDEN_OUTPUT, cases, csv_field, has_c1};
use support::pg::PgServer;
use support::{Tmux, db, run, stderr};
use unicode_width::UnicodeWidthStr;

const HEADER: &[u8] =
    b"request_id,candidate_id,score,req_given_name,req_surname,cand_given_name,cand_surname\n";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn row(id: &str, score: f64, value: &[u8]) -> Vec<u8> {
    let mut line = format!("{id},C{id},{score:.3},Given,").into_bytes();
    line.extend(csv_field(value));
    line.extend_from_slice(b",Given,Zzcandidate\n");
    line
}

/// No raw control, escape, bidi or invisible character in what a person will read.
fn assert_no_raw(what: &str, bytes: &[u8]) {
    for (name, seq) in FORBIDDEN_OUTPUT {
        assert!(
            !bytes.windows(seq.len()).any(|w| w == *seq),
            "{what} holds {name} raw"
        );
    }
    assert!(!has_c1(bytes), "{what} holds a C1 control raw");
}

/// Imports the case's one-row file into `db`: true when it was imported; when refused, the
/// message named the file, the line, the column and why. Nothing raw reaches either stream.
fn imported(dir: &Path, case: &Case, db: &str) -> bool {
    let file = dir.join(format!("{}.csv", case.name));
    let mut csv = HEADER.to_vec();
    csv.extend(row("H01", 0.9, &case.value));
    std::fs::write(&file, csv).expect("write");
    let out = run(&["import", "--db", db, s(&file)]);
    assert_no_raw(&format!("{}: import's stderr", case.name), &out.stderr);
    assert_no_raw(&format!("{}: import's stdout", case.name), &out.stdout);
    if out.status.success() {
        assert!(case.refused_with.is_none(), "{}: accepted", case.name);
        return true;
    }
    let err = stderr(&out);
    let place = format!("{}.csv:2", case.name);
    assert!(
        err.contains(&place),
        "{}: names file and line: {err}",
        case.name
    );
    assert!(
        err.contains("req_surname"),
        "{}: names the column: {err}",
        case.name
    );
    if let Some(words) = case.refused_with {
        assert!(err.contains(words), "{}: says why: {err}", case.name);
    }
    false
}

#[test]
fn every_hostile_value_is_imported_exactly_or_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    for case in cases() {
        let db_path = dir.path().join(format!("{}.db", case.name));
        if imported(dir.path(), &case, s(&db_path)) {
            let stored: Vec<u8> = db(&db_path)
                .query_row("SELECT CAST(surname AS BLOB) FROM requests", [], |r| {
                    r.get(0)
                })
                .expect("stored");
            assert_eq!(stored, case.value, "{}: stored exactly", case.name);
        } else {
            assert!(
                !db_path.exists(),
                "{}: a refused import leaves no database",
                case.name
            );
        }
    }
}

/// The same cases onto a server, each into a database of its own: the same values stored byte
/// for byte, the same refusals naming file, line and column, and nothing of a refused file kept.
#[test]
fn every_hostile_value_is_imported_exactly_or_refused_on_a_server_too() {
    let Some(server) = PgServer::start("hostile_on_a_server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    for (n, case) in cases().into_iter().enumerate() {
        let database = server.create_database(&format!("case{n}"));
        let url = server.url("postgres", &database);
        let out = run(&["init", "--db", &url]);
        assert!(out.status.success(), "{}", stderr(&out));
        let stored = |sql: &str| server.psql(&database, sql);
        if imported(dir.path(), &case, &url) {
            let hex =
                stored("SELECT encode(convert_to(surname, 'UTF8'), 'hex') FROM matchgate.requests");
            let want: String = case.value.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, want, "{}: stored exactly", case.name);
        } else {
            let kept = stored(
                "SELECT (SELECT count(*) FROM matchgate.requests) + (SELECT count(*) FROM matchgate.batches)",
            );
            assert_eq!(kept, "0", "{}: a refused import keeps nothing", case.name);
        }
    }
}

/// The display column where `needle` starts in `line` (wide characters count two).
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|at| line[..at].width())
}

#[test]
fn the_screen_shows_hostile_values_escaped_and_aligned_and_writes_none_raw() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = cases();
    let mut csv = HEADER.to_vec();
    for (i, case) in cases.iter().enumerate() {
        csv.extend(row(
            &format!("H{:02}", i + 1),
            0.99 - i as f64 * 0.005,
            &case.value,
        ));
    }
    let file = dir.path().join("hostile.csv");
    std::fs::write(&file, csv).expect("write");
    let db_path = dir.path().join("hostile.db");
    let out = run(&["import", "--db", s(&db_path), s(&file), "--skip-bad"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let imported: Vec<(usize, String)> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.refused_with.is_none())
        .map(|(i, c)| (i + 1, c.name.to_string()))
        .collect();

    let raw = dir.path().join("terminal.bytes");
    let home = s(dir.path());
    let command = vec![
        "sh".to_string(),
        "-c".to_string(),
        format!(
            "read _; exec '{}' review --db '{}'",
            env!("CARGO_BIN_EXE_matchgate"),
            s(&db_path)
        ),
    ];
    let tmux = Tmux::start_command(
        &command,
        100,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    // Capture from the first byte matchgate writes: it starts only after this Enter.
    tmux.pipe_output(&raw);
    tmux.keys(&["Enter"]);
    let mut seen = String::new();
    for (n, (index, name)) in imported.iter().enumerate() {
        if n > 0 {
            tmux.keys(&["j"]);
        }
        // A frame read while the terminal is still redrawing can be half old, half new: read
        // until the item's table is there, lined up (or time runs out and the checks below fail).
        let mut screen = tmux.wait_for(&format!("request H{index:02} "));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !settled(&screen) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
            screen = tmux.wait_for(&format!("request H{index:02} "));
        }
        seen.push_str(&screen);
        for line in screen.lines() {
            assert!(
                !matchgate::domain::text_safety::contains_unsafe(line),
                "{name}: the screen holds an unsafe character:\n{screen}"
            );
        }
        let header = screen
            .lines()
            .find(|l| l.contains("requested") && l.contains("candidate"))
            .unwrap_or_else(|| panic!("{name}: no comparison table:\n{screen}"));
        let surname = screen
            .lines()
            .find(|l| l.trim_start().starts_with("Surname"))
            .unwrap_or_else(|| panic!("{name}: no surname row:\n{screen}"));
        assert_eq!(
            column_of(surname, "Zzcandidate"),
            column_of(header, "candidate"),
            "{name}: the candidate column is out of line:\n{header}\n{surname}"
        );
        assert_eq!(
            column_of(surname, "Surname"),
            column_of(header, "field"),
            "{name}: the row starts out of line"
        );
    }
    assert_ne!(
        tmux.pane_title().trim(),
        "APPROVED",
        "a record retitled the terminal"
    );
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let bytes = std::fs::read(&raw).expect("captured output");
    assert!(
        bytes.len() > 1000,
        "the capture holds the session ({} bytes)",
        bytes.len()
    );
    assert_no_raw("the bytes written to the terminal", &bytes);
    // The hostile characters did reach the screen, as visible escapes; ordinary text as itself.
    for visible in [
        "\\u{202e}",
        "\\e[3;31;42m",
        "\\e]52;c;",
        "\\u{200b}",
        "山田太郎",
        "=HYPERLINK(",
    ] {
        assert!(seen.contains(visible), "{visible} was never shown");
    }
}

/// The comparison table is drawn and its surname row lines up with the header.
fn settled(screen: &str) -> bool {
    let header = screen
        .lines()
        .find(|l| l.contains("requested") && l.contains("candidate"));
    let surname = screen
        .lines()
        .find(|l| l.trim_start().starts_with("Surname"));
    match (header, surname) {
        (Some(h), Some(s)) => column_of(s, "Zzcandidate") == column_of(h, "candidate"),
        _ => false,
    }
}
