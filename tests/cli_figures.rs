//! `matchgate stats --reviewers` from the outside, on a small history written through the public
//! store API (decisions, an undo, blind second verdicts, supervisors' checks and an undone check),
//! on a SQLite file and on a PostgreSQL server alike (each figure is worked out in SQL on each):
//! exact counts and rates, medians, a kappa worked out by hand, Wilson bounds against the domain
//! function, the JSON shape, --since, and refusals of bad input.

mod support;

use matchgate::domain::quality::wilson_interval;
use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict};
use matchgate::domain::{Decision, ReasonCode, Verdict};
use serde_json::Value;
use support::backend::{Backend, Handle, Kind};
use support::{run, stderr, stdout};

const HEADER: &str = "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin";

/// `n` complete, agreeing requests R1..Rn with one candidate each (every gate passes).
fn fixture(n: usize) -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 1..=n {
        csv.push_str(&format!(
            "R{i},C{i},0.9,Ann,Archer{i},1970-01-01,{i},Main St,Springfield,IL,62701,Ann,Archer{i},1970-01-01,{i},Main St,Springfield,IL,62701,900-11-{i:04}\n"
        ));
    }
    csv
}

fn second(store: &mut Handle, first: i64, who: &str, v: Verdict) {
    store
        .record_second_verdict(first, who, v, None, 1500, "s")
        .expect("second verdict");
}

fn check(store: &mut Handle, decision_id: i64, verdict: CheckVerdict) -> i64 {
    let check = Check {
        decision_id,
        supervisor: "sue".into(),
        verdict,
        note: Some("checked".into()),
        viewed_ms: 900,
    };
    store
        .record_check(&check, "s")
        .expect("check")
        .outcome
        .group_id
}

/// ann and bob decide, sue supervises; each on their own connection.
fn team(kind: Kind, test: &str) -> Option<Backend> {
    let people = [
        ("ann", Role::Reviewer),
        ("bob", Role::Reviewer),
        ("sue", Role::Supervisor),
    ];
    Backend::new(kind, test, &fixture(12), &people)
}

fn match_in(backend: &Backend, request: &str) -> i64 {
    backend.int(&format!(
        "SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id
          WHERE r.source_id = '{request}'"
    ))
}

/// The history the figures are asserted on (numbers worked out by hand in the test); returns
/// the moment between its earlier and later parts.
fn history(backend: &Backend) -> String {
    backend.set_policy("double_review_rate", "1");
    let [mut ann, mut bob, mut sue] = ["ann", "bob", "sue"].map(|who| backend.screen(who, "s"));
    let reject = |r| Verdict::Reject(r);
    let mut by_ann =
        |request: &str, v: Verdict, ms: u64| decide_as(&mut ann, backend, "ann", request, v, ms);
    let a1 = by_ann("R1", Verdict::Approve, 4000);
    let a2 = by_ann("R2", Verdict::Approve, 6000);
    let a3 = by_ann("R3", Verdict::Approve, 10000);
    by_ann("R4", Verdict::Approve, 2000);
    let a5 = by_ann("R5", reject(ReasonCode::DobConflict), 3000);
    let a6 = by_ann("R6", reject(ReasonCode::Ambiguous), 5000);
    // Undone: not a decision any more.
    let a7 = by_ann("R11", Verdict::Approve, 100_000);
    ann.undo_group(a7, "ann", "s").expect("undo");
    // Escalating is not a checkable decision.
    decide_as(&mut bob, backend, "bob", "R11", Verdict::Escalate, 50_000);
    // The later part of the history, for --since.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mark = matchgate::store::now_utc();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut by_bob =
        |request: &str, v: Verdict, ms: u64| decide_as(&mut bob, backend, "bob", request, v, ms);
    let b1 = by_bob("R7", Verdict::Approve, 1000);
    let b2 = by_bob("R8", Verdict::Approve, 7000);
    let b3 = by_bob("R9", reject(ReasonCode::DobConflict), 2000);
    let b4 = by_bob("R10", reject(ReasonCode::StaleAddress), 8000);
    by_bob("R12", Verdict::Approve, 3000);

    // (ann, bob): A/A 2, A/R 1, R/A 1, R/R 1. (bob, ann): A/A 1, R/R 2.
    second(&mut bob, a1, "bob", Verdict::Approve);
    second(&mut bob, a2, "bob", reject(ReasonCode::NameOnly));
    second(&mut bob, a3, "bob", Verdict::Approve);
    second(&mut bob, a5, "bob", reject(ReasonCode::DobConflict));
    second(&mut bob, a6, "bob", Verdict::Approve);
    second(&mut ann, b1, "ann", Verdict::Approve);
    second(&mut ann, b3, "ann", reject(ReasonCode::DobConflict));
    second(&mut ann, b4, "ann", reject(ReasonCode::DobConflict));

    // ann: 4 checked, 2 overturned. bob: 2 checked (a third check undone), none overturned.
    check(&mut sue, a1, CheckVerdict::Agree);
    check(&mut sue, a2, CheckVerdict::Overturn(ReasonCode::NameOnly));
    check(&mut sue, a5, CheckVerdict::Agree);
    check(&mut sue, a6, CheckVerdict::Overturn(ReasonCode::Other));
    check(&mut sue, b1, CheckVerdict::Agree);
    check(&mut sue, b2, CheckVerdict::Agree);
    let undone = check(&mut sue, b3, CheckVerdict::Agree);
    sue.undo_group(undone, "sue", "s").expect("undo check");
    mark
}

/// `who` decides request `request` on their own connection; returns the decision's id.
fn decide_as(
    store: &mut Handle,
    backend: &Backend,
    who: &str,
    request: &str,
    v: Verdict,
    ms: u64,
) -> i64 {
    let decision = Decision {
        match_id: match_in(backend, request),
        reviewer: who.into(),
        verdict: v,
        note: None,
        viewed_ms: ms,
    };
    store
        .record_decision(&decision, "s")
        .expect("decision")
        .group_id
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn close(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or(f64::NAN);
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

fn reviewer<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["reviewers"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["reviewer"] == name))
        .unwrap_or_else(|| panic!("{name} in {report:#}"))
}

on_both!(
    figures_of_a_known_history_are_exact,
    since_keeps_later_decisions_and_bad_times_are_refused,
    under_the_z14_plan_each_reviewers_day_is_judged_as_a_lot,
);

fn figures_of_a_known_history_are_exact(kind: Kind) {
    let Some(backend) = team(kind, "figures_of_a_known_history") else {
        return;
    };
    history(&backend);
    let db = backend.db();
    let p = db.as_str();
    let report = json(&["stats", "--db", p, "--reviewers", "--json"]);

    let names: Vec<&str> = report["reviewers"]
        .as_array()
        .expect("reviewers")
        .iter()
        .map(|r| r["reviewer"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["ann", "bob"], "sue checked but decided nothing");

    let hours = |who: &str| -> i64 {
        backend.int(&format!(
            "SELECT count(DISTINCT substr(decided_at, 1, 13)) FROM decisions
              WHERE reviewer = '{who}' AND action IN ('approve', 'reject') AND spot_draw IS NOT NULL"
        ))
    };
    let ann = reviewer(&report, "ann");
    assert_eq!(ann["decisions"], 6, "the undone approval is not counted");
    assert_eq!(ann["approvals"], 4);
    assert_eq!(ann["rejections"], 2);
    close(&ann["approval_rate"], 4.0 / 6.0);
    // 2000 3000 4000 | 5000 6000 10000
    close(&ann["median_seconds"], 4.5);
    assert_eq!(ann["active_hours"], hours("ann"));
    close(&ann["decisions_per_hour"], 6.0 / hours("ann") as f64);
    assert_eq!(ann["spot_checked"], 4);
    assert_eq!(ann["overturned"], 2);
    close(&ann["overturn_rate"], 0.5);
    let w = wilson_interval(2, 4).expect("interval");
    close(&ann["overturn_interval"]["lower"], w.lower);
    close(&ann["overturn_interval"]["upper"], w.upper);

    let bob = reviewer(&report, "bob");
    assert_eq!(bob["decisions"], 5, "the escalation is not a decision");
    assert_eq!(bob["approvals"], 3);
    close(&bob["median_seconds"], 3.0);
    assert_eq!(bob["spot_checked"], 2, "the undone check does not count");
    assert_eq!(bob["overturned"], 0);
    close(&bob["overturn_rate"], 0.0);
    close(&bob["overturn_interval"]["lower"], 0.0);
    close(
        &bob["overturn_interval"]["upper"],
        wilson_interval(0, 2).expect("interval").upper,
    );

    let all = &report["overall"];
    assert_eq!(all["decisions"], 11);
    assert_eq!(all["approvals"], 7);
    // 1 2 2 3 3 [4] 5 6 7 8 10 (thousands of ms)
    close(&all["median_seconds"], 4.0);
    assert_eq!(all["spot_checked"], 6);
    assert_eq!(all["overturned"], 2);
    let w = wilson_interval(2, 6).expect("interval");
    close(&all["overturn_interval"]["lower"], w.lower);
    close(&all["overturn_interval"]["upper"], w.upper);

    // Kappa by hand. (ann, bob): p_o = 3/5, p_e = (3/5)(3/5) + (2/5)(2/5) = 0.52,
    // kappa = 0.08 / 0.48 = 1/6. (bob, ann): p_o = 1, p_e = 5/9, kappa = 1.
    // Pooled table A/A 3, A/R 1, R/A 1, R/R 3: p_o = 0.75, p_e = 0.5, kappa = 0.5.
    let pairs = report["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 2);
    assert_eq!(
        (&pairs[0]["first"], &pairs[0]["second"]),
        (&"ann".into(), &"bob".into())
    );
    assert_eq!(pairs[0]["items"], 5);
    assert_eq!(pairs[0]["both_approved"], 2);
    assert_eq!(pairs[0]["first_approved_second_rejected"], 1);
    assert_eq!(pairs[0]["first_rejected_second_approved"], 1);
    assert_eq!(pairs[0]["both_rejected"], 1);
    close(&pairs[0]["percent_agreement"], 0.6);
    close(&pairs[0]["kappa"], 1.0 / 6.0);
    assert_eq!(
        (&pairs[1]["first"], &pairs[1]["second"]),
        (&"bob".into(), &"ann".into())
    );
    assert_eq!(pairs[1]["items"], 3);
    close(&pairs[1]["percent_agreement"], 1.0);
    close(&pairs[1]["kappa"], 1.0);
    assert_eq!(report["pooled"]["items"], 8);
    close(&report["pooled"]["percent_agreement"], 0.75);
    close(&report["pooled"]["kappa"], 0.5);

    // The batch now: R1 R3 R4 R7 R8 R12 approved; R2 withdrawn by the overturn (name_only), R5
    // and R9 dob_conflict, R10 stale_address rejected; R6 back to review; R11 escalated.
    let batches = report["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b["requested"], 12);
    assert_eq!(b["flagged"], 12);
    assert_eq!(b["approved"], 6);
    assert_eq!(b["released"], 0);
    assert_eq!(b["rejected"], 4);
    assert_eq!(
        b["rejected_by_reason"],
        serde_json::json!({"dob_conflict": 2, "name_only": 1, "stale_address": 1})
    );
    assert_eq!(b["escalated"], 1);
    assert_eq!(b["overturned"], 2);

    // The table for people shows the same numbers, with bars.
    let table = stdout(&run(&["stats", "--db", p, "--reviewers"]));
    let ann_line = table
        .lines()
        .find(|l| l.starts_with("ann "))
        .unwrap_or_else(|| panic!("{table}"));
    for cell in ["66.7%", "4.5", "50.0%", "██████▋ ", "█████ "] {
        assert!(ann_line.contains(cell), "{cell:?} in {ann_line}");
    }
    assert!(table.contains("pooled"), "{table}");
    assert!(table.contains("0.500"), "pooled kappa in {table}");
    assert!(table.contains("dob_conflict 2"), "{table}");
}

fn since_keeps_later_decisions_and_bad_times_are_refused(kind: Kind) {
    let Some(backend) = team(kind, "since_keeps_later_decisions") else {
        return;
    };
    let mark = history(&backend);
    let db = backend.db();
    let p = db.as_str();

    let later = json(&[
        "stats",
        "--db",
        p,
        "--reviewers",
        "--json",
        "--since",
        &mark,
    ]);
    let names: Vec<&Value> = later["reviewers"]
        .as_array()
        .expect("reviewers")
        .iter()
        .map(|r| &r["reviewer"])
        .collect();
    assert_eq!(names, [&Value::from("bob")], "ann decided before the mark");
    assert_eq!(later["overall"]["decisions"], 5);
    assert_eq!(later["overall"]["spot_checked"], 2);
    assert_eq!(
        later["pooled"]["items"], 3,
        "only bob's decisions' second reviews"
    );
    assert_eq!(later["since"], Value::from(mark.clone()));

    // A day: from its start (UTC). Tomorrow has nothing; the batch was created before it.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let none = json(&[
        "stats",
        "--db",
        p,
        "--reviewers",
        "--json",
        "--since",
        &tomorrow,
    ]);
    assert_eq!(none["reviewers"], serde_json::json!([]));
    assert_eq!(none["overall"]["decisions"], 0);
    assert_eq!(none["overall"]["median_seconds"], Value::Null);
    assert_eq!(none["pooled"]["kappa"], Value::Null);
    assert_eq!(none["batches"], serde_json::json!([]));
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let all = json(&[
        "stats",
        "--db",
        p,
        "--reviewers",
        "--json",
        "--since",
        &yesterday,
    ]);
    assert_eq!(all["overall"]["decisions"], 11);

    for bad in ["last tuesday", "2026-13-01", "2026-02-30T25:00:00Z", ""] {
        let out = run(&["stats", "--db", p, "--reviewers", "--since", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("bad --since") && err.contains("RFC 3339"),
            "{bad:?}: {err}"
        );
        assert!(stdout(&out).is_empty(), "nothing printed for {bad:?}");
    }
    // --since without --reviewers is a usage error.
    let out = run(&["stats", "--db", p, "--since", "2026-01-01"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--reviewers"), "{}", stderr(&out));
    // A missing database is refused before anything else.
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.db");
    let out = run(&[
        "stats",
        "--db",
        missing.to_str().expect("utf-8"),
        "--reviewers",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!missing.exists());
}

#[test]
fn names_are_escaped_in_the_table_and_json() {
    // On a file without registered people any name decides (a server's names are its roles).
    let Some(backend) = Backend::new(Kind::Sqlite, "names_are_escaped", &fixture(2), &[]) else {
        return;
    };
    let hostile = "eve\u{1b}[2J\u{202e}";
    let mut store = backend.connect(hostile);
    decide_as(&mut store, &backend, hostile, "R1", Verdict::Approve, 1000);
    drop(store);
    let db = backend.db();
    let p = db.as_str();
    let table = run(&["stats", "--db", p, "--reviewers"]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("eve\\e[2J"), "{text}");
    let out = run(&["stats", "--db", p, "--reviewers", "--json"]);
    let raw = stdout(&out);
    assert!(
        !raw.contains('\u{1b}') && !raw.contains('\u{202e}'),
        "{raw:?}"
    );
    let report: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(
        report["reviewers"][0]["reviewer"], hostile,
        "JSON keeps the name, escaped"
    );
}

fn under_the_z14_plan_each_reviewers_day_is_judged_as_a_lot(kind: Kind) {
    let Some(backend) = team(kind, "under_the_z14_plan") else {
        return;
    };
    history(&backend);
    let db = backend.db();
    let p = db.as_str();
    let plain = json(&["stats", "--db", p, "--reviewers", "--json"]);
    assert!(plain.get("lots").is_none(), "no plan, no lots: {plain:#}");
    backend.set_policy("acceptance_plan", "z14");
    let report = json(&["stats", "--db", p, "--reviewers", "--json"]);
    let lots = report["lots"].as_array().expect("lots");
    let ann = lots
        .iter()
        .find(|l| l["reviewer"] == "ann")
        .unwrap_or_else(|| panic!("ann's lot in {report:#}"));
    // A lot smaller than the AQL 1.0 plan's sample is checked whole with Ac 0: ann's two
    // overturns reject it.
    assert_eq!(ann["decisions"], reviewer(&report, "ann")["decisions"]);
    assert_eq!(ann["to_check"], ann["decisions"]);
    assert_eq!(
        (ann["checked"].as_u64(), ann["overturns"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(ann["allowed"], 0);
    assert_eq!(ann["state"], "rejected");
    let out = run(&["stats", "--db", p, "--reviewers"]);
    let text = stdout(&out);
    assert!(
        text.contains("Z1.4 lots") && text.contains("rejected"),
        "{text}"
    );
}
