//! The second reviews a reviewer is offered, at the store, on a SQLite file and on a PostgreSQL
//! server alike (each test runs on both), with one connection per person as a team works: never one's own decision, never a request another screen holds, never a decision
//! since undone; keyset pages in request order; the count agrees with the pages; a verdict takes
//! a review off every list and its undo puts it back.

mod support;

use matchgate::domain::claim::ClaimOutcome;
use matchgate::domain::roles::Role;
use matchgate::domain::{Decision, ReasonCode, Verdict};
use matchgate::store::SecondReview;
use support::backend::{Backend, Handle, Kind};
use support::supervising::{request, screen};

const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
R4,C4,0.93,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704
";

/// ann, bob and cat (reviewers) on a backend of `kind`, every second review drawn; None when
/// skipped.
fn team(kind: Kind, test: &str) -> Option<Backend> {
    let people = ["ann", "bob", "cat"].map(|name| (name, Role::Reviewer));
    let team = Backend::new(kind, test, FIXTURE, &people)?;
    team.set_policy("double_review_rate", "1");
    Some(team)
}

/// Decides the request's only candidate; returns the decision's id.
fn decide(store: &mut Handle, who: &str, source: &str, verdict: Verdict) -> i64 {
    let id = request(store, source);
    let match_id = store
        .review_item(id)
        .expect("item")
        .expect("exists")
        .candidates[0]
        .match_id;
    store
        .record_decision(
            &Decision {
                match_id,
                reviewer: who.into(),
                verdict,
                note: None,
                viewed_ms: 1_000,
            },
            who,
        )
        .expect("decided")
        .group_id
}

/// Every review offered to `who`, read one keyset page of `size` at a time.
fn offered(store: &mut Handle, who: &str, size: usize) -> Vec<SecondReview> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store.second_reviews_page(who, after, size).expect("page");
        assert!(page.len() <= size);
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.key());
        all.extend(page);
    }
    all
}

on_both!(
    a_reviewer_is_never_offered_their_own_decision_and_the_other_gets_it_in_request_order,
    a_request_held_by_another_screen_is_left_out_until_it_is_let_go,
    an_undone_verdict_reopens_the_review_and_an_undone_first_decision_withdraws_it,
);

fn ids(reviews: &[SecondReview]) -> Vec<i64> {
    reviews.iter().map(|r| r.decision_id).collect()
}

fn a_reviewer_is_never_offered_their_own_decision_and_the_other_gets_it_in_request_order(
    kind: Kind,
) {
    let Some(team) = team(kind, "a_reviewer_is_never_offered_their_own_de") else {
        return;
    };
    let (mut ann, mut bob) = (screen(&team, "ann"), screen(&team, "bob"));
    // Decided out of request order, by two people.
    let ann_r3 = decide(&mut ann, "ann", "R3", Verdict::Approve);
    let ann_r1 = decide(
        &mut ann,
        "ann",
        "R1",
        Verdict::Reject(ReasonCode::DifferentPerson),
    );
    let bob_r2 = decide(&mut bob, "bob", "R2", Verdict::Approve);

    assert_eq!(ids(&offered(&mut ann, "ann", 1)), vec![bob_r2]);
    assert_eq!(ann.second_reviews_waiting("ann").expect("count"), 1);
    let for_bob = offered(&mut bob, "bob", 1);
    assert_eq!(ids(&for_bob), vec![ann_r1, ann_r3], "request order");
    assert!(for_bob.iter().all(|r| r.first_reviewer == "ann"));
    assert_eq!(
        ids(&offered(&mut bob, "bob", 50)),
        ids(&for_bob),
        "any page size"
    );
    assert_eq!(bob.second_reviews_waiting("bob").expect("count"), 2);
    assert_eq!(
        ann.second_review("ann", ann_r1).expect("read"),
        None,
        "not even asked for by id"
    );
    assert_eq!(
        bob.second_review("bob", ann_r1)
            .expect("read")
            .map(|r| r.request_id),
        Some(request(&mut bob, "R1"))
    );

    // bob's verdict closes it for everyone; ann still never sees her own.
    let r1_request = request(&mut bob, "R1");
    bob.claim(r1_request).expect("claim");
    bob.record_second_verdict(ann_r1, "bob", Verdict::Approve, None, 10, "bob")
        .expect("second verdict");
    assert_eq!(ids(&offered(&mut bob, "bob", 1)), vec![ann_r3]);
    assert_eq!(bob.second_reviews_waiting("bob").expect("count"), 1);
    assert_eq!(ids(&offered(&mut ann, "ann", 1)), vec![bob_r2]);
}

fn a_request_held_by_another_screen_is_left_out_until_it_is_let_go(kind: Kind) {
    let Some(team) = team(kind, "a_request_held_by_another_screen_is_left") else {
        return;
    };
    let (mut ann, mut bob, mut cat) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "cat"),
    );
    let r1 = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let r2 = decide(&mut ann, "ann", "R2", Verdict::Approve);
    let r1_request = request(&mut bob, "R1");
    assert_eq!(bob.claim(r1_request).expect("claim"), ClaimOutcome::Claimed);

    assert_eq!(
        ids(&offered(&mut bob, "bob", 1)),
        vec![r1, r2],
        "its holder still sees it"
    );
    assert_eq!(ids(&offered(&mut cat, "cat", 1)), vec![r2]);
    assert_eq!(cat.second_reviews_waiting("cat").expect("count"), 1);
    assert_eq!(cat.second_review("cat", r1).expect("read"), None);
    assert_eq!(
        cat.claim(r1_request).expect("claim"),
        ClaimOutcome::HeldBy("bob".into())
    );

    bob.release_claim(r1_request).expect("release");
    assert_eq!(ids(&offered(&mut cat, "cat", 1)), vec![r1, r2]);
    assert_eq!(cat.claim(r1_request).expect("claim"), ClaimOutcome::Claimed);
    assert_eq!(ids(&offered(&mut bob, "bob", 1)), vec![r2]);
}

fn an_undone_verdict_reopens_the_review_and_an_undone_first_decision_withdraws_it(kind: Kind) {
    let Some(team) = team(kind, "an_undone_verdict_reopens_the_review_and") else {
        return;
    };
    let (mut ann, mut bob) = (screen(&team, "ann"), screen(&team, "bob"));
    let r1 = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let r2 = decide(&mut ann, "ann", "R2", Verdict::Approve);
    let r1_request = request(&mut bob, "R1");
    bob.claim(r1_request).expect("claim");
    let verdict = bob
        .record_second_verdict(
            r1,
            "bob",
            Verdict::Reject(ReasonCode::NameOnly),
            None,
            10,
            "bob",
        )
        .expect("second verdict");
    assert_eq!(ids(&offered(&mut bob, "bob", 10)), vec![r2]);
    bob.undo_group(verdict.group_id, "bob", "bob")
        .expect("undo");
    assert_eq!(ids(&offered(&mut bob, "bob", 10)), vec![r1, r2]);

    // ann takes her decision on R2 back: there is nothing left to review a second time.
    ann.undo_group(r2, "ann", "ann").expect("undo");
    assert_eq!(ids(&offered(&mut bob, "bob", 10)), vec![r1]);
    assert_eq!(bob.second_reviews_waiting("bob").expect("count"), 1);
    assert_eq!(bob.second_review("bob", r2).expect("read"), None);
}
