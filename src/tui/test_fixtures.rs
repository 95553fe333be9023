//! Hand-built review state for tests of `update` and of rendering.

use crate::domain::{
    BatchInfo, CandidateMatch, Field, Gold, ItemFlags, MatchStatus, QueueCounts, QueueEntry,
    QueueState, Record, ReviewItem,
};
use crate::tui::state::{ReviewState, SessionInfo};

pub fn requested() -> Record {
    Record::new("R000042")
        .with(Field::GivenName, "Robert")
        .with(Field::Surname, "Kowalski")
        .with(Field::Dob, "1961-04-09")
        .with(Field::StreetNumber, "1432")
        .with(Field::Street, "W Diversey Pkwy")
        .with(Field::Unit, "Apt 3B")
        .with(Field::City, "Chicago")
        .with(Field::State, "IL")
        .with(Field::Zip, "60614")
}

pub fn candidate(id: &str) -> Record {
    let mut r = Record::new(id)
        .with(Field::GivenName, "Bob")
        .with(Field::Surname, "Kowalski")
        .with(Field::Dob, "1961-04-09")
        .with(Field::StreetNumber, "1432")
        .with(Field::Street, "West Diversey Parkway")
        .with(Field::Unit, "#3b")
        .with(Field::City, "Chicago")
        .with(Field::State, "il")
        .with(Field::Zip, "60641")
        .with(Field::Tin, "912-34-5678");
    r.set_extra("address_updated", "2025-02-11");
    r
}

pub fn item(candidates: Vec<CandidateMatch>) -> ReviewItem {
    ReviewItem {
        request_id: 42,
        batch_id: 1,
        batch: BatchInfo {
            name: "2026-11-hhs-locate".into(),
            requester: "Dept. of Health and Human Services".into(),
            legal_basis: "42 U.S.C. § 653".into(),
        },
        request: requested(),
        state: QueueState::Open,
        flags: ItemFlags::default(),
        candidates,
    }
}

pub fn cand(match_id: i64, id: &str, score: f64) -> CandidateMatch {
    CandidateMatch {
        match_id,
        candidate: candidate(id),
        score,
        status: MatchStatus::Pending,
        gold: Some(Gold::Match),
        gold_note: None,
        approvals: Vec::new(),
        override_by: None,
    }
}

pub fn entries() -> Vec<QueueEntry> {
    let names = [
        "Robert Kowalski",
        "Maria Lopez",
        "Jian Li",
        "Ann O'Neil",
        "Sam Carter",
    ];
    (0..30)
        .map(|i| QueueEntry {
            request_id: 42 + i,
            source_id: format!("R{:06}", 42 + i),
            batch_id: 1,
            name: names[i as usize % names.len()].to_string(),
            top_score: 0.97 - i as f64 * 0.01,
            state: QueueState::Open,
            candidate_count: 1,
            flags: ItemFlags::default(),
        })
        .collect()
}

pub fn state(item: ReviewItem) -> ReviewState {
    let session = SessionInfo {
        db_label: "matches.db".into(),
        reviewer: "alice".into(),
        training: false,
        no_color: false,
    };
    let batches = vec![(1, item.batch.clone())];
    let mut state = ReviewState::new(session, batches, Default::default());
    state.window.entries = entries();
    state.window.offset = Some(0);
    state.counts = QueueCounts {
        open: 270,
        deferred: 0,
        escalated: 3,
        done: 27,
    };
    state.item = Some(item);
    state
}

/// A blind second review of ann's approval of match 7 (decision 500) on request 90.
pub fn second_review() -> crate::tui::state::SecondShown {
    let mut decided = cand(7, "C0000913", 0.93);
    decided.status = MatchStatus::Approved;
    decided.approvals = vec!["ann".into()];
    let mut other = cand(8, "C0007719", 0.41);
    other.status = MatchStatus::Rejected;
    let mut it = item(vec![decided, other]);
    it.request_id = 90;
    it.state = QueueState::Done;
    let mut entry = entries()[0].clone();
    entry.request_id = 90;
    entry.source_id = "R000090".into();
    entry.state = QueueState::Done;
    let review = crate::store::SecondReview {
        decision_id: 500,
        request_id: 90,
        match_id: 7,
        first_reviewer: "ann".into(),
    };
    crate::tui::state::SecondShown::blind(review, entry, it).expect("the match is there")
}
