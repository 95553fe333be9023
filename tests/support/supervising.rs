//! Supervisors' shared test steps, for a store on either backend: the team, each person's own
//! connection, deciding and checking, a refusal's words, and the overturned releases `recall`
//! lists.

use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict};
use matchgate::domain::{Decision, MatchStatus, QueueFilter, QueueSort, StateFilter, Verdict};
use matchgate::store::{PageFrom, StoreError};

use super::backend::{Backend, Handle, Kind};

/// R1-R4 agree completely; R5 has two candidates; R6's candidate has no street (address
/// sufficiency refuses an approval, which a supervisor may override).
pub const FIXTURE: &str = "\
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
pub fn team(kind: Kind, test: &str) -> Option<Backend> {
    let people = [
        ("ann", Role::Reviewer),
        ("bob", Role::Reviewer),
        ("sam", Role::Supervisor),
        ("sue", Role::Supervisor),
    ];
    Backend::new(kind, test, FIXTURE, &people)
}

/// A person's own connection, as their screen opens it (session = name).
pub fn screen(team: &Backend, who: &str) -> Handle {
    team.screen(who, who)
}

pub fn request(store: &mut Handle, source: &str) -> i64 {
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

pub fn matches_of(store: &mut Handle, source: &str) -> Vec<(i64, MatchStatus)> {
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
pub fn decide(store: &mut Handle, who: &str, source: &str, verdict: Verdict) -> i64 {
    let match_id = matches_of(store, source)[0].0;
    try_decide(store, who, match_id, verdict).expect("decided")
}

pub fn try_decide(
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

pub fn check(
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

pub fn refused(result: Result<impl std::fmt::Debug, StoreError>, needle: &str) {
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
pub fn overturned_releases(team: &Backend, who: &str) -> Vec<(String, String, String)> {
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
