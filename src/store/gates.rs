//! Loading what the release gates look at for one match, inside the caller's transaction, so the
//! check and the write it guards see the same state.

use super::holds::active_holds;
use super::records::{REQUEST_FIELDS, columns, record_from};
use super::sql::{RowExt, Sql};
use super::{StoreError, StoreResult};
use crate::domain::policy::{ReleaseContext, Sibling};
use crate::domain::{Field, MatchStatus, Record};

/// The reviewers whose approvals of the match stand (approve rows not undone), in order.
pub(crate) fn standing_approvals(sql: &mut dyn Sql, match_id: i64) -> StoreResult<Vec<String>> {
    Ok(standing(sql, match_id)?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// (reviewer, status the match had when they approved) of every standing approval.
fn standing(sql: &mut dyn Sql, match_id: i64) -> StoreResult<Vec<(String, String)>> {
    sql.all(
        "SELECT d.reviewer, d.status_before FROM decisions d
          WHERE d.match_id = ? AND d.action = 'approve'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)
            AND NOT EXISTS (SELECT 1 FROM decisions o
                             WHERE o.checks = d.id AND o.action = 'overturn'
                               AND NOT EXISTS (SELECT 1 FROM decisions ou WHERE ou.undoes = o.id))
          ORDER BY d.id",
        &[&match_id],
        |r| Ok((r.text_at(0)?, r.text_at(1)?)),
    )
}

/// The supervisor of the latest address override on the match, if any.
pub(crate) fn override_by(sql: &mut dyn Sql, match_id: i64) -> StoreResult<Option<String>> {
    sql.opt(
        "SELECT supervisor FROM overrides WHERE match_id = ? ORDER BY id DESC LIMIT 1",
        &[&match_id],
        |r| r.text_at(0),
    )
}

/// A match with what the gates need and what the caller needs to act on it.
pub(crate) struct Loaded {
    pub ctx: ReleaseContext,
    pub batch: String,
    pub status: MatchStatus,
    pub flags: u32,
}

/// Loads the gate context of a match. With a decider, `escalated` is the match's current state;
/// for an export (no decider) it is whether the standing approvals were given while escalated.
pub(crate) fn load_context(
    sql: &mut dyn Sql,
    match_id: i64,
    decider: Option<&str>,
) -> StoreResult<Loaded> {
    let head = sql.opt(
        "SELECT m.request_id, m.candidate_id, m.score, m.status, m.batch_id, b.name, r.flags
           FROM matches m JOIN batches b ON b.id = m.batch_id
           JOIN requests r ON r.id = m.request_id WHERE m.id = ?",
        &[&match_id],
        |r| {
            Ok((
                r.int_at(0)?,
                r.int_at(1)?,
                r.real_at(2)?,
                r.text_at(3)?,
                r.int_at(4)?,
                r.text_at(5)?,
                r.int_at(6)?,
            ))
        },
    )?;
    let (request_id, candidate_id, score, status, batch_id, batch, flags) =
        head.ok_or_else(|| StoreError::NotFound(format!("match {match_id}")))?;
    let status: MatchStatus = status
        .parse()
        .map_err(|e| StoreError::Refused(format!("corrupt match status: {e}")))?;
    let request = request_record(sql, request_id)?;
    let candidate = candidate_record(sql, candidate_id)?;
    let siblings = siblings(sql, request_id, match_id)?;
    let standing = standing(sql, match_id)?;
    let escalated = match decider {
        Some(_) => status == MatchStatus::Escalated,
        None => {
            !standing.is_empty()
                && standing
                    .iter()
                    .all(|(_, before)| before == MatchStatus::Escalated.as_str())
        }
    };
    let ctx = ReleaseContext {
        request,
        candidate,
        score,
        siblings,
        approvals: standing.into_iter().map(|(r, _)| r).collect(),
        decider: decider.map(str::to_string),
        escalated,
        holds: active_holds(sql, batch_id)?,
        override_by: override_by(sql, match_id)?,
        today: chrono::Utc::now().date_naive(),
    };
    Ok(Loaded {
        ctx,
        batch,
        status,
        flags: flags as u32,
    })
}

fn request_record(sql: &mut dyn Sql, request_id: i64) -> StoreResult<Record> {
    let query = format!(
        "SELECT {} FROM requests r WHERE r.id = ?",
        columns("r", &REQUEST_FIELDS)
    );
    sql.one(&query, &[&request_id], |row| {
        record_from(row, 0, &REQUEST_FIELDS)
    })
}

fn candidate_record(sql: &mut dyn Sql, candidate_id: i64) -> StoreResult<Record> {
    let query = format!(
        "SELECT {} FROM candidates c WHERE c.id = ?",
        columns("c", &Field::ALL)
    );
    sql.one(&query, &[&candidate_id], |row| {
        record_from(row, 0, &Field::ALL)
    })
}

/// The other candidates of the request. A sibling is still in play unless a reviewer rejected it
/// on its merits (a "not chosen" rejection, made by approving another, keeps it in play).
fn siblings(sql: &mut dyn Sql, request_id: i64, except: i64) -> StoreResult<Vec<Sibling>> {
    let query = format!(
        "SELECT m.id, m.score, m.status,
                (SELECT d.reason_code FROM decisions d WHERE d.match_id = m.id ORDER BY d.id DESC LIMIT 1),
                {}
           FROM matches m JOIN candidates c ON c.id = m.candidate_id
          WHERE m.request_id = ? AND m.id != ? ORDER BY m.id",
        columns("c", &Field::ALL)
    );
    sql.all(&query, &[&request_id, &except], |r| {
        let status = r.text_at(2)?;
        let reason = r.text(3)?;
        Ok(Sibling {
            match_id: r.int_at(0)?,
            score: r.real_at(1)?,
            in_play: status != MatchStatus::Rejected.as_str()
                || reason.as_deref() == Some("not_chosen"),
            candidate: record_from(r, 4, &Field::ALL)?,
        })
    })
}
