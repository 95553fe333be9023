//! The decision history's write path: appending a group of rows (with their audit entries and
//! sample draws), moving match statuses, and re-ranking the request in the queue. Shared by
//! reviewers' decisions, undo and supervisors' checks.

use super::audit::{DONE, DecisionRecord, append_audit_in};
use super::sql::{Dialect, Param, RowExt, Sql};
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
pub(crate) fn match_row(sql: &mut dyn Sql, match_id: i64) -> StoreResult<(i64, MatchStatus)> {
    // On a server writers run side by side: the match's row is locked for the transaction (on
    // SQLite the write lock already serialises them).
    let query = match sql.dialect() {
        Dialect::Sqlite => "SELECT request_id, status FROM matches WHERE id = ?",
        Dialect::Postgres => {
            "SELECT request_id, status FROM matches WHERE id = ? FOR NO KEY UPDATE"
        }
    };
    let row = sql.opt(query, &[&match_id], |r| Ok((r.int_at(0)?, r.text_at(1)?)))?;
    let (request_id, status) =
        row.ok_or_else(|| StoreError::NotFound(format!("match {match_id}")))?;
    Ok((request_id, parse_status(&status)?))
}

/// The request's other candidates that are still open, with their status.
/// With `with_escalated`, escalated siblings count too (a supervisor approving an escalated
/// request closes its other escalated candidates).
pub(crate) fn open_siblings(
    sql: &mut dyn Sql,
    request_id: i64,
    except: i64,
    with_escalated: bool,
) -> StoreResult<Vec<(i64, MatchStatus)>> {
    sql.all(
        "SELECT id, status FROM matches
          WHERE request_id = ? AND id != ?
            AND (status IN ('pending', 'deferred') OR (? AND status = 'escalated'))
          ORDER BY id",
        &[&request_id, &except, &with_escalated],
        |r| Ok((r.int_at(0)?, parse_status(&r.text_at(1)?)?)),
    )
}

pub(crate) fn request_state(sql: &mut dyn Sql, request_id: i64) -> StoreResult<QueueState> {
    let rank = sql.one(
        "SELECT queue_rank FROM requests WHERE id = ?",
        &[&request_id],
        |r| r.int_at(0),
    )?;
    Ok(QueueState::from_rank(rank).unwrap_or(QueueState::Open))
}

/// Recomputes the request's queue state from its matches' statuses and stores it.
pub(crate) fn rerank(sql: &mut dyn Sql, request_id: i64, session: &str) -> StoreResult<QueueState> {
    let statuses = sql.all(
        "SELECT status FROM matches WHERE request_id = ?",
        &[&request_id],
        |r| parse_status(&r.text_at(0)?),
    )?;
    let state = QueueState::of(statuses);
    let before = request_state(sql, request_id)?;
    if state != before {
        sql.run(
            "UPDATE requests SET queue_rank = ? WHERE id = ?",
            &[&state.rank(), &request_id],
        )?;
        super::live::record_move(sql, request_id, before, state, session)?;
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
pub(crate) fn sampler(sql: &mut dyn Sql) -> StoreResult<Sampler> {
    let seed = sql
        .opt("SELECT seed FROM quality_seed WHERE id = 1", &[], |r| {
            r.bytes(0)?
                .ok_or_else(|| StoreError::Refused("the sampling seed is NULL".into()))
        })?
        .ok_or_else(|| StoreError::Refused("the sampling seed is missing".into()))?;
    Sampler::new(&seed).map_err(|e| StoreError::Refused(e.to_string()))
}

/// Appends history rows as one group and applies their status changes; returns the group id
/// (the first row's id, known in advance because the write lock is held).
///
/// The group's first row, when it is a reviewer's approve or reject, is a checkable decision: it
/// gets its spot-check and second-review draws, and when the second-review draw falls under
/// policy's `double_review_rate` and the match was decided, a blind second review is opened.
/// SQLite gives each row the next id itself (the first is the group's: the write lock is held).
/// Naming the id, or RETURNING it, would make it plan a scan for rows referring to the new one
/// (`second_reviews.done_by` has no index): the id is read back with `last_insert_rowid()`.
const INSERT_DECISION: &str = "
INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                       reason_code, note, decided_at, viewed_ms, undoes, session, checks,
                       spot_draw, second_draw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// On a server the first row takes the group's id (already drawn from the sequence), the others
/// the sequence's next.
const INSERT_DECISION_WITH_ID: &str = "
INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before, status_after,
                       reason_code, note, decided_at, viewed_ms, undoes, session, checks,
                       spot_draw, second_draw)
VALUES (coalesce(?, nextval(pg_get_serial_sequence('matchgate.decisions', 'id'))),
        ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id";

pub(crate) fn append(
    sql: &mut dyn Sql,
    rows: &[HistoryRow<'_>],
    reviewer: &str,
    viewed_ms: u64,
    session: &str,
) -> StoreResult<i64> {
    // The group's id is its first row's id, taken before the row is written: SQLite's next id
    // (the write lock is held), a server's next value of the id sequence.
    let next_id = match sql.dialect() {
        Dialect::Sqlite => "SELECT coalesce(max(id), 0) + 1 FROM decisions",
        Dialect::Postgres => "SELECT nextval(pg_get_serial_sequence('matchgate.decisions', 'id'))",
    };
    let group_id = sql.one(next_id, &[], |r| r.int_at(0))?;
    let now = now_utc();
    for (index, row) in rows.iter().enumerate() {
        let stratum = (index == 0 && row.checks.is_none())
            .then(|| Stratum::of(row.action))
            .flatten();
        let draws = match stratum {
            Some(stratum) => {
                let sampler = sampler(sql)?;
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
        let first_id = (index == 0).then_some(group_id);
        let viewed = viewed_ms as i64;
        let (action, before, after) =
            (row.action.as_str(), row.before.as_str(), row.after.as_str());
        let reason = row.reason.map(ReasonCode::code);
        let (spot, second) = (draws.map(|d| d.0.stored()), draws.map(|d| d.1.stored()));
        let mut params: Vec<&dyn Param> = vec![
            &row.match_id,
            &group_id,
            &reviewer,
            &action,
            &before,
            &after,
            &reason,
            &row.note,
            &now,
            &viewed,
            &row.undoes,
            &session,
            &row.checks,
            &spot,
            &second,
        ];
        let id = match sql.dialect() {
            Dialect::Sqlite => {
                sql.run(INSERT_DECISION, &params)?;
                sql.one("SELECT last_insert_rowid()", &[], |r| r.int_at(0))?
            }
            Dialect::Postgres => {
                params.insert(0, &first_id);
                sql.one(INSERT_DECISION_WITH_ID, &params, |r| r.int_at(0))?
            }
        };
        if index == 0 && id != group_id {
            return Err(StoreError::Refused(format!(
                "decision ids moved while the history was written (expected {group_id}, got {id}); nothing was saved"
            )));
        }
        let record = DecisionRecord {
            id,
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
        append_audit_in(
            sql,
            reviewer,
            row.action.as_str(),
            &format!("match:{}", row.match_id),
            DONE,
            &record.detail(),
            Some(record.id),
        )?;
        if row.before != row.after {
            sql.run(
                "UPDATE matches SET status = ?, updated_at = ? WHERE id = ?",
                &[&row.after.as_str(), &now, &row.match_id],
            )?;
        }
        if let Some((_, second)) = draws
            && row.before != row.after
        {
            let rate = super::policy::load_policy_in(sql)?
                .quality
                .double_review_rate;
            if second.below(rate) {
                sql.run(
                    "INSERT INTO second_reviews (decision_id, request_id, match_id, first_reviewer, drawn_at)
                     SELECT ?, request_id, id, ?, ? FROM matches WHERE id = ?",
                    &[&record.id, &reviewer, &now, &row.match_id],
                )?;
            }
        }
    }
    Ok(group_id)
}
