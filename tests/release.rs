//! Release safeguards, on a SQLite file and on a PostgreSQL server alike (each test runs on
//! both): gates enforced by the store, the two-person rule, escalation, holds, reveal auditing,
//! overrides, policy. Then the file's own: the v1 → v2 migration. Exports, the decision history
//! and recall: `release_export.rs`.

mod support;

use matchgate::domain::{Field, Verdict};
use matchgate::store::StoreError;
use support::backend::Kind;
use support::release_both::{Release, decide, refused_rule, succeeded};
use support::{count, db, stderr};

on_both!(
    every_gate_refuses_through_the_store_and_the_refusal_is_audited,
    ambiguity_is_settled_by_a_supervisor_on_escalation,
    two_person_rule_needs_a_different_second_approver,
    holds_refuse_approvals_and_block_export_until_lifted,
    reveal_returns_the_value_and_is_audited,
    override_lifts_the_address_gate_for_a_supervisor_only,
    policy_show_and_set_with_bad_keys_and_values_refused,
);

/// What an export by `exporter` wrote to `name`.
fn export(f: &Release, name: &str) -> String {
    let out = f.path(name);
    f.ok_as(
        "exporter",
        &["export", "--out", out.to_str().expect("path")],
    );
    std::fs::read_to_string(&out).expect("read")
}

fn every_gate_refuses_through_the_store_and_the_refusal_is_audited(kind: Kind) {
    let Some(f) = Release::new(kind, "every_gate_refuses") else {
        return;
    };
    // The score floor is off by default; as a knob it still refuses.
    f.team.set_policy("score_floor", "0.80");
    let mut alice = f.screen("alice");
    refused_rule(
        decide(&mut alice, f.match_id("C2"), "alice", Verdict::Approve),
        "score-floor",
    );
    let msg = refused_rule(
        decide(&mut alice, f.match_id("C3"), "alice", Verdict::Approve),
        "address-sufficiency",
    );
    assert!(msg.contains("90210"), "{msg}");
    let msg = refused_rule(
        decide(&mut alice, f.match_id("C4"), "alice", Verdict::Approve),
        "identifiers",
    );
    assert!(msg.contains("name-only"), "{msg}");
    refused_rule(
        decide(&mut alice, f.match_id("C5a"), "alice", Verdict::Approve),
        "ambiguity",
    );
    refused_rule(
        decide(&mut alice, f.match_id("C7"), "alice", Verdict::Approve),
        "address-sufficiency",
    );
    for c in ["C2", "C3", "C4", "C5a", "C7"] {
        assert_eq!(f.status(c), "pending", "{c} untouched");
    }
    assert_eq!(f.team.int("SELECT count(*) FROM decisions"), 0);
    assert_eq!(
        f.team
            .int("SELECT count(*) FROM audit WHERE outcome = 'refused' AND action = 'approve'"),
        5
    );
    // The request carrying TIN last four: TIN and DOB agree (street and ZIP do not), so it passes.
    decide(&mut alice, f.match_id("C9"), "alice", Verdict::Approve).expect("TIN + DOB");
    // A clean match passes and is audited in the same transaction.
    decide(&mut alice, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    assert_eq!(f.status("C1"), "approved");
    assert_eq!(
        f.team
            .int("SELECT count(*) FROM audit WHERE decision_id IS NOT NULL"),
        f.team.int("SELECT count(*) FROM decisions")
    );
    f.verify_intact();
}

fn ambiguity_is_settled_by_a_supervisor_on_escalation(kind: Kind) {
    let Some(f) = Release::new(kind, "ambiguity_is_settled") else {
        return;
    };
    let (mut alice, mut sue) = (f.screen("alice"), f.screen("sue"));
    let a = f.match_id("C5a");
    decide(&mut alice, a, "alice", Verdict::Escalate).expect("escalate");
    assert_eq!(f.status("C5a"), "escalated");
    let msg = refused_rule(
        decide(&mut alice, a, "alice", Verdict::Approve),
        "ambiguity",
    );
    assert!(msg.contains("[escalation]"), "{msg}");
    decide(&mut sue, a, "sue", Verdict::Approve).expect("supervisor approves");
    assert_eq!(f.status("C5a"), "approved");
    assert_eq!(f.status("C5b"), "rejected");
    let text = export(&f, "amb.csv");
    assert!(text.contains("R5"), "{text}");
}

fn two_person_rule_needs_a_different_second_approver(kind: Kind) {
    let Some(f) = Release::new(kind, "two_person_rule") else {
        return;
    };
    f.team.set_policy("approvals_required", "2");
    let (mut alice, mut bob) = (f.screen("alice"), f.screen("bob"));
    let m = f.match_id("C8");
    decide(&mut alice, m, "alice", Verdict::Approve).expect("first approval");
    assert_eq!(f.status("C8"), "pending", "1 of 2 stays in the queue");
    let item = alice
        .review_item(f.request_id("C8"))
        .expect("item")
        .expect("some");
    assert_eq!(item.candidates[0].approvals, vec!["alice".to_string()]);
    refused_rule(
        decide(&mut alice, m, "alice", Verdict::Approve),
        "two-person",
    );
    // Nothing is released on one approval.
    assert!(!export(&f, "one.csv").contains("R8"));
    decide(&mut bob, m, "bob", Verdict::Approve).expect("second approval");
    assert_eq!(f.status("C8"), "approved");
    assert!(export(&f, "two.csv").contains("R8"));
    assert_eq!(f.status("C8"), "released");
    f.verify_intact();
}

fn holds_refuse_approvals_and_block_export_until_lifted(kind: Kind) {
    let Some(f) = Release::new(kind, "holds_refuse_approvals") else {
        return;
    };
    let mut alice = f.screen("alice");
    decide(&mut alice, f.match_id("C1"), "alice", Verdict::Approve).expect("approve");
    decide(&mut alice, f.match_id("C6"), "alice", Verdict::Approve).expect("approve b2");
    let add = [
        "hold",
        "add",
        "--batch",
        "b1",
        "--reason",
        "court order 26-101",
    ];
    let added = f.ok_as("counsel", &add);
    assert!(added.contains("hold 1"), "{added}");
    let bad = f.run_as(
        "counsel",
        &["hold", "add", "--batch", "nope", "--reason", "x"],
    );
    assert!(!bad.status.success());
    let list = f.ok_db("counsel", &["hold", "list"]);
    assert!(
        list.contains("ACTIVE") && list.contains("court order 26-101"),
        "{list}"
    );
    refused_rule(
        decide(&mut alice, f.match_id("C8"), "alice", Verdict::Approve),
        "legal-hold",
    );
    let text = export(&f, "held.csv");
    assert!(!text.contains("R1,") && text.contains("R6"), "{text}");
    assert_eq!(f.status("C1"), "approved");
    let lift = ["hold", "lift", "--id", "1", "--reason", "order vacated"];
    f.ok_as("counsel", &lift);
    let again = f.run_as(
        "counsel",
        &["hold", "lift", "--id", "1", "--reason", "twice"],
    );
    assert!(!again.status.success(), "lifting twice is refused");
    assert!(f.ok_db("counsel", &["hold", "list"]).contains("lifted"));
    assert!(export(&f, "lifted.csv").contains("R1,"));
    let audited = |action: &str, outcome: &str| {
        f.team.int(&format!(
            "SELECT count(*) FROM audit WHERE action = '{action}' AND outcome = '{outcome}'"
        ))
    };
    assert_eq!(audited("hold-add", "done"), 1);
    assert_eq!(audited("hold-lift", "done"), 1);
    assert!(
        f.team
            .int("SELECT count(*) FROM audit WHERE outcome = 'refused' AND action LIKE 'hold-%'")
            >= 2
    );
    f.verify_intact();
}

fn reveal_returns_the_value_and_is_audited(kind: Kind) {
    let Some(f) = Release::new(kind, "reveal_returns_the_value") else {
        return;
    };
    let mut alice = f.screen("alice");
    let m = f.match_id("C1");
    let tin = alice.record_reveal(m, Field::Tin, "alice").expect("reveal");
    assert_eq!(tin.as_deref(), Some("900-11-0001"));
    let entries = f
        .team
        .rows("SELECT actor, object, detail FROM audit WHERE action = 'reveal'");
    assert_eq!(entries.len(), 1, "one reveal entry: {entries:?}");
    let [actor, object, detail] = &entries[0][..] else {
        panic!("three columns: {entries:?}");
    };
    assert_eq!(actor, "alice");
    assert_eq!(object, &format!("match:{m}"));
    assert!(
        detail.contains("tin") && !detail.contains("900-11"),
        "the log never holds the value"
    );
    assert!(alice.record_reveal(99_999, Field::Tin, "alice").is_err());
    f.verify_intact();
}

fn override_lifts_the_address_gate_for_a_supervisor_only(kind: Kind) {
    let Some(f) = Release::new(kind, "override_lifts_the_address_gate") else {
        return;
    };
    let m = f.match_id("C7");
    // A reviewer may not override, even on their own connection (people are registered: the
    // role decides; without them, policy's list: `single_user_overrides_need_a_listed_supervisor`).
    let r = f
        .screen("alice")
        .record_override(m, "alice", "verified by phone", "t");
    assert!(
        matches!(r, Err(StoreError::Refused(ref msg)) if msg.contains("needs the supervisor role")),
        "{r:?}"
    );
    f.team.set_policy("allow_override", "false");
    let id = m.to_string();
    let by_sue = |why: &str| {
        let args = ["override", "--match", &id, "--supervisor", "sue"];
        f.run_db("sue", &[&args[..], &["--justification", why]].concat())
    };
    let out = by_sue("x");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("forbidden"), "{}", stderr(&out));
    f.team.set_policy("allow_override", "true");
    succeeded(&["override"], by_sue("verified by phone"));
    assert_eq!(f.status("C7"), "approved");
    assert_eq!(f.team.int("SELECT count(*) FROM overrides"), 1);
    assert_eq!(
        f.team
            .int("SELECT count(*) FROM decisions WHERE note LIKE 'override: verified%'"),
        1
    );
    assert_eq!(
        f.team
            .int("SELECT count(*) FROM audit WHERE action = 'override' AND outcome = 'done'"),
        1
    );
    // A PO box is not residential: a residential hold does not cover it, an "all" hold does.
    let releasable = || f.ok_as("exporter", &["export", "--dry-run"]);
    assert!(releasable().contains("dry run: 1 match(es)"));
    let hold = ["hold", "add", "--batch", "b1", "--reason", "r"];
    f.ok_as("counsel", &hold);
    assert!(
        releasable().contains("dry run: 1 match(es)"),
        "{}",
        releasable()
    );
    f.ok_as("counsel", &[&hold[..], &["--scope", "all"]].concat());
    assert!(
        releasable().contains("dry run: 0 match(es)"),
        "{}",
        releasable()
    );
    f.verify_intact();
}

fn policy_show_and_set_with_bad_keys_and_values_refused(kind: Kind) {
    let Some(f) = Release::new(kind, "policy_show_and_set") else {
        return;
    };
    let audit_before = f.team.int("SELECT count(*) FROM audit");
    let show = || f.ok_db("alice", &["policy", "show"]);
    let shown = show();
    for key in [
        "approvals_required = 1",
        "score_floor = 0.00",
        "max_address_age_days = 1095",
        "masked_fields = tin",
        "allow_override = true",
    ] {
        assert!(shown.contains(key), "{shown}");
    }
    f.team.set_policy("score_floor", "0.9");
    assert!(show().contains("score_floor = 0.90"));
    for (k, v) in [
        ("colour", "red"),
        ("approvals_required", "3"),
        ("blind", "perhaps"),
    ] {
        let out = f.run_admin(&["policy", "set", k, v]);
        assert!(!out.status.success(), "{k}={v}");
        assert!(!stderr(&out).is_empty());
    }
    let policy_set = |outcome: &str| {
        f.team.int(&format!(
            "SELECT count(*) FROM audit WHERE action = 'policy-set' AND outcome = '{outcome}'"
        ))
    };
    assert_eq!(policy_set("done"), 1);
    assert_eq!(policy_set("refused"), 3);
    // A database that is not there is not shown.
    let missing = match kind {
        Kind::Sqlite => f.path("missing.db").to_str().expect("path").to_string(),
        Kind::Postgres => f.team.db().replacen("/team?", "/missing?", 1),
    };
    let out = support::run(&["policy", "show", "--db", &missing]);
    assert!(!out.status.success());
    // Audit head and verify through the binary: the four policy entries, chained.
    let head = f.team.cli(&["audit", "head", "--db", &f.team.db()]);
    let parts: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], (audit_before + 4).to_string());
    assert_eq!(
        parts[0],
        f.team.int("SELECT count(*) FROM audit").to_string()
    );
    assert_eq!(parts[1].len(), 64);
    let verified = f.team.cli(&["audit", "verify", "--db", &f.team.db()]);
    assert!(verified.contains(parts[1]), "{verified}");
}

/// A file nobody is registered in (single-user mode, which a server does not have: there people
/// are its roles) takes its supervisors from policy `supervisors`.
#[test]
fn single_user_overrides_need_a_listed_supervisor() {
    use matchgate::store::Store;
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,req_tin,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin
R7,C7,0.96,Ed,Eve,1974-07-07,7,Birch Ln,Springfield,IL,62701,7777,Ed,Eve,1974-07-07,PO Box 7,PO Box 7,Springfield,IL,62701,900-77-7777
";
    let path = support::store_db(dir.path(), csv);
    let mut store = Store::open(&path).expect("open");
    let r = store.record_override(1, "sue", "verified by phone", "t");
    assert!(
        matches!(r, Err(StoreError::Refused(ref msg)) if msg.contains("not a supervisor")),
        "{r:?}"
    );
    store
        .set_policy("supervisors", "sue", "admin")
        .expect("listed");
    store
        .record_override(1, "sue", "verified by phone", "t")
        .expect("a listed supervisor overrides");
    assert_eq!(count(&db(&path), "SELECT count(*) FROM overrides"), 1);
}

/// The file format itself: a version 1 file opened by this version gains the later tables.
#[test]
fn a_v1_database_is_migrated_to_the_current_schema() {
    use matchgate::store::Store;
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
        "users",
        "claims",
        "queue_moves",
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
