//! `matchgate stats --reviewers`: the supervisors' figures (see `store::FiguresReport` for every
//! definition) as tables for people, with bars for the approval and overturn rates, or as JSON;
//! from a SQLite file or a server, the same figures.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::StatsArgs;
use crate::commands::recall::parse_time;
use crate::domain::policy::Policy;
use crate::domain::text_safety::{display_width, escape_for_display, json_for_terminal};
use crate::store::postgres::PgStore;
use crate::store::{Agreement, Figures, FiguresReport, Lot, Store, StoreResult};

/// Cells of a rate bar.
const BAR_CELLS: usize = 10;
/// A cell filled by eighths.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

pub fn run(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    // Checked before the database is opened: a typo costs nothing and says what was wrong.
    let since = args
        .since
        .as_deref()
        .map(|t| parse_time(t, false))
        .transpose()
        .context("bad --since (expected RFC 3339, e.g. 2026-03-01T09:00:00Z, or YYYY-MM-DD)")?;
    let mut store = Source::open(&args.db.db)?;
    let report = store.reviewer_figures(since.as_deref())?;
    let lots = z14_lots(&mut store, since.as_deref())?;
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        if let Some(lots) = &lots {
            json["lots"] = serde_json::to_value(lots)?;
        }
        let json = serde_json::to_string_pretty(&json)?;
        println!("{}", json_for_terminal(&json));
    } else {
        print!("{}", render(&report));
        if let Some(lots) = &lots {
            print!("{}", render_lots(lots));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the figures are read: a SQLite file or a server (the same report from either).
enum Source {
    File(Store),
    Server(Box<PgStore>),
}

impl Source {
    fn open(db: &std::path::Path) -> anyhow::Result<Source> {
        Ok(match crate::commands::server::target(db)? {
            Some(target) => {
                Source::Server(Box::new(crate::commands::server::open_as(&target, None)?))
            }
            None => Source::File(Store::open(db)?),
        })
    }

    fn reviewer_figures(&mut self, since: Option<&str>) -> StoreResult<FiguresReport> {
        match self {
            Source::File(store) => store.reviewer_figures(since),
            Source::Server(store) => store.reviewer_figures(since),
        }
    }

    fn policy(&mut self) -> StoreResult<Policy> {
        match self {
            Source::File(store) => store.policy(),
            Source::Server(store) => store.policy(),
        }
    }

    fn lot_days(&mut self, since_day: &str) -> StoreResult<Vec<(String, String)>> {
        match self {
            Source::File(store) => store.lot_days(since_day),
            Source::Server(store) => store.lot_days(since_day),
        }
    }

    fn lot(&mut self, reviewer: &str, day: &str) -> StoreResult<Lot> {
        match self {
            Source::File(store) => store.lot(reviewer, day),
            Source::Server(store) => store.lot(reviewer, day),
        }
    }
}

/// One lot under the Z1.4 plan, as `stats --reviewers` reports it.
#[derive(Debug, serde::Serialize)]
struct LotFigures {
    reviewer: String,
    day: String,
    decisions: u64,
    checked: u32,
    to_check: u32,
    overturns: u32,
    allowed: u32,
    state: String,
}

/// Under policy `acceptance_plan = z14`, every lot (reviewer-day) from `--since` (default: the
/// supervisor screen's 14 days), read one lot at a time; None under no plan.
fn z14_lots(store: &mut Source, since: Option<&str>) -> anyhow::Result<Option<Vec<LotFigures>>> {
    if store.policy()?.quality.acceptance_plan != crate::domain::quality::AcceptancePlan::Z14 {
        return Ok(None);
    }
    let since_day = crate::commands::supervise::since_day(since);
    let mut lots = Vec::new();
    for (reviewer, day) in store.lot_days(&since_day)? {
        let lot = store.lot(&reviewer, &day)?;
        if let Some(status) = lot.plan.status {
            lots.push(LotFigures {
                reviewer,
                day,
                decisions: lot.plan.size,
                checked: status.checked,
                to_check: status.to_check(),
                overturns: status.overturns,
                allowed: status.allowed(),
                state: status.state.to_string(),
            });
        }
    }
    Ok(Some(lots))
}

fn render_lots(lots: &[LotFigures]) -> String {
    let width = name_width(lots.iter().map(|l| l.reviewer.as_str()), 8);
    let mut out = format!(
        "\nZ1.4 lots (one reviewer's decisions on one UTC day)\n{} {:<10} {:>9} {:>13} {:>18}  state\n",
        cell("reviewer", width),
        "day",
        "decisions",
        "checked/to do",
        "overturns/allowed"
    );
    for l in lots {
        let _ = writeln!(
            out,
            "{} {:<10} {:>9} {:>13} {:>18}  {}",
            cell(&l.reviewer, width),
            l.day,
            l.decisions,
            format!("{}/{}", l.checked, l.to_check),
            format!("{}/{}", l.overturns, l.allowed),
            l.state
        );
    }
    out
}

/// A rate as a bar of `BAR_CELLS` cells, to the nearest eighth of a cell; blank for no rate.
pub fn bar(rate: Option<f64>) -> String {
    let Some(rate) = rate else {
        return " ".repeat(BAR_CELLS);
    };
    let eighths = (rate.clamp(0.0, 1.0) * (BAR_CELLS * 8) as f64).round() as usize;
    let mut out: String = std::iter::repeat_n(EIGHTHS[7], eighths / 8).collect();
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8 - 1]);
    }
    let used = out.chars().count();
    out.extend(std::iter::repeat_n(' ', BAR_CELLS - used));
    out
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".into(), |r| format!("{:.1}%", r * 100.0))
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// `name` escaped for the terminal and padded to `width` columns.
fn cell(name: &str, width: usize) -> String {
    let shown = escape_for_display(name);
    let pad = width.saturating_sub(display_width(&shown));
    format!("{shown}{}", " ".repeat(pad))
}

fn name_width<'a>(names: impl Iterator<Item = &'a str>, at_least: usize) -> usize {
    names
        .map(|n| display_width(&escape_for_display(n)))
        .fold(at_least, usize::max)
}

fn figures_line(out: &mut String, name: &str, width: usize, f: &Figures) {
    let interval = f.overturn_interval.map_or("-".into(), |b| {
        format!("{:.1}–{:.1}%", b.lower * 100.0, b.upper * 100.0)
    });
    let _ = writeln!(
        out,
        "{} {:>9} {:>7} {} {:>8} {:>8} {:>7} {:>10} {:>7} {} {}",
        cell(name, width),
        f.decisions,
        percent(f.approval_rate),
        bar(f.approval_rate),
        number(f.median_seconds, 1),
        number(f.decisions_per_hour, 1),
        f.spot_checked,
        f.overturned,
        percent(f.overturn_rate),
        bar(f.overturn_rate),
        interval,
    );
}

fn agreement_line(out: &mut String, first: &str, second: &str, width: usize, a: &Agreement) {
    let _ = writeln!(
        out,
        "{} {} {:>6} {:>4} {:>4} {:>4} {:>4} {:>10} {:>7}",
        cell(first, width),
        cell(second, width),
        a.items,
        a.both_approved,
        a.first_approved_second_rejected,
        a.first_rejected_second_approved,
        a.both_rejected,
        percent(a.percent_agreement),
        number(a.kappa, 3),
    );
}

/// The report as plain-text tables.
pub fn render(report: &FiguresReport) -> String {
    let mut out = String::new();
    let period = report
        .since
        .as_deref()
        .map_or("all time".to_string(), |s| format!("since {s}"));
    let _ = writeln!(out, "Reviewers ({period}; standing decisions)");
    let width = name_width(report.reviewers.iter().map(|r| r.reviewer.as_str()), 13);
    let _ = writeln!(
        out,
        "{} {:>9} {:>7} {:<10} {:>8} {:>8} {:>7} {:>10} {:>7} {:<10} 95% interval",
        cell("reviewer", width),
        "decisions",
        "approve",
        "",
        "median s",
        "per hour",
        "checked",
        "overturned",
        "rate",
        "",
    );
    for r in &report.reviewers {
        figures_line(&mut out, &r.reviewer, width, &r.figures);
    }
    figures_line(&mut out, "all reviewers", width, &report.overall);
    let _ = writeln!(
        out,
        "(per hour = decisions / clock hours with a decision; overall, per reviewer-hour)"
    );

    let _ = writeln!(out, "\nSecond reviews (first reviewer vs second reviewer)");
    let width = name_width(
        report
            .pairs
            .iter()
            .flat_map(|p| [p.first.as_str(), p.second.as_str()]),
        8,
    );
    let _ = writeln!(
        out,
        "{} {} {:>6} {:>4} {:>4} {:>4} {:>4} {:>10} {:>7}",
        cell("first", width),
        cell("second", width),
        "items",
        "A/A",
        "A/R",
        "R/A",
        "R/R",
        "agreement",
        "kappa",
    );
    for p in &report.pairs {
        agreement_line(&mut out, &p.first, &p.second, width, &p.agreement);
    }
    agreement_line(&mut out, "pooled", "", width, &report.pooled);

    let _ = writeln!(out, "\nBatches (state now)");
    let width = name_width(report.batches.iter().map(|b| b.batch.as_str()), 12);
    let _ = writeln!(
        out,
        "{} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>10}  rejected by reason",
        cell("batch", width),
        "requested",
        "flagged",
        "approved",
        "released",
        "rejected",
        "escalated",
        "overturned",
    );
    for b in &report.batches {
        let reasons: Vec<String> = b
            .rejected_by_reason
            .iter()
            .map(|(reason, n)| format!("{} {n}", escape_for_display(reason)))
            .collect();
        let _ = writeln!(
            out,
            "{} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>10}  {}",
            cell(&b.batch, width),
            b.requested,
            b.flagged,
            b.approved,
            b.released,
            b.rejected,
            b.escalated,
            b.overturned,
            reasons.join(", "),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_fill_to_the_nearest_eighth_of_a_cell() {
        assert_eq!(bar(Some(0.0)), " ".repeat(10));
        assert_eq!(bar(Some(1.0)), "█".repeat(10));
        assert_eq!(
            bar(Some(0.5)),
            format!("{}{}", "█".repeat(5), " ".repeat(5))
        );
        assert_eq!(bar(Some(0.05)), format!("▌{}", " ".repeat(9)));
        assert_eq!(bar(Some(0.0625)), format!("▋{}", " ".repeat(9)));
        assert_eq!(bar(None), " ".repeat(10));
    }
}
