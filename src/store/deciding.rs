//! A reviewer's decision and its undo, written once for both backends over `Sql`: the checks
//! (role, claim fence, status, the release gates), the history rows and the queue move, in the
//! caller's transaction. The caller commits on success and on a refusal (whose audit entry,
//! and an override request, must stay), and rolls back on an error.

use super::audit::{DONE, append_audit_in};
use super::claims::{fence_in, lost_claim};
use super::decisions::DecisionOutcome;
use super::gates::{load_context, standing_approvals};
use super::history::{
    HistoryRow, append, match_row, open_siblings, outcome, parse_status, request_state, rerank,
};
use super::policy::load_policy_in;
use super::settle::{Stop, refused};
use super::sql::{Dialect, RowExt, Sql};
use super::users::act_refusal_in;
use super::{StoreError, now_utc};
use crate::domain::policy::rulebook::override_lifts;
use crate::domain::policy::{check_release, describe_refusals};
use crate::domain::roles::Act;
use crate::domain::{Decision, DecisionAction, MatchStatus, ReasonCode, Verdict};

/// On a server, writers run side by side: one decision per request at a time (SQLite's write
/// lock already serialises every writer).
fn lock_request(sql: &mut dyn Sql, request_id: i64) -> Result<(), StoreError> {
    if sql.dialect() == Dialect::Postgres {
        sql.each(
            "SELECT id FROM requests WHERE id = ? FOR NO KEY UPDATE",
            &[&request_id],
            &mut |_| Ok(()),
        )?;
    }
    Ok(())
}

pub(crate) fn decide_in(
    sql: &mut dyn Sql,
    decision: &Decision,
    session: &str,
    override_justification: Option<&str>,
) -> Result<DecisionOutcome, Stop> {
    let (request_id, status) = match_row(sql, decision.match_id)?;
    lock_request(sql, request_id)?;
    let who = decision.reviewer.as_str();
    let object = format!("match:{}", decision.match_id);
    let act = if override_justification.is_some() {
        Act::Override
    } else {
        Act::Review
    };
    if let Some(message) = act_refusal_in(sql, who, act)? {
        return Err(refused(sql, who, act.as_str(), &object, message));
    }
    let action = if override_justification.is_some() {
        "override"
    } else {
        decision.verdict.action().as_str()
    };
    // Fenced by the claim: nobody else may hold the request while this commits.
    if let Some(holder) = fence_in(sql, request_id, session)? {
        return Err(refused(
            sql,
            who,
            action,
            &object,
            lost_claim(request_id, &holder),
        ));
    }
    let policy = load_policy_in(sql)?;
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
        && standing_approvals(sql, decision.match_id)?.len()
            < usize::from(policy.approvals_required);
    if decision.verdict != Verdict::Note
        && !status.is_open()
        && !supervisor_on_escalated
        && !approval_short
    {
        return Err(refused(
            sql,
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
            return Err(refused(sql, who, action, &object, problem));
        }
    }
    let mut final_approval = false;
    if decision.verdict == Verdict::Approve {
        let mut loaded = load_context(sql, decision.match_id, Some(who))?;
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
            sql.run(
                "INSERT INTO override_requests (match_id, request_id, reviewer, note, rules, asked_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    &decision.match_id,
                    &request_id,
                    &who,
                    &decision.note,
                    &rules.join(","),
                    &now_utc(),
                ],
            )?;
        }
        if !refusals.is_empty() {
            let mut message = describe_refusals(&refusals);
            if waits {
                message.push_str(
                    "\nyour approval now waits in the supervisors' queue for an override",
                );
            }
            return Err(refused(sql, who, action, &object, message));
        }
        final_approval = loaded.ctx.approvals.len() + 1 >= usize::from(policy.approvals_required);
    }
    let siblings = if decision.verdict == Verdict::Approve && !final_approval {
        Vec::new()
    } else {
        open_siblings(
            sql,
            request_id,
            decision.match_id,
            decision.verdict == Verdict::Approve,
        )?
    };
    let state_before = request_state(sql, request_id)?;
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
    let group_id = append(sql, &rows, &decision.reviewer, decision.viewed_ms, session)?;
    if let Some(justification) = override_justification {
        sql.run(
            "INSERT INTO overrides (match_id, supervisor, justification, created_at)
             VALUES (?, ?, ?, ?)",
            &[&decision.match_id, &who, &justification, &now_utc()],
        )?;
        let detail = serde_json::json!({
            "justification": justification,
            "decision_group": group_id,
            "lifts": crate::domain::policy::rulebook::override_lifts_list(),
        })
        .to_string();
        append_audit_in(sql, who, "override", &object, DONE, &detail, None)?;
    }
    let state_after = rerank(sql, request_id, session)?;
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
pub(crate) fn undo_in(
    sql: &mut dyn Sql,
    group_id: i64,
    reviewer: &str,
    session: &str,
) -> Result<DecisionOutcome, Stop> {
    let originals = sql.all(
        "SELECT id, match_id, action, status_before, status_after
           FROM decisions WHERE group_id = ? ORDER BY id",
        &[&group_id],
        |r| {
            Ok((
                r.int_at(0)?,
                r.int_at(1)?,
                r.text_at(2)?,
                r.text_at(3)?,
                r.text_at(4)?,
            ))
        },
    )?;
    let Some(first) = originals.first() else {
        return Err(StoreError::NotFound(format!("decision group {group_id}")).into());
    };
    let object = format!("match:{}", first.1);
    if first.2 == DecisionAction::Undo.as_str() {
        return Err(refused(
            sql,
            reviewer,
            "undo",
            &object,
            "an undo cannot itself be undone".into(),
        ));
    }
    // Only the person who decided may take it back, and only while nobody has decided on
    // those matches since: a later decision with an unchanged status (a second defer, a
    // first of two approvals) must not be silently reverted with it.
    // Every row of a group has the same reviewer.
    let (author, last_id) = sql.one(
        "SELECT max(reviewer), max(id) FROM decisions WHERE group_id = ?",
        &[&group_id],
        |r| Ok((r.text_at(0)?, r.int_at(1)?)),
    )?;
    if author != reviewer {
        return Err(refused(
            sql,
            reviewer,
            "undo",
            &object,
            "only the reviewer who made a decision can undo it".into(),
        ));
    }
    for (_, match_id, _, _, _) in &originals {
        let later = sql.one(
            "SELECT count(*) FROM decisions
              WHERE match_id = ? AND id > ? AND action != 'note'",
            &[match_id, &last_id],
            |r| r.int_at(0),
        )?;
        if later > 0 {
            return Err(refused(
                sql,
                reviewer,
                "undo",
                &object,
                format!(
                    "match {match_id} was decided again after this decision, so it cannot be undone"
                ),
            ));
        }
    }
    let (request_id, _) = match_row(sql, first.1)?;
    lock_request(sql, request_id)?;
    if let Some(holder) = fence_in(sql, request_id, session)? {
        return Err(refused(
            sql,
            reviewer,
            "undo",
            &object,
            lost_claim(request_id, &holder),
        ));
    }
    let state_before = request_state(sql, request_id)?;
    let mut rows = Vec::new();
    for (id, match_id, _, before, after) in &originals {
        let before = parse_status(before)?;
        let after = parse_status(after)?;
        let (_, current) = match_row(sql, *match_id)?;
        if current != after {
            return Err(refused(
                sql,
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
    let group_id = append(sql, &rows, reviewer, 0, session)?;
    // Undoing a second reviewer's verdict reopens the second review (its done_by is the
    // verdict's group), found by its key, the decision the verdict checks: done_by has no
    // index, and second_reviews grows with every decision drawn.
    sql.run(
        "UPDATE second_reviews SET done_by = NULL
          WHERE decision_id IN (SELECT checks FROM decisions WHERE group_id = ?1)
            AND done_by = ?1",
        &[&undone],
    )?;
    let state_after = rerank(sql, request_id, session)?;
    Ok(outcome(
        group_id,
        request_id,
        state_before,
        state_after,
        &rows,
    ))
}
