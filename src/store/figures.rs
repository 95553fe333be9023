//! The supervisors' figures (`matchgate stats --reviewers`, and the supervisor's screen): per
//! reviewer and overall, how many decisions stand, how they split, how long each took, how often
//! spot checks overturned them; agreement between first and second reviewers; and per batch what
//! came of its requests. Every count is aggregated in SQL over an index (GROUP BY reviewer); only
//! the aggregates (a row per reviewer, pair or batch) reach memory. The statistics on top of the
//! counts (Wilson intervals, kappa) are the domain's (`domain::quality::figures`).
//!
//! Definitions (the README repeats them):
//! - A *decision* is a reviewer's checkable decision (the first row of an approve or reject
//!   group, `spot_draw IS NOT NULL`) that still stands (no `undo` row names it), made at or after
//!   `since`. Closing a request's other candidates as "not chosen" is part of the approval, not a
//!   decision of its own.
//! - *Seconds per decision* is `viewed_ms`, how long the reviewer looked; the median is exact (the
//!   middle row, or the mean of the two middle rows, of the decisions ordered by `viewed_ms`).
//! - An *active hour* is a clock hour (UTC) in which the reviewer made at least one decision;
//!   decisions per hour = decisions / active hours. Overall, hours are reviewer-hours (two people
//!   deciding in the same hour are two active hours), so it is the team's rate per person.
//! - *Spot-checked*: decisions with a standing supervisor's check (agree or overturn); the
//!   overturn rate is overturned / spot-checked, with its 95% Wilson interval.
//! - *Agreement*: second reviews done on decisions made since `since`, as (first reviewer,
//!   second reviewer) pairs; approve/reject on each side.
//! - *Batches*: each batch's state now (`since` selects batches created at or after it): its
//!   requests and flagged matches, its matches approved (not yet released), released, rejected
//!   (by the reason of the latest standing reject or overturn row that left it rejected, `none`
//!   when it had none), escalated, and its decisions a supervisor overturned.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;

use super::imports::{HIDDEN_BATCHES_FROM, HIDDEN_MATCHES_FROM, HIDDEN_REQUESTS_FROM};
use super::{Store, StoreResult};
use crate::domain::quality::{AgreementTable, pooled_kappa, wilson_interval};

/// Everything `stats --reviewers` reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FiguresReport {
    /// The lower bound (stored form, RFC 3339 UTC) the figures were taken from; None for all time.
    pub since: Option<String>,
    /// One entry per reviewer with a decision since `since`, by name.
    pub reviewers: Vec<ReviewerFigures>,
    /// All reviewers together.
    pub overall: Figures,
    /// Agreement per (first reviewer, second reviewer) pair, by names.
    pub pairs: Vec<PairAgreement>,
    /// Every pair's items together (kappa of the summed table: `domain::quality::pooled_kappa`).
    pub pooled: Agreement,
    /// One entry per batch, by name.
    pub batches: Vec<BatchFigures>,
}

/// One reviewer's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewerFigures {
    pub reviewer: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The figures of one reviewer, or of everyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Standing checkable decisions.
    pub decisions: u64,
    pub approvals: u64,
    pub rejections: u64,
    /// approvals / decisions; None without decisions.
    pub approval_rate: Option<f64>,
    /// Median of `viewed_ms` / 1000 over the decisions.
    pub median_seconds: Option<f64>,
    /// Clock hours (UTC) with at least one decision (reviewer-hours overall).
    pub active_hours: u64,
    /// decisions / active_hours.
    pub decisions_per_hour: Option<f64>,
    /// Decisions with a standing supervisor's check.
    pub spot_checked: u64,
    /// Of those, overturned.
    pub overturned: u64,
    /// overturned / spot_checked; None when nothing was checked.
    pub overturn_rate: Option<f64>,
    /// The overturn rate's 95% Wilson interval.
    pub overturn_interval: Option<Bounds>,
}

/// A closed interval of proportions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    pub lower: f64,
    pub upper: f64,
}

/// How a second reviewer's blind verdicts compared with the first reviewer's decisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Items both decided (second reviews done).
    pub items: u64,
    /// Counts by (first, second) verdict.
    pub both_approved: u64,
    pub first_approved_second_rejected: u64,
    pub first_rejected_second_approved: u64,
    pub both_rejected: u64,
    /// Share of items with the same verdict; None without items.
    pub percent_agreement: Option<f64>,
    /// Cohen's kappa; None without items or when chance explains everything (one verdict only).
    pub kappa: Option<f64>,
}

/// Agreement of one first reviewer with one second reviewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairAgreement {
    pub first: String,
    pub second: String,
    #[serde(flatten)]
    pub agreement: Agreement,
}

/// What came of one batch, now.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchFigures {
    pub batch: String,
    /// Requests (people asked about).
    pub requested: u64,
    /// Matches the matcher flagged (candidates proposed).
    pub flagged: u64,
    /// Matches approved and not yet released.
    pub approved: u64,
    pub released: u64,
    pub rejected: u64,
    /// Rejected matches by the reason code of the standing row that rejected them (`none`).
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub escalated: u64,
    /// Decisions on the batch's matches that a supervisor overturned (standing overturns).
    pub overturned: u64,
}

/// A standing row: no undo names it.
const STANDING_D: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)";
const STANDING_C: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)";
/// A checkable row's place in the figures indexes: (viewed_ms, action, decided_at, spot_draw,
/// id), the order both `decisions_figures` (within a reviewer) and `decisions_viewed` keep.
type Key = (i64, String, String, i64, i64);
const KEY: &str = "d.viewed_ms, d.action, d.decided_at, d.spot_draw, d.id";

/// The undo row `u` itself stands (an undo is never undone, but say so rather than assume).
const STANDING_U: &str = "NOT EXISTS (SELECT 1 FROM decisions uu WHERE uu.undoes = u.id)";

impl Figures {
    fn with_counts(decisions: u64, approvals: u64, active_hours: u64) -> Figures {
        Figures {
            decisions,
            approvals,
            rejections: decisions - approvals,
            approval_rate: ratio(approvals, decisions),
            active_hours,
            decisions_per_hour: ratio(decisions, active_hours),
            ..Figures::default()
        }
    }

    fn set_checks(&mut self, checked: u64, overturned: u64) {
        self.spot_checked = checked;
        self.overturned = overturned;
        self.overturn_rate = ratio(overturned, checked);
        self.overturn_interval = wilson_interval(overturned, checked).map(|i| Bounds {
            lower: i.lower,
            upper: i.upper,
        });
    }
}

impl Agreement {
    fn from_table(table: &AgreementTable) -> Agreement {
        Agreement {
            items: table.total(),
            both_approved: table.count(0, 0),
            first_approved_second_rejected: table.count(0, 1),
            first_rejected_second_approved: table.count(1, 0),
            both_rejected: table.count(1, 1),
            percent_agreement: table.percent_agreement(),
            kappa: table.kappa(),
        }
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// The supervisors' figures over decisions made at or after `since` (stored form: RFC 3339
    /// UTC with milliseconds, as `now_utc`), or over all time.
    pub fn reviewer_figures(&self, since: Option<&str>) -> StoreResult<FiguresReport> {
        let from = since.unwrap_or("");
        let mut reviewers = self.decision_counts(from)?;
        let undone = self.undone_keys(from)?;
        let mut overall = Figures::default();
        for r in &mut reviewers {
            let mine: Vec<Key> = undone
                .iter()
                .filter(|(who, _)| *who == r.reviewer)
                .map(|(_, key)| key.clone())
                .collect();
            r.figures.median_seconds =
                self.median_past(Some(&r.reviewer), from, r.figures.decisions, &mine)?;
            overall.decisions += r.figures.decisions;
            overall.approvals += r.figures.approvals;
            overall.active_hours += r.figures.active_hours;
        }
        overall = Figures {
            median_seconds: self.median_past(
                None,
                from,
                overall.decisions,
                &undone
                    .iter()
                    .map(|(_, key)| key.clone())
                    .collect::<Vec<_>>(),
            )?,
            ..Figures::with_counts(overall.decisions, overall.approvals, overall.active_hours)
        };
        let (mut checked_all, mut overturned_all) = (0, 0);
        for (reviewer, checked, overturned) in self.check_counts(from)? {
            checked_all += checked;
            overturned_all += overturned;
            if let Some(r) = reviewers.iter_mut().find(|r| r.reviewer == reviewer) {
                r.figures.set_checks(checked, overturned);
            }
        }
        overall.set_checks(checked_all, overturned_all);
        let tables = self.agreement_tables(from)?;
        let mut pooled = AgreementTable::new(2);
        for (_, table) in &tables {
            pooled.merge(table);
        }
        let pooled_tables: Vec<AgreementTable> = tables.iter().map(|(_, t)| t.clone()).collect();
        let pooled = Agreement {
            kappa: pooled_kappa(&pooled_tables),
            ..Agreement::from_table(&pooled)
        };
        let pairs = tables
            .into_iter()
            .map(|((first, second), table)| PairAgreement {
                first,
                second,
                agreement: Agreement::from_table(&table),
            })
            .collect();
        Ok(FiguresReport {
            since: since.map(str::to_string),
            reviewers,
            overall,
            pairs,
            pooled,
            batches: self.batch_figures(from)?,
        })
    }

    /// Decisions, approvals and active hours per reviewer: every checkable row counted from the
    /// covering figures index, in reviewer order (no sort), then the undone ones taken off.
    /// Undone rows are few, so this beats asking "was it undone?" of every row (which cost half
    /// a second at a million). Named: on an analysed database the planner otherwise walks
    /// `decisions_by_reviewer` and looks up every row in the table instead.
    fn decision_counts(&self, from: &str) -> StoreResult<Vec<ReviewerFigures>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.reviewer, count(*), sum(d.action = 'approve'),
                    count(DISTINCT substr(d.decided_at, 1, 13))
               FROM decisions d INDEXED BY decisions_figures
              WHERE d.decided_at >= ?1 AND d.spot_draw IS NOT NULL
              GROUP BY d.reviewer ORDER BY d.reviewer",
        )?;
        let all: Vec<(String, u64, u64, u64)> = stmt
            .query_map([from], |r| {
                Ok((
                    r.get(0)?,
                    count(r.get(1)?),
                    count(r.get(2)?),
                    count(r.get(3)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        // Undone checkable rows per reviewer, and the hours in which a reviewer has nothing
        // but undone rows (those hours were not active).
        let sql = format!(
            "SELECT d.reviewer, count(*), sum(d.action = 'approve'),
                    count(DISTINCT CASE WHEN NOT EXISTS (
                        SELECT 1 FROM decisions o
                         WHERE o.reviewer = d.reviewer AND o.spot_draw IS NOT NULL
                           AND o.decided_at >= substr(d.decided_at, 1, 13)
                           AND o.decided_at < substr(d.decided_at, 1, 13) || ':99'
                           AND NOT EXISTS (SELECT 1 FROM decisions ou WHERE ou.undoes = o.id))
                      THEN substr(d.decided_at, 1, 13) END)
               FROM decisions u JOIN decisions d ON d.id = u.undoes
              WHERE u.undoes IS NOT NULL AND d.decided_at >= ?1 AND d.spot_draw IS NOT NULL
                AND {STANDING_U}
              GROUP BY d.reviewer"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let undone: std::collections::HashMap<String, (u64, u64, u64)> = stmt
            .query_map([from], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (count(r.get(1)?), count(r.get(2)?), count(r.get(3)?)),
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter_map(|(reviewer, decisions, approvals, hours)| {
                let (d, a, h) = undone.get(&reviewer).copied().unwrap_or_default();
                let decisions = decisions - d;
                (decisions > 0).then(|| ReviewerFigures {
                    figures: Figures::with_counts(decisions, approvals - a, hours - h),
                    reviewer,
                })
            })
            .collect())
    }

    /// The exact median of `viewed_ms` (in seconds) over the `n` standing decisions of one
    /// reviewer (or of everyone): the middle one, or the mean of the two middle ones. (The
    /// report reads the undone rows once for all medians; this is the one-off form.)
    #[cfg(test)]
    pub(super) fn median_seconds(
        &self,
        reviewer: Option<&str>,
        from: &str,
        n: u64,
    ) -> StoreResult<Option<f64>> {
        let undone = self.undone_keys(from)?;
        let mine: Vec<Key> = undone
            .into_iter()
            .filter(|(who, _)| reviewer.is_none_or(|r| r == who))
            .map(|(_, key)| key)
            .collect();
        self.median_past(reviewer, from, n, &mine)
    }

    /// The undone checkable rows since `from`, each with its reviewer and its key in the
    /// figures indexes' order, sorted by key. Undone rows are few, so they are read once.
    fn undone_keys(&self, from: &str) -> StoreResult<Vec<(String, Key)>> {
        let mut rows: Vec<(String, Key)> = self
            .conn
            .prepare_cached(&format!(
                "SELECT d.reviewer, {KEY} FROM decisions u JOIN decisions d ON d.id = u.undoes
                  WHERE u.undoes IS NOT NULL AND d.decided_at >= ?1
                    AND d.spot_draw IS NOT NULL AND {STANDING_U}"
            ))?
            .query_map([from], |r| {
                Ok((
                    r.get(0)?,
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        rows.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(rows)
    }

    /// The median over the standing rows, given the undone ones (sorted by key).
    ///
    /// Rather than ask every row whether it was undone (half a second at a million), it walks
    /// the index by OFFSET alone, twice. The k-th standing row sits at offset p = k + (undone
    /// rows before it), so p is at least k + b, b being the undone rows before the row at
    /// offset k, and at most k + (all undone rows): one look at offset k, then one read of
    /// that window, skipping the undone rows in it, finds the middle row (and the one after).
    fn median_past(
        &self,
        reviewer: Option<&str>,
        from: &str,
        n: u64,
        undone: &[Key],
    ) -> StoreResult<Option<f64>> {
        if n == 0 {
            return Ok(None);
        }
        let k = (n - 1) / 2;
        // Either index holds the rows in this key order, so OFFSET walks the index alone.
        let (who, index) = if reviewer.is_some() {
            ("d.reviewer = ?1", "decisions_figures")
        } else {
            ("?1 IS NULL", "decisions_viewed")
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {KEY} FROM decisions d INDEXED BY {index}
              WHERE {who} AND d.decided_at >= ?2 AND d.spot_draw IS NOT NULL
              ORDER BY {KEY} LIMIT ?3 OFFSET ?4"
        ))?;
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Key> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        };
        let at_k: Key = stmt.query_row(params![reviewer, from, 1, k as i64], read)?;
        let start = k + undone.partition_point(|u| *u < at_k) as u64;
        let window = undone.len() as u64 + 2 - (start - k);
        let rows = stmt.query_map(params![reviewer, from, window as i64, start as i64], read)?;
        let mut first = None;
        let mut standing_before: Option<u64> = None;
        for row in rows {
            let row = row?;
            let seen = *standing_before
                .get_or_insert_with(|| start - undone.partition_point(|u| *u < row) as u64);
            if undone.binary_search(&row).is_ok() {
                continue;
            }
            match (seen == k, first) {
                (true, _) if n % 2 == 1 => return Ok(Some(row.0 as f64 / 1000.0)),
                (true, _) => first = Some(row.0),
                (false, Some(a)) => return Ok(Some((a + row.0) as f64 / 2000.0)),
                (false, None) => {}
            }
            standing_before = Some(seen + 1);
        }
        Err(super::StoreError::Refused(format!(
            "the median's window ended early ({n} decisions, {} undone)",
            undone.len()
        )))
    }

    /// (reviewer, spot-checked, overturned) over the checks' partial index: one check per
    /// decision, counted by its first row (an overturn's rows for reopened siblings share it).
    fn check_counts(&self, from: &str) -> StoreResult<Vec<(String, u64, u64)>> {
        let sql = format!(
            "SELECT d.reviewer, count(DISTINCT c.checks),
                    count(DISTINCT CASE WHEN c.action = 'overturn' THEN c.checks END)
               FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.checks IS NOT NULL AND c.action IN ('agree', 'overturn')
                AND c.match_id = d.match_id AND d.decided_at >= ?1
                AND {STANDING_C} AND {STANDING_D}
              GROUP BY d.reviewer"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([from], |r| {
            Ok((r.get(0)?, count(r.get(1)?), count(r.get(2)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per (first, second) reviewer pair, the 2×2 table of verdicts (0 = approve, 1 = reject) of
    /// the second reviews done on standing decisions made since `from`.
    fn agreement_tables(&self, from: &str) -> StoreResult<Vec<((String, String), AgreementTable)>> {
        let sql = format!(
            "SELECT d.reviewer, s2.reviewer, d.action != 'approve', s2.action != 'second_approve',
                    count(*)
               FROM second_reviews s
               JOIN decisions d ON d.id = s.decision_id
               JOIN decisions s2 ON s2.id = s.done_by
              WHERE s.done_by IS NOT NULL AND d.decided_at >= ?1 AND {STANDING_D}
              GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([from], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
                count(r.get(4)?),
            ))
        })?;
        let mut tables: Vec<((String, String), AgreementTable)> = Vec::new();
        for row in rows {
            let (first, second, first_rejected, second_rejected, n) = row?;
            let key = (first, second);
            if tables.last().is_none_or(|(k, _)| *k != key) {
                tables.push((key, AgreementTable::new(2)));
            }
            if let Some((_, table)) = tables.last_mut() {
                table.add(usize::from(first_rejected), usize::from(second_rejected), n);
            }
        }
        Ok(tables)
    }

    /// Each batch created since `from` (hiding an import still loading), from the covering
    /// (batch, status) and (batch, rank) indexes; rejections by reason and overturns per batch.
    fn batch_figures(&self, from: &str) -> StoreResult<Vec<BatchFigures>> {
        let mut batches: BTreeMap<i64, BatchFigures> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT id, name FROM batches WHERE created_at >= ?1 AND id < {HIDDEN_BATCHES_FROM}"
            ))?;
            let rows = stmt.query_map([from], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?;
            for row in rows {
                let (id, batch) = row?;
                batches.insert(
                    id,
                    BatchFigures {
                        batch,
                        ..BatchFigures::default()
                    },
                );
            }
        }
        let requested = format!(
            "SELECT r.batch_id, count(*) FROM requests r WHERE +r.id < {HIDDEN_REQUESTS_FROM}
              GROUP BY r.batch_id"
        );
        for (id, n) in self.batch_rows(&requested)? {
            if let Some(b) = batches.get_mut(&id) {
                b.requested = n;
            }
        }
        let by_status = format!(
            "SELECT m.batch_id, m.status, count(*) FROM matches m WHERE +m.id < {HIDDEN_MATCHES_FROM}
              GROUP BY m.batch_id, m.status"
        );
        for (id, status, n) in self.batch_keyed_rows(&by_status)? {
            if let Some(b) = batches.get_mut(&id) {
                b.flagged += n;
                match status.as_str() {
                    "approved" => b.approved = n,
                    "released" => b.released = n,
                    "rejected" => b.rejected = n,
                    "escalated" => b.escalated = n,
                    _ => {}
                }
            }
        }
        // The reason a rejected match carries: that of the latest standing reject or overturn
        // row that left it rejected — the reviewer's reason, `not_chosen` for a candidate closed
        // by an approval, or the supervisor's when an overturn withdrew an approval. (Agreements
        // and second verdicts do not move a match, so their reasons are not its reason.)
        let by_reason = format!(
            "SELECT m.batch_id,
                    coalesce((SELECT d.reason_code FROM decisions d
                               WHERE d.match_id = m.id AND d.status_after = 'rejected'
                                 AND d.action IN ('reject', 'overturn') AND {STANDING_D}
                               ORDER BY d.id DESC LIMIT 1), 'none'),
                    count(*)
               FROM matches m WHERE m.status = 'rejected' AND +m.id < {HIDDEN_MATCHES_FROM}
              GROUP BY 1, 2"
        );
        for (id, reason, n) in self.batch_keyed_rows(&by_reason)? {
            if let Some(b) = batches.get_mut(&id) {
                b.rejected_by_reason.insert(reason, n);
            }
        }
        let overturned = format!(
            "SELECT m.batch_id, count(DISTINCT c.checks)
               FROM decisions c JOIN decisions d ON d.id = c.checks
               JOIN matches m ON m.id = d.match_id
              WHERE c.checks IS NOT NULL AND c.action = 'overturn' AND c.match_id = d.match_id
                AND {STANDING_C}
              GROUP BY m.batch_id"
        );
        for (id, n) in self.batch_rows(&overturned)? {
            if let Some(b) = batches.get_mut(&id) {
                b.overturned = n;
            }
        }
        let mut out: Vec<BatchFigures> = batches.into_values().collect();
        out.sort_by(|a, b| a.batch.cmp(&b.batch));
        Ok(out)
    }

    fn batch_rows(&self, sql: &str) -> StoreResult<Vec<(i64, u64)>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, count(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn batch_keyed_rows(&self, sql: &str) -> StoreResult<Vec<(i64, String, u64)>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, count(r.get(2)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
