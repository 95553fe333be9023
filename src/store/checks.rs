//! Writing supervisors' checks (agree, overturn) and second reviewers' blind verdicts. Each is one
//! IMMEDIATE transaction appending decision-history rows (audited like every decision), fenced by
//! the request's claim like a reviewer's decision.

use rusqlite::{OptionalExtension, Transaction, params};

use super::audit::refuse;
use super::claims::{fence, lost_claim};
use super::decisions::DecisionOutcome;
use super::history::{HistoryRow, append, match_row, outcome, request_state, rerank};
use super::sql_sqlite::Lite;
use super::users::require;
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
    tx: &Transaction<'_>,
    decision_id: i64,
) -> StoreResult<Option<Checked>> {
    Ok(tx
        .prepare_cached(
            "SELECT match_id, group_id, reviewer, action, spot_draw IS NOT NULL
               FROM decisions WHERE id = ?",
        )?
        .query_row([decision_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .optional()?
        .map(
            |(match_id, group_id, reviewer, action, checkable)| Checked {
                match_id,
                group_id,
                reviewer,
                action: action.parse().unwrap_or(DecisionAction::Note),
                checkable,
            },
        ))
}

/// Whether a row has been undone.
fn undone(tx: &Transaction<'_>, id: i64) -> StoreResult<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM decisions WHERE undoes = ?")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Who already checked the decision (a standing agree or overturn), if anyone.
pub(crate) fn checked_by(tx: &Transaction<'_>, decision_id: i64) -> StoreResult<Option<String>> {
    Ok(tx
        .prepare_cached(
            "SELECT c.reviewer FROM decisions c
              WHERE c.checks = ? AND c.action IN ('agree', 'overturn')
                AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)
              LIMIT 1",
        )?
        .query_row([decision_id], |r| r.get(0))
        .optional()?)
}

/// Candidates the decision's group closed as not chosen that are still rejected that way.
fn closed_siblings(tx: &Transaction<'_>, group_id: i64, match_id: i64) -> StoreResult<Vec<i64>> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.match_id FROM decisions d JOIN matches m ON m.id = d.match_id
          WHERE d.group_id = ? AND d.match_id != ? AND d.reason_code = ?
            AND m.status = 'rejected'
            AND NOT EXISTS (SELECT 1 FROM decisions l
                             WHERE l.match_id = d.match_id AND l.id > d.id AND l.action != 'note')",
    )?;
    let rows = stmt.query_map(
        params![group_id, match_id, ReasonCode::NotChosen.code()],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Records a supervisor's check of a decision. Refused (and audited) unless the supervisor
    /// has the role, the decision is a standing approval or rejection by someone else that
    /// nobody has checked yet, the match has not moved on since, the request is not held by
    /// another session, and an overturn carries a note.
    pub fn record_check(&mut self, check: &Check, session: &str) -> StoreResult<CheckOutcome> {
        let tx = self.write()?;
        let who = check.supervisor.as_str();
        let action = check.verdict.action();
        let object = format!("decision:{}", check.decision_id);
        let tx = require(tx, who, Act::Supervise, &object)?;
        let Some(checked) = checked_decision(&tx, check.decision_id)? else {
            return Err(StoreError::NotFound(format!(
                "decision {}",
                check.decision_id
            )));
        };
        let problem = if !checked.checkable {
            Some("only a reviewer's approval or rejection can be checked".to_string())
        } else if let Err(e) = may_check(who, &checked.reviewer) {
            Some(e)
        } else if undone(&tx, check.decision_id)? {
            Some("this decision was undone; there is nothing to check".to_string())
        } else if let Some(by) = checked_by(&tx, check.decision_id)? {
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
            return Err(refuse(tx, who, action.as_str(), &object, problem));
        }
        let (request_id, status) = match_row(&mut Lite(&tx), checked.match_id)?;
        if let Some(holder) = fence(&tx, request_id, session)? {
            return Err(refuse(
                tx,
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
                Err(problem) => return Err(refuse(tx, who, action.as_str(), &object, problem)),
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
            for sibling in closed_siblings(&tx, checked.group_id, checked.match_id)? {
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
        let state_before = request_state(&mut Lite(&tx), request_id)?;
        let group_id = append(&mut Lite(&tx), &rows, who, check.viewed_ms, session)?;
        let state_after = rerank(&mut Lite(&tx), request_id, session)?;
        tx.commit()?;
        Ok(CheckOutcome {
            outcome: outcome(group_id, request_id, state_before, state_after, &rows),
            effect,
        })
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
        let object = format!("decision:{first_decision}");
        let action = match verdict {
            Verdict::Approve => DecisionAction::SecondApprove,
            Verdict::Reject(_) => DecisionAction::SecondReject,
            _ => {
                return Err(StoreError::Refused(
                    "a second review is an approval or a rejection".into(),
                ));
            }
        };
        let tx = require(tx, reviewer, Act::Review, &object)?;
        let open: Option<(i64, String, Option<i64>)> = tx
            .prepare_cached(
                "SELECT match_id, first_reviewer, done_by FROM second_reviews WHERE decision_id = ?",
            )?
            .query_row([first_decision], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((match_id, first_reviewer, done_by)) = open else {
            return Err(StoreError::NotFound(format!(
                "second review of decision {first_decision}"
            )));
        };
        let problem = if first_reviewer == reviewer {
            Some("you made the first decision; a second review must be someone else's".into())
        } else if done_by.is_some() {
            Some("this second review is already done".into())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(refuse(tx, reviewer, action.as_str(), &object, problem));
        }
        let (request_id, status) = match_row(&mut Lite(&tx), match_id)?;
        if let Some(holder) = fence(&tx, request_id, session)? {
            return Err(refuse(
                tx,
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
        let state = request_state(&mut Lite(&tx), request_id)?;
        let group_id = append(&mut Lite(&tx), &rows, reviewer, viewed_ms, session)?;
        tx.prepare_cached("UPDATE second_reviews SET done_by = ? WHERE decision_id = ?")?
            .execute(params![group_id, first_decision])?;
        tx.commit()?;
        Ok(outcome(group_id, request_id, state, state, &rows))
    }
}
