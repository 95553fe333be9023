//! `matchgate generate` end to end: the real binary, the files it writes, and the checked-in demo.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use matchgate::generate::places::{CITIES, is_valid_state};
use matchgate::generate::{DEMO_BATCHES, DEMO_ROWS, DEMO_SEED, Kind};

/// The import format's columns, spelled out here so a change to the generator's list shows up.
const EXPECTED_COLUMNS: [&str; 31] = [
    "batch",
    "requester",
    "legal_basis",
    "request_id",
    "candidate_id",
    "score",
    "req_given_name",
    "req_surname",
    "req_dob",
    "req_street_number",
    "req_street",
    "req_unit",
    "req_city",
    "req_state",
    "req_zip",
    "req_tin",
    "cand_given_name",
    "cand_surname",
    "cand_dob",
    "cand_street_number",
    "cand_street",
    "cand_unit",
    "cand_city",
    "cand_state",
    "cand_zip",
    "cand_tin",
    "cand_address_updated",
    "req_phone",
    "cand_phone",
    "gold",
    "gold_note",
];

fn generate(rows: u64, seed: u64, batches: u32, out: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_matchgate"))
        .args([
            "generate",
            "--rows",
            &rows.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--batches", &batches.to_string(), "--out"])
        .arg(out)
        .output()
        .expect("run matchgate");
    assert!(
        output.status.success(),
        "generate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn generated(rows: u64, seed: u64, batches: u32) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.csv");
    let output = generate(rows, seed, batches, &path);
    (
        dir,
        path,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Rows as maps from column name to value.
fn read_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("open csv");
    let headers = reader.headers().expect("header").clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), EXPECTED_COLUMNS);
    reader
        .records()
        .map(|r| {
            let r = r.expect("valid csv row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| panic!("not a date: {text:?}"))
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let (_a, a, _) = generated(2_000, 99, 3);
    let (_b, b, _) = generated(2_000, 99, 3);
    let (_c, c, _) = generated(2_000, 100, 3);
    let (a, b, c) = (
        std::fs::read(a).expect("read"),
        std::fs::read(b).expect("read"),
        std::fs::read(c).expect("read"),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn writes_header_plus_n_rows_and_says_so() {
    let (_dir, path, stdout) = generated(1_234, 5, 4);
    let text = std::fs::read_to_string(&path).expect("read");
    // Notes never contain line breaks, so lines are records.
    assert_eq!(text.lines().count(), 1 + 1_234);
    assert_eq!(read_rows(&path).len(), 1_234);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("1234 rows"), "{stdout}");
    assert!(stdout.contains("requests"), "{stdout}");
    assert!(stdout.contains("in 4 batches"), "{stdout}");
    assert!(stdout.contains(&path.display().to_string()), "{stdout}");
}

#[test]
fn rows_are_well_formed() {
    let (_dir, path, _) = generated(5_000, 17, 3);
    let rows = read_rows(&path);
    let mut batches: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut candidate_ids: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut request_tin: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for row in &rows {
        let batch = row["batch"].as_str();
        let info = (row["requester"].as_str(), row["legal_basis"].as_str());
        assert!(!info.0.is_empty() && !info.1.is_empty());
        assert_eq!(
            *batches.entry(batch).or_insert(info),
            info,
            "one requester per batch"
        );
        assert!(
            matches!(row["gold"].as_str(), "match" | "nonmatch"),
            "{row:?}"
        );
        assert!(!row["gold_note"].trim().is_empty(), "{row:?}");

        let rid = &row["request_id"];
        assert!(
            rid.len() == 7 && rid.starts_with('R') && rid[1..].bytes().all(|b| b.is_ascii_digit())
        );
        let cid = &row["candidate_id"];
        assert!(
            cid.len() == 8 && cid.starts_with('C') && cid[1..].bytes().all(|b| b.is_ascii_digit())
        );
        assert!(
            candidate_ids.insert((batch, cid)),
            "candidate id repeated in a batch: {cid}"
        );

        let score = &row["score"];
        assert_eq!(score.split('.').nth(1).map(str::len), Some(4), "{score}");
        let score: f64 = score.parse().expect("score");
        assert!((0.0..=1.0).contains(&score));

        let tin = row["cand_tin"].as_bytes();
        assert_eq!(tin.len(), 11, "{:?}", row["cand_tin"]);
        assert_eq!(
            (tin[0], tin[3], tin[6]),
            (b'9', b'-', b'-'),
            "never-issued area"
        );
        let req_tin = &row["req_tin"];
        assert!(
            req_tin.is_empty()
                || (req_tin.len() == 4 && req_tin.bytes().all(|b| b.is_ascii_digit()))
        );
        request_tin.insert((batch, rid.as_str()), !req_tin.is_empty());

        date(&row["cand_dob"]);
        date(&row["cand_address_updated"]);
        if !row["req_dob"].is_empty() {
            date(&row["req_dob"]);
        }
        for side in ["req", "cand"] {
            let zip = &row[&format!("{side}_zip")];
            assert!(zip.is_empty() || (zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit())));
        }
    }
    assert_eq!(batches.len(), 3);
    let with_tin = request_tin.values().filter(|&&t| t).count() as f64 / request_tin.len() as f64;
    assert!(
        (0.4..0.6).contains(&with_tin),
        "req_tin on {with_tin} of requests"
    );
    // Phones are extra fields that are sometimes missing.
    assert!(rows.iter().any(|r| r["cand_phone"].is_empty()));
    assert!(rows.iter().any(|r| !r["req_phone"].is_empty()));
}

#[test]
fn every_kind_of_noise_appears_and_each_note_names_one() {
    let (_dir, path, _) = generated(5_000, 23, 3);
    let mut seen: BTreeMap<Kind, usize> = BTreeMap::new();
    for row in read_rows(&path) {
        let note = &row["gold_note"];
        let kinds: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| note.contains(k.marker()))
            .collect();
        assert_eq!(kinds.len(), 1, "{note}");
        *seen.entry(kinds[0]).or_default() += 1;
    }
    for kind in Kind::ALL {
        assert!(seen.contains_key(&kind), "{kind:?} missing from {seen:?}");
    }
}

#[test]
fn several_candidate_requests_exist_with_at_most_one_match() {
    let (_dir, path, _) = generated(5_000, 31, 2);
    let rows = read_rows(&path);
    let mut requests: BTreeMap<(&str, &str), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in &rows {
        requests
            .entry((&row["batch"], &row["request_id"]))
            .or_default()
            .push(row);
    }
    let several = requests.values().filter(|r| r.len() > 1).count();
    let share = several as f64 / requests.len() as f64;
    assert!(
        (0.08..=0.17).contains(&share),
        "{several} of {}",
        requests.len()
    );
    let mut with_match = 0;
    for group in requests.values() {
        assert!(group.len() <= 3);
        let matches = group.iter().filter(|r| r["gold"] == "match").count();
        assert!(matches <= 1, "{group:?}");
        if group.len() > 1 && matches == 1 {
            with_match += 1;
        }
        // Every row of a request repeats the same request.
        for row in group {
            for (col, value) in row.iter().filter(|(c, _)| c.starts_with("req_")) {
                assert_eq!(value, &group[0][col]);
            }
        }
    }
    assert!(with_match > 0);
    // Some several-candidate requests are namesakes only.
    assert!(
        rows.iter()
            .any(|r| r["gold_note"].contains("none of this request's candidates"))
    );
}

/// The release rules, checked on the file's fields rather than on the notes.
#[test]
fn match_rows_have_releasable_addresses() {
    let (_dir, path, _) = generated(5_000, 41, 3);
    let review_day = date("2026-11-01");
    for row in read_rows(&path).iter().filter(|r| r["gold"] == "match") {
        let (city, state, zip) = (&row["cand_city"], &row["cand_state"], &row["cand_zip"]);
        assert!(!row["cand_street_number"].is_empty(), "{row:?}");
        assert!(!row["cand_street"].is_empty(), "{row:?}");
        assert!(!row["cand_street"].contains("PO Box"), "{row:?}");
        assert!(!row["cand_street"].contains("General Delivery"), "{row:?}");
        assert!(is_valid_state(state), "{row:?}");
        assert!(
            CITIES
                .iter()
                .any(|c| c.name == city && c.state == state && c.zip == zip),
            "{row:?}"
        );
        let age = (review_day - date(&row["cand_address_updated"])).num_days();
        assert!((0..=3 * 365).contains(&age), "{row:?}");
        assert!(!row["req_dob"].is_empty(), "{row:?}");
    }
}

#[test]
fn demo_csv_is_a_fresh_generation_with_the_demo_constants() {
    let (_dir, path, _) = generated(DEMO_ROWS, DEMO_SEED, DEMO_BATCHES);
    let fresh = std::fs::read(path).expect("read fresh");
    let checked_in = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.csv"))
        .expect("read assets/demo.csv");
    assert!(
        fresh == checked_in,
        "assets/demo.csv is out of date: run `cargo run -- generate --rows {DEMO_ROWS} --seed {DEMO_SEED} --batches {DEMO_BATCHES} --out assets/demo.csv`"
    );
}

#[test]
fn zero_batches_and_unwritable_paths_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |batches: &str, out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_matchgate"))
            .args(["generate", "--rows", "10", "--batches", batches, "--out"])
            .arg(out)
            .output()
            .expect("run matchgate")
    };
    let zero = run("0", &dir.path().join("x.csv"));
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("batches"));
    assert!(
        !dir.path().join("x.csv").exists(),
        "no file for a rejected run"
    );
    let missing_dir = run("1", &dir.path().join("no/such/dir/x.csv"));
    assert!(!missing_dir.status.success());
    assert!(String::from_utf8_lossy(&missing_dir.stderr).contains("cannot create"));
}
