//! Tampering with the audit log with plain SQL (after dropping its triggers) is caught by
//! `matchgate audit verify`, which exits 1 naming the first entry that does not verify.

mod support;

use std::path::{Path, PathBuf};

use matchgate::domain::{Decision, Verdict};
use matchgate::store::Store;
use support::{run, stderr, stdout, write_file};

const CSV: &str = "\
batch,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin
b1,R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,900-11-1111
b1,R2,C2,0.95,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,900-22-2222
b1,R3,C3,0.93,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,900-33-3333
";

/// A database with a few audited events: 6 entries (policy, 3 decisions, a hold, a reveal).
fn setup(dir: &Path) -> PathBuf {
    let csv = write_file(dir, "f.csv", CSV);
    let db = dir.join("a.db");
    let out = run(&[
        "import",
        "--db",
        db.to_str().expect("utf-8"),
        csv.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut store = Store::open(&db).expect("open");
    store
        .set_policy("score_floor", "0.9", "admin")
        .expect("policy");
    for (id, who) in [(1, "alice"), (2, "bob"), (3, "carol")] {
        store
            .record_decision(
                &Decision {
                    match_id: id,
                    reviewer: who.into(),
                    verdict: Verdict::Approve,
                    note: None,
                    viewed_ms: 1,
                },
                "s",
            )
            .expect("approve");
    }
    store
        .add_hold(
            "b1",
            matchgate::domain::policy::HoldScope::All,
            "order",
            "counsel",
        )
        .expect("hold");
    store
        .record_reveal(1, matchgate::domain::Field::Tin, "alice")
        .expect("reveal");
    drop(store);
    db
}

fn verify(db: &Path) -> (bool, String) {
    let out = run(&["audit", "verify", "--db", db.to_str().expect("utf-8")]);
    (out.status.success(), stdout(&out))
}

fn tamper(sql: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path());
    let (ok, text) = verify(&db);
    assert!(ok, "intact before tampering: {text}");
    assert!(text.contains("6 entries"), "{text}");
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
         DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete;",
    )
    .expect("drop triggers");
    conn.execute_batch(sql).expect("tamper");
    drop(conn);
    let out = run(&["audit", "verify", "--db", db.to_str().expect("utf-8")]);
    (out.status.success(), stdout(&out) + &stderr(&out))
}

fn assert_caught(sql: &str, first_bad: &str) {
    let (ok, text) = tamper(sql);
    assert!(!ok, "tampering went unnoticed: {sql}\n{text}");
    assert!(
        text.contains(&format!("first bad: {first_bad}:")),
        "expected the first bad entry to be {first_bad}:\n{text}"
    );
}

#[test]
fn the_triggers_refuse_update_and_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path());
    let conn = rusqlite::Connection::open(&db).expect("open");
    assert!(
        conn.execute("UPDATE audit SET actor = 'x' WHERE id = 1", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit WHERE id = 1", []).is_err());
}

#[test]
fn an_edited_entry_is_caught() {
    assert_caught(
        "UPDATE audit SET actor = 'mallory' WHERE id = 3",
        "audit entry 3",
    );
}

#[test]
fn a_deleted_entry_is_caught() {
    assert_caught("DELETE FROM audit WHERE id = 3", "audit entry 4");
}

#[test]
fn reordered_entries_are_caught() {
    assert_caught(
        "UPDATE audit SET id = -1 WHERE id = 3;
         UPDATE audit SET id = 3 WHERE id = 4;
         UPDATE audit SET id = 4 WHERE id = -1;",
        "audit entry 3",
    );
}

#[test]
fn an_inserted_entry_is_caught() {
    // In the middle: renumber the tail up by one and slip a forged entry in at 3.
    assert_caught(
        "UPDATE audit SET id = id + 100 WHERE id >= 3;
         UPDATE audit SET id = id - 99 WHERE id >= 100;
         INSERT INTO audit (id, at, actor, action, object, outcome, detail, prev_hash, hash)
         SELECT 3, at, 'mallory', 'export', 'release:9', 'done', '{}', hash, hash FROM audit WHERE id = 2;",
        "audit entry 3",
    );
    // At the end, with a made-up hash.
    assert_caught(
        "INSERT INTO audit (id, at, actor, action, object, outcome, detail, prev_hash, hash)
         SELECT 7, at, 'mallory', 'export', 'release:9', 'done', '{}', hash, 'beef' FROM audit WHERE id = 6;",
        "audit entry 7",
    );
}

#[test]
fn a_deleted_last_decision_entry_and_an_edited_decision_are_caught() {
    // The last entries are a hold and a reveal; delete them and the last decision's entry: the
    // chain that is left is consistent, but decision 3 is no longer in the log.
    assert_caught("DELETE FROM audit WHERE id >= 4", "decision 3");
    // The decisions row itself edited after the fact.
    assert_caught(
        "UPDATE decisions SET reviewer = 'mallory' WHERE id = 2",
        "decision 2 (audit entry 3)",
    );
}

#[test]
fn a_rebuilt_chain_verifies_which_is_why_the_head_is_recorded_outside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path());
    let head = stdout(&run(&[
        "audit",
        "head",
        "--db",
        db.to_str().expect("utf-8"),
    ]));
    // Truncating the tail (a hold and a reveal, no decisions) leaves a consistent chain.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 5;")
        .expect("truncate");
    drop(conn);
    let (ok, _) = verify(&db);
    assert!(ok, "a truncated chain is internally consistent");
    let after = stdout(&run(&[
        "audit",
        "head",
        "--db",
        db.to_str().expect("utf-8"),
    ]));
    assert_ne!(head, after, "but the recorded head no longer matches");
}
