//! A team on one database, at the store: roles and their refusals (audited) on a file, then on a
//! file and on a server alike (each of those tests runs on both): claims across connections
//! (skip, fence, expiry, takeover, release, return), the first approver's queue, and the queue
//! moves other screens read. Every test uses several connections, as a team does.

mod support;

use matchgate::domain::claim::ClaimOutcome;
use matchgate::domain::roles::{Act, Role};
use matchgate::domain::{Decision, QueueFilter, QueueSort, QueueState, ReasonCode, Verdict};
use matchgate::store::{PageFrom, Store, StoreError};
use support::backend::{Backend, Handle, Kind};

/// Four complete, agreeing requests (every gate passes an approval).
const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,900-11-1111
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,900-22-2222
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,900-33-3333
R4,C4,0.93,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,900-44-4444
";

/// The four requests on a backend of `kind`, alice and bob reviewers; None when skipped.
fn team(kind: Kind, test: &str) -> Option<Backend> {
    let people = [("alice", Role::Reviewer), ("bob", Role::Reviewer)];
    Backend::new(kind, test, FIXTURE, &people)
}

fn database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = support::store_db(dir.path(), FIXTURE);
    (dir, path)
}

fn queue_ids(store: &mut Handle) -> Vec<String> {
    store
        .queue_page(
            &QueueFilter::default(),
            QueueSort::Score,
            PageFrom::Start,
            50,
        )
        .expect("page")
        .into_iter()
        .map(|e| e.source_id)
        .collect()
}

fn request_id(store: &mut Handle, source: &str) -> i64 {
    let every_state = QueueFilter {
        state: matchgate::domain::StateFilter::All,
        ..QueueFilter::default()
    };
    store
        .queue_page(&every_state, QueueSort::Score, PageFrom::Start, 50)
        .expect("page")
        .into_iter()
        .find(|e| e.source_id == source)
        .map(|e| e.request_id)
        .expect("request in the queue")
}

/// The first candidate's match id of a request.
fn match_of(store: &mut Handle, request: i64) -> i64 {
    store
        .review_item(request)
        .expect("item")
        .expect("exists")
        .candidates[0]
        .match_id
}

fn decide(
    store: &mut Handle,
    match_id: i64,
    who: &str,
    verdict: Verdict,
    session: &str,
) -> Result<matchgate::store::DecisionOutcome, StoreError> {
    store.record_decision(
        &Decision {
            match_id,
            reviewer: who.into(),
            verdict,
            note: None,
            viewed_ms: 100,
        },
        session,
    )
}

fn refused_audit(path: &std::path::Path, needle: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row(
        "SELECT count(*) FROM audit WHERE outcome = 'refused' AND detail LIKE '%' || ? || '%'",
        [needle],
        |r| r.get(0),
    )
    .expect("count")
}

/// Refusals in the audit whose detail contains `needle` (a test's own constant).
fn refusals(backend: &Backend, needle: &str) -> i64 {
    backend.int(&format!(
        "SELECT count(*) FROM audit WHERE outcome = 'refused' AND detail LIKE '%{needle}%'"
    ))
}

#[test]
fn single_user_mode_checks_nothing_until_the_first_admin() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).expect("open");
    store
        .authorize("anyone", None, Act::ChangePolicy)
        .expect("single-user mode");
    store
        .set_policy("approvals_required", "2", "anyone")
        .expect("set");
    store
        .set_policy("supervisors", "sue", "anyone")
        .expect("list");
    let refused = store
        .add_user("bob", Role::Reviewer, "anyone")
        .expect_err("must be admin");
    assert!(refused.to_string().contains("first user"), "{refused}");
    store
        .add_user("ada", Role::Admin, "anyone")
        .expect("first admin");
    // The old list carried forward: sue is a supervisor user now, and policy follows the roles.
    let users = store.users().expect("users");
    assert!(
        users
            .iter()
            .any(|u| u.name == "sue" && u.role == Role::Supervisor),
        "{users:?}"
    );
    assert_eq!(
        store.policy().expect("policy").supervisors,
        vec!["ada", "sue"]
    );
    let err = store
        .set_policy("supervisors", "mallory", "ada")
        .expect_err("roles now");
    assert!(err.to_string().contains("user role"), "{err}");
}

#[test]
fn roles_gate_every_act_and_refusals_are_audited() {
    let (_dir, path) = database();
    let mut admin = Store::open(&path).expect("open");
    admin.add_user("ada", Role::Admin, "root").expect("admin");
    admin
        .add_user("rita", Role::Reviewer, "ada")
        .expect("reviewer");
    admin
        .add_user("sam", Role::Supervisor, "ada")
        .expect("supervisor");
    let err = admin
        .add_user("eve", Role::Admin, "rita")
        .expect_err("not admin");
    assert!(err.to_string().contains("needs the admin role"), "{err}");

    // Another connection, as another person's command would open it.
    let mut other = Store::open(&path).expect("open");
    let err = other
        .authorize("stranger", None, Act::Review)
        .expect_err("unknown");
    assert!(err.to_string().contains("not a registered user"), "{err}");
    other
        .authorize("rita", None, Act::Review)
        .expect("reviewer reviews");
    // A reviewer cannot loosen the two-person rule, hold, release or supervise.
    let err = other
        .set_policy("approvals_required", "1", "rita")
        .expect_err("policy");
    assert!(err.to_string().contains("needs the admin role"), "{err}");
    assert!(
        other
            .add_hold(
                "default",
                matchgate::domain::policy::HoldScope::All,
                "order",
                "rita"
            )
            .is_err()
    );
    assert!(other.authorize("rita", None, Act::Release).is_err());
    other
        .add_hold(
            "default",
            matchgate::domain::policy::HoldScope::All,
            "order",
            "sam",
        )
        .expect("supervisor holds");
    assert!(other.authorize("sam", None, Act::ChangePolicy).is_err());

    // Disabled people may do nothing; the last admin cannot be disabled or demoted.
    admin.disable_user("rita", "ada").expect("disable");
    let err = other
        .authorize("rita", None, Act::Review)
        .expect_err("disabled");
    assert!(err.to_string().contains("disabled"), "{err}");
    let mut rita: Handle = Box::new(Store::open(&path).expect("open"));
    let r1 = request_id(&mut rita, "R1");
    let m1 = match_of(&mut rita, r1);
    let err = decide(&mut rita, m1, "rita", Verdict::Approve, "s").expect_err("disabled decides");
    assert!(err.to_string().contains("disabled"), "{err}");
    let err = admin.disable_user("ada", "ada").expect_err("last admin");
    assert!(err.to_string().contains("no enabled admin"), "{err}");
    let err = admin
        .set_user_role("ada", Role::Reviewer, "ada")
        .expect_err("last admin");
    assert!(err.to_string().contains("no enabled admin"), "{err}");
    admin
        .set_user_role("rita", Role::Reviewer, "ada")
        .expect("re-enable");
    other
        .authorize("rita", None, Act::Review)
        .expect("enabled again");

    for needle in [
        "not a registered user",
        "needs the admin role",
        "disabled",
        "no enabled admin",
    ] {
        assert!(
            refused_audit(&path, needle) > 0,
            "refusal {needle:?} audited"
        );
    }
    assert!(matches!(
        admin.audit_verify().expect("verify"),
        matchgate::store::AuditVerdict::Intact { .. }
    ));
}

#[test]
fn identity_login_refuses_a_declared_name_that_is_not_the_login() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).expect("open");
    store
        .set_policy("identity", "login", "root")
        .expect("login");
    let err = store
        .authorize("alice", Some("bob"), Act::Review)
        .expect_err("not bob's name");
    assert!(err.to_string().contains("logged in as bob"), "{err}");
    store
        .authorize("bob", Some("bob"), Act::Review)
        .expect("own name");
    assert_eq!(refused_audit(&path, "logged in as bob"), 1);
}

on_both!(
    a_claimed_request_is_skipped_by_others_and_fences_their_decisions,
    an_expired_lease_can_be_taken_over_and_the_old_holder_is_refused,
    a_returning_reviewer_gets_their_unexpired_claim_back,
    the_first_of_two_approvers_never_gets_the_item_back,
    other_sessions_moves_are_visible_and_ones_own_are_not,
);

fn a_claimed_request_is_skipped_by_others_and_fences_their_decisions(kind: Kind) {
    let Some(backend) = team(kind, "claimed_request_is_skipped") else {
        return;
    };
    let mut alice = backend.screen("alice", "A");
    let mut bob = backend.screen("bob", "B");
    let r1 = request_id(&mut alice, "R1");
    assert_eq!(alice.claim(r1).expect("claim"), ClaimOutcome::Claimed);
    assert_eq!(
        queue_ids(&mut alice),
        ["R1", "R2", "R3", "R4"],
        "her own claim stays in her queue"
    );
    assert_eq!(
        queue_ids(&mut bob),
        ["R2", "R3", "R4"],
        "bob never sees alice's item"
    );
    assert_eq!(
        bob.claim(r1).expect("claim"),
        ClaimOutcome::HeldBy("alice".into())
    );
    assert!(
        bob.search_queue(&QueueFilter::default(), "Archer", 10)
            .expect("search")
            .is_empty()
    );

    // A decision on a request someone else holds is refused (and audited), whatever the path.
    let m1 = match_of(&mut bob, r1);
    let err = decide(
        &mut bob,
        m1,
        "bob",
        Verdict::Reject(ReasonCode::DifferentPerson),
        "B",
    )
    .expect_err("fenced");
    assert!(err.to_string().contains("held by alice"), "{err}");
    assert_eq!(refusals(&backend, "held by alice"), 1);

    // Claiming the next item gives the last one back: one claim per screen.
    let r2 = request_id(&mut alice, "R2");
    alice.claim(r2).expect("claim");
    assert_eq!(queue_ids(&mut bob), ["R1", "R3", "R4"]);
    // Quitting releases the claim.
    assert_eq!(alice.release_claims().expect("release"), 1);
    assert_eq!(queue_ids(&mut bob), ["R1", "R2", "R3", "R4"]);
    assert_eq!(bob.held_by_other(r2).expect("held"), None);
}

fn an_expired_lease_can_be_taken_over_and_the_old_holder_is_refused(kind: Kind) {
    let Some(backend) = team(kind, "expired_lease") else {
        return;
    };
    let mut alice = backend.screen("alice", "A");
    let mut bob = backend.screen("bob", "B");
    let r1 = request_id(&mut alice, "R1");
    alice.claim(r1).expect("claim");
    // Alice's session stalls past the lease (as a crash would).
    backend.execute("UPDATE claims SET expires_ms = 0");
    assert!(
        queue_ids(&mut bob).contains(&"R1".to_string()),
        "an expired claim holds nothing"
    );
    assert_eq!(bob.claim(r1).expect("take over"), ClaimOutcome::Claimed);
    let m1 = match_of(&mut alice, r1);
    let err = decide(&mut alice, m1, "alice", Verdict::Approve, "A").expect_err("lost lease");
    assert!(err.to_string().contains("held by bob"), "{err}");
    decide(&mut bob, m1, "bob", Verdict::Approve, "B").expect("the holder decides");
    let finals = backend.int(&format!(
        "SELECT count(*) FROM decisions WHERE match_id = {m1} AND action IN ('approve', 'reject')"
    ));
    assert_eq!(finals, 1, "exactly one final decision");
}

fn a_returning_reviewer_gets_their_unexpired_claim_back(kind: Kind) {
    let Some(backend) = team(kind, "returning_reviewer") else {
        return;
    };
    let mut first = backend.screen("alice", "A1");
    let r3 = request_id(&mut first, "R3");
    first.claim(r3).expect("claim");
    drop(first); // the terminal closed without a quit
    let mut again = backend.screen("alice", "A2");
    assert_eq!(again.adopt_claims().expect("adopt"), vec![r3]);
    let mut bob = backend.screen("bob", "B");
    assert_eq!(
        bob.claim(r3).expect("claim"),
        ClaimOutcome::HeldBy("alice".into())
    );
    let m3 = match_of(&mut again, r3);
    decide(&mut again, m3, "alice", Verdict::Approve, "A2").expect("the new session holds it");
}

fn the_first_of_two_approvers_never_gets_the_item_back(kind: Kind) {
    let Some(backend) = team(kind, "first_of_two_approvers") else {
        return;
    };
    backend.set_policy("approvals_required", "2");
    let mut alice = backend.screen("alice", "A");
    let mut bob = backend.screen("bob", "B");
    let r1 = request_id(&mut alice, "R1");
    let m1 = match_of(&mut alice, r1);
    alice.claim(r1).expect("claim");
    decide(&mut alice, m1, "alice", Verdict::Approve, "A").expect("first approval");
    alice.release_claims().expect("release");
    let hers = queue_ids(&mut alice);
    assert!(!hers.contains(&"R1".to_string()), "{hers:?}");
    assert!(queue_ids(&mut bob).contains(&"R1".to_string()));
    bob.claim(r1).expect("claim");
    decide(&mut bob, m1, "bob", Verdict::Approve, "B").expect("second approval");
    // An undone first approval brings the item back to its author.
    let r2 = request_id(&mut alice, "R2");
    let m2 = match_of(&mut alice, r2);
    alice.claim(r2).expect("claim");
    let first = decide(&mut alice, m2, "alice", Verdict::Approve, "A").expect("first");
    assert!(!queue_ids(&mut alice).contains(&"R2".to_string()));
    alice
        .undo_group(first.group_id, "alice", "A")
        .expect("undo");
    assert!(queue_ids(&mut alice).contains(&"R2".to_string()));
}

/// Asks `store` until its data version differs from `version` (a screen asks every tick; on a
/// server the wake-up is a notification, which arrives just after the commit).
fn notices_a_commit(store: &mut Handle, version: i64) -> bool {
    for _ in 0..100 {
        if store.data_version().expect("version") != version {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

fn other_sessions_moves_are_visible_and_ones_own_are_not(kind: Kind) {
    let Some(backend) = team(kind, "other_sessions_moves") else {
        return;
    };
    let mut alice = backend.screen("alice", "A");
    let mut bob = backend.screen("bob", "B");
    let start = alice.last_move_id().expect("last");
    let version = alice.data_version().expect("version");
    let r1 = request_id(&mut bob, "R1");
    bob.claim(r1).expect("claim");
    let m1 = match_of(&mut bob, r1);
    decide(
        &mut bob,
        m1,
        "bob",
        Verdict::Reject(ReasonCode::DifferentPerson),
        "B",
    )
    .expect("reject");
    assert!(
        notices_a_commit(&mut alice, version),
        "alice notices a commit"
    );
    let seen = alice.moves_since(start, "A").expect("moves");
    assert_eq!(seen.moves.len(), 1);
    assert_eq!(
        (
            seen.moves[0].request_id,
            seen.moves[0].before,
            seen.moves[0].after
        ),
        (r1, QueueState::Open, QueueState::Done)
    );
    let r2 = request_id(&mut alice, "R2");
    alice.claim(r2).expect("claim");
    let m2 = match_of(&mut alice, r2);
    decide(&mut alice, m2, "alice", Verdict::Defer, "A").expect("defer");
    let again = alice.moves_since(seen.last_id, "A").expect("moves");
    assert!(
        again.moves.is_empty(),
        "her own move is already applied on her screen"
    );
    assert!(again.last_id > seen.last_id);
}
