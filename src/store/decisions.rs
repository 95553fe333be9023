//! Writing decisions: each reviewer action is one IMMEDIATE transaction that appends history rows,
//! moves match statuses and re-ranks the request in the queue, all or nothing.

use rusqlite::params;

use super::audit::{DONE, append_audit, refuse};
use super::claims::{fence, lost_claim};
use super::gates::{load_context, standing_approvals};
use super::history::{
    HistoryRow, append, match_row, open_siblings, outcome, parse_status, request_state, rerank,
};
use super::policy::load_policy;
use super::sql_sqlite::Lite;
use super::users::require;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::policy::rulebook::override_lifts;
use crate::domain::policy::{check_release, describe_refusals};
use crate::domain::roles::Act;
use crate::domain::{Decision, DecisionAction, MatchStatus, QueueState, ReasonCode, Verdict};

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
    /// audit entry (outcome `refused`) and returns [`StoreError::Refused`] naming the rules and
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
        let (request_id, status) = match_row(&mut Lite(&tx), decision.match_id)?;
        let who = decision.reviewer.as_str();
        let object = format!("match:{}", decision.match_id);
        let act = if override_justification.is_some() {
            Act::Override
        } else {
            Act::Review
        };
        let tx = require(tx, who, act, &object)?;
        let action = if override_justification.is_some() {
            "override"
        } else {
            decision.verdict.action().as_str()
        };
        // Fenced by the claim: nobody else may hold the request while this commits.
        if let Some(holder) = fence(&tx, request_id, session)? {
            return Err(refuse(
                tx,
                who,
                action,
                &object,
                lost_claim(request_id, &holder),
            ));
        }
        let policy = load_policy(&tx)?;
        // An escalated match may be approved (the gates then require a supervisor) or
        // rejected by a supervisor.
        let supervisor_on_escalated = status == MatchStatus::Escalated
            && match decision.verdict {
                Verdict::Approve => true,
                Verdict::Reject(_) => policy.is_supervisor(who),
                _ => false,
            };
        // An approved match whose standing approvals fall short of what policy now requires
        // (policy tightened after it was approved) may take a further approval.
        let approval_short = status == MatchStatus::Approved
            && decision.verdict == Verdict::Approve
            && standing_approvals(&mut Lite(&tx), decision.match_id)?.len()
                < usize::from(policy.approvals_required);
        if decision.verdict != Verdict::Note
            && !status.is_open()
            && !supervisor_on_escalated
            && !approval_short
        {
            return Err(refuse(
                tx,
                who,
                action,
                &object,
                format!(
                    "match {} is already {status}; reload to see the latest decision",
                    decision.match_id
                ),
            ));
        }
        if let Some(justification) = override_justification {
            let problem = if !policy.allow_override {
                Some("[override] overrides are forbidden by policy (allow_override = false); needs the address fixed at the source".to_string())
            } else if !policy.is_supervisor(who) {
                Some(format!(
                    "[override] {who} is not a supervisor; needs a supervisor listed in policy `supervisors`"
                ))
            } else if justification.trim().is_empty() {
                Some("[override] no justification; needs a written justification".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(refuse(tx, who, action, &object, problem));
            }
        }
        let mut final_approval = false;
        if decision.verdict == Verdict::Approve {
            let mut loaded = load_context(&mut Lite(&tx), decision.match_id, Some(who))?;
            if override_justification.is_some() {
                loaded.ctx.override_by = Some(who.to_string());
            }
            let refusals = check_release(&loaded.ctx, &policy);
            // Refused only by what a supervisor may override: the reviewer's approval waits for
            // one in the supervisors' queue, with the reviewer's note.
            let waits = !refusals.is_empty()
                && override_justification.is_none()
                && policy.allow_override
                && refusals.iter().all(|r| override_lifts(r.rule));
            if waits {
                let rules: Vec<&str> = refusals.iter().map(|r| r.rule).collect();
                tx.prepare_cached(
                    "INSERT INTO override_requests (match_id, request_id, reviewer, note, rules, asked_at)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )?
                .execute(params![
                    decision.match_id,
                    request_id,
                    who,
                    decision.note,
                    rules.join(","),
                    now_utc()
                ])?;
            }
            if !refusals.is_empty() {
                let mut message = describe_refusals(&refusals);
                if waits {
                    message.push_str(
                        "\nyour approval now waits in the supervisors' queue for an override",
                    );
                }
                return Err(refuse(tx, who, action, &object, message));
            }
            final_approval =
                loaded.ctx.approvals.len() + 1 >= usize::from(policy.approvals_required);
        }
        let siblings = if decision.verdict == Verdict::Approve && !final_approval {
            Vec::new()
        } else {
            open_siblings(
                &mut Lite(&tx),
                request_id,
                decision.match_id,
                decision.verdict == Verdict::Approve,
            )?
        };
        let state_before = request_state(&mut Lite(&tx), request_id)?;
        let note = decision.note.as_deref();
        let main_after = match decision.verdict {
            Verdict::Approve if !final_approval => status,
            v => v.status_after().unwrap_or(status),
        };
        let mut rows = vec![HistoryRow {
            match_id: decision.match_id,
            action: decision.verdict.action(),
            before: status,
            after: main_after,
            reason: decision.verdict.reason(),
            note,
            undoes: None,
            checks: None,
        }];
        let sibling_after = match decision.verdict {
            Verdict::Approve => Some((MatchStatus::Rejected, Some(ReasonCode::NotChosen))),
            Verdict::Defer => Some((MatchStatus::Deferred, None)),
            Verdict::Escalate => Some((MatchStatus::Escalated, None)),
            Verdict::Reject(_) | Verdict::Note => None,
        };
        if let Some((after, reason)) = sibling_after {
            for (match_id, before) in siblings {
                rows.push(HistoryRow {
                    match_id,
                    action: if after == MatchStatus::Rejected {
                        DecisionAction::Reject
                    } else {
                        decision.verdict.action()
                    },
                    before,
                    after,
                    reason,
                    note,
                    undoes: None,
                    checks: None,
                });
            }
        }
        let group_id = append(
            &mut Lite(&tx),
            &rows,
            &decision.reviewer,
            decision.viewed_ms,
            session,
        )?;
        if let Some(justification) = override_justification {
            tx.execute(
                "INSERT INTO overrides (match_id, supervisor, justification, created_at)
                 VALUES (?, ?, ?, ?)",
                params![decision.match_id, who, justification, now_utc()],
            )?;
            let detail = serde_json::json!({
                "justification": justification,
                "decision_group": group_id,
                "lifts": crate::domain::policy::rulebook::override_lifts_list(),
            })
            .to_string();
            append_audit(&tx, who, "override", &object, DONE, &detail, None)?;
        }
        let state_after = rerank(&mut Lite(&tx), request_id, session)?;
        tx.commit()?;
        Ok(outcome(
            group_id,
            request_id,
            state_before,
            state_after,
            &rows,
        ))
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
        let originals: Vec<(i64, i64, String, String, String)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, match_id, action, status_before, status_after
                   FROM decisions WHERE group_id = ? ORDER BY id",
            )?;
            let rows = stmt.query_map([group_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let Some(first) = originals.first() else {
            return Err(StoreError::NotFound(format!("decision group {group_id}")));
        };
        let object = format!("match:{}", first.1);
        if first.2 == DecisionAction::Undo.as_str() {
            return Err(refuse(
                tx,
                reviewer,
                "undo",
                &object,
                "an undo cannot itself be undone".into(),
            ));
        }
        // Only the person who decided may take it back, and only while nobody has decided on
        // those matches since: a later decision with an unchanged status (a second defer, a
        // first of two approvals) must not be silently reverted with it.
        let (author, last_id): (String, i64) = tx
            .prepare_cached("SELECT reviewer, max(id) FROM decisions WHERE group_id = ?")?
            .query_row([group_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if author != reviewer {
            return Err(refuse(
                tx,
                reviewer,
                "undo",
                &object,
                "only the reviewer who made a decision can undo it".into(),
            ));
        }
        for (_, match_id, _, _, _) in &originals {
            let later: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM decisions
                      WHERE match_id = ? AND id > ? AND action != 'note'",
                )?
                .query_row(params![match_id, last_id], |r| r.get(0))?;
            if later > 0 {
                return Err(refuse(
                    tx,
                    reviewer,
                    "undo",
                    &object,
                    format!(
                        "match {match_id} was decided again after this decision, so it cannot be undone"
                    ),
                ));
            }
        }
        let (request_id, _) = match_row(&mut Lite(&tx), first.1)?;
        if let Some(holder) = fence(&tx, request_id, session)? {
            return Err(refuse(
                tx,
                reviewer,
                "undo",
                &object,
                lost_claim(request_id, &holder),
            ));
        }
        let state_before = request_state(&mut Lite(&tx), request_id)?;
        let mut rows = Vec::new();
        for (id, match_id, _, before, after) in &originals {
            let before = parse_status(before)?;
            let after = parse_status(after)?;
            let (_, current) = match_row(&mut Lite(&tx), *match_id)?;
            if current != after {
                return Err(refuse(
                    tx,
                    reviewer,
                    "undo",
                    &object,
                    format!(
                        "match {match_id} is now {current}, not {after}; it changed after this decision, so it cannot be undone"
                    ),
                ));
            }
            rows.push(HistoryRow {
                match_id: *match_id,
                action: DecisionAction::Undo,
                before: current,
                after: before,
                reason: None,
                note: None,
                undoes: Some(*id),
                checks: None,
            });
        }
        let undone = group_id;
        let group_id = append(&mut Lite(&tx), &rows, reviewer, 0, session)?;
        // Undoing a second reviewer's verdict reopens the second review (its done_by is the
        // verdict's group), found by its key, the decision the verdict checks: done_by has no
        // index, and second_reviews grows with every decision drawn.
        tx.prepare_cached(
            "UPDATE second_reviews SET done_by = NULL
              WHERE decision_id IN (SELECT checks FROM decisions WHERE group_id = ?1)
                AND done_by = ?1",
        )?
        .execute([undone])?;
        let state_after = rerank(&mut Lite(&tx), request_id, session)?;
        tx.commit()?;
        Ok(outcome(
            group_id,
            request_id,
            state_before,
            state_after,
            &rows,
        ))
    }
}
