//! The figures view of the supervisor's screen: per reviewer, the figures `stats --reviewers`
//! reports (the same `FiguresReport`), with the approval and overturn rates drawn as bar
//! charts, and each lot (reviewer-day) with its checks and, under Z1.4, where it stands.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Clear, Paragraph};

use crate::domain::text_safety::escape_for_display;
use crate::store::{FiguresReport, StoreResult, SuperviseStore};
use crate::tui::view::Theme;
use crate::tui::view::text::safe_spans;

/// What the view shows, loaded on the worker thread.
#[derive(Debug, Clone, PartialEq)]
pub struct FiguresView {
    pub report: FiguresReport,
    /// One line per lot since the screen's first day.
    pub lots: Vec<String>,
}

pub fn load(store: &mut dyn SuperviseStore, since_day: &str) -> StoreResult<FiguresView> {
    let report = store.reviewer_figures(Some(since_day))?;
    let mut lots = Vec::new();
    for (reviewer, day) in store.lot_days(since_day)? {
        lots.push(super::worker::lot_line(&store.lot(&reviewer, &day)?));
    }
    Ok(FiguresView { report, lots })
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".into(), |r| format!("{:.1}%", r * 100.0))
}

fn table_lines(view: &FiguresView) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<16} {:>9} {:>9} {:>8} {:>7} {:>8} {:>10} {:>10} {:>15}",
        "reviewer",
        "decisions",
        "approved",
        "median",
        "per h",
        "checked",
        "overturned",
        "rate",
        "95% interval"
    )];
    let rows = view
        .report
        .reviewers
        .iter()
        .map(|r| (escape_for_display(&r.reviewer), &r.figures))
        .chain(std::iter::once(("(all)".to_string(), &view.report.overall)));
    for (name, f) in rows {
        lines.push(format!(
            "{:<16} {:>9} {:>9} {:>8} {:>7} {:>8} {:>10} {:>10} {:>15}",
            name,
            f.decisions,
            percent(f.approval_rate),
            f.median_seconds.map_or("-".into(), |s| format!("{s:.1} s")),
            f.decisions_per_hour
                .map_or("-".into(), |h| format!("{h:.0}")),
            f.spot_checked,
            f.overturned,
            percent(f.overturn_rate),
            f.overturn_interval.map_or("-".into(), |b| format!(
                "{:.1}-{:.1}%",
                b.lower * 100.0,
                b.upper * 100.0
            )),
        ));
    }
    let pooled = &view.report.pooled;
    lines.push(format!(
        "second reviews: {} items, agreement {}, Cohen's kappa {}",
        pooled.items,
        percent(pooled.percent_agreement),
        pooled.kappa.map_or("-".into(), |k| format!("{k:.2}"))
    ));
    lines
}

/// A bar chart of one rate per reviewer, in tenths of a percent.
fn rate_chart<'a>(
    title: &'a str,
    view: &FiguresView,
    rate: impl Fn(&crate::store::Figures) -> Option<f64>,
    style: Style,
) -> BarChart<'a> {
    let bars: Vec<Bar<'a>> = view
        .report
        .reviewers
        .iter()
        .map(|r| {
            let value = rate(&r.figures).unwrap_or(0.0);
            Bar::default()
                .label(Line::raw(escape_for_display(&r.reviewer)))
                .value((value * 1000.0).round() as u64)
                .text_value(format!("{:.1}%", value * 100.0))
                .style(style)
        })
        .collect();
    BarChart::default()
        .block(Block::default().borders(Borders::TOP).title(title))
        .data(BarGroup::default().bars(&bars))
        .bar_width(7)
        .bar_gap(2)
        .max(1000)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, view: Option<&FiguresView>, theme: Theme) {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Reviewers' figures · any key closes ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(view) = view else {
        frame.render_widget(Paragraph::new("Loading…"), inner);
        return;
    };
    let width = usize::from(inner.width);
    let table = table_lines(view);
    let [top, charts, lots] = Layout::vertical([
        Constraint::Length(table.len() as u16),
        Constraint::Length(10),
        Constraint::Min(0),
    ])
    .areas(inner);
    let lines: Vec<Line<'static>> = table
        .iter()
        .map(|l| Line::from(safe_spans(l, width, Style::new(), theme)))
        .collect();
    frame.render_widget(Paragraph::new(lines), top);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    frame.render_widget(
        rate_chart(" approval rate ", view, |f| f.approval_rate, theme.good()),
        left,
    );
    frame.render_widget(
        rate_chart(" overturn rate ", view, |f| f.overturn_rate, theme.warn()),
        right,
    );
    let lines: Vec<Line<'static>> = view
        .lots
        .iter()
        .map(|l| Line::from(safe_spans(l, width, theme.dim(), theme)))
        .collect();
    frame.render_widget(Paragraph::new(lines), lots);
}
