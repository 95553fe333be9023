//! What the supervisor's screen asks of a database, whichever backend holds it: its worker holds
//! a `dyn SuperviseStore`, a SQLite file's `Store` or a server's `PgStore`. The screen reads and
//! decides as the review screen does (`ReviewStore`, its supertrait), and adds what supervisors
//! work on: the queue of overrides, disagreements and lots, checks and overrides. Each method is
//! the backend's own (same name, same meaning); this only puts them behind one interface.

use super::postgres::PgStore;
use super::{
    CheckOutcome, DecisionOutcome, DecisionUnderCheck, FiguresReport, Lot, OverrideWaiting,
    ReviewStore, Store, StoreResult,
};
use crate::domain::supervision::Check;

pub trait SuperviseStore: ReviewStore {
    /// Who holds the request against this store's session, if anyone else does right now.
    fn held_by_other(&mut self, request_id: i64) -> StoreResult<Option<String>>;
    fn overrides_waiting(&mut self, limit: usize) -> StoreResult<Vec<OverrideWaiting>>;
    fn disagreements(&mut self, limit: usize) -> StoreResult<Vec<i64>>;
    fn decision_under_check(&mut self, decision_id: i64)
    -> StoreResult<Option<DecisionUnderCheck>>;
    fn lot_days(&mut self, since_day: &str) -> StoreResult<Vec<(String, String)>>;
    fn lot(&mut self, reviewer: &str, day: &str) -> StoreResult<Lot>;
    fn reviewer_figures(&mut self, since: Option<&str>) -> StoreResult<FiguresReport>;
    fn record_check(&mut self, check: &Check, session: &str) -> StoreResult<CheckOutcome>;
    /// On a server, `supervisor` must be the connected role.
    fn record_override(
        &mut self,
        match_id: i64,
        supervisor: &str,
        justification: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome>;
}

/// The backend's own methods behind the interface (inherent methods come first in `<T>::name`).
macro_rules! supervise_store_for {
    ($t:ty) => {
        impl SuperviseStore for $t {
            fn held_by_other(&mut self, request_id: i64) -> StoreResult<Option<String>> {
                <$t>::held_by_other(self, request_id)
            }
            fn overrides_waiting(&mut self, limit: usize) -> StoreResult<Vec<OverrideWaiting>> {
                <$t>::overrides_waiting(self, limit)
            }
            fn disagreements(&mut self, limit: usize) -> StoreResult<Vec<i64>> {
                <$t>::disagreements(self, limit)
            }
            fn decision_under_check(
                &mut self,
                decision_id: i64,
            ) -> StoreResult<Option<DecisionUnderCheck>> {
                <$t>::decision_under_check(self, decision_id)
            }
            fn lot_days(&mut self, since_day: &str) -> StoreResult<Vec<(String, String)>> {
                <$t>::lot_days(self, since_day)
            }
            fn lot(&mut self, reviewer: &str, day: &str) -> StoreResult<Lot> {
                <$t>::lot(self, reviewer, day)
            }
            fn reviewer_figures(&mut self, since: Option<&str>) -> StoreResult<FiguresReport> {
                <$t>::reviewer_figures(self, since)
            }
            fn record_check(&mut self, check: &Check, session: &str) -> StoreResult<CheckOutcome> {
                <$t>::record_check(self, check, session)
            }
            fn record_override(
                &mut self,
                match_id: i64,
                supervisor: &str,
                justification: &str,
                session: &str,
            ) -> StoreResult<DecisionOutcome> {
                <$t>::record_override(self, match_id, supervisor, justification, session)
            }
        }
    };
}

supervise_store_for!(Store);
supervise_store_for!(PgStore);
