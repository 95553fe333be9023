//! Release safeguards end to end: gates enforced by the store, the two-person rule, holds,
//! export contents and idempotence, recall, reveal auditing, policy and the v1 → v2 migration.

mod support;

use std::path::{Path, PathBuf};

use matchgate::domain::{Decision, Field, ReasonCode, Verdict};
use matchgate::store::{AuditVerdict, Store, StoreError};
use support::{count, db, run, stderr, stdout, write_file};

const HEADER: &str = "batch,requester,legal_basis,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_unit,req_city,req_state,req_zip,req_tin,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_unit,cand_city,cand_state,cand_zip,cand_tin";

fn rows() -> Vec<String> {
    let good = |batch: &str, req: &str, cand: &str, score: &str, n: u32| {
        format!(
            "{batch},Agency A,Statute 1,{req},{cand},{score},Ann{n},Archer,1970-01-01,{n},Main St,,Springfield,IL,62701,,Ann{n},Archer,1970-01-01,{n},Main St,,Springfield,IL,62701,900-11-{n:04}"
        )
    };
    vec![
        good("b1", "R1", "C1", "0.99", 1),
        // Under the score floor.
        good("b1", "R2", "C2", "0.70", 2),
        // Candidate ZIP is not in IL.
        "b1,Agency A,Statute 1,R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,62703,,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,90210,900-33-3333".into(),
        // Name only.
        "b1,Agency A,Statute 1,R4,C4,0.92,Di,Dunn,1973-04-04,4,Elm St,,Springfield,IL,62704,,Di,Dunn,1983-05-05,99,Oak Ave,,Springfield,IL,62711,900-44-4444".into(),
        // Two close candidates.
        good("b1", "R5", "C5a", "0.93", 5),
        good("b1", "R5", "C5b", "0.91", 55),
        good("b2", "R6", "C6", "0.97", 6),
        // PO box candidate: DOB and ZIP agree.
        "b1,Agency A,Statute 1,R7,C7,0.96,Ed,Eve,1974-07-07,7,Birch Ln,,Springfield,IL,62701,,Ed,Eve,1974-07-07,PO Box 7,PO Box 7,,Springfield,IL,62701,900-77-7777".into(),
        good("b1", "R8", "C8", "0.98", 8),
        // The request carries the TIN's last four.
        "b1,Agency A,Statute 1,R9,C9,0.94,Flo,Fox,1975-09-09,9,Cedar Ct,,Springfield,IL,62701,9999,Flo,Fox,1975-09-09,1,Other Rd,,Springfield,IL,62702,900-99-9999".into(),
    ]
}

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = HEADER.to_string();
        for r in rows() {
            text.push('\n');
            text.push_str(&r);
        }
        text.push('\n');
        let csv = write_file(dir.path(), "flagged.csv", &text);
        let db = dir.path().join("m.db");
        let out = run(&["import", "--db", s(&db), s(&csv)]);
        assert!(out.status.success(), "import: {}", stderr(&out));
        Fixture {
            dir: dir.path().to_path_buf(),
            db,
            _dir: dir,
        }
    }

    fn store(&self) -> Store {
        Store::open(&self.db).expect("open")
    }

    fn mg(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec![args[0], args.get(1).copied().unwrap_or("")];
        let (head, rest) = if matches!(args[0], "policy" | "hold" | "audit") {
            (2, &args[2..])
        } else {
            all.truncate(1);
            (1, &args[1..])
        };
        let _ = head;
        all.extend(["--db", s(&self.db)]);
        all.extend(rest);
        run(&all)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.mg(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    fn match_id(&self, cand: &str) -> i64 {
        db(&self.db)
            .query_row(
                "SELECT m.id FROM matches m JOIN candidates c ON c.id = m.candidate_id WHERE c.source_id = ?",
                [cand],
                |r| r.get(0),
            )
            .expect("match id")
    }

    fn status(&self, cand: &str) -> String {
        db(&self.db)
            .query_row(
                "SELECT m.status FROM matches m JOIN candidates c ON c.id = m.candidate_id WHERE c.source_id = ?",
                [cand],
                |r| r.get(0),
            )
            .expect("status")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn decide(store: &mut Store, match_id: i64, who: &str, verdict: Verdict) -> Result<(), StoreError> {
    store
        .record_decision(
            &Decision {
                match_id,
                reviewer: who.into(),
                verdict,
                note: None,
                viewed_ms: 5,
            },
            "test",
        )
        .map(|_| ())
}

fn refused_rule(result: Result<(), StoreError>, rule: &str) -> String {
    match result {
        Err(StoreError::Refused(msg)) => {
            assert!(msg.contains(&format!("[{rule}]")), "expected {rule}: {msg}");
            assert!(msg.contains("needs"), "a remedy is named: {msg}");
            msg
        }
        other => panic!("expected a refusal by {rule}, got {other:?}"),
    }
}

fn verify_intact(store: &Store) {
    match store.audit_verify().expect("verify") {
        AuditVerdict::Intact { .. } => {}
        other => panic!("audit should verify: {other:?}"),
    }
}

#[test]
fn every_gate_refuses_through_the_store_and_the_refusal_is_audited() {
    let f = Fixture::new();
    let mut store = f.store();
    refused_rule(
        decide(&mut store, f.match_id("C2"), "alice", Verdict::Approve),
        "score-floor",
    );
    let msg = refused_rule(
        decide(&mut store, f.match_id("C3"), "alice", Verdict::Approve),
        "address-sufficiency",
    );
    assert!(msg.contains("90210"), "{msg}");
    let msg = refused_rule(
        decide(&mut store, f.match_id("C4"), "alice", Verdict::Approve),
        "identifiers",
    );
    assert!(msg.contains("name-only"), "{msg}");
    refused_rule(
        decide(&mut store, f.match_id("C5a"), "alice", Verdict::Approve),
        "ambiguity",
    );
    refused_rule(
        decide(&mut store, f.match_id("C7"), "alice", Verdict::Approve),
        "address-sufficiency",
    );
    for c in ["C2", "C3", "C4", "C5a", "C7"] {
        assert_eq!(f.status(c), "pending", "{c} untouched");
    }
    let conn = db(&f.db);
    assert_eq!(count(&conn, "SELECT count(*) FROM decisions"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE outcome = 'refused' AND action = 'approve'"
        ),
        5
    );
    // The request carrying TIN last four: TIN and DOB agree (street and ZIP do not), so it passes.
    decide(&mut store, f.match_id("C9"), "alice", Verdict::Approve).expect("TIN + DOB");
    // A clean match passes and is audited in the same transaction.
    decide(&mut store, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    assert_eq!(f.status("C1"), "approved");
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE decision_id IS NOT NULL"
        ),
        count(&conn, "SELECT count(*) FROM decisions")
    );
    verify_intact(&store);
}

#[test]
fn ambiguity_is_settled_by_a_supervisor_on_escalation() {
    let f = Fixture::new();
    let mut store = f.store();
    f.ok(&["policy", "set", "supervisors", "sue", "--by", "admin"]);
    let a = f.match_id("C5a");
    decide(&mut store, a, "alice", Verdict::Escalate).expect("escalate");
    assert_eq!(f.status("C5a"), "escalated");
    let msg = refused_rule(
        decide(&mut store, a, "alice", Verdict::Approve),
        "ambiguity",
    );
    assert!(msg.contains("[escalation]"), "{msg}");
    decide(&mut store, a, "sue", Verdict::Approve).expect("supervisor approves");
    assert_eq!(f.status("C5a"), "approved");
    assert_eq!(f.status("C5b"), "rejected");
    let out = f.path("amb.csv");
    f.ok(&["export", "--out", s(&out)]);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.contains("R5"), "{text}");
}

#[test]
fn two_person_rule_needs_a_different_second_approver() {
    let f = Fixture::new();
    f.ok(&["policy", "set", "approvals_required", "2", "--by", "admin"]);
    let mut store = f.store();
    let m = f.match_id("C8");
    decide(&mut store, m, "alice", Verdict::Approve).expect("first approval");
    assert_eq!(f.status("C8"), "pending", "1 of 2 stays in the queue");
    let req: i64 = db(&f.db)
        .query_row("SELECT request_id FROM matches WHERE id = ?", [m], |r| {
            r.get(0)
        })
        .expect("req");
    let item = store.review_item(req).expect("item").expect("some");
    assert_eq!(item.candidates[0].approvals, vec!["alice".to_string()]);
    refused_rule(
        decide(&mut store, m, "alice", Verdict::Approve),
        "two-person",
    );
    // Nothing is released on one approval.
    let out = f.path("one.csv");
    f.ok(&["export", "--out", s(&out)]);
    assert!(!std::fs::read_to_string(&out).expect("read").contains("R8"));
    decide(&mut store, m, "bob", Verdict::Approve).expect("second approval");
    assert_eq!(f.status("C8"), "approved");
    let out = f.path("two.csv");
    f.ok(&["export", "--out", s(&out)]);
    assert!(std::fs::read_to_string(&out).expect("read").contains("R8"));
    assert_eq!(f.status("C8"), "released");
    verify_intact(&store);
}

#[test]
fn holds_refuse_approvals_and_block_export_until_lifted() {
    let f = Fixture::new();
    let mut store = f.store();
    decide(&mut store, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut store, f.match_id("C6"), "alice", Verdict::Approve).expect("approve b2");
    let added = f.ok(&[
        "hold",
        "add",
        "--batch",
        "b1",
        "--reason",
        "court order 26-101",
        "--by",
        "counsel",
    ]);
    assert!(added.contains("hold 1"), "{added}");
    let bad = f.mg(&["hold", "add", "--batch", "nope", "--reason", "x"]);
    assert!(!bad.status.success());
    let list = f.ok(&["hold", "list"]);
    assert!(
        list.contains("ACTIVE") && list.contains("court order 26-101"),
        "{list}"
    );
    refused_rule(
        decide(&mut store, f.match_id("C8"), "alice", Verdict::Approve),
        "legal-hold",
    );
    let out = f.path("held.csv");
    f.ok(&["export", "--out", s(&out)]);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(!text.contains("R1,") && text.contains("R6"), "{text}");
    assert_eq!(f.status("C1"), "approved");
    f.ok(&[
        "hold",
        "lift",
        "--id",
        "1",
        "--reason",
        "order vacated",
        "--by",
        "counsel",
    ]);
    let again = f.mg(&["hold", "lift", "--id", "1", "--reason", "twice"]);
    assert!(!again.status.success(), "lifting twice is refused");
    assert!(f.ok(&["hold", "list"]).contains("lifted"));
    let out = f.path("lifted.csv");
    f.ok(&["export", "--out", s(&out)]);
    assert!(std::fs::read_to_string(&out).expect("read").contains("R1,"));
    let conn = db(&f.db);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'hold-add' AND outcome = 'done'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'hold-lift' AND outcome = 'done'"
        ),
        1
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE outcome = 'refused' AND action LIKE 'hold-%'"
        ) >= 2
    );
    verify_intact(&store);
}

#[test]
fn export_writes_only_address_fields_never_tins_and_releases_once() {
    let f = Fixture::new();
    let mut store = f.store();
    decide(&mut store, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut store, f.match_id("C9"), "alice", Verdict::Approve).expect("approve");
    // Dry run: prints, writes nothing, marks nothing, audits nothing.
    let audit_before = count(&db(&f.db), "SELECT count(*) FROM audit");
    let dry = f.ok(&["export", "--dry-run"]);
    assert!(
        dry.contains("2 match(es) would be released") && dry.contains("request_id=R1"),
        "{dry}"
    );
    assert!(!dry.contains("900-11"), "{dry}");
    let preview = f.ok(&[
        "export",
        "--dry-run",
        "--match",
        &f.match_id("C3").to_string(),
    ]);
    assert!(
        preview.contains("zip") && preview.contains("NOT be released"),
        "{preview}"
    );
    assert_eq!(f.status("C1"), "approved");
    assert_eq!(
        count(&db(&f.db), "SELECT count(*) FROM audit"),
        audit_before
    );
    let stray: Vec<String> = std::fs::read_dir(&f.dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "flagged.csv" && !n.starts_with("m.db"))
        .collect();
    assert!(stray.is_empty(), "a dry run writes no file: {stray:?}");

    let out = f.path("release.csv");
    f.ok(&["export", "--out", s(&out)]);
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
    let conn = db(&f.db);
    assert_eq!(count(&conn, "SELECT count(*) FROM release_items"), 2);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit WHERE action = 'export'"),
        1
    );

    // Again: nothing twice, and the existing file is never overwritten.
    let again = f.mg(&["export", "--out", s(&out)]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'export' AND outcome = 'refused'"
        ),
        1
    );
    let out2 = f.path("again.jsonl");
    f.ok(&["export", "--out", s(&out2)]);
    assert_eq!(std::fs::read_to_string(&out2).expect("read"), "");
    assert_eq!(count(&conn, "SELECT count(*) FROM release_items"), 2);

    // JSON Lines format on a new release.
    decide(&mut store, f.match_id("C6"), "bob", Verdict::Approve).expect("approve");
    let out3 = f.path("r3.jsonl");
    f.ok(&["export", "--out", s(&out3)]);
    let line = std::fs::read_to_string(&out3).expect("read");
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
    assert_eq!(v["request_id"], "R6");
    assert!(v.get("tin").is_none());
    verify_intact(&store);
}

#[test]
fn decisions_export_has_every_event() {
    let f = Fixture::new();
    let mut store = f.store();
    decide(&mut store, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(
        &mut store,
        f.match_id("C2"),
        "bob",
        Verdict::Reject(ReasonCode::Other),
    )
    .expect("reject");
    let outcome = store
        .record_decision(
            &Decision {
                match_id: f.match_id("C8"),
                reviewer: "bob".into(),
                verdict: Verdict::Defer,
                note: Some("check later".into()),
                viewed_ms: 1,
            },
            "t",
        )
        .expect("defer");
    store
        .undo_group(outcome.group_id, "bob", "t")
        .expect("undo");
    let out = f.path("history.csv");
    f.ok(&["export", "--decisions", "--out", s(&out)]);
    let text = std::fs::read_to_string(&out).expect("read");
    assert_eq!(text.lines().count(), 1 + 4, "{text}");
    assert!(text.starts_with("id,match_id,request_id,batch,group_id,reviewer,action"));
    assert!(text.contains("check later") && text.contains(",undo,") && text.contains(",other,"));
    let out = f.path("history.jsonl");
    f.ok(&["export", "--decisions", "--out", s(&out)]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("read").lines().count(),
        4
    );
}

#[test]
fn reveal_returns_the_value_and_is_audited() {
    let f = Fixture::new();
    let mut store = f.store();
    let m = f.match_id("C1");
    let tin = store.record_reveal(m, Field::Tin, "alice").expect("reveal");
    assert_eq!(tin.as_deref(), Some("900-11-0001"));
    let conn = db(&f.db);
    let (actor, object, detail): (String, String, String) = conn
        .query_row(
            "SELECT actor, object, detail FROM audit WHERE action = 'reveal'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("reveal entry");
    assert_eq!(actor, "alice");
    assert_eq!(object, format!("match:{m}"));
    assert!(
        detail.contains("tin") && !detail.contains("900-11"),
        "the log never holds the value"
    );
    assert!(store.record_reveal(99_999, Field::Tin, "alice").is_err());
    verify_intact(&store);
}

#[test]
fn override_lifts_the_address_gate_for_a_supervisor_only() {
    let f = Fixture::new();
    let mut store = f.store();
    let m = f.match_id("C7");
    let r = store.record_override(m, "sue", "verified by phone", "t");
    assert!(
        matches!(r, Err(StoreError::Refused(ref msg)) if msg.contains("not a supervisor")),
        "{r:?}"
    );
    f.ok(&["policy", "set", "supervisors", "sue", "--by", "admin"]);
    f.ok(&["policy", "set", "allow_override", "false", "--by", "admin"]);
    let out = f.mg(&[
        "override",
        "--match",
        &m.to_string(),
        "--supervisor",
        "sue",
        "--justification",
        "x",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("forbidden"), "{}", stderr(&out));
    f.ok(&["policy", "set", "allow_override", "true", "--by", "admin"]);
    f.ok(&[
        "override",
        "--match",
        &m.to_string(),
        "--supervisor",
        "sue",
        "--justification",
        "verified by phone",
    ]);
    assert_eq!(f.status("C7"), "approved");
    let conn = db(&f.db);
    assert_eq!(count(&conn, "SELECT count(*) FROM overrides"), 1);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions WHERE note LIKE 'override: verified%'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'override' AND outcome = 'done'"
        ),
        1
    );
    // A PO box is not residential: a residential hold does not cover it, an "all" hold does.
    f.ok(&[
        "hold", "add", "--batch", "b1", "--reason", "r", "--scope", "all",
    ]);
    assert_eq!(store.releasable().expect("releasable").len(), 0);
    verify_intact(&store);
}

#[test]
fn recall_lists_releases_and_marks_them() {
    let f = Fixture::new();
    let mut store = f.store();
    decide(&mut store, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut store, f.match_id("C6"), "bob", Verdict::Approve).expect("approve");
    f.ok(&["export", "--out", s(&f.path("r.csv")), "--by", "exporter"]);
    let table = f.ok(&["recall"]);
    assert!(
        table.contains("R1") && table.contains("R6") && table.contains("Agency A"),
        "{table}"
    );
    let only_b2 = f.ok(&["recall", "--batch", "b2", "--format", "csv"]);
    assert_eq!(only_b2.lines().count(), 2, "{only_b2}");
    assert!(only_b2.contains("R6") && !only_b2.contains("R1,"));
    let by_alice = f.ok(&["recall", "--reviewer", "alice", "--format", "jsonl"]);
    assert_eq!(by_alice.lines().count(), 1);
    assert!(by_alice.contains("\"approvers\":\"alice\""), "{by_alice}");
    assert_eq!(
        f.ok(&["recall", "--until", "2000-01-01", "--format", "csv"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        f.ok(&[
            "recall",
            "--since",
            "2000-01-01T00:00:00Z",
            "--format",
            "csv"
        ])
        .lines()
        .count(),
        3
    );
    assert_eq!(
        f.ok(&["recall", "--flag", "hostile-text", "--format", "csv"])
            .lines()
            .count(),
        1
    );
    assert!(!f.mg(&["recall", "--flag", "nonsense"]).status.success());
    assert!(!f.mg(&["recall", "--since", "yesterday"]).status.success());
    f.ok(&[
        "recall",
        "--batch",
        "b2",
        "--mark",
        "--reason",
        "disposal 7",
        "--by",
        "counsel",
    ]);
    let conn = db(&f.db);
    assert_eq!(count(&conn, "SELECT count(*) FROM recalls"), 1);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit WHERE action = 'recall'"),
        1
    );
    f.ok(&["recall", "--batch", "b2", "--mark"]);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM recalls"),
        1,
        "a recall is recorded once"
    );
    let csv = f.ok(&["recall", "--format", "csv"]);
    assert!(
        csv.lines().any(|l| l.contains("R6") && l.contains("T")),
        "{csv}"
    );
    let out = f.path("recall.jsonl");
    f.ok(&["recall", "--out", s(&out)]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("read").lines().count(),
        2
    );
    verify_intact(&store);
}

#[test]
fn policy_show_and_set_with_bad_keys_and_values_refused() {
    let f = Fixture::new();
    let shown = f.ok(&["policy", "show"]);
    for key in [
        "approvals_required = 1",
        "score_floor = 0.80",
        "masked_fields = tin",
        "allow_override = true",
    ] {
        assert!(shown.contains(key), "{shown}");
    }
    f.ok(&["policy", "set", "score_floor", "0.9", "--by", "admin"]);
    assert!(f.ok(&["policy", "show"]).contains("score_floor = 0.90"));
    for (k, v) in [
        ("colour", "red"),
        ("approvals_required", "3"),
        ("blind", "perhaps"),
    ] {
        let out = f.mg(&["policy", "set", k, v]);
        assert!(!out.status.success(), "{k}={v}");
        assert!(!stderr(&out).is_empty());
    }
    let conn = db(&f.db);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'policy-set' AND outcome = 'done'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'policy-set' AND outcome = 'refused'"
        ),
        3
    );
    assert!(
        !run(&["policy", "show", "--db", s(&f.path("missing.db"))])
            .status
            .success()
    );
    // Audit head and verify through the binary.
    let head = f.ok(&["audit", "head"]);
    let parts: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], "4");
    assert_eq!(parts[1].len(), 64);
    assert!(f.ok(&["audit", "verify"]).contains(parts[1]));
}

#[test]
fn a_v1_database_is_migrated_to_v2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(matchgate::store::schema::MIGRATIONS[0])
            .expect("v1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.pragma_update(
            None,
            "application_id",
            matchgate::store::schema::APPLICATION_ID,
        )
        .expect("app id");
        conn.execute(
            "INSERT INTO batches (name, created_at) VALUES ('old', '2026-01-01T00:00:00.000Z')",
            [],
        )
        .expect("batch");
    }
    let store = Store::open(&path).expect("open migrates");
    assert_eq!(
        store.schema_version().expect("version"),
        matchgate::store::schema::current_version()
    );
    let conn = db(&path);
    for table in [
        "policy",
        "holds",
        "overrides",
        "releases",
        "release_items",
        "recalls",
        "audit",
    ] {
        assert_eq!(
            count(
                &conn,
                &format!(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                )
            ),
            1,
            "{table}"
        );
    }
    assert_eq!(count(&conn, "SELECT count(*) FROM batches"), 1, "data kept");
    drop(store);
    let mut store = Store::open(&path).expect("reopen");
    store
        .add_hold("old", matchgate::domain::policy::HoldScope::All, "r", "x")
        .expect("v2 tables work");
}
