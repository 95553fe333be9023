//! What supervisors work on, read on the server with the SQLite store's own statements
//! (`store::supervision`): approvals waiting for an override, disagreements of second reviews,
//! and a decision under check. Each is one statement on the connection (no transaction of its
//! own); leases are live by the server's clock.

use super::PgStore;
use super::sql::Server;
use crate::store::supervision::{decision_under_check_in, disagreements_in, overrides_waiting_in};
use crate::store::{DecisionUnderCheck, OverrideWaiting, StoreResult};

impl PgStore {
    /// See `Store::overrides_waiting`: requests held by another session than this connection's
    /// claimant are left out.
    pub fn overrides_waiting(&mut self, limit: usize) -> StoreResult<Vec<OverrideWaiting>> {
        let session = self.session();
        overrides_waiting_in(&mut Server(&mut self.client), &session, limit)
    }

    /// See `Store::decision_under_check`.
    pub fn decision_under_check(
        &mut self,
        decision_id: i64,
    ) -> StoreResult<Option<DecisionUnderCheck>> {
        decision_under_check_in(&mut Server(&mut self.client), decision_id)
    }

    /// See `Store::disagreements`.
    pub fn disagreements(&mut self, limit: usize) -> StoreResult<Vec<i64>> {
        disagreements_in(&mut Server(&mut self.client), limit)
    }
}
