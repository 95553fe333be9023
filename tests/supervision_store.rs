//! Supervisors at the store: checks (agree, every overturn path, undo), who may check what
//! (roles, never one's own decision, one check per decision, the claim's fence), approvals waiting
//! for an override, blind second reviews and their disagreements, recall of overturned releases,
//! the stored sample draws, and the migration that rebuilt the decision history. Several
//! connections throughout, as a team works.

mod support;

use matchgate::domain::claim::ClaimOutcome;
use matchgate::domain::quality::{DecisionKey, Sampler, Stratum};
use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict, OverturnEffect};
use matchgate::domain::{
    Decision, MatchStatus, QueueFilter, QueueSort, QueueState, ReasonCode, StateFilter, Verdict,
};
use matchgate::store::{ExportFormat, PageFrom, RecallFilter, Store, StoreError};

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

struct Team {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Team {
    /// root (admin), ann and bob (reviewers), sam and sue (supervisors).
    fn new() -> Team {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = support::store_db(dir.path(), FIXTURE);
        let mut store = Store::open(&path).expect("open");
        store.add_user("root", Role::Admin, "root").expect("admin");
        for (name, role) in [
            ("ann", Role::Reviewer),
            ("bob", Role::Reviewer),
            ("sam", Role::Supervisor),
            ("sue", Role::Supervisor),
        ] {
            store.add_user(name, role, "root").expect("user");
        }
        Team { _dir: dir, path }
    }

    /// A person's own connection, as their screen opens it (session = name).
    fn screen(&self, who: &str) -> Store {
        support::screen(&self.path, who, who)
    }

    fn sql<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        rusqlite::Connection::open(&self.path)
            .expect("open")
            .query_row(sql, [], |r| r.get(0))
            .expect(sql)
    }
}

fn request(store: &Store, source: &str) -> i64 {
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

fn matches_of(store: &Store, source: &str) -> Vec<(i64, MatchStatus)> {
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
fn decide(store: &mut Store, who: &str, source: &str, verdict: Verdict) -> i64 {
    let match_id = matches_of(store, source)[0].0;
    try_decide(store, who, match_id, verdict).expect("decided")
}

fn try_decide(
    store: &mut Store,
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
    store: &mut Store,
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

#[test]
fn agreeing_records_a_history_row_and_a_decision_is_checked_once() {
    let team = Team::new();
    let (mut ann, mut sam, mut sue) = (team.screen("ann"), team.screen("sam"), team.screen("sue"));
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
    let (action, checks): (String, i64) = rusqlite::Connection::open(&team.path)
        .expect("test setup")
        .query_row(
            "SELECT action, checks FROM decisions WHERE id = (SELECT max(id) FROM decisions)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("test setup");
    assert_eq!((action.as_str(), checks), ("agree", decision));
    assert_eq!(
        team.sql::<i64>("SELECT count(*) FROM audit WHERE action = 'agree' AND outcome = 'done'"),
        1
    );
    refused(
        check(&mut sue, "sue", decision, CheckVerdict::Agree),
        "already checked by sam",
    );
}

#[test]
fn nobody_checks_their_own_decision_and_reviewers_check_nothing() {
    let team = Team::new();
    let (mut ann, mut bob, mut sam, mut sue) = (
        team.screen("ann"),
        team.screen("bob"),
        team.screen("sam"),
        team.screen("sue"),
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
        team.sql::<i64>(
            "SELECT count(*) FROM audit WHERE outcome = 'refused' AND action IN ('agree', 'supervise')"
        ),
        2
    );
}

#[test]
fn overturning_an_unreleased_approval_withdraws_it_and_reopens_the_candidates_it_closed() {
    let team = Team::new();
    let (mut ann, mut sam) = (team.screen("ann"), team.screen("sam"));
    let decision = decide(&mut ann, "ann", "R5", Verdict::Approve);
    let before = matches_of(&sam, "R5");
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
    let after = matches_of(&sam, "R5");
    assert_eq!(after[0].1, MatchStatus::Rejected);
    assert_eq!(
        after[1].1,
        MatchStatus::Pending,
        "the closed candidate is back in review"
    );
    assert_eq!(done.outcome.state_after, QueueState::Open);
    let reason: String =
        team.sql("SELECT reason_code FROM decisions WHERE action = 'overturn' ORDER BY id LIMIT 1");
    assert_eq!(reason, "different_person");
    // Nothing of it can be exported.
    let out = team.path.with_file_name("out.csv");
    let summary = sam.export_release("sam", &out, ExportFormat::Csv);
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("C5a"),
        "{summary:?}"
    );
}

#[test]
fn overturning_a_first_of_two_approvals_takes_it_out_of_the_count() {
    let team = Team::new();
    let mut root = team.screen("root");
    root.set_policy("approvals_required", "2", "root")
        .expect("policy");
    let (mut ann, mut bob, mut sam) = (team.screen("ann"), team.screen("bob"), team.screen("sam"));
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
    assert_eq!(matches_of(&root, "R1")[0].1, MatchStatus::Pending);
}

#[test]
fn overturning_a_released_approval_flags_it_for_recall() {
    let team = Team::new();
    let (mut ann, mut sam, mut sue) = (team.screen("ann"), team.screen("sam"), team.screen("sue"));
    let decision = decide(&mut ann, "ann", "R3", Verdict::Approve);
    let out = team.path.with_file_name("released.csv");
    let summary = sam
        .export_release("sam", &out, ExportFormat::Csv)
        .expect("export");
    assert_eq!(summary.count, 1, "{summary:?}");
    let none = sue
        .released(&RecallFilter {
            overturned: true,
            ..RecallFilter::default()
        })
        .expect("recall");
    assert!(none.is_empty());
    let done = check(
        &mut sue,
        "sue",
        decision,
        CheckVerdict::Overturn(ReasonCode::StaleAddress),
    )
    .expect("overturned");
    assert_eq!(done.effect, Some(OverturnEffect::FlagForRecall));
    assert_eq!(
        matches_of(&sue, "R3")[0].1,
        MatchStatus::Released,
        "a release cannot be unsent"
    );
    let flagged = sue
        .released(&RecallFilter {
            overturned: true,
            ..RecallFilter::default()
        })
        .expect("recall");
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].released_by, "sam");
    assert_eq!(
        flagged[0].overturned.as_ref().map(|o| o.0.as_str()),
        Some("sue")
    );
}

#[test]
fn overturning_a_rejection_sends_the_request_back_to_review_and_undo_restores_it() {
    let team = Team::new();
    let (mut bob, mut sam, mut sue) = (team.screen("bob"), team.screen("sam"), team.screen("sue"));
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
    assert_eq!(matches_of(&sam, "R4")[0].1, MatchStatus::Pending);
    assert_eq!(done.outcome.state_after, QueueState::Open);
    refused(
        sue.undo_group(done.outcome.group_id, "sue", "sue"),
        "only the reviewer who made",
    );
    sam.undo_group(done.outcome.group_id, "sam", "sam")
        .expect("undone");
    assert_eq!(matches_of(&sam, "R4")[0].1, MatchStatus::Rejected);
    // The undone check no longer stands: the decision can be checked again.
    check(&mut sue, "sue", decision, CheckVerdict::Agree).expect("checked again");
}

#[test]
fn a_check_is_fenced_by_the_claim_and_refused_once_the_match_moved_on() {
    let team = Team::new();
    let (mut ann, mut bob, mut sam) = (team.screen("ann"), team.screen("bob"), team.screen("sam"));
    let decision = decide(&mut ann, "ann", "R2", Verdict::Reject(ReasonCode::NameOnly));
    let request_id = request(&bob, "R2");
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

#[test]
fn an_approval_refused_by_the_address_rule_waits_for_a_supervisor() {
    let team = Team::new();
    // Only the address is short (the DOB is then enough of an identifier).
    team.screen("root")
        .set_policy("min_identifiers", "1", "root")
        .expect("policy");
    let (mut ann, mut sam) = (team.screen("ann"), team.screen("sam"));
    let match_id = matches_of(&ann, "R6")[0].0;
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

#[test]
fn second_reviews_are_blind_verdicts_and_disagreements_go_to_supervisors() {
    let team = Team::new();
    let mut root = team.screen("root");
    root.set_policy("double_review_rate", "1", "root")
        .expect("policy");
    let (mut ann, mut bob, sam) = (team.screen("ann"), team.screen("bob"), team.screen("sam"));
    let first = decide(&mut ann, "ann", "R1", Verdict::Approve);
    assert_eq!(
        team.sql::<i64>("SELECT count(*) FROM second_reviews WHERE done_by IS NULL"),
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
        matches_of(&bob, "R1")[0].1,
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

#[test]
fn stored_draws_are_the_keyed_hash_of_the_decision_under_the_database_seed() {
    let team = Team::new();
    let mut ann = team.screen("ann");
    let approval = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let rejection = decide(&mut ann, "ann", "R2", Verdict::Reject(ReasonCode::NameOnly));
    let conn = rusqlite::Connection::open(&team.path).expect("test setup");
    let seed: Vec<u8> = conn
        .query_row("SELECT seed FROM quality_seed", [], |r| r.get(0))
        .expect("test setup");
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
        let (spot, second): (i64, i64) = conn
            .query_row(
                "SELECT spot_draw, second_draw FROM decisions WHERE id = ?",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("test setup");
        assert_eq!(spot, sampler.spot_check_draw(&key).stored());
        assert_eq!(second, sampler.double_review_draw(&key).stored());
    }
    // Rows that are not a reviewer's verdict carry no draw; the seed cannot be changed.
    let undrawn: i64 = conn
        .query_row(
            "SELECT count(*) FROM decisions WHERE spot_draw IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("test setup");
    assert_eq!(
        undrawn, 0,
        "both decisions are checkable, and nothing else was written"
    );
    assert!(
        conn.execute("UPDATE quality_seed SET seed = zeroblob(32)", [])
            .is_err()
    );
    // Another database draws differently.
    let other = Team::new();
    let other_seed: Vec<u8> = other.sql("SELECT seed FROM quality_seed");
    assert_ne!(seed, other_seed);
}

#[test]
fn the_lot_of_a_day_samples_every_decision_under_the_daily_minimum() {
    let team = Team::new();
    let (mut ann, sam) = (team.screen("ann"), team.screen("sam"));
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
