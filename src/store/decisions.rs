//! Writing decisions: each reviewer action is one IMMEDIATE transaction that appends history rows,
//! moves match statuses and re-ranks the request in the queue, all or nothing (the logic is in
//! `deciding`, shared with the server).

use super::deciding::{decide_in, undo_in};
use super::settle::settle;
use super::sql_sqlite::Lite;
use super::{Store, StoreResult};
use crate::domain::{Decision, MatchStatus, QueueState, Verdict};

/// What a committed decision (or undo) changed.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionOutcome {
    /// The history group: every row the action wrote shares it; undo reverts a whole group.
    pub group_id: i64,
    pub request_id: i64,
    pub state_before: QueueState,
    pub state_after: QueueState,
    /// (match id, status before, status after) for every match the action touched.
    pub changes: Vec<(i64, MatchStatus, MatchStatus)>,
}

impl Store {
    /// Commits a reviewer's decision on one candidate. Approving closes the request's other open
    /// candidates as not chosen; deferring and escalating move the whole request. Refused when
    /// the match is no longer open (someone else decided it meanwhile).
    ///
    /// An approval is checked against every release gate (policy, holds, siblings, standing
    /// approvals) in the same IMMEDIATE transaction that writes it. A refusal writes only an
    /// audit entry (outcome `refused`) and returns [`super::StoreError::Refused`] naming the rules and
    /// what would satisfy them. With two approvals required, the first approval is recorded but
    /// leaves the match where it was (still in the queue, "1 of 2"); the second, by a different
    /// person, approves it.
    pub fn record_decision(
        &mut self,
        decision: &Decision,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        self.decide(decision, session, None)
    }

    /// A supervisor's override of the address-sufficiency gate: recorded in `overrides`, in the
    /// decision history as the supervisor's approval with the justification as its note, and in
    /// the audit log. Refused when policy forbids overrides, when `supervisor` is not listed in
    /// policy `supervisors`, without a justification, or when any other gate refuses (an
    /// override lifts the address gate only, never a hold).
    pub fn record_override(
        &mut self,
        match_id: i64,
        supervisor: &str,
        justification: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        let decision = Decision {
            match_id,
            reviewer: supervisor.to_string(),
            verdict: Verdict::Approve,
            note: Some(format!("override: {justification}")),
            viewed_ms: 0,
        };
        self.decide(&decision, session, Some(justification))
    }

    fn decide(
        &mut self,
        decision: &Decision,
        session: &str,
        override_justification: Option<&str>,
    ) -> StoreResult<DecisionOutcome> {
        let tx = self.write()?;
        let result = decide_in(&mut Lite(&tx), decision, session, override_justification);
        settle(tx, result)
    }

    /// Reverts every row of a decision group with new `undo` rows (nothing is deleted). Refused
    /// when a match has moved on since (another decision or an export).
    pub fn undo_group(
        &mut self,
        group_id: i64,
        reviewer: &str,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        let tx = self.write()?;
        let result = undo_in(&mut Lite(&tx), group_id, reviewer, session);
        settle(tx, result)
    }
}
