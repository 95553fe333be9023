//! The supervisors' figures as reported (`matchgate stats --reviewers`, and the supervisor's
//! screen), and how a backend's aggregates become them. Each backend reads the same aggregates
//! in its own SQL (`store::figures` on SQLite, `store::postgres::figures` on a server); the
//! arithmetic on top (rates, medians from the middle rows, Wilson intervals, kappa, the batch
//! tally) is here once, so both report the same numbers.
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

use serde::Serialize;

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

impl Figures {
    /// One reviewer's (or everyone's) counts, with the rates that follow from them.
    pub(crate) fn with_counts(decisions: u64, approvals: u64, active_hours: u64) -> Figures {
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

/// A count read from SQL (never negative; 0 if it were).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The exact median in seconds of `n` values in milliseconds, given the middle one (`lower`,
/// the ((n - 1) / 2)-th from 0) and the one after it (`upper`; the same row for odd `n`).
pub(crate) fn median_seconds(n: u64, lower: i64, upper: i64) -> f64 {
    if n % 2 == 1 {
        lower as f64 / 1000.0
    } else {
        (lower + upper) as f64 / 2000.0
    }
}

/// What a backend reads for the report: every figure below is an aggregate of its SQL.
pub(crate) struct FigureCounts {
    /// Per reviewer (by name, bytewise), counts and median set (`Figures::with_counts`).
    pub reviewers: Vec<ReviewerFigures>,
    /// The median over every reviewer's decisions.
    pub overall_median: Option<f64>,
    /// (reviewer, spot-checked, overturned), in any order.
    pub checks: Vec<(String, u64, u64)>,
    /// Per (first, second) pair, by names (`agreement_tables`).
    pub tables: Vec<((String, String), AgreementTable)>,
    /// Per batch, by name (`BatchTally`).
    pub batches: Vec<BatchFigures>,
}

/// The report from a backend's aggregates: overall sums, check rates and intervals, pooled
/// agreement.
pub(crate) fn assemble(since: Option<&str>, counts: FigureCounts) -> FiguresReport {
    let FigureCounts {
        mut reviewers,
        overall_median,
        checks,
        tables,
        batches,
    } = counts;
    let (mut decisions, mut approvals, mut hours) = (0, 0, 0);
    for r in &reviewers {
        decisions += r.figures.decisions;
        approvals += r.figures.approvals;
        hours += r.figures.active_hours;
    }
    let mut overall = Figures {
        median_seconds: overall_median,
        ..Figures::with_counts(decisions, approvals, hours)
    };
    let (mut checked_all, mut overturned_all) = (0, 0);
    for (reviewer, checked, overturned) in checks {
        checked_all += checked;
        overturned_all += overturned;
        if let Some(r) = reviewers.iter_mut().find(|r| r.reviewer == reviewer) {
            r.figures.set_checks(checked, overturned);
        }
    }
    overall.set_checks(checked_all, overturned_all);
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
    FiguresReport {
        since: since.map(str::to_string),
        reviewers,
        overall,
        pairs,
        pooled,
        batches,
    }
}

/// One row of the agreement count: (first reviewer, second reviewer, first rejected, second
/// rejected, how many).
pub(crate) type AgreementRow = (String, String, bool, bool, u64);

/// The 2×2 tables (0 = approve, 1 = reject) per pair, from rows ordered by (first, second).
pub(crate) fn agreement_tables(
    rows: impl IntoIterator<Item = AgreementRow>,
) -> Vec<((String, String), AgreementTable)> {
    let mut tables: Vec<((String, String), AgreementTable)> = Vec::new();
    for (first, second, first_rejected, second_rejected, n) in rows {
        let key = (first, second);
        if tables.last().is_none_or(|(k, _)| *k != key) {
            tables.push((key, AgreementTable::new(2)));
        }
        if let Some((_, table)) = tables.last_mut() {
            table.add(usize::from(first_rejected), usize::from(second_rejected), n);
        }
    }
    tables
}

/// Each batch's figures, tallied from per-batch counts (keyed by batch id) as a backend reads
/// them; counts for a batch not listed (created before `since`) are dropped.
pub(crate) struct BatchTally(BTreeMap<i64, BatchFigures>);

impl BatchTally {
    /// The batches to report, by (id, name).
    pub fn new(batches: impl IntoIterator<Item = (i64, String)>) -> BatchTally {
        BatchTally(
            batches
                .into_iter()
                .map(|(id, batch)| {
                    let figures = BatchFigures {
                        batch,
                        ..BatchFigures::default()
                    };
                    (id, figures)
                })
                .collect(),
        )
    }

    pub fn requested(&mut self, id: i64, n: u64) {
        if let Some(b) = self.0.get_mut(&id) {
            b.requested = n;
        }
    }

    /// The batch's matches in one status.
    pub fn status(&mut self, id: i64, status: &str, n: u64) {
        if let Some(b) = self.0.get_mut(&id) {
            b.flagged += n;
            match status {
                "approved" => b.approved = n,
                "released" => b.released = n,
                "rejected" => b.rejected = n,
                "escalated" => b.escalated = n,
                _ => {}
            }
        }
    }

    /// The batch's rejected matches whose standing rejection gave this reason.
    pub fn rejected_for(&mut self, id: i64, reason: String, n: u64) {
        if let Some(b) = self.0.get_mut(&id) {
            b.rejected_by_reason.insert(reason, n);
        }
    }

    pub fn overturned(&mut self, id: i64, n: u64) {
        if let Some(b) = self.0.get_mut(&id) {
            b.overturned = n;
        }
    }

    /// The batches by name (bytewise).
    pub fn by_name(self) -> Vec<BatchFigures> {
        let mut out: Vec<BatchFigures> = self.0.into_values().collect();
        out.sort_by(|a, b| a.batch.cmp(&b.batch));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::median_seconds;

    #[test]
    fn the_median_is_the_middle_row_or_the_mean_of_the_two() {
        assert_eq!(median_seconds(3, 2000, 2000), 2.0);
        assert_eq!(median_seconds(4, 2000, 3500), 2.75);
        assert_eq!(median_seconds(1, 1, 1), 0.001);
    }
}
