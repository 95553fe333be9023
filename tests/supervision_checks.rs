//! Supervisors' checks at the store, on a SQLite file and on a PostgreSQL server alike (each
//! test runs on both): agreeing, every overturn path (an unreleased approval, a first of two, a
//! released one flagged for recall, a rejection) and its undo; who may check what (roles, never
//! one's own decision, one check per decision, the claim's fence). Several connections
//! throughout, as a team works.

mod support;

use matchgate::domain::claim::ClaimOutcome;
use matchgate::domain::supervision::{Check, CheckVerdict, OverturnEffect};
use matchgate::domain::{MatchStatus, QueueState, ReasonCode, Verdict};
use support::backend::Kind;
use support::supervising::{
    check, decide, matches_of, overturned_releases, refused, request, screen, team,
};

on_both!(
    agreeing_records_a_history_row_and_a_decision_is_checked_once,
    nobody_checks_their_own_decision_and_reviewers_check_nothing,
    overturning_an_unreleased_approval_withdraws_it_and_reopens_the_candidates_it_closed,
    overturning_a_first_of_two_approvals_takes_it_out_of_the_count,
    overturning_a_released_approval_flags_it_for_recall,
    overturning_a_rejection_sends_the_request_back_to_review_and_undo_restores_it,
    a_check_is_fenced_by_the_claim_and_refused_once_the_match_moved_on,
);

fn agreeing_records_a_history_row_and_a_decision_is_checked_once(kind: Kind) {
    let Some(team) = team(kind, "agreeing_records") else {
        return;
    };
    let (mut ann, mut sam, mut sue) = (
        screen(&team, "ann"),
        screen(&team, "sam"),
        screen(&team, "sue"),
    );
    let decision = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let under = sam
        .decision_under_check(decision)
        .expect("read")
        .expect("exists");
    assert_eq!((under.reviewer.as_str(), under.viewed_ms), ("ann", 4_200));
    assert_eq!(under.note.as_deref(), Some("ann's note"));
    let done = check(&mut sam, "sam", decision, CheckVerdict::Agree).expect("agreed");
    assert_eq!(done.effect, None);
    assert_eq!(
        done.outcome.changes,
        vec![(under.match_id, MatchStatus::Approved, MatchStatus::Approved)]
    );
    let last = team
        .rows("SELECT action, checks FROM decisions WHERE id = (SELECT max(id) FROM decisions)");
    assert_eq!(last, [["agree".to_string(), decision.to_string()]]);
    assert_eq!(
        team.int("SELECT count(*) FROM audit WHERE action = 'agree' AND outcome = 'done'"),
        1
    );
    refused(
        check(&mut sue, "sue", decision, CheckVerdict::Agree),
        "already checked by sam",
    );
}

fn nobody_checks_their_own_decision_and_reviewers_check_nothing(kind: Kind) {
    let Some(team) = team(kind, "nobody_checks_their_own") else {
        return;
    };
    let (mut ann, mut bob, mut sam, mut sue) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "sam"),
        screen(&team, "sue"),
    );
    let by_sam = decide(&mut sam, "sam", "R2", Verdict::Approve);
    refused(
        check(&mut sam, "sam", by_sam, CheckVerdict::Agree),
        "never checks their own",
    );
    check(&mut sue, "sue", by_sam, CheckVerdict::Agree).expect("the other supervisor checks it");
    let by_ann = decide(&mut ann, "ann", "R1", Verdict::Approve);
    refused(
        check(&mut bob, "bob", by_ann, CheckVerdict::Agree),
        "needs the supervisor role",
    );
    assert_eq!(
        team.int(
            "SELECT count(*) FROM audit WHERE outcome = 'refused' AND action IN ('agree', 'supervise')"
        ),
        2
    );
}

fn overturning_an_unreleased_approval_withdraws_it_and_reopens_the_candidates_it_closed(
    kind: Kind,
) {
    let Some(team) = team(kind, "overturning_an_unreleased_approval") else {
        return;
    };
    let (mut ann, mut sam) = (screen(&team, "ann"), screen(&team, "sam"));
    let decision = decide(&mut ann, "ann", "R5", Verdict::Approve);
    let before = matches_of(&mut sam, "R5");
    assert_eq!(
        before[1].1,
        MatchStatus::Rejected,
        "the sibling was closed as not chosen"
    );
    let mut no_note = Check {
        decision_id: decision,
        supervisor: "sam".into(),
        verdict: CheckVerdict::Overturn(ReasonCode::DifferentPerson),
        note: Some("  ".into()),
        viewed_ms: 1,
    };
    refused(sam.record_check(&no_note, "sam"), "needs a note");
    no_note.note = Some("the DOB belongs to the father".into());
    let done = sam.record_check(&no_note, "sam").expect("overturned");
    assert_eq!(done.effect, Some(OverturnEffect::Withdraw));
    let after = matches_of(&mut sam, "R5");
    assert_eq!(after[0].1, MatchStatus::Rejected);
    assert_eq!(
        after[1].1,
        MatchStatus::Pending,
        "the closed candidate is back in review"
    );
    assert_eq!(done.outcome.state_after, QueueState::Open);
    let reason = team
        .rows("SELECT reason_code FROM decisions WHERE action = 'overturn' ORDER BY id LIMIT 1");
    assert_eq!(reason, [["different_person"]]);
    // Nothing of it can be exported.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.csv");
    let said = team.cli_as("sam", &["export", "--out", out.to_str().expect("path")]);
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains(",R5,"),
        "{said}"
    );
}

fn overturning_a_first_of_two_approvals_takes_it_out_of_the_count(kind: Kind) {
    let Some(team) = team(kind, "overturning_a_first_of_two") else {
        return;
    };
    team.set_policy("approvals_required", "2");
    let (mut ann, mut bob, mut sam) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "sam"),
    );
    let first = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let done = check(
        &mut sam,
        "sam",
        first,
        CheckVerdict::Overturn(ReasonCode::NameOnly),
    )
    .expect("overturned");
    assert_eq!(done.effect, Some(OverturnEffect::WithdrawFirstApproval));
    // bob's approval is now only the first of two again.
    decide(&mut bob, "bob", "R1", Verdict::Approve);
    assert_eq!(matches_of(&mut sam, "R1")[0].1, MatchStatus::Pending);
}

fn overturning_a_released_approval_flags_it_for_recall(kind: Kind) {
    let Some(team) = team(kind, "overturning_a_released_approval") else {
        return;
    };
    let (mut ann, mut sue) = (screen(&team, "ann"), screen(&team, "sue"));
    let decision = decide(&mut ann, "ann", "R3", Verdict::Approve);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("released.csv");
    team.cli_as("sam", &["export", "--out", out.to_str().expect("path")]);
    let sent = std::fs::read_to_string(&out).expect("released file");
    assert_eq!(sent.lines().count(), 2, "a header and one release: {sent}");
    assert!(sent.contains(",R3,"), "{sent}");
    assert!(overturned_releases(&team, "sue").is_empty());
    let done = check(
        &mut sue,
        "sue",
        decision,
        CheckVerdict::Overturn(ReasonCode::StaleAddress),
    )
    .expect("overturned");
    assert_eq!(done.effect, Some(OverturnEffect::FlagForRecall));
    assert_eq!(
        matches_of(&mut sue, "R3")[0].1,
        MatchStatus::Released,
        "a release cannot be unsent"
    );
    assert_eq!(
        overturned_releases(&team, "sue"),
        [("R3".to_string(), "sam".to_string(), "sue".to_string())]
    );
}

fn overturning_a_rejection_sends_the_request_back_to_review_and_undo_restores_it(kind: Kind) {
    let Some(team) = team(kind, "overturning_a_rejection") else {
        return;
    };
    let (mut bob, mut sam, mut sue) = (
        screen(&team, "bob"),
        screen(&team, "sam"),
        screen(&team, "sue"),
    );
    let decision = decide(
        &mut bob,
        "bob",
        "R4",
        Verdict::Reject(ReasonCode::DobConflict),
    );
    let done = check(
        &mut sam,
        "sam",
        decision,
        CheckVerdict::Overturn(ReasonCode::Other),
    )
    .expect("overturned");
    assert_eq!(done.effect, Some(OverturnEffect::BackToReview));
    assert_eq!(matches_of(&mut sam, "R4")[0].1, MatchStatus::Pending);
    assert_eq!(done.outcome.state_after, QueueState::Open);
    refused(
        sue.undo_group(done.outcome.group_id, "sue", "sue"),
        "only the reviewer who made",
    );
    sam.undo_group(done.outcome.group_id, "sam", "sam")
        .expect("undone");
    assert_eq!(matches_of(&mut sam, "R4")[0].1, MatchStatus::Rejected);
    // The undone check no longer stands: the decision can be checked again.
    check(&mut sue, "sue", decision, CheckVerdict::Agree).expect("checked again");
}

fn a_check_is_fenced_by_the_claim_and_refused_once_the_match_moved_on(kind: Kind) {
    let Some(team) = team(kind, "a_check_is_fenced") else {
        return;
    };
    let (mut ann, mut bob, mut sam) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "sam"),
    );
    let decision = decide(&mut ann, "ann", "R2", Verdict::Reject(ReasonCode::NameOnly));
    let request_id = request(&mut bob, "R2");
    assert_eq!(bob.claim(request_id).expect("claim"), ClaimOutcome::Claimed);
    refused(
        check(&mut sam, "sam", decision, CheckVerdict::Agree),
        "held by bob",
    );
    bob.release_claims().expect("release");
    // The rejection is undone by ann: nothing left to check.
    ann.undo_group(decision, "ann", "ann").expect("undo");
    refused(
        check(&mut sam, "sam", decision, CheckVerdict::Agree),
        "was undone",
    );
}
