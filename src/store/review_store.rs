//! What the review screen asks of a database, whichever backend holds it: the screen's worker
//! holds a `dyn ReviewStore`, a SQLite file's `Store` or a server's `PgStore`. Each method is
//! the backend's own (same name, same meaning); this only puts them behind one interface.

use super::postgres::PgStore;
use super::{DecisionOutcome, MovesSince, PageFrom, SecondKey, SecondReview, Store, StoreResult};
use crate::domain::claim::{ClaimOutcome, Claimant};
use crate::domain::policy::{Hold, Policy, Refusal, ReleaseRow};
use crate::domain::{
    BatchInfo, Decision, Field, QueueCounts, QueueEntry, QueueFilter, QueueSort, ReviewItem,
    Verdict,
};

pub trait ReviewStore: Send {
    /// What the screen's header names the database by (a path, or a server without secrets).
    fn label(&self) -> String;
    fn set_claimant(&mut self, claimant: Option<Claimant>);
    /// Changes when someone else commits (the screen then reads what changed).
    fn data_version(&mut self) -> StoreResult<i64>;
    fn last_move_id(&mut self) -> StoreResult<i64>;
    fn moves_since(&mut self, after: i64, own_session: &str) -> StoreResult<MovesSince>;
    fn queue_page(
        &mut self,
        filter: &QueueFilter,
        sort: QueueSort,
        from: PageFrom,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>>;
    fn queue_counts(&mut self, filter: &QueueFilter) -> StoreResult<QueueCounts>;
    fn queue_entry(&mut self, request_id: i64) -> StoreResult<Option<QueueEntry>>;
    fn review_item(&mut self, request_id: i64) -> StoreResult<Option<ReviewItem>>;
    fn batches(&mut self) -> StoreResult<Vec<(i64, BatchInfo)>>;
    fn search_queue(
        &mut self,
        filter: &QueueFilter,
        query: &str,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>>;
    fn claim(&mut self, request_id: i64) -> StoreResult<ClaimOutcome>;
    fn renew_claims(&mut self) -> StoreResult<usize>;
    fn release_claims(&mut self) -> StoreResult<usize>;
    fn release_claim(&mut self, request_id: i64) -> StoreResult<()>;
    fn adopt_claims(&mut self) -> StoreResult<Vec<i64>>;
    fn policy(&mut self) -> StoreResult<Policy>;
    fn active_holds(&mut self, batch_id: i64) -> StoreResult<Vec<Hold>>;
    fn release_preview(&mut self, match_id: i64) -> StoreResult<(ReleaseRow, Vec<Refusal>)>;
    fn record_decision(
        &mut self,
        decision: &Decision,
        session: &str,
    ) -> StoreResult<DecisionOutcome>;
    fn undo_group(
        &mut self,
        group_id: i64,
        reviewer: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome>;
    fn record_reveal(
        &mut self,
        match_id: i64,
        field: Field,
        who: &str,
    ) -> StoreResult<Option<String>>;
    fn second_reviews_waiting(&mut self, reviewer: &str) -> StoreResult<u64>;
    fn second_reviews_page(
        &mut self,
        reviewer: &str,
        after: Option<SecondKey>,
        limit: usize,
    ) -> StoreResult<Vec<SecondReview>>;
    fn second_review(
        &mut self,
        reviewer: &str,
        decision_id: i64,
    ) -> StoreResult<Option<SecondReview>>;
    fn record_second_verdict(
        &mut self,
        first_decision: i64,
        reviewer: &str,
        verdict: Verdict,
        note: Option<&str>,
        viewed_ms: u64,
        session: &str,
    ) -> StoreResult<DecisionOutcome>;
}

/// The backend's own methods behind the interface (inherent methods come first in `<T>::name`).
macro_rules! review_store_for {
    ($t:ty, $label:expr) => {
        impl ReviewStore for $t {
            fn label(&self) -> String {
                $label(self)
            }
            fn set_claimant(&mut self, claimant: Option<Claimant>) {
                <$t>::set_claimant(self, claimant)
            }
            fn data_version(&mut self) -> StoreResult<i64> {
                <$t>::data_version(self)
            }
            fn last_move_id(&mut self) -> StoreResult<i64> {
                <$t>::last_move_id(self)
            }
            fn moves_since(&mut self, after: i64, own_session: &str) -> StoreResult<MovesSince> {
                <$t>::moves_since(self, after, own_session)
            }
            fn queue_page(
                &mut self,
                filter: &QueueFilter,
                sort: QueueSort,
                from: PageFrom,
                limit: usize,
            ) -> StoreResult<Vec<QueueEntry>> {
                <$t>::queue_page(self, filter, sort, from, limit)
            }
            fn queue_counts(&mut self, filter: &QueueFilter) -> StoreResult<QueueCounts> {
                <$t>::queue_counts(self, filter)
            }
            fn queue_entry(&mut self, request_id: i64) -> StoreResult<Option<QueueEntry>> {
                <$t>::queue_entry(self, request_id)
            }
            fn review_item(&mut self, request_id: i64) -> StoreResult<Option<ReviewItem>> {
                <$t>::review_item(self, request_id)
            }
            fn batches(&mut self) -> StoreResult<Vec<(i64, BatchInfo)>> {
                <$t>::batches(self)
            }
            fn search_queue(
                &mut self,
                filter: &QueueFilter,
                query: &str,
                limit: usize,
            ) -> StoreResult<Vec<QueueEntry>> {
                <$t>::search_queue(self, filter, query, limit)
            }
            fn claim(&mut self, request_id: i64) -> StoreResult<ClaimOutcome> {
                <$t>::claim(self, request_id)
            }
            fn renew_claims(&mut self) -> StoreResult<usize> {
                <$t>::renew_claims(self)
            }
            fn release_claims(&mut self) -> StoreResult<usize> {
                <$t>::release_claims(self)
            }
            fn release_claim(&mut self, request_id: i64) -> StoreResult<()> {
                <$t>::release_claim(self, request_id)
            }
            fn adopt_claims(&mut self) -> StoreResult<Vec<i64>> {
                <$t>::adopt_claims(self)
            }
            fn policy(&mut self) -> StoreResult<Policy> {
                <$t>::policy(self)
            }
            fn active_holds(&mut self, batch_id: i64) -> StoreResult<Vec<Hold>> {
                <$t>::active_holds(self, batch_id)
            }
            fn release_preview(
                &mut self,
                match_id: i64,
            ) -> StoreResult<(ReleaseRow, Vec<Refusal>)> {
                <$t>::release_preview(self, match_id)
            }
            fn record_decision(
                &mut self,
                decision: &Decision,
                session: &str,
            ) -> StoreResult<DecisionOutcome> {
                <$t>::record_decision(self, decision, session)
            }
            fn undo_group(
                &mut self,
                group_id: i64,
                reviewer: &str,
                session: &str,
            ) -> StoreResult<DecisionOutcome> {
                <$t>::undo_group(self, group_id, reviewer, session)
            }
            fn record_reveal(
                &mut self,
                match_id: i64,
                field: Field,
                who: &str,
            ) -> StoreResult<Option<String>> {
                <$t>::record_reveal(self, match_id, field, who)
            }
            fn second_reviews_waiting(&mut self, reviewer: &str) -> StoreResult<u64> {
                <$t>::second_reviews_waiting(self, reviewer)
            }
            fn second_reviews_page(
                &mut self,
                reviewer: &str,
                after: Option<SecondKey>,
                limit: usize,
            ) -> StoreResult<Vec<SecondReview>> {
                <$t>::second_reviews_page(self, reviewer, after, limit)
            }
            fn second_review(
                &mut self,
                reviewer: &str,
                decision_id: i64,
            ) -> StoreResult<Option<SecondReview>> {
                <$t>::second_review(self, reviewer, decision_id)
            }
            fn record_second_verdict(
                &mut self,
                first_decision: i64,
                reviewer: &str,
                verdict: Verdict,
                note: Option<&str>,
                viewed_ms: u64,
                session: &str,
            ) -> StoreResult<DecisionOutcome> {
                <$t>::record_second_verdict(
                    self,
                    first_decision,
                    reviewer,
                    verdict,
                    note,
                    viewed_ms,
                    session,
                )
            }
        }
    };
}

review_store_for!(Store, |s: &Store| s.path().display().to_string());
review_store_for!(PgStore, |s: &PgStore| s.target().to_string());
