//! The act of release and what it leaves behind, on a SQLite file and on a PostgreSQL server
//! alike (each test runs on both): export contents, dry runs and idempotence, the decision
//! history export, and recall. The gates before it: `release.rs`.

mod support;

use matchgate::domain::roles::Role;
use matchgate::domain::{Decision, ReasonCode, Verdict};
use support::backend::{Backend, Kind};
use support::release_both::{Release, decide};
use support::stderr;

on_both!(
    export_writes_only_address_fields_never_tins_and_releases_once,
    decisions_export_has_every_event,
    recall_lists_releases_and_marks_them,
    a_release_larger_than_a_chunk_records_every_match_once,
);

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The names in `dir`, but for those `keep` accepts.
fn stray(dir: &std::path::Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !keep(n))
        .collect()
}

fn export_writes_only_address_fields_never_tins_and_releases_once(kind: Kind) {
    let Some(f) = Release::new(kind, "export_writes_only_address_fields") else {
        return;
    };
    let mut alice = f.screen("alice");
    decide(&mut alice, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut alice, f.match_id("C9"), "alice", Verdict::Approve).expect("approve");
    // Dry run: prints, writes nothing, marks nothing, audits nothing.
    let audit_before = f.team.int("SELECT count(*) FROM audit");
    let dry = f.ok_as("exporter", &["export", "--dry-run"]);
    assert!(
        dry.contains("2 match(es) would be released") && dry.contains("request_id=R1"),
        "{dry}"
    );
    assert!(!dry.contains("900-11"), "{dry}");
    let c3 = f.match_id("C3").to_string();
    let preview = f.ok_as("exporter", &["export", "--dry-run", "--match", &c3]);
    assert!(
        preview.contains("zip") && preview.contains("NOT be released"),
        "{preview}"
    );
    assert_eq!(f.status("C1"), "approved");
    assert_eq!(f.team.int("SELECT count(*) FROM audit"), audit_before);
    // Neither where the command ran nor (on a file) beside the database.
    let here = stray(f.out_dir(), |_| false);
    assert!(here.is_empty(), "a dry run writes no file: {here:?}");
    if kind == Kind::Sqlite {
        let db = std::path::PathBuf::from(f.team.db());
        let dir = db.parent().expect("the file's directory");
        let beside = stray(dir, |n| n == "matches.csv" || n.starts_with("team.db"));
        assert!(beside.is_empty(), "a dry run writes no file: {beside:?}");
    }

    let out = f.path("release.csv");
    f.ok_as("exporter", &["export", "--out", s(&out)]);
    let bytes = std::fs::read(&out).expect("read");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    for secret in [
        "900-11-0001",
        "900-99-9999",
        "9999",
        "1970-01-01",
        "Ann1",
        "Archer",
        "C1",
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} leaked into the release file:\n{text}"
        );
    }
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("release_id,released_at,request_id,batch,street_number,street,unit,city,state,zip")
    );
    assert_eq!(lines.count(), 2);
    assert_eq!(f.status("C1"), "released");
    assert_eq!(f.team.int("SELECT count(*) FROM release_items"), 2);
    let exports = |outcome: &str| {
        f.team.int(&format!(
            "SELECT count(*) FROM audit WHERE action = 'export'{outcome}"
        ))
    };
    assert_eq!(exports(""), 1);

    // Again: nothing twice, and the existing file is never overwritten.
    let again = f.run_as("exporter", &["export", "--out", s(&out)]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(exports(" AND outcome = 'refused'"), 1);
    let out2 = f.path("again.jsonl");
    f.ok_as("exporter", &["export", "--out", s(&out2)]);
    assert_eq!(std::fs::read_to_string(&out2).expect("read"), "");
    assert_eq!(f.team.int("SELECT count(*) FROM release_items"), 2);

    // JSON Lines format on a new release.
    let mut bob = f.screen("bob");
    decide(&mut bob, f.match_id("C6"), "bob", Verdict::Approve).expect("approve");
    let out3 = f.path("r3.jsonl");
    f.ok_as("exporter", &["export", "--out", s(&out3)]);
    let line = std::fs::read_to_string(&out3).expect("read");
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
    assert_eq!(v["request_id"], "R6");
    assert!(v.get("tin").is_none());
    f.verify_intact();
}

fn decisions_export_has_every_event(kind: Kind) {
    let Some(f) = Release::new(kind, "decisions_export_has_every_event") else {
        return;
    };
    let (mut alice, mut bob) = (f.screen("alice"), f.screen("bob"));
    decide(&mut alice, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(
        &mut bob,
        f.match_id("C2"),
        "bob",
        Verdict::Reject(ReasonCode::Other),
    )
    .expect("reject");
    let outcome = bob
        .record_decision(
            &Decision {
                match_id: f.match_id("C8"),
                reviewer: "bob".into(),
                verdict: Verdict::Defer,
                note: Some("check later".into()),
                viewed_ms: 1,
            },
            "bob",
        )
        .expect("defer");
    bob.undo_group(outcome.group_id, "bob", "bob")
        .expect("undo");
    let out = f.path("history.csv");
    f.ok_as("exporter", &["export", "--decisions", "--out", s(&out)]);
    let text = std::fs::read_to_string(&out).expect("read");
    assert_eq!(text.lines().count(), 1 + 4, "{text}");
    assert!(text.starts_with("id,match_id,request_id,batch,group_id,reviewer,action"));
    assert!(text.contains("check later") && text.contains(",undo,") && text.contains(",other,"));
    let out = f.path("history.jsonl");
    f.ok_as("exporter", &["export", "--decisions", "--out", s(&out)]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("read").lines().count(),
        4
    );
}

fn recall_lists_releases_and_marks_them(kind: Kind) {
    let Some(f) = Release::new(kind, "recall_lists_releases") else {
        return;
    };
    let (mut alice, mut bob) = (f.screen("alice"), f.screen("bob"));
    decide(&mut alice, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut bob, f.match_id("C6"), "bob", Verdict::Approve).expect("approve");
    f.ok_as("exporter", &["export", "--out", s(&f.path("r.csv"))]);
    let recall = |args: &[&str]| f.ok_as("counsel", &[&["recall"][..], args].concat());
    let table = recall(&[]);
    assert!(
        table.contains("R1") && table.contains("R6") && table.contains("Agency A"),
        "{table}"
    );
    let only_b2 = recall(&["--batch", "b2", "--format", "csv"]);
    assert_eq!(only_b2.lines().count(), 2, "{only_b2}");
    assert!(only_b2.contains("R6") && !only_b2.contains("R1,"));
    let by_alice = recall(&["--reviewer", "alice", "--format", "jsonl"]);
    assert_eq!(by_alice.lines().count(), 1);
    assert!(by_alice.contains("\"approvers\":\"alice\""), "{by_alice}");
    let until = recall(&["--until", "2000-01-01", "--format", "csv"]);
    assert_eq!(until.lines().count(), 1);
    let since = recall(&["--since", "2000-01-01T00:00:00Z", "--format", "csv"]);
    assert_eq!(since.lines().count(), 3);
    let hostile = recall(&["--flag", "hostile-text", "--format", "csv"]);
    assert_eq!(hostile.lines().count(), 1);
    let refused = |args: &[&str]| !f.run_as("counsel", args).status.success();
    assert!(refused(&["recall", "--flag", "nonsense"]));
    assert!(refused(&["recall", "--since", "yesterday"]));
    recall(&["--batch", "b2", "--mark", "--reason", "disposal 7"]);
    assert_eq!(f.team.int("SELECT count(*) FROM recalls"), 1);
    assert_eq!(
        f.team
            .int("SELECT count(*) FROM audit WHERE action = 'recall'"),
        1
    );
    recall(&["--batch", "b2", "--mark"]);
    assert_eq!(
        f.team.int("SELECT count(*) FROM recalls"),
        1,
        "a recall is recorded once"
    );
    let csv = recall(&["--format", "csv"]);
    assert!(
        csv.lines().any(|l| l.contains("R6") && l.contains("T")),
        "{csv}"
    );
    let out = f.path("recall.jsonl");
    recall(&["--out", s(&out)]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("read").lines().count(),
        2
    );
    f.verify_intact();
}

/// More approvals than the release writes per statement (250): every one lands in the file, in
/// `release_items` and as released, once, and the audit entry counts them all.
fn a_release_larger_than_a_chunk_records_every_match_once(kind: Kind) {
    const N: usize = 263;
    let mut csv = String::from(
        "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip\n",
    );
    for i in 1..=N {
        csv.push_str(&format!(
            "R{i},C{i},0.9,Ann,Archer{i},1970-01-01,{i},Main St,Springfield,IL,62701,Ann,Archer{i},1970-01-01,{i},Main St,Springfield,IL,62701\n"
        ));
    }
    let people = [("alice", Role::Reviewer), ("sue", Role::Supervisor)];
    let Some(team) = Backend::new(kind, "a_release_larger_than_a_chunk", &csv, &people) else {
        return;
    };
    let mut alice = team.screen("alice", "alice");
    let ids: Vec<i64> = team
        .rows("SELECT id FROM matches ORDER BY id")
        .iter()
        .map(|r| r[0].parse().expect("id"))
        .collect();
    for id in &ids {
        decide(&mut alice, *id, "alice", Verdict::Approve).expect("approve");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("all.csv");
    let said = team.cli_as("sue", &["export", "--out", s(&out)]);
    assert!(said.contains(&format!("{N} match(es) released")), "{said}");
    let file = std::fs::read_to_string(&out).expect("released file");
    assert_eq!(file.lines().count(), N + 1, "a header and every match");
    assert_eq!(team.int("SELECT count(*) FROM release_items"), N as i64);
    assert_eq!(
        team.int("SELECT count(DISTINCT match_id) FROM release_items"),
        N as i64
    );
    assert_eq!(
        team.int("SELECT count(*) FROM matches WHERE status = 'released'"),
        N as i64
    );
    assert_eq!(
        team.int("SELECT item_count FROM releases"),
        N as i64,
        "the release counts them all"
    );
    let detail = team.rows("SELECT detail FROM audit WHERE action = 'export'");
    assert!(
        detail[0][0].contains(&format!("\"count\":{N}")),
        "{detail:?}"
    );
}
