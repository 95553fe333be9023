//! Writing supervisors' checks (agree, overturn) and second reviewers' blind verdicts. Each is one
//! IMMEDIATE transaction appending decision-history rows (audited like every decision), fenced by
//! the request's claim like a reviewer's decision.

use super::claims::{fence_in, lost_claim};
use super::decisions::DecisionOutcome;
use super::history::{HistoryRow, append, match_row, outcome, request_state, rerank};
use super::settle::{Stop, refused, settle};
use super::sql::{RowExt, Sql};
use super::sql_sqlite::Lite;
use super::users::act_refusal_in;
use super::{Store, StoreError, StoreResult};
use crate::domain::roles::Act;
use crate::domain::supervision::{Check, CheckVerdict, OverturnEffect, may_check, overturn_effect};
use crate::domain::{DecisionAction, MatchStatus, ReasonCode, Verdict};

/// What a committed check changed.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    pub outcome: DecisionOutcome,
    /// None for an agreement.
    pub effect: Option<OverturnEffect>,
}

/// A decision as a check needs it.
pub(crate) struct Checked {
    pub match_id: i64,
    pub group_id: i64,
    pub reviewer: String,
    pub action: DecisionAction,
    pub checkable: bool,
}

pub(crate) fn checked_decision(
    sql: &mut dyn Sql,
    decision_id: i64,
) -> StoreResult<Option<Checked>> {
    sql.opt(
        "SELECT match_id, group_id, reviewer, action, spot_draw IS NOT NULL
           FROM decisions WHERE id = ?",
        &[&decision_id],
        |r| {
            Ok(Checked {
                match_id: r.int_at(0)?,
                group_id: r.int_at(1)?,
                reviewer: r.text_at(2)?,
                action: r.text_at(3)?.parse().unwrap_or(DecisionAction::Note),
                checkable: r.flag_at(4)?,
            })
        },
    )
}

/// Whether a row has been undone.
fn undone(sql: &mut dyn Sql, id: i64) -> StoreResult<bool> {
    Ok(sql
        .opt("SELECT 1 FROM decisions WHERE undoes = ?", &[&id], |_| {
            Ok(())
        })?
        .is_some())
}

/// Who already checked the decision (a standing agree or overturn), if anyone.
pub(crate) fn checked_by(sql: &mut dyn Sql, decision_id: i64) -> StoreResult<Option<String>> {
    sql.opt(
        "SELECT c.reviewer FROM decisions c
          WHERE c.checks = ? AND c.action IN ('agree', 'overturn')
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)
          LIMIT 1",
        &[&decision_id],
        |r| r.text_at(0),
    )
}

/// Candidates the decision's group closed as not chosen that are still rejected that way.
fn closed_siblings(sql: &mut dyn Sql, group_id: i64, match_id: i64) -> StoreResult<Vec<i64>> {
    sql.all(
        "SELECT d.match_id FROM decisions d JOIN matches m ON m.id = d.match_id
          WHERE d.group_id = ? AND d.match_id != ? AND d.reason_code = ?
            AND m.status = 'rejected'
            AND NOT EXISTS (SELECT 1 FROM decisions l
                             WHERE l.match_id = d.match_id AND l.id > d.id AND l.action != 'note')",
        &[&group_id, &match_id, &ReasonCode::NotChosen.code()],
        |r| r.int_at(0),
    )
}

impl Store {
    /// Records a supervisor's check of a decision. Refused (and audited) unless the supervisor
    /// has the role, the decision is a standing approval or rejection by someone else that
    /// nobody has checked yet, the match has not moved on since, the request is not held by
    /// another session, and an overturn carries a note.
    pub fn record_check(&mut self, check: &Check, session: &str) -> StoreResult<CheckOutcome> {
        let tx = self.write()?;
        let result = check_in(&mut Lite(&tx), check, session);
        settle(tx, result)
    }

    /// Records a second reviewer's blind verdict on a decision drawn for a second review. The
    /// match's status does not change; a verdict that differs from the first goes to the
    /// supervisors' queue. Refused for the first reviewer, a closed second review, or a request
    /// another session holds.
    pub fn record_second_verdict(
        &mut self,
        first_decision: i64,
        reviewer: &str,
        verdict: Verdict,
        note: Option<&str>,
        viewed_ms: u64,
        session: &str,
    ) -> StoreResult<DecisionOutcome> {
        let tx = self.write()?;
        let result = second_verdict_in(
            &mut Lite(&tx),
            first_decision,
            reviewer,
            verdict,
            note,
            viewed_ms,
            session,
        );
        settle(tx, result)
    }
}

/// A supervisor's check, over either backend (see `Store::record_check`).
pub(crate) fn check_in(
    sql: &mut dyn Sql,
    check: &Check,
    session: &str,
) -> Result<CheckOutcome, Stop> {
    let who = check.supervisor.as_str();
    let action = check.verdict.action();
    let object = format!("decision:{}", check.decision_id);
    if let Some(message) = act_refusal_in(sql, who, Act::Supervise)? {
        return Err(refused(sql, who, action.as_str(), &object, message));
    }
    let Some(checked) = checked_decision(sql, check.decision_id)? else {
        return Err(StoreError::NotFound(format!("decision {}", check.decision_id)).into());
    };
    let problem = if !checked.checkable {
        Some("only a reviewer's approval or rejection can be checked".to_string())
    } else if let Err(e) = may_check(who, &checked.reviewer) {
        Some(e)
    } else if undone(sql, check.decision_id)? {
        Some("this decision was undone; there is nothing to check".to_string())
    } else if let Some(by) = checked_by(sql, check.decision_id)? {
        Some(format!(
            "this decision was already checked by {}",
            crate::domain::text_safety::escape_for_display(&by)
        ))
    } else if matches!(check.verdict, CheckVerdict::Overturn(_))
        && check.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        Some("an overturn needs a note saying what was wrong".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(refused(sql, who, action.as_str(), &object, problem));
    }
    let (request_id, status) = match_row(sql, checked.match_id)?;
    if let Some(holder) = fence_in(sql, request_id, session)? {
        return Err(refused(
            sql,
            who,
            action.as_str(),
            &object,
            lost_claim(request_id, &holder),
        ));
    }
    let effect = match check.verdict {
        CheckVerdict::Agree => None,
        CheckVerdict::Overturn(_) => match overturn_effect(checked.action, status) {
            Ok(effect) => Some(effect),
            Err(problem) => return Err(refused(sql, who, action.as_str(), &object, problem)),
        },
    };
    let note = check.note.as_deref();
    let mut rows = vec![HistoryRow {
        match_id: checked.match_id,
        action,
        before: status,
        after: effect.map_or(status, |e| e.status_after(status)),
        reason: check.verdict.reason(),
        note,
        undoes: None,
        checks: Some(check.decision_id),
    }];
    if effect == Some(OverturnEffect::Withdraw) {
        for sibling in closed_siblings(sql, checked.group_id, checked.match_id)? {
            rows.push(HistoryRow {
                match_id: sibling,
                action,
                before: MatchStatus::Rejected,
                after: MatchStatus::Pending,
                reason: None,
                note,
                undoes: None,
                checks: Some(check.decision_id),
            });
        }
    }
    let state_before = request_state(sql, request_id)?;
    let group_id = append(sql, &rows, who, check.viewed_ms, session)?;
    let state_after = rerank(sql, request_id, session)?;
    Ok(CheckOutcome {
        outcome: outcome(group_id, request_id, state_before, state_after, &rows),
        effect,
    })
}

/// A second reviewer's verdict, over either backend (see `Store::record_second_verdict`).
pub(crate) fn second_verdict_in(
    sql: &mut dyn Sql,
    first_decision: i64,
    reviewer: &str,
    verdict: Verdict,
    note: Option<&str>,
    viewed_ms: u64,
    session: &str,
) -> Result<DecisionOutcome, Stop> {
    let object = format!("decision:{first_decision}");
    let action = match verdict {
        Verdict::Approve => DecisionAction::SecondApprove,
        Verdict::Reject(_) => DecisionAction::SecondReject,
        _ => {
            return Err(Stop::Failed(StoreError::Refused(
                "a second review is an approval or a rejection".into(),
            )));
        }
    };
    if let Some(message) = act_refusal_in(sql, reviewer, Act::Review)? {
        return Err(refused(
            sql,
            reviewer,
            Act::Review.as_str(),
            &object,
            message,
        ));
    }
    let open = sql.opt(
        "SELECT match_id, first_reviewer, done_by FROM second_reviews WHERE decision_id = ?",
        &[&first_decision],
        |r| Ok((r.int_at(0)?, r.text_at(1)?, r.int(2)?)),
    )?;
    let Some((match_id, first_reviewer, done_by)) = open else {
        return Err(
            StoreError::NotFound(format!("second review of decision {first_decision}")).into(),
        );
    };
    let problem = if first_reviewer == reviewer {
        Some("you made the first decision; a second review must be someone else's".into())
    } else if done_by.is_some() {
        Some("this second review is already done".into())
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(refused(sql, reviewer, action.as_str(), &object, problem));
    }
    let (request_id, status) = match_row(sql, match_id)?;
    if let Some(holder) = fence_in(sql, request_id, session)? {
        return Err(refused(
            sql,
            reviewer,
            action.as_str(),
            &object,
            lost_claim(request_id, &holder),
        ));
    }
    let rows = [HistoryRow {
        match_id,
        action,
        before: status,
        after: status,
        reason: verdict.reason(),
        note,
        undoes: None,
        checks: Some(first_decision),
    }];
    let state = request_state(sql, request_id)?;
    let group_id = append(sql, &rows, reviewer, viewed_ms, session)?;
    sql.run(
        "UPDATE second_reviews SET done_by = ? WHERE decision_id = ?",
        &[&group_id, &first_decision],
    )?;
    Ok(outcome(group_id, request_id, state, state, &rows))
}
