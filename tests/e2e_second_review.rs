//! End to end, a blind second review: with policy `double_review_rate` 1 every decision is drawn.
//! ann approves in her terminal (and is never offered her own decision back); bob's screen then
//! serves it first, blind (no score, no status, no first verdict), and he rejects it. The
//! database then holds bob's `second_reject` of ann's decision, the match is still approved, and
//! the supervisors' queue lists the disagreement. On a SQLite file and on a PostgreSQL server
//! alike (each person logged in as themselves there).

mod support;

use matchgate::domain::roles::Role;
use support::Tmux;
use support::backend::{Backend, Kind};

/// `matchgate review` as `who` on the backend, in a real terminal.
fn review_as(backend: &Backend, home: &std::path::Path, who: &str) -> Tmux {
    let home = home.to_str().expect("utf-8");
    let db = backend.db_as(who);
    Tmux::start(
        &["review", "--db", &db, "--reviewer", who],
        100,
        32,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    )
}

/// Two complete, agreeing requests in batch `team`.
const FIXTURE: &str = "\
batch,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
team,T000,C000,0.99,Ann,Archer,1970-01-01,10,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,10,Main St,Springfield,IL,62701
team,T001,C001,0.87,Bea,Brown,1971-02-02,11,Oak Ave,Springfield,IL,62702,Bea,Brown,1971-02-02,11,Oak Ave,Springfield,IL,62702
";

on_both!(a_second_reviewer_gets_anns_approval_blind_and_the_disagreement_reaches_supervisors);

fn a_second_reviewer_gets_anns_approval_blind_and_the_disagreement_reaches_supervisors(kind: Kind) {
    let people = [
        ("ann", Role::Reviewer),
        ("bob", Role::Reviewer),
        ("sue", Role::Supervisor),
    ];
    let Some(backend) = Backend::new(kind, "a_second_reviewer", FIXTURE, &people) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    backend.set_policy("double_review_rate", "1");

    let ann = review_as(&backend, dir.path(), "ann");
    let screen = ann.wait_for("why flagged");
    assert!(screen.contains("request T000"), "{screen}");
    ann.keys(&["a"]);
    ann.wait_for("approved request T000 (saved)");
    // The next thing ann sees is the queue's next item, not her own decision to review again.
    let screen = ann.wait_for("request T001");
    assert!(!screen.contains("second review"), "{screen}");
    ann.keys(&["q"]);
    ann.wait_exit();
    let first =
        backend.int("SELECT id FROM decisions WHERE reviewer = 'ann' AND action = 'approve'");

    let bob = review_as(&backend, dir.path(), "bob");
    let screen = bob.wait_for_all(&["second review (blind)", "why flagged"]);
    assert!(screen.contains("request T000"), "{screen}");
    assert!(screen.contains("score hidden"), "{screen}");
    for leak in ["0.99", "approved", "ann", "1 of 2"] {
        assert!(
            !screen.contains(leak),
            "{leak:?} shows on a blind review:\n{screen}"
        );
    }
    // Deferring is no verdict here; the screen says so and saves nothing.
    bob.keys(&["s"]);
    bob.wait_for("cannot be deferred");
    bob.keys(&["r"]);
    bob.wait_for("reason");
    bob.keys(&["4"]);
    bob.wait_for("second review: rejected (different_person) request T000 (saved)");
    // Then the queue: T001, with its score.
    let screen = bob.wait_for("request T001");
    assert!(screen.contains("0.87"), "{screen}");
    bob.keys(&["q"]);
    bob.wait_exit();

    let second = backend.rows(
        "SELECT reviewer, action, checks, status_before, status_after FROM decisions
          WHERE action LIKE 'second_%'",
    );
    let first_id = first.to_string();
    assert_eq!(
        second,
        [[
            "bob",
            "second_reject",
            first_id.as_str(),
            "approved",
            "approved"
        ]],
        "one second verdict"
    );
    assert_eq!(
        backend.int("SELECT count(*) FROM second_reviews WHERE done_by IS NULL"),
        0
    );
    let mut sue = backend.connect("sue");
    assert_eq!(sue.disagreements(10).expect("disagreements"), vec![first]);
}
