//! `matchgate import` end to end: the real binary on real files, the database checked directly.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;

const HOSTILE_TEXT: i64 = 1;
const SEVERAL_CANDIDATES: i64 = 1 << 1;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn matchgate<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_matchgate"))
        .args(args)
        .output()
        .expect("run matchgate")
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn import<S: AsRef<OsStr>>(db: &Path, file: &Path, extra: &[S]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("import"),
        OsStr::new("--db"),
        db.as_os_str(),
        file.as_os_str(),
    ];
    args.extend(extra.iter().map(AsRef::as_ref));
    let out = matchgate(&args);
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const NO_ARGS: &[&str] = &[];

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .expect("open db")
        .query_row(sql, [], |r| r.get(0))
        .expect(sql)
}

fn text(db: &Path, sql: &str) -> String {
    Connection::open(db)
        .expect("open db")
        .query_row(sql, [], |r| r.get(0))
        .expect(sql)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid json")
}

#[test]
fn good_csv_creates_the_database_and_imports_every_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = data("good.csv");
    let run = import(&db, &file, &["--batch", "winter", "--requester", "CLI Req"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("created database {}", db.display())),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "imported 5 matches (4 requests, 5 candidates) into 3 batches from {}; 0 already present",
            file.display()
        )),
        "{}",
        run.stdout
    );
    // Unknown non-prefixed columns are ignored but mentioned, once.
    assert_eq!(
        run.stdout.matches("\"internal_ref\"").count(),
        1,
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");

    assert_eq!(count(&db, "SELECT count(*) FROM matches"), 5);
    assert_eq!(count(&db, "SELECT count(*) FROM requests"), 4);
    assert_eq!(count(&db, "SELECT count(*) FROM candidates"), 5);
    assert_eq!(
        text(
            &db,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM batches ORDER BY name)"
        ),
        "autumn,spring,winter"
    );
    // Batch metadata comes from the row that created the batch, else from the options.
    assert_eq!(
        text(
            &db,
            "SELECT requester || '|' || legal_basis FROM batches WHERE name = 'spring'"
        ),
        "County Court|Order 2026-17"
    );
    assert_eq!(
        text(
            &db,
            "SELECT requester || '|' || legal_basis FROM batches WHERE name = 'winter'"
        ),
        "CLI Req|"
    );
    // Canonical fields land in their columns; the first-seen request values are kept.
    assert_eq!(
        text(
            &db,
            "SELECT given_name || ' ' || surname || ' ' || dob || ' ' || zip FROM requests r
               JOIN batches b ON b.id = r.batch_id WHERE b.name = 'spring' AND source_id = 'R1'"
        ),
        "Maria Lopez 1984-03-12 62704"
    );
    assert_eq!(
        text(
            &db,
            "SELECT c.unit || '/' || c.tin FROM candidates c JOIN batches b ON b.id = c.batch_id
              WHERE b.name = 'spring' AND c.source_id = 'C1'"
        ),
        "Apt 3/123-45-6789"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM matches WHERE status = 'pending'"),
        5
    );
    assert_eq!(
        text(
            &db,
            "SELECT gold || ':' || gold_note FROM matches WHERE score = 0.61"
        ),
        "nonmatch:different date of birth"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM matches WHERE gold IS NULL"),
        3
    );
    // Every timestamp is set.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM matches WHERE imported_at LIKE '20%Z' AND updated_at = imported_at"
        ),
        5
    );
    assert!(
        Connection::open(&db)
            .expect("open")
            .prepare("PRAGMA foreign_key_check")
            .expect("check")
            .query([])
            .expect("rows")
            .next()
            .expect("step")
            .is_none(),
        "every reference points at a row"
    );
}

#[test]
fn extra_fields_land_in_the_extra_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    assert!(import(&db, &data("good.csv"), NO_ARGS).ok);
    let request_extra = json(&text(
        &db,
        "SELECT r.extra FROM requests r JOIN batches b ON b.id = r.batch_id
          WHERE b.name = 'spring' AND r.source_id = 'R1'",
    ));
    assert_eq!(request_extra, serde_json::json!({"tin": "123-45-6789"}));
    let candidate_extra = json(&text(
        &db,
        "SELECT c.extra FROM candidates c JOIN batches b ON b.id = c.batch_id
          WHERE b.name = 'spring' AND c.source_id = 'C1'",
    ));
    assert_eq!(candidate_extra, serde_json::json!({"phone": "555-0101"}));
    assert_eq!(
        count(&db, "SELECT count(*) FROM candidates WHERE extra = '{}'"),
        4
    );
}

#[test]
fn json_lines_import_like_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let run = import(&db, &data("good.jsonl"), NO_ARGS);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported 3 matches (2 requests, 3 candidates) into 1 batch"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"source_system\""), "{}", run.stdout);
    // Numbers are accepted for ids and scores; text scores too.
    assert_eq!(
        count(&db, "SELECT count(*) FROM requests WHERE source_id = '2'"),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM matches WHERE score = 0.8"),
        1
    );
    assert_eq!(
        text(&db, "SELECT extra FROM candidates WHERE source_id = 'K1'"),
        r#"{"email":"l@example.org"}"#
    );
    assert_eq!(
        text(&db, "SELECT tin FROM candidates WHERE source_id = 'K1'"),
        "111-22-3333"
    );
    assert_eq!(
        count(
            &db,
            "SELECT candidate_count FROM requests WHERE source_id = 'Q1'"
        ),
        2
    );

    // --format overrides the extension.
    let renamed = dir.path().join("rows.txt");
    std::fs::copy(data("good.jsonl"), &renamed).expect("copy");
    let db2 = dir.path().join("m2.db");
    let refused = import(&db2, &renamed, NO_ARGS);
    assert!(!refused.ok);
    assert!(refused.stderr.contains("--format"), "{}", refused.stderr);
    assert!(import(&db2, &renamed, &["--format", "jsonl"]).ok);
    assert_eq!(count(&db2, "SELECT count(*) FROM matches"), 3);
}

#[test]
fn reimporting_adds_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = data("good.csv");
    assert!(import(&db, &file, NO_ARGS).ok);
    let snapshot = |db: &Path| {
        (
            count(db, "SELECT count(*) FROM matches"),
            count(db, "SELECT count(*) FROM requests"),
            count(db, "SELECT count(*) FROM candidates"),
            count(db, "SELECT count(*) FROM batches"),
            count(db, "SELECT sum(candidate_count) FROM requests"),
        )
    };
    let before = snapshot(&db);
    let again = import(&db, &file, NO_ARGS);
    assert!(again.ok, "{}", again.stderr);
    assert!(
        !again.stdout.contains("created database"),
        "{}",
        again.stdout
    );
    assert!(
        again
            .stdout
            .contains("imported 0 matches (0 requests, 0 candidates) into 0 batches"),
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("; 5 already present"),
        "{}",
        again.stdout
    );
    assert_eq!(snapshot(&db), before);
}

#[test]
fn several_candidates_per_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let run = import(&db, &data("several.csv"), NO_ARGS);
    assert!(run.ok, "{}", run.stderr);
    // R1 C2 appears twice: the second counts as already present, within one file too.
    assert!(
        run.stdout
            .contains("imported 5 matches (2 requests, 5 candidates) into 1 batch"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("; 1 already present"), "{}", run.stdout);
    let r1 = "FROM requests WHERE source_id = 'R1'";
    assert_eq!(count(&db, &format!("SELECT candidate_count {r1}")), 4);
    assert_eq!(
        text(&db, &format!("SELECT CAST(top_score AS TEXT) {r1}")),
        "0.95"
    );
    assert_eq!(
        count(&db, &format!("SELECT flags & {SEVERAL_CANDIDATES} {r1}")),
        SEVERAL_CANDIDATES
    );
    let r2 = "FROM requests WHERE source_id = 'R2'";
    assert_eq!(count(&db, &format!("SELECT candidate_count {r2}")), 1);
    assert_eq!(
        count(&db, &format!("SELECT flags & {SEVERAL_CANDIDATES} {r2}")),
        0,
        "a single candidate is not flagged as several"
    );
    // The first-seen score of the repeated pair stays.
    assert_eq!(
        text(
            &db,
            "SELECT CAST(m.score AS TEXT) FROM matches m JOIN candidates c ON c.id = m.candidate_id
              WHERE c.source_id = 'C2'"
        ),
        "0.95"
    );
}

#[test]
fn a_new_candidate_reopens_a_decided_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let first = dir.path().join("first.csv");
    std::fs::write(&first, "request_id,candidate_id,score\nR1,C1,0.5\n").expect("write");
    assert!(import(&db, &first, NO_ARGS).ok);
    Connection::open(&db)
        .and_then(|c| {
            c.execute(
                "UPDATE requests SET queue_rank = 3 WHERE source_id = 'R1'",
                [],
            )
        })
        .expect("decide");
    let second = dir.path().join("second.csv");
    std::fs::write(
        &second,
        "request_id,candidate_id,score\nR1,C1,0.5\nR1,C2,0.8\n",
    )
    .expect("write");
    let run = import(&db, &second, NO_ARGS);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported 1 match (0 requests, 1 candidate)"),
        "{}",
        run.stdout
    );
    let r1 = "FROM requests WHERE source_id = 'R1'";
    assert_eq!(count(&db, &format!("SELECT queue_rank {r1}")), 0);
    assert_eq!(count(&db, &format!("SELECT candidate_count {r1}")), 2);
    assert_eq!(
        text(&db, &format!("SELECT CAST(top_score AS TEXT) {r1}")),
        "0.8"
    );
    assert_eq!(
        count(&db, &format!("SELECT flags & {SEVERAL_CANDIDATES} {r1}")),
        SEVERAL_CANDIDATES
    );
}

#[test]
fn a_column_map_renames_their_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let map = data("mapped.toml");
    let run = import(
        &db,
        &data("mapped.csv"),
        &[OsStr::new("--map"), map.as_os_str()],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported 3 matches (2 requests, 3 candidates) into 1 batch"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"Comment\""), "{}", run.stdout);
    assert_eq!(
        text(
            &db,
            "SELECT given_name || ' ' || surname || ' ' || dob || ' ' || extra FROM requests
              WHERE source_id = 'A-1'"
        ),
        r#"Hiro Tanaka 1966-06-16 {"nickname":"Hiroshi"}"#
    );
    assert_eq!(
        text(
            &db,
            "SELECT surname || ' ' || tin FROM candidates WHERE source_id = 'P-1'"
        ),
        "Tanaka 555-11-2222"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM matches WHERE gold = 'match'"),
        1
    );

    // Without the map the file lacks our required columns: refused, naming file and column.
    let db2 = dir.path().join("m2.db");
    let refused = import(&db2, &data("mapped.csv"), NO_ARGS);
    assert!(!refused.ok);
    assert!(
        refused
            .stderr
            .contains("mapped.csv: missing required column \"request_id\""),
        "{}",
        refused.stderr
    );
}

#[test]
fn bad_map_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    for (name, content, expected) in [
        ("syntax.toml", "[columns\n", "is not a valid map"),
        (
            "unknown.toml",
            "[columns]\nprobability = \"P\"\n",
            "\"probability\" is not a matchgate column",
        ),
        (
            "twice.toml",
            "[columns]\nreq_surname = \"Name\"\ncand_surname = \"Name\"\n",
            "column \"Name\" is mapped to both",
        ),
    ] {
        let map = dir.path().join(name);
        std::fs::write(&map, content).expect("write map");
        let run = import(
            &db,
            &data("good.csv"),
            &[OsStr::new("--map"), map.as_os_str()],
        );
        assert!(!run.ok, "{name}");
        assert!(
            run.stderr
                .contains(&format!("column map {}: ", map.display())),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    let missing = dir.path().join("missing.toml");
    let run = import(
        &db,
        &data("good.csv"),
        &[OsStr::new("--map"), missing.as_os_str()],
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains(&missing.display().to_string()),
        "{}",
        run.stderr
    );
    // The input was refused before the database was created.
    assert!(!db.exists());
}

const HEADER: &str = "request_id,candidate_id,score,req_dob,cand_street,gold";
const GOOD_ROW: &str = "R1,C1,0.9,1980-01-01,Main St,match";

/// Writes a CSV of a good row, the bad row, and another good row; the bad row is on line 3.
fn file_with_bad_row(dir: &Path, name: &str, bad: &[u8]) -> PathBuf {
    let mut content = format!("{HEADER}\n{GOOD_ROW}\n").into_bytes();
    content.extend_from_slice(bad);
    content.extend_from_slice(b"\nR4,C4,0.4,,,\n");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

#[test]
fn each_bad_row_names_file_line_and_column_and_nothing_is_imported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(4097);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("range.csv", b"R2,C2,1.7,,,".to_vec(), r#"column "score": "1.7" is out of range 0..1"#.into()),
        ("negative.csv", b"R2,C2,-0.2,,,".to_vec(), r#"column "score": "-0.2" is out of range 0..1"#.into()),
        ("nan.csv", b"R2,C2,NaN,,,".to_vec(), r#"column "score": "NaN" is not a finite number"#.into()),
        ("inf.csv", b"R2,C2,inf,,,".to_vec(), r#"column "score": "inf" is not a finite number"#.into()),
        ("word.csv", b"R2,C2,high,,,".to_vec(), r#"column "score": "high" is not a number"#.into()),
        ("noscore.csv", b"R2,C2,,,,".to_vec(), r#"column "score": missing value"#.into()),
        ("noid.csv", b",C2,0.5,,,".to_vec(), r#"column "request_id": missing value"#.into()),
        ("nocand.csv", b"R2, ,0.5,,,".to_vec(), r#"column "candidate_id": missing value"#.into()),
        ("utf8.csv", b"R2,C2,0.5,,Stra\xdfe,".to_vec(), r#"column "cand_street": the value is not valid UTF-8"#.into()),
        ("long.csv", format!("R2,C2,0.5,,{long},").into_bytes(), r#"column "cand_street": the value is 4097 bytes long"#.into()),
        ("gold.csv", b"R2,C2,0.5,,,maybe".to_vec(), r#"column "gold": "maybe" is not match or nonmatch"#.into()),
        ("fields.csv", b"R2,C2,0.5,,".to_vec(), "malformed CSV: expected 6 fields as in the header, found 5".into()),
        ("quote.csv", b"R2,C2,0.5,,\"Main St,".to_vec(), "malformed CSV: expected 6 fields as in the header, found 5; a quoted field runs over several lines".into()),
    ];
    for (name, bad, expected) in cases {
        let db = dir.path().join(format!("{name}.db"));
        let file = file_with_bad_row(dir.path(), name, &bad);
        let run = import(&db, &file, NO_ARGS);
        assert!(!run.ok, "{name} was accepted");
        let wanted = format!("{}:3: {expected}", file.display());
        assert!(
            run.stderr.contains(&wanted),
            "{name}: wanted {wanted:?} in\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("nothing was imported"),
            "{name}: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("imported "), "{name}: {}", run.stdout);
        // Nothing went in, so the database this import would have created is not left behind.
        assert!(!db.exists(), "{name}: the new database was left behind");
    }
}

#[test]
fn bad_json_lines_name_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"request_id": "R1", "candidate_id": "C1", "score": 0.5}"#,
            "\n",
            r#"{"request_id": "R2", "candidate_id": "C2", "score": 0.5"#,
            "\n\n",
            r#"{"request_id": "R3", "candidate_id": true, "score": 0.5}"#,
            "\n",
            r#"{"request_id": "R4", "score": 0.5}"#,
            "\n",
            r#"["R5", "C5", 0.5]"#,
            "\n",
            r#"{"request_id": "R6", "candidate_id": "C6", "score": 2}"#,
            "\n",
        ),
    )
    .expect("write");
    let run = import(&db, &file, NO_ARGS);
    assert!(!run.ok);
    let f = file.display().to_string();
    for wanted in [
        format!("{f}:2: malformed JSON"),
        format!("{f}:4: column \"candidate_id\": expected text or a number"),
        format!("{f}:5: column \"candidate_id\": missing value"),
        format!("{f}:6: malformed JSON"),
        format!("{f}:7: column \"score\": \"2\" is out of range 0..1"),
    ] {
        assert!(
            run.stderr.contains(&wanted),
            "wanted {wanted:?} in\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains(&format!("{f}:1:")), "{}", run.stderr);
    assert!(
        !db.exists(),
        "a refused import leaves no new database behind"
    );
}

#[test]
fn skip_bad_imports_the_good_rows_and_lists_the_bad() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = dir.path().join("mixed.csv");
    std::fs::write(
        &file,
        format!("{HEADER}\n{GOOD_ROW}\nR2,C2,1.5,,,\nR3,C3,0.3,1999-02-29,,x\nR4,C4,0.4,,,\n"),
    )
    .expect("write");
    let run = import(&db, &file, &["--skip-bad"]);
    assert!(run.ok, "{}", run.stderr);
    let f = file.display().to_string();
    assert!(
        run.stderr.contains(&format!("{f}:3: column \"score\"")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{f}:4: column \"gold\"")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    assert!(
        run.stdout.contains("imported 2 matches") && run.stdout.contains("skipped 2 bad rows"),
        "{}",
        run.stdout
    );
    assert_eq!(
        text(
            &db,
            "SELECT group_concat(source_id, ',') FROM (SELECT source_id FROM requests ORDER BY source_id)"
        ),
        "R1,R4"
    );
}

#[test]
fn a_refused_import_caps_its_listing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = dir.path().join("many.csv");
    let mut content = format!("{HEADER}\n");
    for i in 0..30 {
        content.push_str(&format!("R{i},C{i},9,,,\n"));
    }
    std::fs::write(&file, content).expect("write");
    let run = import(&db, &file, NO_ARGS);
    assert!(!run.ok);
    let listed = run
        .stderr
        .lines()
        .filter(|l| l.contains("out of range"))
        .count();
    assert_eq!(listed, 20, "{}", run.stderr);
    assert!(
        run.stderr.contains("... and 10 more bad rows"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("30 bad rows"), "{}", run.stderr);
}

#[test]
fn header_problems_are_refused_before_the_database_is_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let no_score = dir.path().join("noscore.csv");
    std::fs::write(
        &no_score,
        "request_id,candidate_id,req_surname\nR1,C1,Lee\n",
    )
    .expect("write");
    let run = import(&db, &no_score, NO_ARGS);
    assert!(!run.ok);
    assert!(
        run.stderr.contains(&format!(
            "{}: missing required column \"score\"",
            no_score.display()
        )),
        "{}",
        run.stderr
    );
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").expect("write");
    let run = import(&db, &empty, NO_ARGS);
    assert!(!run.ok);
    assert!(run.stderr.contains("the file is empty"), "{}", run.stderr);
    let empty_jsonl = dir.path().join("empty.jsonl");
    std::fs::write(&empty_jsonl, "\n  \n").expect("write");
    let run = import(&db, &empty_jsonl, NO_ARGS);
    assert!(!run.ok);
    assert!(run.stderr.contains("the file is empty"), "{}", run.stderr);
    assert!(!db.exists());
}

#[test]
fn hostile_characters_flag_the_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let file = dir.path().join("hostile.csv");
    std::fs::write(
        &file,
        "request_id,candidate_id,score,req_given_name,cand_street,cand_note\n\
         R1,C1,0.5,Ann,Main St,\n\
         R2,C2,0.5,\"Ann\x1b[2J\",Main St,\n\
         R3,C3,0.5,Bob,\"Main \u{202e}tS\",\n\
         R4,C4,0.5,Cy,Elm St,\"zero\u{200b}width\"\n",
    )
    .expect("write");
    let run = import(&db, &file, NO_ARGS);
    assert!(run.ok, "{}", run.stderr);
    let flags = |id: &str| {
        count(
            &db,
            &format!("SELECT flags & {HOSTILE_TEXT} FROM requests WHERE source_id = '{id}'"),
        )
    };
    assert_eq!(flags("R1"), 0);
    assert_eq!(flags("R2"), HOSTILE_TEXT);
    assert_eq!(flags("R3"), HOSTILE_TEXT);
    assert_eq!(flags("R4"), HOSTILE_TEXT);
    // The text is stored as it came: showing it safely is the screen's job.
    assert_eq!(
        text(
            &db,
            "SELECT given_name FROM requests WHERE source_id = 'R2'"
        ),
        "Ann\u{1b}[2J"
    );
}

#[test]
fn a_file_that_is_not_a_matchgate_database_is_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = dir.path().join("notes.db");
    std::fs::write(&notes, "these are my notes, not a database\n").expect("write");
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .and_then(|c| c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"))
        .expect("foreign db");
    for target in [&notes, &other] {
        let before = std::fs::read(target).expect("read");
        let run = import(target, &data("good.csv"), NO_ARGS);
        assert!(!run.ok, "{}", target.display());
        assert!(
            run.stderr.contains("is not a matchgate database"),
            "{}",
            run.stderr
        );
        assert_eq!(
            std::fs::read(target).expect("read"),
            before,
            "{}",
            target.display()
        );
    }
}

#[test]
fn stats_after_import_counts_the_pending_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    assert!(import(&db, &data("good.csv"), NO_ARGS).ok);
    assert!(import(&db, &data("several.csv"), &["--batch", "extra"]).ok);
    let out = matchgate(&[
        OsStr::new("stats"),
        OsStr::new("--db"),
        db.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert!(out.status.success());
    let stats = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(stats["total"], 10);
    assert_eq!(stats["by_status"]["pending"], 10);
    assert_eq!(stats["by_status"]["approved"], 0);
    assert_eq!(stats["by_batch"]["spring"]["pending"], 3);
    assert_eq!(stats["by_batch"]["extra"]["pending"], 5);
}
