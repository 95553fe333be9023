//! Reading what supervisors work on: approvals waiting for an override, lots and their samples,
//! second reviews that disagree, and a decision under check. Lots are read one at a time over
//! `decisions_by_reviewer`, so nothing here grows with the whole history.

use rusqlite::params;

use super::claims::SERVER_NOW_MS;
use super::sql::{Dialect, Param, Row, RowExt, Sql};
use super::sql_sqlite::Lite;
use super::{Store, StoreResult};
use crate::domain::quality::{DayEntry, Draw, LotEntry, LotPlan, QualityPolicy, Stratum, plan_lot};
use crate::domain::{DecisionAction, MatchStatus};

/// An approval refused only by a rule a supervisor may override, waiting for one.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideWaiting {
    pub match_id: i64,
    pub request_id: i64,
    pub reviewer: String,
    pub note: Option<String>,
    /// The refusing rules, comma-separated.
    pub rules: String,
    pub asked_at: String,
}

/// A decision as a supervisor checks it: who, when, verdict, reason, note, how long they looked.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionUnderCheck {
    pub decision_id: i64,
    pub match_id: i64,
    pub request_id: i64,
    pub reviewer: String,
    pub action: DecisionAction,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub decided_at: String,
    pub viewed_ms: i64,
    /// The match's status now (it may have been released since).
    pub status_now: MatchStatus,
    /// A second reviewer's blind verdict, when there was one: (who, their action).
    pub second: Option<(String, DecisionAction)>,
}

/// One reviewer's day.
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub reviewer: String,
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub entries: Vec<LotEntry>,
    pub plan: LotPlan,
}

fn under_check_from_row(r: &dyn Row) -> StoreResult<DecisionUnderCheck> {
    let second = match (r.text(10)?, r.text(11)?) {
        (Some(who), Some(a)) => Some((who, a.parse().unwrap_or(DecisionAction::Note))),
        _ => None,
    };
    Ok(DecisionUnderCheck {
        decision_id: r.int_at(0)?,
        match_id: r.int_at(1)?,
        request_id: r.int_at(2)?,
        reviewer: r.text_at(3)?,
        action: r.text_at(4)?.parse().unwrap_or(DecisionAction::Note),
        reason_code: r.text(5)?,
        note: r.text(6)?,
        decided_at: r.text_at(7)?,
        viewed_ms: r.int(8)?.unwrap_or(0),
        status_now: r.text_at(9)?.parse().unwrap_or(MatchStatus::Pending),
        second,
    })
}

/// A lot's decision as read: (id, action, spot_draw, Some(overturned) when checked).
pub(crate) type LotRow = (i64, String, i64, Option<bool>);

/// One lot from its standing decisions' rows, sampled under the quality policy (both backends).
pub(crate) fn lot_of(
    policy: &QualityPolicy,
    reviewer: &str,
    day: &str,
    rows: impl IntoIterator<Item = LotRow>,
) -> Lot {
    let mut entries = Vec::new();
    for (id, action, draw, overturned) in rows {
        let stratum = action.parse().ok().and_then(Stratum::of);
        if let (Some(stratum), Some(draw)) = (stratum, Draw::from_stored(draw)) {
            entries.push(LotEntry {
                day: DayEntry {
                    decision_id: id,
                    stratum,
                    draw,
                },
                overturned,
            });
        }
    }
    let plan = plan_lot(policy, &entries);
    Lot {
        reviewer: reviewer.to_string(),
        day: day.to_string(),
        entries,
        plan,
    }
}

const UNDER_CHECK: &str =
    "SELECT d.id, d.match_id, m.request_id, d.reviewer, d.action, d.reason_code,
            d.note, d.decided_at, d.viewed_ms, m.status, s2.reviewer, s2.action
       FROM decisions d JOIN matches m ON m.id = d.match_id
       LEFT JOIN second_reviews s ON s.decision_id = d.id
       LEFT JOIN decisions s2 ON s2.id = s.done_by
      WHERE d.id = ?";

/// A standing check (agree or overturn) of the decision: Some(true) when overturned. (The
/// same SQL on a server.)
pub(crate) const CHECK_OF: &str = "(SELECT c.action = 'overturn' FROM decisions c
      WHERE c.checks = d.id AND c.action IN ('agree', 'overturn')
        AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)
      ORDER BY c.id DESC LIMIT 1)";

/// Approvals waiting for an override whose match is still open and not overridden since,
/// oldest first, skipping requests another session than `session` holds (both backends: a
/// lease is live by the caller's clock on a file, by the server's on a server).
pub(crate) fn overrides_waiting_in(
    sql: &mut dyn Sql,
    session: &str,
    limit: usize,
) -> StoreResult<Vec<OverrideWaiting>> {
    let (limit, now_ms) = (limit as i64, super::claims::now_ms());
    let (now, params): (&str, Vec<&dyn Param>) = match sql.dialect() {
        Dialect::Sqlite => ("?3", vec![&session, &limit, &now_ms]),
        Dialect::Postgres => (SERVER_NOW_MS, vec![&session, &limit]),
    };
    let statement = format!(
        "SELECT w.match_id, w.request_id, w.reviewer, w.note, w.rules, w.asked_at
           FROM override_requests w JOIN matches m ON m.id = w.match_id
          WHERE m.status IN ('pending', 'deferred', 'escalated')
            AND w.id = (SELECT max(id) FROM override_requests l WHERE l.match_id = w.match_id)
            AND NOT EXISTS (SELECT 1 FROM overrides o
                             WHERE o.match_id = w.match_id AND o.created_at >= w.asked_at)
            AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.request_id = w.request_id
                               AND c.session != ?1 AND c.expires_ms > {now})
          ORDER BY w.id LIMIT ?2"
    );
    sql.all(&statement, &params, |r| {
        Ok(OverrideWaiting {
            match_id: r.int_at(0)?,
            request_id: r.int_at(1)?,
            reviewer: r.text_at(2)?,
            note: r.text(3)?,
            rules: r.text_at(4)?,
            asked_at: r.text_at(5)?,
        })
    })
}

/// A decision as the supervisor's screen shows it (both backends).
pub(crate) fn decision_under_check_in(
    sql: &mut dyn Sql,
    decision_id: i64,
) -> StoreResult<Option<DecisionUnderCheck>> {
    sql.opt(UNDER_CHECK, &[&decision_id], under_check_from_row)
}

/// First decisions whose blind second review disagreed and that nobody has checked yet,
/// oldest first (both backends).
pub(crate) fn disagreements_in(sql: &mut dyn Sql, limit: usize) -> StoreResult<Vec<i64>> {
    let statement = format!(
        "SELECT d.id FROM second_reviews s
           JOIN decisions d ON d.id = s.decision_id
           JOIN decisions s2 ON s2.id = s.done_by
          WHERE s.done_by IS NOT NULL
            AND (d.action = 'approve') != (s2.action = 'second_approve')
            AND {CHECK_OF} IS NULL
          ORDER BY d.id LIMIT ?"
    );
    sql.all(&statement, &[&(limit as i64)], |r| r.int_at(0))
}

impl Store {
    /// Approvals waiting for an override whose match is still open and not overridden since,
    /// oldest first, skipping requests another session holds.
    pub fn overrides_waiting(&self, limit: usize) -> StoreResult<Vec<OverrideWaiting>> {
        let (session, _) = self.claim_filter();
        overrides_waiting_in(&mut Lite(&self.conn), &session, limit)
    }

    /// The (reviewer, day) of every lot with a decision on or after `since_day` (`YYYY-MM-DD`),
    /// oldest day first.
    pub fn lot_days(&self, since_day: &str) -> StoreResult<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reviewer, substr(decided_at, 1, 10) AS day FROM decisions
              WHERE decided_at >= ? AND spot_draw IS NOT NULL
              GROUP BY reviewer, day ORDER BY day, reviewer",
        )?;
        let rows = stmt.query_map([since_day], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One lot: the reviewer's standing approvals and rejections that day, with their checks,
    /// and its sample under the current policy.
    pub fn lot(&self, reviewer: &str, day: &str) -> StoreResult<Lot> {
        let policy = self.policy()?;
        let sql = format!(
            "SELECT d.id, d.action, d.spot_draw, {CHECK_OF}
               FROM decisions d
              WHERE d.reviewer = ?1 AND d.decided_at >= ?2 AND d.decided_at < ?2 || 'T99'
                AND d.spot_draw IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![reviewer, day], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        let rows: Vec<LotRow> = rows.collect::<Result<_, _>>()?;
        Ok(lot_of(&policy.quality, reviewer, day, rows))
    }

    /// A decision as the supervisor's screen shows it.
    pub fn decision_under_check(
        &self,
        decision_id: i64,
    ) -> StoreResult<Option<DecisionUnderCheck>> {
        decision_under_check_in(&mut Lite(&self.conn), decision_id)
    }

    /// First decisions whose blind second review disagreed and that nobody has checked yet,
    /// oldest first.
    pub fn disagreements(&self, limit: usize) -> StoreResult<Vec<i64>> {
        disagreements_in(&mut Lite(&self.conn), limit)
    }

    /// Whether another session holds the request now.
    pub fn held_by_other(&self, request_id: i64) -> StoreResult<Option<String>> {
        let (session, _) = self.claim_filter();
        super::claims::fence(&self.conn, request_id, &session)
    }

    fn claim_filter(&self) -> (String, i64) {
        (
            self.claimant
                .as_ref()
                .map(|c| c.session.clone())
                .unwrap_or_default(),
            super::claims::now_ms(),
        )
    }
}
