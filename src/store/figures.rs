//! The supervisors' figures on SQLite (`FiguresReport` in `figures_report` defines each one):
//! every count is aggregated in SQL over an index (GROUP BY reviewer); only the aggregates (a
//! row per reviewer, pair or batch) reach memory, and `figures_report::assemble` does the
//! arithmetic on top, as for the server.

use rusqlite::params;

use super::figures_report::{
    AgreementRow, BatchFigures, BatchTally, FigureCounts, Figures, ReviewerFigures,
    agreement_tables, assemble, count, median_seconds,
};
use super::imports::{HIDDEN_BATCHES_FROM, HIDDEN_MATCHES_FROM, HIDDEN_REQUESTS_FROM};
use super::{FiguresReport, Store, StoreResult};
use crate::domain::quality::AgreementTable;

/// A standing row: no undo names it.
const STANDING_D: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)";
const STANDING_C: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)";
/// A checkable row's place in the figures indexes: (viewed_ms, action, decided_at, spot_draw,
/// id), the order both `decisions_figures` (within a reviewer) and `decisions_viewed` keep.
type Key = (i64, String, String, i64, i64);
const KEY: &str = "d.viewed_ms, d.action, d.decided_at, d.spot_draw, d.id";

/// The undo row `u` itself stands (an undo is never undone, but say so rather than assume).
const STANDING_U: &str = "NOT EXISTS (SELECT 1 FROM decisions uu WHERE uu.undoes = u.id)";

impl Store {
    /// The supervisors' figures over decisions made at or after `since` (stored form: RFC 3339
    /// UTC with milliseconds, as `now_utc`), or over all time.
    pub fn reviewer_figures(&self, since: Option<&str>) -> StoreResult<FiguresReport> {
        let from = since.unwrap_or("");
        let mut reviewers = self.decision_counts(from)?;
        let undone = self.undone_keys(from)?;
        for r in &mut reviewers {
            let mine: Vec<Key> = undone
                .iter()
                .filter(|(who, _)| *who == r.reviewer)
                .map(|(_, key)| key.clone())
                .collect();
            r.figures.median_seconds =
                self.median_past(Some(&r.reviewer), from, r.figures.decisions, &mine)?;
        }
        let everyone: u64 = reviewers.iter().map(|r| r.figures.decisions).sum();
        let all_undone: Vec<Key> = undone.into_iter().map(|(_, key)| key).collect();
        let overall_median = self.median_past(None, from, everyone, &all_undone)?;
        let counts = FigureCounts {
            reviewers,
            overall_median,
            checks: self.check_counts(from)?,
            tables: self.agreement_tables(from)?,
            batches: self.batch_figures(from)?,
        };
        Ok(assemble(since, counts))
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
                (true, _) if n % 2 == 1 => return Ok(Some(median_seconds(n, row.0, row.0))),
                (true, _) => first = Some(row.0),
                (false, Some(a)) => return Ok(Some(median_seconds(n, a, row.0))),
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
        let rows = stmt.query_map([from], |r| -> rusqlite::Result<AgreementRow> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, count(r.get(4)?)))
        })?;
        Ok(agreement_tables(rows.collect::<Result<Vec<_>, _>>()?))
    }

    /// Each batch created since `from` (hiding an import still loading), from the covering
    /// (batch, status) and (batch, rank) indexes; rejections by reason and overturns per batch.
    fn batch_figures(&self, from: &str) -> StoreResult<Vec<BatchFigures>> {
        let mut batches = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT id, name FROM batches WHERE created_at >= ?1 AND id < {HIDDEN_BATCHES_FROM}"
            ))?;
            let rows = stmt.query_map([from], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?;
            BatchTally::new(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let requested = format!(
            "SELECT r.batch_id, count(*) FROM requests r WHERE +r.id < {HIDDEN_REQUESTS_FROM}
              GROUP BY r.batch_id"
        );
        for (id, n) in self.batch_rows(&requested)? {
            batches.requested(id, n);
        }
        let by_status = format!(
            "SELECT m.batch_id, m.status, count(*) FROM matches m WHERE +m.id < {HIDDEN_MATCHES_FROM}
              GROUP BY m.batch_id, m.status"
        );
        for (id, status, n) in self.batch_keyed_rows(&by_status)? {
            batches.status(id, &status, n);
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
            batches.rejected_for(id, reason, n);
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
            batches.overturned(id, n);
        }
        Ok(batches.by_name())
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
