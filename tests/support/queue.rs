//! The review queue's shared test steps, for a store on either backend: a generated database
//! with reviewers, walking the keyset pages forwards and back, and deciding on one's own
//! connection.

use matchgate::domain::roles::Role;
use matchgate::domain::{
    Decision, ItemFlags, MatchStatus, QueueFilter, QueueSort, ReviewItem, Verdict,
};
use matchgate::store::{DecisionOutcome, PageFrom, StoreError};

use super::backend::{Backend, Handle, Kind};

pub const PEOPLE: [(&str, Role); 4] = [
    ("rev", Role::Reviewer),
    ("bob", Role::Reviewer),
    ("carol", Role::Reviewer),
    ("mallory", Role::Reviewer),
];

/// A database of `kind` holding `rows` generated matches (several candidates for some
/// requests), and the reviewer "rev"'s connection; None when the backend is skipped.
pub fn generated(kind: Kind, test: &str, rows: u64) -> Option<(Backend, Handle)> {
    let backend = Backend::new(kind, test, &Backend::generated(rows, 11, 3), &PEOPLE)?;
    let store = backend.screen("rev", "session-1");
    Some((backend, store))
}

pub fn walk_forward(
    store: &mut Handle,
    filter: &QueueFilter,
    sort: QueueSort,
    page: usize,
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut from = PageFrom::Start;
    loop {
        let entries = store.queue_page(filter, sort, from, page).expect("page");
        out.extend(entries.iter().map(|e| e.request_id));
        match entries.last() {
            Some(last) if entries.len() == page => from = PageFrom::After(last.key()),
            _ => return out,
        }
    }
}

pub fn walk_backward(
    store: &mut Handle,
    filter: &QueueFilter,
    sort: QueueSort,
    page: usize,
) -> Vec<i64> {
    let forward = store
        .queue_page(filter, sort, PageFrom::Start, 100_000)
        .expect("all");
    let Some(last) = forward.last() else {
        return vec![];
    };
    let mut out = vec![last.request_id];
    let mut from = PageFrom::Before(last.key());
    loop {
        let entries = store.queue_page(filter, sort, from, page).expect("page");
        for e in entries.iter().rev() {
            out.push(e.request_id);
        }
        match entries.first() {
            Some(first) if entries.len() == page => from = PageFrom::Before(first.key()),
            _ => break,
        }
    }
    out.reverse();
    out
}

pub fn several_candidate_request(store: &mut Handle) -> ReviewItem {
    let filter = QueueFilter {
        flag: Some(ItemFlags::SEVERAL_CANDIDATES),
        ..QueueFilter::default()
    };
    let entry = store
        .queue_page(&filter, QueueSort::Age, PageFrom::Start, 1)
        .expect("page");
    store
        .review_item(entry[0].request_id)
        .expect("item")
        .expect("exists")
}

/// `who` decides on their own connection (`store`), in their session.
pub fn decide(
    store: &mut Handle,
    match_id: i64,
    who: &str,
    verdict: Verdict,
) -> Result<DecisionOutcome, StoreError> {
    store.record_decision(
        &Decision {
            match_id,
            reviewer: who.into(),
            verdict,
            note: Some("n".into()),
            viewed_ms: 1234,
        },
        &format!("session-{who}"),
    )
}

pub fn statuses(store: &mut Handle, request_id: i64) -> Vec<MatchStatus> {
    store
        .review_item(request_id)
        .expect("item")
        .expect("exists")
        .candidates
        .iter()
        .map(|c| c.status)
        .collect()
}
