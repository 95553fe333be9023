//! The store's decisions on the review queue, through the screens' interface, on a SQLite file
//! and on a PostgreSQL server alike (each test runs on both): decisions move matches and
//! requests as documented, undo appends instead of deleting and only for its author, the history
//! is append-only even to the owner. Then the file's own: a locked database is reported, not
//! hidden.

mod support;

use std::path::Path;
use std::time::Duration;

use matchgate::domain::{MatchStatus, QueueFilter, QueueSort, QueueState, ReasonCode, Verdict};
use matchgate::store::{PageFrom, Store, StoreError};
use support::backend::{Backend, Handle, Kind};
use support::queue::{
    PEOPLE, decide, generated, several_candidate_request, statuses, walk_forward,
};

on_both!(
    approving_one_candidate_closes_its_siblings_as_not_chosen,
    rejecting_one_candidate_keeps_the_request_open_and_defer_moves_it_behind_the_open_ones,
    undo_reverts_with_new_history_rows_and_refuses_when_the_match_moved_on,
    the_history_is_append_only,
    undo_refuses_to_revert_someone_elses_later_decision,
);

fn approving_one_candidate_closes_its_siblings_as_not_chosen(kind: Kind) {
    // Generated several-candidate requests are ambiguous by design (different addresses), which
    // the release rules send to a supervisor; this one is releasable: a namesake at the same
    // address (another date of birth) and the right person, with a clear score gap.
    let csv = "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R3,C3a,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1948-07-30,3,Pine Rd,Springfield,IL,62703
R3,C3b,0.85,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cyrus,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
";
    let Some(backend) = Backend::new(kind, "approving_one_candidate", csv, &PEOPLE) else {
        return;
    };
    let mut store = backend.screen("rev", "session-rev");
    let item = several_candidate_request(&mut store);
    assert_eq!(item.candidates.len(), 2);
    let chosen = item.candidates[1].match_id;
    let outcome = decide(&mut store, chosen, "rev", Verdict::Approve).expect("approve");
    assert_eq!(outcome.state_before, QueueState::Open);
    assert_eq!(outcome.state_after, QueueState::Done);
    let after = store
        .review_item(item.request_id)
        .expect("item")
        .expect("exists");
    for c in &after.candidates {
        let want = if c.match_id == chosen {
            MatchStatus::Approved
        } else {
            MatchStatus::Rejected
        };
        assert_eq!(c.status, want);
    }
    let not_chosen = backend.int(&format!(
        "SELECT count(*) FROM decisions WHERE group_id = {} AND reason_code = 'not_chosen'",
        outcome.group_id
    ));
    assert_eq!(not_chosen as usize, item.candidates.len() - 1);
    // A decided match cannot be decided again.
    assert!(matches!(
        decide(
            &mut store,
            chosen,
            "rev",
            Verdict::Reject(ReasonCode::Other)
        ),
        Err(StoreError::Refused(_))
    ));
}

fn rejecting_one_candidate_keeps_the_request_open_and_defer_moves_it_behind_the_open_ones(
    kind: Kind,
) {
    let Some((_backend, mut store)) = generated(kind, "rejecting_one_candidate", 200) else {
        return;
    };
    let item = several_candidate_request(&mut store);
    let first = item.candidates[0].match_id;
    let outcome = decide(
        &mut store,
        first,
        "rev",
        Verdict::Reject(ReasonCode::DifferentPerson),
    )
    .expect("reject");
    assert_eq!(outcome.state_after, QueueState::Open);
    let second = item.candidates[1].match_id;
    let outcome = decide(&mut store, second, "rev", Verdict::Defer).expect("defer");
    assert_eq!(outcome.state_after, QueueState::Deferred);
    assert!(
        statuses(&mut store, item.request_id)
            .iter()
            .all(|s| matches!(s, MatchStatus::Rejected | MatchStatus::Deferred))
    );
    let order = walk_forward(&mut store, &QueueFilter::default(), QueueSort::Score, 50);
    assert_eq!(
        order.last(),
        Some(&item.request_id),
        "the deferred request comes back after every open one"
    );
}

fn undo_reverts_with_new_history_rows_and_refuses_when_the_match_moved_on(kind: Kind) {
    let Some((backend, mut store)) = generated(kind, "undo_reverts", 200) else {
        return;
    };
    let item = several_candidate_request(&mut store);
    let before = statuses(&mut store, item.request_id);
    // Escalation moves every open candidate: a group of several rows to revert.
    let escalated = decide(
        &mut store,
        item.candidates[0].match_id,
        "rev",
        Verdict::Escalate,
    )
    .expect("escalate");
    let rows = || backend.int("SELECT count(*) FROM decisions");
    let written = rows();
    let undone = store
        .undo_group(escalated.group_id, "rev", "session-rev")
        .expect("undo");
    assert_eq!(undone.state_after, QueueState::Open);
    assert_eq!(statuses(&mut store, item.request_id), before);
    assert_eq!(
        rows(),
        written * 2,
        "undo appends one row per reverted row, deletes none"
    );
    // Undoing the same group again is refused: the matches no longer hold its outcome.
    assert!(matches!(
        store.undo_group(escalated.group_id, "rev", "s"),
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        store.undo_group(undone.group_id, "rev", "s"),
        Err(StoreError::Refused(_))
    ));
}

fn the_history_is_append_only(kind: Kind) {
    let Some((backend, mut store)) = generated(kind, "history_append_only", 50) else {
        return;
    };
    let item = several_candidate_request(&mut store);
    decide(
        &mut store,
        item.candidates[0].match_id,
        "rev",
        Verdict::Escalate,
    )
    .expect("escalate");
    // Even the database's owner, past every privilege, meets the trigger.
    let update = backend.try_execute("UPDATE decisions SET action = 'approve'");
    assert!(update.is_err_and(|e| e.contains("append-only")));
    let delete = backend.try_execute("DELETE FROM decisions");
    assert!(delete.is_err_and(|e| e.contains("append-only")));
    assert!(backend.int("SELECT count(*) FROM decisions") > 0);
}

fn undo_refuses_to_revert_someone_elses_later_decision(kind: Kind) {
    let Some((backend, mut store)) = generated(kind, "undo_refuses", 200) else {
        return;
    };
    let mut bob = backend.screen("bob", "session-bob");
    let mut carol = backend.screen("carol", "session-carol");
    let item = several_candidate_request(&mut store);
    let first = item.candidates[0].match_id;
    let bobs = decide(&mut bob, first, "bob", Verdict::Defer).expect("bob defers");
    // Carol defers it again: the status does not change, but it is her decision now.
    decide(&mut carol, first, "carol", Verdict::Defer).expect("carol defers");
    let undo = bob.undo_group(bobs.group_id, "bob", "session-bob");
    assert!(
        matches!(undo, Err(StoreError::Refused(ref m)) if m.contains("decided again")),
        "{undo:?}"
    );
    // Nor can anyone but the author undo a decision.
    let other = store
        .queue_page(&QueueFilter::default(), QueueSort::Age, PageFrom::Start, 1)
        .expect("page")[0]
        .clone();
    let other_item = store
        .review_item(other.request_id)
        .expect("item")
        .expect("exists");
    let revs = decide(
        &mut store,
        other_item.candidates[0].match_id,
        "rev",
        Verdict::Defer,
    )
    .expect("defer");
    let mut mallory = backend.screen("mallory", "session-mallory");
    let undo = mallory.undo_group(revs.group_id, "mallory", "session-mallory");
    assert!(
        matches!(undo, Err(StoreError::Refused(ref m)) if m.contains("only the reviewer")),
        "{undo:?}"
    );
}

#[test]
fn a_locked_database_is_reported_and_the_decision_can_be_retried() {
    let Some(backend) = Backend::new(Kind::Sqlite, "locked", &Backend::generated(50, 11, 3), &[])
    else {
        return;
    };
    let path = backend.db();
    let file = Store::open(Path::new(&path)).expect("open");
    file.set_busy_timeout(Duration::from_millis(100))
        .expect("timeout");
    let mut store: Handle = Box::new(file);
    let item = several_candidate_request(&mut store);
    let locker = rusqlite::Connection::open(&path).expect("open");
    locker.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let result = decide(
        &mut store,
        item.candidates[0].match_id,
        "rev",
        Verdict::Defer,
    );
    assert!(matches!(result, Err(StoreError::Locked)), "{result:?}");
    assert!(
        statuses(&mut store, item.request_id)
            .iter()
            .all(|s| *s == MatchStatus::Pending),
        "nothing half-written"
    );
    locker.execute_batch("ROLLBACK").expect("unlock");
    decide(
        &mut store,
        item.candidates[0].match_id,
        "rev",
        Verdict::Defer,
    )
    .expect("retry succeeds");
}
