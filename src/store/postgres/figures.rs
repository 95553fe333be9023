//! The supervisors' figures on the server (`stats --reviewers`): the same aggregates as on SQLite
//! (`store::figures`), in PostgreSQL's own terms, and the same report built from them
//! (`figures_report::assemble`). Every count is a GROUP BY on the server; only a row per
//! reviewer, pair or batch comes back. The exact median is `percentile_disc(0.5)` of the
//! ascending and of the descending order: the two middle rows (one row twice for an odd count).
//!
//! Names are ordered bytewise (`COLLATE "C"`), as SQLite orders them. Times are fixed-format
//! RFC 3339 text, which every collation orders as bytes do (digits in the same places), so
//! comparisons with `since` keep the default collation and its indexes.
//!
//! No import is hidden here: a server import is one transaction, invisible until it commits.

use super::PgStore;
use crate::store::figures_report::{
    AgreementRow, BatchTally, FigureCounts, Figures, ReviewerFigures, agreement_tables, assemble,
    count, median_seconds,
};
use crate::store::supervision::{CHECK_OF, LotRow, lot_of};
use crate::store::{BatchFigures, FiguresReport, Lot, StoreResult};

/// A standing row: no undo names it.
const STANDING_D: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)";
const STANDING_C: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = c.id)";

/// A decision that stands: no standing undo names it (SQLite subtracts the rows such undos
/// name; the same rows).
const NOT_UNDONE_D: &str = "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id
        AND NOT EXISTS (SELECT 1 FROM decisions uu WHERE uu.undoes = u.id))";

impl PgStore {
    /// The supervisors' figures over decisions made at or after `since` (stored form), or over
    /// all time: exactly the numbers SQLite reports for the same rows.
    pub fn reviewer_figures(&mut self, since: Option<&str>) -> StoreResult<FiguresReport> {
        let from = since.unwrap_or("");
        // One snapshot for every statement: the parts of the report agree while others decide.
        let mut tx = self.client.build_transaction().read_only(true);
        tx = tx.isolation_level(postgres::IsolationLevel::RepeatableRead);
        let mut tx = tx.start()?;
        let (reviewers, overall_median) = decision_counts(&mut tx, from)?;
        let counts = FigureCounts {
            reviewers,
            overall_median,
            checks: check_counts(&mut tx, from)?,
            tables: agreement(&mut tx, from)?,
            batches: batch_figures(&mut tx, from)?,
        };
        tx.commit()?;
        Ok(assemble(since, counts))
    }

    /// The (reviewer, day) of every lot with a decision on or after `since_day` (`YYYY-MM-DD`),
    /// oldest day first (as `Store::lot_days`).
    pub fn lot_days(&mut self, since_day: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = self.client.query(
            "SELECT reviewer, substr(decided_at, 1, 10) FROM decisions
              WHERE decided_at >= $1 AND spot_draw IS NOT NULL
              GROUP BY 1, 2
              ORDER BY substr(decided_at, 1, 10) COLLATE \"C\", reviewer COLLATE \"C\"",
            &[&since_day],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// One lot: the reviewer's standing approvals and rejections that day, with their checks,
    /// and its sample under the current policy (as `Store::lot`).
    pub fn lot(&mut self, reviewer: &str, day: &str) -> StoreResult<Lot> {
        let policy = self.policy()?;
        let sql = format!(
            "SELECT d.id, d.action, d.spot_draw, {CHECK_OF}
               FROM decisions d
              WHERE d.reviewer = $1 AND d.decided_at >= $2 AND d.decided_at < $2 || 'T99'
                AND d.spot_draw IS NOT NULL AND {STANDING_D}
              ORDER BY d.id"
        );
        let rows = self.client.query(&sql, &[&reviewer, &day])?;
        let rows: Vec<LotRow> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<StoreResult<_>>()?;
        Ok(lot_of(&policy.quality, reviewer, day, rows))
    }
}

type Tx<'a> = postgres::Transaction<'a>;

/// Per reviewer (bytewise by name): decisions, approvals, active hours and the median; and the
/// median over everyone (the grouping set `()`).
fn decision_counts(
    tx: &mut Tx<'_>,
    from: &str,
) -> StoreResult<(Vec<ReviewerFigures>, Option<f64>)> {
    let sql = format!(
        "SELECT d.reviewer, grouping(d.reviewer) = 1, count(*),
                count(*) FILTER (WHERE d.action = 'approve'),
                count(DISTINCT substr(d.decided_at, 1, 13)),
                percentile_disc(0.5) WITHIN GROUP (ORDER BY d.viewed_ms),
                percentile_disc(0.5) WITHIN GROUP (ORDER BY d.viewed_ms DESC)
           FROM decisions d
          WHERE d.decided_at >= $1 AND d.spot_draw IS NOT NULL AND {NOT_UNDONE_D}
          GROUP BY GROUPING SETS ((d.reviewer), ())
          ORDER BY 2, d.reviewer COLLATE \"C\""
    );
    let mut reviewers = Vec::new();
    let mut overall = None;
    for r in tx.query(&sql, &[&from])? {
        let everyone: bool = r.try_get(1)?;
        let decisions = count(r.try_get(2)?);
        let lower: Option<i64> = r.try_get(5)?;
        let upper: Option<i64> = r.try_get(6)?;
        let median = match (lower, upper) {
            (Some(lower), Some(upper)) if decisions > 0 => {
                Some(median_seconds(decisions, lower, upper))
            }
            _ => None,
        };
        if everyone {
            overall = median;
            continue;
        }
        reviewers.push(ReviewerFigures {
            reviewer: r.try_get(0)?,
            figures: Figures {
                median_seconds: median,
                ..Figures::with_counts(decisions, count(r.try_get(3)?), count(r.try_get(4)?))
            },
        });
    }
    Ok((reviewers, overall))
}

/// (reviewer, spot-checked, overturned): one check per decision, counted by its first row.
fn check_counts(tx: &mut Tx<'_>, from: &str) -> StoreResult<Vec<(String, u64, u64)>> {
    let sql = format!(
        "SELECT d.reviewer, count(DISTINCT c.checks),
                count(DISTINCT c.checks) FILTER (WHERE c.action = 'overturn')
           FROM decisions c JOIN decisions d ON d.id = c.checks
          WHERE c.checks IS NOT NULL AND c.action IN ('agree', 'overturn')
            AND c.match_id = d.match_id AND d.decided_at >= $1
            AND {STANDING_C} AND {STANDING_D}
          GROUP BY d.reviewer"
    );
    tx.query(&sql, &[&from])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, count(r.try_get(1)?), count(r.try_get(2)?))))
        .collect()
}

/// Per (first, second) pair, by names, the verdicts of second reviews done on standing
/// decisions made since `from`.
fn agreement(
    tx: &mut Tx<'_>,
    from: &str,
) -> StoreResult<Vec<((String, String), crate::domain::quality::AgreementTable)>> {
    let sql = format!(
        "SELECT d.reviewer, s2.reviewer, d.action <> 'approve', s2.action <> 'second_approve',
                count(*)
           FROM second_reviews s
           JOIN decisions d ON d.id = s.decision_id
           JOIN decisions s2 ON s2.id = s.done_by
          WHERE s.done_by IS NOT NULL AND d.decided_at >= $1 AND {STANDING_D}
          GROUP BY 1, 2, 3, 4
          ORDER BY d.reviewer COLLATE \"C\", s2.reviewer COLLATE \"C\""
    );
    let rows = tx
        .query(&sql, &[&from])?
        .iter()
        .map(|r| -> StoreResult<AgreementRow> {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                count(r.try_get(4)?),
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(agreement_tables(rows))
}

/// Each batch created since `from`: its requests, its matches by status, its rejected matches
/// by the reason of the latest standing reject or overturn that left them rejected (as on
/// SQLite), and its decisions a supervisor overturned.
fn batch_figures(tx: &mut Tx<'_>, from: &str) -> StoreResult<Vec<BatchFigures>> {
    let names = tx
        .query(
            "SELECT id, name FROM batches WHERE created_at >= $1",
            &[&from],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<StoreResult<Vec<(i64, String)>>>()?;
    let mut batches = BatchTally::new(names);
    for r in tx.query(
        "SELECT batch_id, count(*) FROM requests GROUP BY batch_id",
        &[],
    )? {
        batches.requested(r.try_get(0)?, count(r.try_get(1)?));
    }
    for r in tx.query(
        "SELECT batch_id, status, count(*) FROM matches GROUP BY batch_id, status",
        &[],
    )? {
        let status: String = r.try_get(1)?;
        batches.status(r.try_get(0)?, &status, count(r.try_get(2)?));
    }
    let by_reason = format!(
        "SELECT m.batch_id, coalesce(last.reason_code, 'none'), count(*)
           FROM matches m
           LEFT JOIN LATERAL (
                SELECT d.reason_code FROM decisions d
                 WHERE d.match_id = m.id AND d.status_after = 'rejected'
                   AND d.action IN ('reject', 'overturn') AND {STANDING_D}
                 ORDER BY d.id DESC LIMIT 1) last ON true
          WHERE m.status = 'rejected'
          GROUP BY 1, 2"
    );
    for r in tx.query(&by_reason, &[])? {
        batches.rejected_for(r.try_get(0)?, r.try_get(1)?, count(r.try_get(2)?));
    }
    let overturned = format!(
        "SELECT m.batch_id, count(DISTINCT c.checks)
           FROM decisions c JOIN decisions d ON d.id = c.checks
           JOIN matches m ON m.id = d.match_id
          WHERE c.checks IS NOT NULL AND c.action = 'overturn' AND c.match_id = d.match_id
            AND {STANDING_C}
          GROUP BY m.batch_id"
    );
    for r in tx.query(&overturned, &[])? {
        batches.overturned(r.try_get(0)?, count(r.try_get(1)?));
    }
    Ok(batches.by_name())
}
