//! The decision history's write path: appending a group of rows (with their audit entries and
//! sample draws), moving match statuses, and re-ranking the request in the queue. Shared by
//! reviewers' decisions, undo and supervisors' checks.

use rusqlite::{OptionalExtension, Transaction, params};

use super::audit::{DONE, DecisionRecord, append_audit};
use super::{StoreError, StoreResult, now_utc};
use crate::domain::quality::{DecisionKey, Sampler, Stratum};
use crate::domain::{DecisionAction, MatchStatus, QueueState, ReasonCode};

/// One row to append to `decisions`.
pub(super) struct HistoryRow<'a> {
    pub match_id: i64,
    pub action: DecisionAction,
    pub before: MatchStatus,
    pub after: MatchStatus,
    pub reason: Option<ReasonCode>,
    pub note: Option<&'a str>,
    pub undoes: Option<i64>,
    /// The decision this row checks (a supervisor's agree/overturn, a second verdict).
    pub checks: Option<i64>,
}

pub(super) fn parse_status(text: &str) -> StoreResult<MatchStatus> {
    text.parse()
        .map_err(|e| StoreError::Refused(format!("corrupt history: {e}")))
}

/// The match's request and current status.
pub(super) fn match_row(tx: &Transaction<'_>, match_id: i64) -> StoreResult<(i64, MatchStatus)> {
    let row: Option<(i64, String)> = tx
        .prepare_cached("SELECT request_id, status FROM matches WHERE id = ?")?
        .query_row([match_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (request_id, status) =
        row.ok_or_else(|| StoreError::NotFound(format!("match {match_id}")))?;
    Ok((request_id, parse_status(&status)?))
}

/// The request's other candidates that are still open, with their status.
/// With `with_escalated`, escalated siblings count too (a supervisor approving an escalated
/// request closes its other escalated candidates).
pub(super) fn open_siblings(
    tx: &Transaction<'_>,
    request_id: i64,
    except: i64,
    with_escalated: bool,
) -> StoreResult<Vec<(i64, MatchStatus)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, status FROM matches
          WHERE request_id = ? AND id != ?
            AND (status IN ('pending', 'deferred') OR (? AND status = 'escalated'))
          ORDER BY id",
    )?;
    let rows = stmt.query_map(params![request_id, except, with_escalated], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, status) = row?;
        out.push((id, parse_status(&status)?));
    }
    Ok(out)
}

pub(super) fn request_state(tx: &Transaction<'_>, request_id: i64) -> StoreResult<QueueState> {
    let rank: i64 = tx
        .prepare_cached("SELECT queue_rank FROM requests WHERE id = ?")?
        .query_row([request_id], |r| r.get(0))?;
    Ok(QueueState::from_rank(rank).unwrap_or(QueueState::Open))
}

/// Recomputes the request's queue state from its matches' statuses and stores it.
pub(super) fn rerank(
    tx: &Transaction<'_>,
    request_id: i64,
    session: &str,
) -> StoreResult<QueueState> {
    let statuses: Vec<MatchStatus> = {
        let mut stmt = tx.prepare_cached("SELECT status FROM matches WHERE request_id = ?")?;
        let rows = stmt.query_map([request_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_status(&row?)?);
        }
        out
    };
    let state = QueueState::of(statuses);
    let before = request_state(tx, request_id)?;
    if state != before {
        tx.prepare_cached("UPDATE requests SET queue_rank = ? WHERE id = ?")?
            .execute(params![state.rank(), request_id])?;
        super::live::record_move(tx, request_id, before, state, session)?;
    }
    Ok(state)
}

/// What a committed group of rows changed (every write path reports it the same way).
pub(super) fn outcome(
    group_id: i64,
    request_id: i64,
    state_before: QueueState,
    state_after: QueueState,
    rows: &[HistoryRow<'_>],
) -> super::decisions::DecisionOutcome {
    super::decisions::DecisionOutcome {
        group_id,
        request_id,
        state_before,
        state_after,
        changes: rows
            .iter()
            .map(|r| (r.match_id, r.before, r.after))
            .collect(),
    }
}

/// The database's sampler (its seed is set by the migration that made the table).
pub(super) fn sampler(tx: &Transaction<'_>) -> StoreResult<Sampler> {
    let seed: Vec<u8> = tx
        .prepare_cached("SELECT seed FROM quality_seed WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::Refused("the sampling seed is missing".into()))?;
    Sampler::new(&seed).map_err(|e| StoreError::Refused(e.to_string()))
}

/// Appends history rows as one group and applies their status changes; returns the group id
/// (the first row's id, known in advance because the write lock is held).
///
/// The group's first row, when it is a reviewer's approve or reject, is a checkable decision: it
/// gets its spot-check and second-review draws, and when the second-review draw falls under
/// policy's `double_review_rate` and the match was decided, a blind second review is opened.
pub(super) fn append(
    tx: &Transaction<'_>,
    rows: &[HistoryRow<'_>],
    reviewer: &str,
    viewed_ms: u64,
    session: &str,
) -> StoreResult<i64> {
    let group_id: i64 =
        tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM decisions", [], |r| {
            r.get(0)
        })?;
    let now = now_utc();
    let mut insert = tx.prepare_cached(
        "INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                                reason_code, note, decided_at, viewed_ms, undoes, session,
                                checks, spot_draw, second_draw)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    let mut update =
        tx.prepare_cached("UPDATE matches SET status = ?, updated_at = ? WHERE id = ?")?;
    for (index, row) in rows.iter().enumerate() {
        let stratum = (index == 0 && row.checks.is_none())
            .then(|| Stratum::of(row.action))
            .flatten();
        let draws = match stratum {
            Some(stratum) => {
                let sampler = sampler(tx)?;
                let key = DecisionKey {
                    decision_id: group_id,
                    reviewer,
                    stratum,
                };
                Some((
                    sampler.spot_check_draw(&key),
                    sampler.double_review_draw(&key),
                ))
            }
            None => None,
        };
        insert.execute(params![
            row.match_id,
            group_id,
            reviewer,
            row.action.as_str(),
            row.before.as_str(),
            row.after.as_str(),
            row.reason.map(ReasonCode::code),
            row.note,
            now,
            viewed_ms as i64,
            row.undoes,
            session,
            row.checks,
            draws.map(|d| d.0.stored()),
            draws.map(|d| d.1.stored()),
        ])?;
        let record = DecisionRecord {
            id: tx.last_insert_rowid(),
            match_id: row.match_id,
            group_id,
            reviewer: reviewer.to_string(),
            action: row.action.as_str().to_string(),
            status_before: row.before.as_str().to_string(),
            status_after: row.after.as_str().to_string(),
            reason_code: row.reason.map(|r| r.code().to_string()),
            note: row.note.map(str::to_string),
            decided_at: now.clone(),
            undoes: row.undoes,
        };
        append_audit(
            tx,
            reviewer,
            row.action.as_str(),
            &format!("match:{}", row.match_id),
            DONE,
            &record.detail(),
            Some(record.id),
        )?;
        if row.before != row.after {
            update.execute(params![row.after.as_str(), now, row.match_id])?;
        }
        if let Some((_, second)) = draws
            && row.before != row.after
        {
            let rate = super::policy::load_policy(tx)?.quality.double_review_rate;
            if second.below(rate) {
                tx.prepare_cached(
                    "INSERT INTO second_reviews (decision_id, request_id, match_id, first_reviewer, drawn_at)
                     SELECT ?, request_id, id, ?, ? FROM matches WHERE id = ?",
                )?
                .execute(params![record.id, reviewer, now, row.match_id])?;
            }
        }
    }
    Ok(group_id)
}
