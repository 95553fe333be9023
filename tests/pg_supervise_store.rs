//! What the supervisor's queue reads on a server is what it reads on the SQLite file the
//! server's database was migrated from: approvals waiting for an override (the latest request
//! per match only, none overridden since or on a closed match), disagreements of blind second
//! reviews (unchecked ones only, an undone check no longer counting), and every decision as it
//! is checked. Then the same claims hide the same waiting overrides from another session, and
//! the same check and override, made on both, leave the same queue behind.

mod support;

use matchgate::domain::claim::{ClaimOutcome, Claimant};
use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict};
use matchgate::domain::{Decision, DecisionAction, ReasonCode, Verdict};
use matchgate::store::postgres::{PgStore, PgTarget};
use matchgate::store::{DecisionUnderCheck, OverrideWaiting, Store};
use support::pg::PgServer;
use support::{db, run, stderr};

/// R1-R8 agree completely; R9-R12's candidates have no street, so with `min_identifiers` 1 an
/// approval is refused only by address sufficiency, which a supervisor may override.
fn fixture() -> String {
    let mut csv = String::from(
        "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip\n",
    );
    for i in 1..=12 {
        let person = format!("Ann,Archer{i},1970-01-01");
        let place = "Springfield,IL,62701";
        let street = if i <= 8 {
            format!("{i},Main St")
        } else {
            ",".into()
        };
        csv.push_str(&format!(
            "R{i},C{i},0.9,{person},{i},Main St,{place},{person},{street},{place}\n"
        ));
    }
    csv
}

const PEOPLE: [(&str, Role); 6] = [
    ("root", Role::Admin),
    ("ann", Role::Reviewer),
    ("bob", Role::Reviewer),
    ("cy", Role::Reviewer),
    ("sue", Role::Supervisor),
    ("sam", Role::Supervisor),
];

fn match_of(path: &std::path::Path, request: &str) -> i64 {
    db(path)
        .query_row(
            "SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id
              WHERE r.source_id = ?",
            [request],
            |r| r.get(0),
        )
        .expect("match")
}

fn request_of(path: &std::path::Path, request: &str) -> i64 {
    db(path)
        .query_row(
            "SELECT id FROM requests WHERE source_id = ?",
            [request],
            |r| r.get(0),
        )
        .expect("request")
}

fn decision(match_id: i64, who: &str, verdict: Verdict) -> Decision {
    Decision {
        match_id,
        reviewer: who.into(),
        verdict,
        note: Some(format!("{who}'s note")),
        viewed_ms: 800,
    }
}

/// Decides request `request`'s candidate; the decision's id, or the refusal.
fn decide(
    s: &mut Store,
    path: &std::path::Path,
    request: &str,
    who: &str,
    verdict: Verdict,
) -> Result<i64, matchgate::store::StoreError> {
    let d = decision(match_of(path, request), who, verdict);
    s.record_decision(&d, who).map(|o| o.group_id)
}

fn check(decision_id: i64, who: &str, verdict: CheckVerdict) -> Check {
    Check {
        decision_id,
        supervisor: who.into(),
        verdict,
        note: Some("checked against the source".into()),
        viewed_ms: 900,
    }
}

/// The history, built through the store in a file; returns the ids of R1-R8's decisions.
fn history(path: &std::path::Path) -> Vec<i64> {
    let mut s = Store::open(path).expect("open");
    for (name, role) in PEOPLE {
        s.add_user(name, role, "root").expect("user");
    }
    s.set_policy("double_review_rate", "1", "root")
        .expect("every decision gets a second review");
    s.set_policy("min_identifiers", "1", "root")
        .expect("only the address is short");
    let reject = Verdict::Reject;
    let mut first = Vec::new();
    for (request, who, verdict) in [
        ("R1", "ann", Verdict::Approve),
        ("R2", "ann", Verdict::Approve),
        ("R3", "ann", Verdict::Approve),
        ("R4", "ann", Verdict::Approve),
        ("R5", "bob", Verdict::Approve),
        ("R6", "bob", reject(ReasonCode::StaleAddress)),
        ("R7", "cy", Verdict::Approve),
        ("R8", "cy", reject(ReasonCode::DobConflict)),
    ] {
        first.push(decide(&mut s, path, request, who, verdict).expect("decided"));
    }
    // Blind second verdicts: R1, R5 and R8 agree; R2, R3, R6 and R7 disagree; R4 has none.
    for (i, who, verdict) in [
        (0, "bob", Verdict::Approve),
        (1, "bob", reject(ReasonCode::NameOnly)),
        (2, "cy", reject(ReasonCode::Ambiguous)),
        (4, "ann", Verdict::Approve),
        (5, "ann", Verdict::Approve),
        (6, "ann", reject(ReasonCode::DifferentPerson)),
        (7, "bob", reject(ReasonCode::DobConflict)),
    ] {
        s.record_second_verdict(first[i], who, verdict, None, 1500, who)
            .expect("second verdict");
    }
    // R2 overturned and R7 agreed with: checked. R3's agreement undone: unchecked again.
    let overturn = CheckVerdict::Overturn(ReasonCode::NameOnly);
    s.record_check(&check(first[1], "sue", overturn), "sue")
        .expect("overturn");
    s.record_check(&check(first[6], "sam", CheckVerdict::Agree), "sam")
        .expect("agree");
    let undone = s
        .record_check(&check(first[2], "sam", CheckVerdict::Agree), "sam")
        .expect("agree")
        .outcome
        .group_id;
    s.undo_group(undone, "sam", "sam").expect("undo the check");
    // Approvals refused by address sufficiency wait for an override: R9 (ann); R10 (bob, then
    // overridden); R11 twice (ann, then cy: only the latest waits); R12 (ann, then rejected by
    // bob: closed).
    for (request, who) in [
        ("R9", "ann"),
        ("R10", "bob"),
        ("R11", "ann"),
        ("R11", "cy"),
        ("R12", "ann"),
    ] {
        let refused = decide(&mut s, path, request, who, Verdict::Approve)
            .expect_err("refused by the address rule");
        assert!(
            refused.to_string().contains("[address-sufficiency]"),
            "{refused}"
        );
    }
    s.record_override(match_of(path, "R10"), "sue", "phoned the county", "sue")
        .expect("override");
    decide(&mut s, path, "R12", "bob", reject(ReasonCode::Ambiguous)).expect("rejected");
    first
}

/// A server holding the file's database (migrated by the owner), each person logging in as
/// their own role.
fn migrated(file: &std::path::Path) -> Option<PgServer> {
    let server = PgServer::start("pg_supervise_store")?;
    let db = server.create_database("team");
    let owner = server.url("postgres", &db);
    let out = run(&[
        "migrate",
        "--from",
        file.to_str().expect("utf-8"),
        "--to",
        &owner,
    ]);
    assert!(out.status.success(), "migrate: {}", stderr(&out));
    for (name, role) in PEOPLE {
        server.add_login(name, &format!("{name}-pw"));
        server.psql(&db, &format!("GRANT matchgate_{} TO {name}", role.as_str()));
    }
    Some(server)
}

/// `who`'s connection on the server, working in `session`.
fn on_server(server: &PgServer, who: &str, session: &str) -> PgStore {
    let target = PgTarget::parse(&server.url(who, "team")).expect("url");
    let mut store = PgStore::open(&target).expect("open");
    store.set_claimant(Some(Claimant {
        reviewer: who.into(),
        session: session.into(),
    }));
    store
}

fn last_decision(path: &std::path::Path) -> i64 {
    db(path)
        .query_row("SELECT max(id) FROM decisions", [], |r| r.get(0))
        .expect("the last decision")
}

/// Every read the supervisor's queue makes gives the same answer on both (decisions made after
/// `migrated`, on each side at its own instant, but for when); returns the waiting overrides
/// and the disagreements.
fn same_reads(
    path: &std::path::Path,
    migrated: i64,
    file: &Store,
    server: &mut PgStore,
) -> (Vec<OverrideWaiting>, Vec<i64>) {
    for limit in [1, 2, 100] {
        assert_eq!(
            server.overrides_waiting(limit).expect("server"),
            file.overrides_waiting(limit).expect("file"),
            "overrides waiting, {limit}"
        );
        assert_eq!(
            server.disagreements(limit).expect("server"),
            file.disagreements(limit).expect("file"),
            "disagreements, {limit}"
        );
    }
    let when = |d: Option<DecisionUnderCheck>| match d {
        Some(d) if d.decision_id > migrated => Some(DecisionUnderCheck {
            decided_at: String::new(),
            ..d
        }),
        d => d,
    };
    for id in 0..=last_decision(path) + 1 {
        assert_eq!(
            when(server.decision_under_check(id).expect("server")),
            when(file.decision_under_check(id).expect("file")),
            "decision {id}"
        );
    }
    (
        file.overrides_waiting(100).expect("file"),
        file.disagreements(100).expect("file"),
    )
}

#[test]
fn the_supervisors_queue_reads_the_same_on_a_server() {
    let dir = tempfile::tempdir().expect("dir");
    let path = support::store_db(dir.path(), &fixture());
    let first = history(&path);
    let migrated_last = last_decision(&path);
    let Some(server) = migrated(&path) else {
        return;
    };
    let screen = |who: &str| support::screen(&path, who, &format!("{who}-s"));
    let (mut file_sue, mut sue) = (screen("sue"), on_server(&server, "sue", "sue-s"));
    let (waiting, disagreements) = same_reads(&path, migrated_last, &file_sue, &mut sue);
    let seen: Vec<(i64, &str, Option<&str>)> = waiting
        .iter()
        .map(|w| (w.match_id, w.reviewer.as_str(), w.note.as_deref()))
        .collect();
    let (r9, r11) = (match_of(&path, "R9"), match_of(&path, "R11"));
    assert_eq!(
        seen,
        vec![
            (r9, "ann", Some("ann's note")),
            (r11, "cy", Some("cy's note"))
        ]
    );
    assert!(
        waiting
            .iter()
            .all(|w| w.rules.split(',').all(|r| r == "address-sufficiency")),
        "{waiting:?}"
    );
    assert_eq!(disagreements, vec![first[2], first[5]], "R3 and R6");
    let under = sue
        .decision_under_check(first[5])
        .expect("read")
        .expect("R6's rejection");
    assert_eq!(
        (under.reviewer.as_str(), under.action),
        ("bob", DecisionAction::Reject)
    );
    assert_eq!(
        under.second,
        Some(("ann".to_string(), DecisionAction::SecondApprove))
    );

    // bob holds R9's request: another session does not see it waiting; sue's own claim on
    // R11's hides nothing from her.
    let (r9_request, r11_request) = (request_of(&path, "R9"), request_of(&path, "R11"));
    let (mut file_bob, mut bob) = (screen("bob"), on_server(&server, "bob", "bob-s"));
    for (a, b) in [
        (file_bob.claim(r9_request), bob.claim(r9_request)),
        (file_sue.claim(r11_request), sue.claim(r11_request)),
    ] {
        assert_eq!(a.expect("file"), ClaimOutcome::Claimed);
        assert_eq!(b.expect("server"), ClaimOutcome::Claimed);
    }
    let (waiting, _) = same_reads(&path, migrated_last, &file_sue, &mut sue);
    assert_eq!(
        waiting.iter().map(|w| w.match_id).collect::<Vec<_>>(),
        vec![r11]
    );
    file_bob.release_claims().expect("file");
    bob.release_claims().expect("server");

    // The same check and override on both leave the same queue: R6 checked, R9 overridden.
    let agree = check(first[5], "sue", CheckVerdict::Agree);
    let on_file = file_sue.record_check(&agree, "sue-s").expect("file");
    let there = sue.record_check(&agree, "sue-s").expect("server");
    assert_eq!(there, on_file);
    let refused = sue
        .record_override(r9, "sam", "phoned", "sue-s")
        .expect_err("sue may not override as sam");
    assert!(
        refused
            .to_string()
            .contains("you act as the role you connect as"),
        "{refused}"
    );
    let on_file = file_sue.record_override(r9, "sue", "phoned", "sue-s");
    let there = sue.record_override(r9, "sue", "phoned", "sue-s");
    assert_eq!(there.expect("server"), on_file.expect("file"));
    let (waiting, disagreements) = same_reads(&path, migrated_last, &file_sue, &mut sue);
    assert_eq!(
        waiting.iter().map(|w| w.match_id).collect::<Vec<_>>(),
        vec![r11]
    );
    assert_eq!(disagreements, vec![first[2]], "R3 only");
}
