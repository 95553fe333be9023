//! Supervisors at the store, on a SQLite file and on a PostgreSQL server alike (each test runs
//! on both): checks (agree, every overturn path, undo), who may check what (roles, never one's
//! own decision, one check per decision, the claim's fence), approvals waiting for an override,
//! blind second reviews and their disagreements, recall of overturned releases, the stored sample
//! draws. Then the file's own: the migration that rebuilt the decision history. Several
//! connections throughout, as a team works.

mod support;

use matchgate::domain::claim::ClaimOutcome;
use matchgate::domain::quality::{DecisionKey, Sampler, Stratum};
use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict, OverturnEffect};
use matchgate::domain::{
    Decision, MatchStatus, QueueFilter, QueueSort, QueueState, ReasonCode, StateFilter, Verdict,
};
use matchgate::store::{PageFrom, Store, StoreError};
use support::backend::{Backend, Handle, Kind};

/// R1-R4 agree completely; R5 has two candidates; R6's candidate has no street (address
/// sufficiency refuses an approval, which a supervisor may override).
const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
R4,C4,0.93,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704
R5,C5a,0.91,Ed,Ellis,1974-05-05,5,Ash Ct,Springfield,IL,62705,Ed,Ellis,1974-05-05,5,Ash Ct,Springfield,IL,62705
R5,C5b,0.60,Ed,Ellis,1974-05-05,5,Ash Ct,Springfield,IL,62705,Eve,Ellis,1999-09-09,5,Ash Ct,Springfield,IL,62705
R6,C6,0.90,Flo,Fox,1975-06-06,6,Fir St,Springfield,IL,62706,Flo,Fox,1975-06-06,,,Springfield,IL,62706
";

/// ann and bob (reviewers), sam and sue (supervisors), on a backend of `kind`; None when
/// skipped.
fn team(kind: Kind, test: &str) -> Option<Backend> {
    let people = [
        ("ann", Role::Reviewer),
        ("bob", Role::Reviewer),
        ("sam", Role::Supervisor),
        ("sue", Role::Supervisor),
    ];
    Backend::new(kind, test, FIXTURE, &people)
}

/// A person's own connection, as their screen opens it (session = name).
fn screen(team: &Backend, who: &str) -> Handle {
    team.screen(who, who)
}

fn request(store: &mut Handle, source: &str) -> i64 {
    let all = QueueFilter {
        state: StateFilter::All,
        ..QueueFilter::default()
    };
    store
        .queue_page(&all, QueueSort::Score, PageFrom::Start, 50)
        .expect("page")
        .into_iter()
        .find(|e| e.source_id == source)
        .map(|e| e.request_id)
        .expect("request")
}

fn matches_of(store: &mut Handle, source: &str) -> Vec<(i64, MatchStatus)> {
    let id = request(store, source);
    store
        .review_item(id)
        .expect("item")
        .expect("exists")
        .candidates
        .iter()
        .map(|c| (c.match_id, c.status))
        .collect()
}

/// Decides the request's first candidate; returns the decision's id (its group id).
fn decide(store: &mut Handle, who: &str, source: &str, verdict: Verdict) -> i64 {
    let match_id = matches_of(store, source)[0].0;
    try_decide(store, who, match_id, verdict).expect("decided")
}

fn try_decide(
    store: &mut Handle,
    who: &str,
    match_id: i64,
    verdict: Verdict,
) -> Result<i64, StoreError> {
    store
        .record_decision(
            &Decision {
                match_id,
                reviewer: who.into(),
                verdict,
                note: Some(format!("{who}'s note")),
                viewed_ms: 4_200,
            },
            who,
        )
        .map(|o| o.group_id)
}

fn check(
    store: &mut Handle,
    who: &str,
    decision_id: i64,
    verdict: CheckVerdict,
) -> Result<matchgate::store::CheckOutcome, StoreError> {
    store.record_check(
        &Check {
            decision_id,
            supervisor: who.into(),
            verdict,
            note: Some("checked the DOB against the source".into()),
            viewed_ms: 9_000,
        },
        who,
    )
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>, needle: &str) {
    match result {
        Err(StoreError::Refused(message)) => {
            assert!(
                message.contains(needle),
                "{message:?} should say {needle:?}"
            )
        }
        other => panic!("expected a refusal saying {needle:?}, got {other:?}"),
    }
}

/// `matchgate recall --overturned` as `who`: each listed release as (request, released by,
/// overturned by).
fn overturned_releases(team: &Backend, who: &str) -> Vec<(String, String, String)> {
    let csv = team.cli_as(who, &["recall", "--overturned", "--format", "csv"]);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (candidate, by, overturned) = (at("request_id"), at("released_by"), at("overturned_by"));
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let cell = |i: usize| cells[i].to_string();
            (cell(candidate), cell(by), cell(overturned))
        })
        .collect()
}

on_both!(
    agreeing_records_a_history_row_and_a_decision_is_checked_once,
    nobody_checks_their_own_decision_and_reviewers_check_nothing,
    overturning_an_unreleased_approval_withdraws_it_and_reopens_the_candidates_it_closed,
    overturning_a_first_of_two_approvals_takes_it_out_of_the_count,
    overturning_a_released_approval_flags_it_for_recall,
    overturning_a_rejection_sends_the_request_back_to_review_and_undo_restores_it,
    a_check_is_fenced_by_the_claim_and_refused_once_the_match_moved_on,
    an_approval_refused_by_the_address_rule_waits_for_a_supervisor,
    second_reviews_are_blind_verdicts_and_disagreements_go_to_supervisors,
    stored_draws_are_the_keyed_hash_of_the_decision_under_the_database_seed,
    the_lot_of_a_day_samples_every_decision_under_the_daily_minimum,
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

fn an_approval_refused_by_the_address_rule_waits_for_a_supervisor(kind: Kind) {
    let Some(team) = team(kind, "approval_refused_by_the_address_rule") else {
        return;
    };
    // Only the address is short (the DOB is then enough of an identifier).
    team.set_policy("min_identifiers", "1");
    let (mut ann, mut sam) = (screen(&team, "ann"), screen(&team, "sam"));
    let match_id = matches_of(&mut ann, "R6")[0].0;
    let refusal = try_decide(&mut ann, "ann", match_id, Verdict::Approve);
    refused(refusal, "[address-sufficiency]");
    let waiting = sam.overrides_waiting(10).expect("waiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].match_id, match_id);
    assert_eq!(waiting[0].reviewer, "ann");
    assert_eq!(waiting[0].note.as_deref(), Some("ann's note"));
    sam.record_override(match_id, "sam", "confirmed by phone with the county", "sam")
        .expect("override");
    assert!(sam.overrides_waiting(10).expect("waiting").is_empty());
}

fn second_reviews_are_blind_verdicts_and_disagreements_go_to_supervisors(kind: Kind) {
    let Some(team) = team(kind, "second_reviews_are_blind") else {
        return;
    };
    team.set_policy("double_review_rate", "1");
    let (mut ann, mut bob, mut sam) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "sam"),
    );
    let first = decide(&mut ann, "ann", "R1", Verdict::Approve);
    assert_eq!(
        team.int("SELECT count(*) FROM second_reviews WHERE done_by IS NULL"),
        1
    );
    refused(
        ann.record_second_verdict(first, "ann", Verdict::Approve, None, 10, "ann"),
        "you made the first decision",
    );
    bob.record_second_verdict(
        first,
        "bob",
        Verdict::Reject(ReasonCode::DifferentPerson),
        None,
        10,
        "bob",
    )
    .expect("second verdict");
    assert_eq!(
        matches_of(&mut bob, "R1")[0].1,
        MatchStatus::Approved,
        "a second verdict changes nothing"
    );
    assert_eq!(sam.disagreements(10).expect("disagreements"), vec![first]);
    let under = sam
        .decision_under_check(first)
        .expect("read")
        .expect("exists");
    assert_eq!(
        under
            .second
            .as_ref()
            .map(|(who, a)| (who.as_str(), a.as_str())),
        Some(("bob", "second_reject"))
    );
    refused(
        bob.record_second_verdict(first, "bob", Verdict::Approve, None, 10, "bob"),
        "already done",
    );
}

/// The database's sampling seed, read as its owner.
fn seed(team: &Backend) -> Vec<u8> {
    match team.kind {
        Kind::Sqlite => {
            let hex = team
                .rows("SELECT hex(seed) FROM quality_seed")
                .remove(0)
                .remove(0);
            hex_bytes(&hex)
        }
        Kind::Postgres => {
            let hex = team
                .rows("SELECT encode(seed, 'hex') FROM quality_seed")
                .remove(0)
                .remove(0);
            hex_bytes(&hex)
        }
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn stored_draws_are_the_keyed_hash_of_the_decision_under_the_database_seed(kind: Kind) {
    let Some(team) = team(kind, "stored_draws") else {
        return;
    };
    let mut ann = screen(&team, "ann");
    let approval = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let rejection = decide(&mut ann, "ann", "R2", Verdict::Reject(ReasonCode::NameOnly));
    let seed = seed(&team);
    assert!(seed.len() >= 16);
    let sampler = Sampler::new(&seed).expect("test setup");
    for (id, stratum) in [
        (approval, Stratum::Approval),
        (rejection, Stratum::Rejection),
    ] {
        let key = DecisionKey {
            decision_id: id,
            reviewer: "ann",
            stratum,
        };
        let draws = team.rows(&format!(
            "SELECT spot_draw, second_draw FROM decisions WHERE id = {id}"
        ));
        let draw = |i: usize| draws[0][i].parse::<i64>().expect("a draw");
        assert_eq!(draw(0), sampler.spot_check_draw(&key).stored());
        assert_eq!(draw(1), sampler.double_review_draw(&key).stored());
    }
    // Rows that are not a reviewer's verdict carry no draw; the seed cannot be changed.
    assert_eq!(
        team.int("SELECT count(*) FROM decisions WHERE spot_draw IS NULL"),
        0,
        "both decisions are checkable, and nothing else was written"
    );
    let zeroes = match kind {
        Kind::Sqlite => "UPDATE quality_seed SET seed = zeroblob(32)",
        Kind::Postgres => "UPDATE quality_seed SET seed = decode(repeat('00', 32), 'hex')",
    };
    assert!(team.try_execute(zeroes).is_err());
    assert_eq!(crate::seed(&team), seed);
    // Another database draws differently.
    let Some(other) = crate::team(kind, "stored_draws_other") else {
        return;
    };
    assert_ne!(seed, crate::seed(&other));
}

fn the_lot_of_a_day_samples_every_decision_under_the_daily_minimum(kind: Kind) {
    let Some(team) = team(kind, "the_lot_of_a_day") else {
        return;
    };
    let (mut ann, mut sam) = (screen(&team, "ann"), screen(&team, "sam"));
    for source in ["R1", "R2", "R3"] {
        decide(&mut ann, "ann", source, Verdict::Approve);
    }
    let days = sam.lot_days("2000-01-01").expect("days");
    assert_eq!(days.len(), 1);
    let lot = sam.lot(&days[0].0, &days[0].1).expect("lot");
    assert_eq!(lot.plan.size, 3);
    // spot_check_min is 5: a day of three decisions is checked whole.
    assert_eq!(lot.plan.sample.len(), 3);
}

#[test]
fn a_version_4_database_is_migrated_with_its_history_intact() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("test setup");
        for sql in &matchgate::store::schema::MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("test setup");
        }
        conn.execute_batch(
            "PRAGMA user_version = 4;
             PRAGMA application_id = 1296515412;
             INSERT INTO batches (id, name, created_at) VALUES (1, 'b', '2026-01-01');
             INSERT INTO requests (id, batch_id, source_id, top_score, candidate_count, imported_at)
                  VALUES (1, 1, 'R1', 0.9, 1, '2026-01-01');
             INSERT INTO candidates (id, batch_id, source_id) VALUES (1, 1, 'C1');
             INSERT INTO matches (id, batch_id, request_id, candidate_id, score, status, imported_at, updated_at)
                  VALUES (1, 1, 1, 1, 0.9, 'rejected', '2026-01-01', '2026-01-01');
             INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before, status_after,
                                    reason_code, decided_at, viewed_ms)
                  VALUES (7, 1, 7, 'ann', 'reject', 'pending', 'rejected', 'name_only', '2026-01-01T00:00:00.000Z', 50);
             INSERT INTO audit (id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash)
                  VALUES (1, '2026-01-01', 'ann', 'reject', 'match:1', 'done', '{}', 7, '', 'x');",
        )
        .expect("test setup");
    }
    let store = Store::open(&path).expect("migrated");
    assert_eq!(
        store.schema_version().expect("test setup"),
        matchgate::store::schema::current_version()
    );
    let conn = rusqlite::Connection::open(&path).expect("test setup");
    let (reviewer, reason): (String, String) = conn
        .query_row(
            "SELECT reviewer, reason_code FROM decisions WHERE id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("test setup");
    assert_eq!((reviewer.as_str(), reason.as_str()), ("ann", "name_only"));
    assert!(
        conn.execute("DELETE FROM decisions", []).is_err(),
        "still append-only"
    );
    let fk: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .ok();
    assert_eq!(fk, None);
}
