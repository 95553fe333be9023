//! The built-in training scenarios: every file imports cleanly through the library, every answer
//! has its reason in the data, and each scenario really contains what it claims to teach.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use matchgate::domain::address::{check_pair, zip_in_state};
use matchgate::domain::text_safety::contains_unsafe;
use matchgate::domain::{Field, FlaggedMatch, Gold, Record};
use matchgate::import::OnBadRow;
use matchgate::scenarios::{self, Scenario};
use matchgate::store::Store;

/// The review date the answers were set for (as the generator's reference date).
const REVIEW_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 1) {
    Some(d) => d,
    None => panic!("bad date"),
};
/// An address confirmed longer ago than this is stale (about three years).
const STALE_AFTER_DAYS: i64 = 3 * 365;

fn all() -> Vec<Scenario> {
    scenarios::all().expect("the built-in scenarios")
}

fn scenario(name: &str) -> Scenario {
    scenarios::find(name).expect(name)
}

/// The scenario's rows, parsed by the importer's own reader; any bad row fails the test.
fn rows(s: &Scenario) -> Vec<FlaggedMatch> {
    s.rows()
        .expect("reader")
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", s.name)).flagged)
        .collect()
}

fn extra<'a>(r: &'a Record, key: &str) -> Option<&'a str> {
    r.extra.get(key).map(String::as_str)
}

fn id(m: &FlaggedMatch) -> String {
    format!("{}/{}", m.request.id, m.candidate.id)
}

fn tin_last4(m: &FlaggedMatch) -> (Option<&str>, Option<&str>) {
    let cand = m
        .candidate
        .get(Field::Tin)
        .and_then(|t| t.get(t.len() - 4..));
    (extra(&m.request, "tin"), cand)
}

fn address_updated(m: &FlaggedMatch) -> NaiveDate {
    let text = extra(&m.candidate, "address_updated")
        .unwrap_or_else(|| panic!("{}: no cand_address_updated", id(m)));
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("{}: {e}", id(m)))
}

fn is_stale(m: &FlaggedMatch) -> bool {
    (REVIEW_DATE - address_updated(m)).num_days() > STALE_AFTER_DAYS
}

const ADDRESS: [Field; 6] = [
    Field::StreetNumber,
    Field::Street,
    Field::Unit,
    Field::City,
    Field::State,
    Field::Zip,
];

/// True when a candidate address field holds characters no postal address has (controls, bidi,
/// invisible) or is far too long to be one.
fn address_is_tampered(m: &FlaggedMatch) -> bool {
    ADDRESS
        .iter()
        .filter_map(|f| m.candidate.get(*f))
        .any(|v| contains_unsafe(v) || v.len() > 200)
}

/// Why the data says the address must not be released, or None when nothing does. The gold
/// answers must agree with this exactly: a `nonmatch` always has a reason in the data, a `match`
/// never has one.
fn reason_not_to_release(m: &FlaggedMatch) -> Option<String> {
    let problems = check_pair(&m.request, &m.candidate);
    if !problems.is_empty() {
        let text: Vec<String> = problems.iter().map(|p| p.describe()).collect();
        return Some(format!("address: {}", text.join("; ")));
    }
    if address_is_tampered(m) {
        return Some("candidate address carries unsafe text".into());
    }
    if is_stale(m) {
        return Some("stale address".into());
    }
    if m.request.get(Field::Dob) != m.candidate.get(Field::Dob) {
        return Some("DOB differs or is missing".into());
    }
    match tin_last4(m) {
        (Some(req), Some(cand)) if req == cand => None,
        (Some(_), Some(_)) => Some("TIN last four differ".into()),
        _ => Some("no TIN to confirm identity".into()),
    }
}

#[test]
fn the_index_lists_exactly_the_files_in_the_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("assets/scenarios")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".csv").map(str::to_string))
        .collect();
    let listed: BTreeSet<String> = all().into_iter().map(|s| s.name).collect();
    assert_eq!(on_disk, listed);
    // The built-in copy is the file on disk (nothing stale baked in).
    for s in all() {
        let file = std::fs::read_to_string(dir.join(format!("{}.csv", s.name))).expect("csv");
        assert_eq!(file, s.csv, "{}", s.name);
        assert!(!s.teaches.is_empty() && !s.title.is_empty(), "{}", s.name);
    }
}

#[test]
fn every_scenario_imports_cleanly_into_a_fresh_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    for s in all() {
        let expected = rows(&s).len() as u64;
        assert!((8..=20).contains(&expected), "{}: {expected} rows", s.name);
        let path = dir.path().join(format!("{}.db", s.name));
        let (mut store, _) = Store::create(&path).expect("create");
        let mut problems = Vec::new();
        let report = store
            .import_matches(s.rows().expect("reader"), OnBadRow::Abort, |e| {
                problems.push(e.to_string())
            })
            .expect("import");
        assert!(report.committed, "{}: {problems:?}", s.name);
        assert_eq!(report.bad_rows, 0, "{}", s.name);
        // Every row is new: no (batch, request, candidate) repeats within a scenario.
        assert_eq!(report.inserted, expected, "{}", s.name);
        assert_eq!(store.stats().expect("stats").total, expected, "{}", s.name);
        let conn = rusqlite::Connection::open(&path).expect("open");
        let golds: i64 = conn
            .query_row(
                "SELECT count(*) FROM matches WHERE gold IN ('match','nonmatch')
                   AND length(trim(gold_note)) > 0",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(
            golds as u64, expected,
            "{}: gold survives the import",
            s.name
        );
    }
}

#[test]
fn every_row_has_a_gold_answer_and_a_note() {
    for s in all() {
        let rows = rows(&s);
        for m in &rows {
            assert!(m.gold.is_some(), "{} {}", s.name, id(m));
            let note = m.gold_note.as_deref().unwrap_or("");
            assert!(
                note.len() >= 40,
                "{} {}: note too thin: {note:?}",
                s.name,
                id(m)
            );
        }
        let golds: BTreeSet<&str> = rows
            .iter()
            .filter_map(|m| m.gold.map(Gold::as_str))
            .collect();
        assert_eq!(golds.len(), 2, "{}: both answers occur", s.name);
    }
}

#[test]
fn every_gold_answer_has_its_reason_in_the_data() {
    for s in all() {
        for m in rows(&s) {
            let reason = reason_not_to_release(&m);
            match m.gold {
                Some(Gold::Match) => {
                    assert_eq!(
                        reason,
                        None,
                        "{} {}: a match must be releasable",
                        s.name,
                        id(&m)
                    )
                }
                _ => assert!(
                    reason.is_some(),
                    "{} {}: a nonmatch with nothing wrong in the data",
                    s.name,
                    id(&m)
                ),
            }
        }
    }
}

#[test]
fn the_data_is_synthetic_and_places_are_real() {
    for s in all() {
        for m in rows(&s) {
            let tin = m.candidate.get(Field::Tin).unwrap_or("");
            let b = tin.as_bytes();
            let shaped = b.len() == 11
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 3 || i == 6 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            assert!(shaped && b[0] == b'9', "{} {}: TIN {tin:?}", s.name, id(&m));
            if let Some(last4) = extra(&m.request, "tin") {
                assert!(last4.len() == 4 && last4.bytes().all(|c| c.is_ascii_digit()));
            }
            for side in [&m.request, &m.candidate] {
                if let Some(phone) = extra(side, "phone") {
                    let clean: String = phone.chars().filter(|c| !c.is_control()).collect();
                    let p = clean.as_bytes();
                    let fictional = p.len() == 12
                        && clean.get(3..10) == Some("-555-01")
                        && p.iter()
                            .enumerate()
                            .all(|(i, c)| i == 3 || i == 7 || c.is_ascii_digit());
                    assert!(fictional, "{} {}: phone {phone:?}", s.name, id(&m));
                }
            }
            // The request's own address is always a real place (the defects are the candidate's).
            let (state, zip) = (m.request.get(Field::State), m.request.get(Field::Zip));
            if let (Some(state), Some(zip)) = (state, zip) {
                assert!(
                    zip_in_state(zip, state),
                    "{} {}: {zip} {state}",
                    s.name,
                    id(&m)
                );
            }
            assert!(m.score > 0.0 && m.score <= 1.0);
            assert!(address_updated(&m) <= REVIEW_DATE, "{} {}", s.name, id(&m));
        }
    }
}

#[test]
fn basics_mixes_clear_answers_and_high_scoring_traps() {
    let rows = rows(&scenario("basics"));
    let requests: BTreeSet<&str> = rows.iter().map(|m| m.request.id.as_str()).collect();
    assert_eq!(requests.len(), rows.len(), "one candidate per request");
    let matches = rows.iter().filter(|m| m.gold == Some(Gold::Match)).count();
    assert_eq!(matches * 2, rows.len(), "half and half");
    // A wrong candidate with a high score teaches that the score is not the answer.
    assert!(
        rows.iter()
            .any(|m| m.gold == Some(Gold::Nonmatch) && m.score >= 0.9)
    );
    assert!(
        rows.iter()
            .any(|m| m.gold == Some(Gold::Nonmatch) && is_stale(m))
    );
}

#[test]
fn incomplete_addresses_fail_the_address_rules_and_notes_name_the_defect() {
    let rows = rows(&scenario("incomplete-addresses"));
    let mut rules = BTreeSet::new();
    let mut complete = 0;
    for m in &rows {
        let problems = check_pair(&m.request, &m.candidate);
        if m.gold == Some(Gold::Match) {
            assert!(problems.is_empty(), "{}", id(m));
            complete += 1;
            continue;
        }
        assert!(
            !problems.is_empty(),
            "{}: the address passes the rules",
            id(m)
        );
        // The defect is the candidate's: the request side is always complete.
        assert!(
            check_pair(&m.request, &m.request).is_empty(),
            "{}: request address is not complete",
            id(m)
        );
        let note = m.gold_note.as_deref().unwrap_or("").to_lowercase();
        let named = problems.iter().any(|p| {
            let keyword = match p.rule() {
                "street-number" => "street number",
                "po-box" => "po box",
                "general-delivery" => "general delivery",
                "zip-state" | "zip" => "zip",
                other => other,
            };
            note.contains(keyword)
        });
        assert!(
            named,
            "{}: the note does not name the defect: {note}",
            id(m)
        );
        rules.extend(problems.iter().map(|p| p.rule()));
    }
    for rule in [
        "street-number",
        "po-box",
        "general-delivery",
        "zip-state",
        "unit",
        "state",
        "zip",
        "city",
    ] {
        assert!(rules.contains(rule), "no example of the {rule} rule");
    }
    assert!((2..=4).contains(&complete), "{complete} complete contrasts");
}

#[test]
fn namesakes_share_the_name_and_true_matches_share_the_identifiers() {
    let rows = rows(&scenario("namesakes"));
    let same_text =
        |a: Option<&str>, b: Option<&str>| a.map(str::to_lowercase) == b.map(str::to_lowercase);
    let mut same_dob_other_tin = false;
    for m in &rows {
        let (req, cand) = (&m.request, &m.candidate);
        let same_dob = req.get(Field::Dob) == cand.get(Field::Dob);
        let (req_tin, cand_tin) = tin_last4(m);
        let same_tin = req_tin.is_some() && req_tin == cand_tin;
        assert!(
            same_text(req.get(Field::Surname), cand.get(Field::Surname)),
            "{}",
            id(m)
        );
        let same_given = same_text(req.get(Field::GivenName), cand.get(Field::GivenName));
        if m.gold == Some(Gold::Nonmatch) {
            assert!(same_given, "{}: a namesake has the same name", id(m));
            assert!(
                !(same_dob && same_tin),
                "{}: identifiers must differ",
                id(m)
            );
            same_dob_other_tin |= same_dob && !same_tin;
        } else {
            assert!(
                !same_given,
                "{}: the true match is spelled differently",
                id(m)
            );
            assert!(
                same_dob && same_tin,
                "{}: the identifiers confirm it",
                id(m)
            );
        }
    }
    assert!(same_dob_other_tin, "a namesake with the same birthday");
}

#[test]
fn several_candidates_have_at_most_one_right_answer_per_request() {
    let rows = rows(&scenario("several-candidates"));
    let mut by_request: BTreeMap<&str, Vec<&FlaggedMatch>> = BTreeMap::new();
    for m in &rows {
        by_request.entry(m.request.id.as_str()).or_default().push(m);
    }
    let (mut none, mut one, mut not_top) = (0, 0, 0);
    for (request, cands) in &by_request {
        assert!((2..=3).contains(&cands.len()), "{request}: {}", cands.len());
        // Every row of a request repeats the same request record (the store keeps the first).
        assert!(
            cands.iter().all(|c| c.request == cands[0].request),
            "{request}"
        );
        let right: Vec<&&FlaggedMatch> = cands
            .iter()
            .filter(|c| c.gold == Some(Gold::Match))
            .collect();
        match right.as_slice() {
            [] => none += 1,
            [m] => {
                one += 1;
                if cands.iter().any(|c| c.score > m.score) {
                    not_top += 1;
                }
                // The wrong ones name the right one or say why they are wrong on their own.
                for c in cands.iter().filter(|c| c.gold == Some(Gold::Nonmatch)) {
                    assert!(reason_not_to_release(c).is_some(), "{}", id(c));
                }
            }
            _ => panic!("{request}: more than one right candidate"),
        }
        // Where a request has a right candidate, a note that points at another candidate ("the
        // right record for this request is SEV-C02") points at that one.
        for c in cands.iter().filter(|_| !right.is_empty()) {
            let note = c.gold_note.as_deref().unwrap_or("");
            for other in cands.iter().filter(|o| o.candidate.id != c.candidate.id) {
                if note.contains(other.candidate.id.as_str()) {
                    assert_eq!(
                        other.gold,
                        Some(Gold::Match),
                        "{} names {}",
                        id(c),
                        id(other)
                    );
                }
            }
        }
    }
    assert!(
        none >= 1 && one >= 1,
        "both kinds of request: {none} none, {one} one"
    );
    assert!(not_top >= 1, "a right candidate that is not the top score");
    assert!(by_request.values().any(|c| c.len() == 3));
}

fn all_values(m: &FlaggedMatch) -> Vec<&str> {
    m.request
        .all_values()
        .chain(m.candidate.all_values())
        .collect()
}

#[test]
fn hostile_data_really_is_hostile_and_answers_follow_the_data() {
    let s = scenario("hostile-data");
    let rows = rows(&s);
    let has =
        |pred: &dyn Fn(&str) -> bool| rows.iter().any(|m| all_values(m).into_iter().any(pred));
    let char_in = |c: char| move |v: &str| v.contains(c);
    for (what, c) in [
        ("ESC", '\u{1b}'),
        ("BEL", '\u{7}'),
        ("CR", '\r'),
        ("LF", '\n'),
        ("TAB", '\t'),
        ("RLO bidi override", '\u{202e}'),
        ("zero-width space", '\u{200b}'),
        ("zero-width joiner", '\u{200d}'),
        ("C1 CSI", '\u{9b}'),
    ] {
        assert!(has(&char_in(c)), "no {what}");
    }
    assert!(
        has(&|v| v.contains("\u{1b}[2J")),
        "no clear-screen sequence"
    );
    assert!(has(&|v| v.contains("\u{1b}]0;")), "no OSC title set");
    assert!(has(&|v| v.len() > 3000), "no very long value");
    assert!(
        has(&|v| v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "no CJK"
    );
    assert!(
        has(&|v| v.chars().any(|c| ('\u{1f300}'..='\u{1faff}').contains(&c))),
        "no emoji"
    );

    let unsafe_rows = rows
        .iter()
        .filter(|m| all_values(m).into_iter().any(contains_unsafe))
        .count();
    assert!(unsafe_rows >= 8, "{unsafe_rows} rows with unsafe text");
    for m in &rows {
        if address_is_tampered(m) {
            assert_eq!(m.gold, Some(Gold::Nonmatch), "{}: tampered address", id(m));
        }
    }
    // Hostile text outside the released address does not decide the answer on its own.
    assert!(
        rows.iter()
            .any(|m| m.gold == Some(Gold::Match) && all_values(m).into_iter().any(contains_unsafe))
    );

    // The raw characters survive the import: the screen, not the importer, makes them safe.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.db");
    let (mut store, _) = Store::create(&path).expect("create");
    let report = store
        .import_matches(s.rows().expect("reader"), OnBadRow::Abort, |e| {
            panic!("{e}")
        })
        .expect("import");
    assert!(report.committed);
    let conn = rusqlite::Connection::open(&path).expect("open");
    let streets: Vec<String> = conn
        .prepare("SELECT street FROM candidates WHERE street IS NOT NULL")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(streets.iter().any(|v| v.contains("\u{1b}[2J")));
    assert!(streets.iter().any(|v| v.contains("\r\n")));
}

#[test]
fn two_person_rule_runs_under_a_blind_two_approval_policy() {
    let s = scenario("two-person-rule");
    let policy = s.setup.policy.expect("a policy");
    assert_eq!(policy.approvals_required, 2);
    assert!(policy.blind);
    let rows = rows(&s);
    // Mostly releasable, with defects a hurried first approval can miss.
    let matches = rows.iter().filter(|m| m.gold == Some(Gold::Match)).count();
    assert!(matches > rows.len() / 2 && matches < rows.len());
    for m in rows.iter().filter(|m| m.gold == Some(Gold::Nonmatch)) {
        assert!(m.score >= 0.9, "{}: the traps look convincing", id(m));
    }
}

#[test]
fn legal_hold_holds_one_batch_of_otherwise_releasable_matches() {
    let s = scenario("legal-hold");
    assert_eq!(s.setup.policy, None);
    let [hold] = s.setup.holds.as_slice() else {
        panic!("one hold: {:?}", s.setup.holds)
    };
    assert_eq!(hold.scope, "all");
    assert!(!hold.reason.trim().is_empty());
    let rows = rows(&s);
    let batches: BTreeSet<&str> = rows.iter().map(|m| m.batch.as_str()).collect();
    assert_eq!(batches.len(), 2);
    assert!(
        batches.contains(hold.batch.as_str()),
        "the held batch is in the file"
    );
    for held in [true, false] {
        let of_batch: Vec<&FlaggedMatch> = rows
            .iter()
            .filter(|m| (m.batch == hold.batch) == held)
            .collect();
        let matches = of_batch
            .iter()
            .filter(|m| m.gold == Some(Gold::Match))
            .count();
        assert!(matches >= 2, "held={held}: releasable matches");
        assert!(of_batch.iter().any(|m| m.gold == Some(Gold::Nonmatch)));
    }
    for m in rows
        .iter()
        .filter(|m| m.batch == hold.batch && m.gold == Some(Gold::Match))
    {
        assert!(
            m.gold_note.as_deref().unwrap_or("").contains("hold"),
            "{}",
            id(m)
        );
    }
}

#[test]
fn hold_batches_of_every_scenario_exist_in_its_file() {
    for s in all() {
        let batches: BTreeSet<String> = rows(&s).into_iter().map(|m| m.batch).collect();
        for hold in &s.setup.holds {
            assert!(batches.contains(&hold.batch), "{}: {}", s.name, hold.batch);
        }
    }
}
