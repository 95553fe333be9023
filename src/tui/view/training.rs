//! Training views: the feedback after each decision, the scoreboard, and the tour's captions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::popups::centered;
use super::text::safe_spans;
use super::theme::Theme;
use crate::domain::Verdict;
use crate::domain::training::{Feedback, Outcome, Scoreboard};
use crate::tui::state::ReviewState;
use crate::tui::tour::CAPTIONS;

fn outcome_style(outcome: Outcome, theme: Theme) -> Style {
    match outcome {
        Outcome::Correct => theme.good(),
        Outcome::FalseRelease => theme.banner(),
        Outcome::MissedMatch => theme.bad(),
        _ => theme.warn(),
    }
}

pub fn feedback(frame: &mut Frame<'_>, feedback: &Feedback, theme: Theme) {
    // Tall enough for the note (and the rules it cites) wrapped at 70 columns, with slack for
    // word wrapping; never less than the usual 12 rows.
    let note_rows = feedback
        .gold_note
        .as_ref()
        .map_or(0, |n| n.chars().count().div_ceil(70) * 5 / 4 + 1);
    let most = frame.area().height.saturating_sub(2).max(12);
    let height = u16::try_from(6 + note_rows)
        .unwrap_or(u16::MAX)
        .clamp(12, most);
    let area = centered(frame.area(), 72, height);
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines = vec![Line::from(safe_spans(
        &feedback.headline,
        width,
        outcome_style(feedback.outcome, theme),
        theme,
    ))];
    if feedback.reveals_answer() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!("Right answer: {}", feedback.gold.as_str()),
            theme.title(),
        ));
        if let Some(note) = &feedback.gold_note {
            // The note is training data: shown escaped like any record text, wrapped.
            lines.push(Line::from(safe_spans(
                note,
                usize::MAX / 2,
                Style::new(),
                theme,
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled("any key continues", theme.dim()));
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Training feedback ", theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn verdict_word(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Approve => "approved".into(),
        Verdict::Reject(r) => format!("rejected ({})", r.code()),
        Verdict::Defer => "deferred".into(),
        Verdict::Escalate => "escalated".into(),
        Verdict::Note => "noted".into(),
    }
}

pub fn scoreboard(frame: &mut Frame<'_>, state: &ReviewState, theme: Theme) {
    let board = Scoreboard::from_records(&state.training_log);
    let screen = frame.area();
    let width = usize::from(screen.width.min(90).saturating_sub(2));
    let percent = |v: Option<f64>| v.map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
    let seconds = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Accuracy ", theme.title()),
            Span::raw(format!(
                "{} ({} of {} judged decisions right)",
                percent(board.accuracy),
                board.correct,
                board.judged
            )),
        ]),
        Line::from(vec![
            Span::styled("False releases ", theme.title()),
            Span::styled(
                format!("{}", board.false_releases),
                if board.false_releases > 0 {
                    theme.bad()
                } else {
                    theme.good()
                },
            ),
            Span::raw("   "),
            Span::styled("Missed matches ", theme.title()),
            Span::raw(format!("{}", board.missed_matches)),
        ]),
        Line::from(format!(
            "{} decisions · {} deferred · {} escalated · median {} per decision",
            board.decisions,
            board.deferred,
            board.escalated,
            seconds(board.median_seconds)
        )),
    ];
    if board.missed.is_empty() {
        lines.push(Line::styled("No mistakes.", theme.good()));
    } else {
        lines.push(Line::styled("Mistakes, costliest first:", theme.title()));
    }
    for missed in &board.missed {
        let head = format!(
            "{} {} ↔ {}: you {}, right answer {}",
            if missed.outcome == Outcome::FalseRelease {
                "✖ FALSE RELEASE"
            } else {
                "✖ missed match"
            },
            missed.request_id,
            missed.candidate_id,
            verdict_word(&missed.verdict),
            missed.gold.as_str()
        );
        lines.push(Line::from(safe_spans(
            &head,
            width,
            outcome_style(missed.outcome, theme),
            theme,
        )));
        if let Some(note) = &missed.gold_note {
            lines.push(Line::from(safe_spans(
                &format!("  {note}"),
                usize::MAX / 2,
                theme.dim(),
                theme,
            )));
        }
    }
    lines.push(Line::styled(
        "Esc returns to the queue · q quits",
        theme.dim(),
    ));
    // Tall enough for the lines as they wrap, and no taller.
    let wrapped: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(width.max(1)))
        .sum();
    let area = centered(screen, 90, (wrapped as u16).saturating_add(2));
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Training scoreboard ", theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The tour caption sits at the bottom of the body, above the footer.
pub fn tour_caption(frame: &mut Frame<'_>, body: Rect, step: usize, theme: Theme) {
    let Some((part, text)) = CAPTIONS.get(step) else {
        return;
    };
    let height = 5.min(body.height);
    let area = Rect {
        y: body.y + body.height - height,
        height,
        ..body
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(
                format!("Tour {}/{} · {part}: ", step + 1, CAPTIONS.len()),
                theme.title(),
            ),
            Span::raw(*text),
        ]),
        Line::styled(
            "n next caption · Esc leaves the tour · every other key works as usual",
            theme.dim(),
        ),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.key()),
            )
            .wrap(Wrap { trim: true }),
        area,
    );
}
