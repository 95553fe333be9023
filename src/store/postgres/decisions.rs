//! Decisions and checks on a server: the shared logic (`store::deciding`, `store::checks`) in a server
//! transaction, as the connected role. The server's row security already refuses a decision
//! recorded under another name; this says so before trying.

use super::PgStore;
use super::sql::Server;
use crate::domain::Decision;
use crate::domain::text_safety::escape_for_display;
use crate::store::checks::{check_in, second_verdict_in};
use crate::store::deciding::{decide_in, undo_in};
use crate::store::settle::settle;
use crate::store::{DecisionOutcome, StoreError, StoreResult};

impl PgStore {
    /// See `Store::record_decision`: the same checks, rows and refusals.
    pub fn record_decision(
        &mut self,
        decision: &Decision,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        self.as_myself(&decision.reviewer)?;
        let mut tx = self.client.transaction()?;
        let result = decide_in(&mut Server(&mut tx), decision, session, None);
        settle(tx, result)
    }

    /// See `Store::record_override`: `supervisor` must be the connected role.
    pub fn record_override(
        &mut self,
        match_id: i64,
        supervisor: &str,
        justification: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        self.as_myself(supervisor)?;
        let decision = Decision {
            match_id,
            reviewer: self.user.clone(),
            verdict: crate::domain::Verdict::Approve,
            note: Some(format!("override: {justification}")),
            viewed_ms: 0,
        };
        let mut tx = self.client.transaction()?;
        let result = decide_in(
            &mut Server(&mut tx),
            &decision,
            session,
            Some(justification),
        );
        settle(tx, result)
    }

    /// See `Store::undo_group`.
    pub fn undo_group(
        &mut self,
        group_id: i64,
        reviewer: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        self.as_myself(reviewer)?;
        let mut tx = self.client.transaction()?;
        let result = undo_in(&mut Server(&mut tx), group_id, reviewer, session);
        settle(tx, result)
    }

    /// See `Store::record_check`: a supervisor's agree or overturn.
    pub fn record_check(
        &mut self,
        check: &crate::domain::supervision::Check,
        session: &str,
    ) -> StoreResult<crate::store::CheckOutcome> {
        self.as_myself(&check.supervisor)?;
        let mut tx = self.client.transaction()?;
        let result = check_in(&mut Server(&mut tx), check, session);
        settle(tx, result)
    }

    /// See `Store::record_second_verdict`.
    pub fn record_second_verdict(
        &mut self,
        first_decision: i64,
        reviewer: &str,
        verdict: crate::domain::Verdict,
        note: Option<&str>,
        viewed_ms: u64,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        self.as_myself(reviewer)?;
        let mut tx = self.client.transaction()?;
        let result = second_verdict_in(
            &mut Server(&mut tx),
            first_decision,
            reviewer,
            verdict,
            note,
            viewed_ms,
            session,
        );
        settle(tx, result)
    }

    /// See `Store::record_reveal`: the value comes back only after its audit entry commits.
    pub fn record_reveal(
        &mut self,
        match_id: i64,
        field: crate::domain::Field,
        who: &str,
    ) -> StoreResult<Option<String>> {
        self.as_myself(who)?;
        let mut tx = self.client.transaction()?;
        let value = crate::store::audit::reveal_in(&mut Server(&mut tx), match_id, field, who)?;
        tx.commit()?;
        Ok(value)
    }

    /// On a server one acts as the role one connected as.
    fn as_myself(&self, name: &str) -> StoreResult<()> {
        if name == self.user {
            return Ok(());
        }
        Err(StoreError::Refused(format!(
            "on a PostgreSQL server you act as the role you connect as ({}), not as {}",
            escape_for_display(&self.user),
            escape_for_display(name)
        )))
    }
}
