//! The modes with keys of their own: pickers, text input, search, menus and overlays.

use crate::domain::{ItemFlags, QueueFilter, QueueSort, ScoreBand, StateFilter, Verdict};
use crate::store::PageFrom;

use super::super::action::Command;
use super::super::effect::Effect;
use super::super::state::{InputPurpose, Mode, ReviewState};
use super::browse::{decide, on_browse};
use super::window::{jump, reload, step};

pub(super) fn on_command(state: &mut ReviewState, command: Command) -> Vec<Effect> {
    if command == Command::Quit
        && matches!(state.mode, Mode::Browse | Mode::Help | Mode::Scoreboard)
    {
        // A training session ends on its scoreboard: the first q shows it, the next one quits.
        if state.session.training
            && state.mode != Mode::Scoreboard
            && !state.training_log.is_empty()
        {
            state.mode = Mode::Scoreboard;
            return vec![];
        }
        state.quit = true;
        return vec![Effect::Quit];
    }
    match state.mode.clone() {
        Mode::Browse => on_browse(state, command),
        Mode::ReasonPicker => {
            if command == Command::Cancel {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::TextInput { purpose, text } => match command {
            Command::Cancel => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Confirm => {
                state.mode = Mode::Browse;
                let note = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                match purpose {
                    InputPurpose::Escalate => decide(state, Verdict::Escalate, note),
                    InputPurpose::Note if note.is_some() => decide(state, Verdict::Note, note),
                    InputPurpose::Note => vec![],
                }
            }
            _ => vec![],
        },
        Mode::Search { hits, selected, .. } => match command {
            Command::Cancel => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Next | Command::Prev => {
                let selected = step(selected, hits.len(), command == Command::Next);
                if let Mode::Search { selected: s, .. } = &mut state.mode {
                    *s = selected;
                }
                vec![]
            }
            Command::Confirm => match hits.get(selected) {
                Some(hit) => {
                    state.mode = Mode::Browse;
                    jump(state, PageFrom::At(hit.key()))
                }
                None => vec![],
            },
            _ => vec![],
        },
        Mode::Filter { selected } => {
            let options = filter_options(state);
            match command {
                Command::Cancel | Command::Filter => {
                    state.mode = Mode::Browse;
                    vec![]
                }
                Command::Next | Command::Prev => {
                    let selected = step(selected, options.len(), command == Command::Next);
                    state.mode = Mode::Filter { selected };
                    vec![]
                }
                Command::Confirm => {
                    state.mode = Mode::Browse;
                    match options.get(selected) {
                        Some(option) => {
                            state.filter = option.apply(state.filter);
                            reload(state)
                        }
                        None => vec![],
                    }
                }
                _ => vec![],
            }
        }
        Mode::Sort { selected } => match command {
            Command::Cancel | Command::Sort => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Next | Command::Prev => {
                let selected = step(selected, QueueSort::ALL.len(), command == Command::Next);
                state.mode = Mode::Sort { selected };
                vec![]
            }
            Command::Confirm => {
                state.mode = Mode::Browse;
                state.sort = QueueSort::ALL[selected.min(QueueSort::ALL.len() - 1)];
                reload(state)
            }
            _ => vec![],
        },
        Mode::Help => {
            if matches!(command, Command::Cancel | Command::Help | Command::Confirm) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::Detail => {
            if matches!(
                command,
                Command::Cancel | Command::Detail | Command::Confirm
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::Preview { .. } => {
            if matches!(
                command,
                Command::Cancel | Command::Confirm | Command::Preview
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        // Any key continues after feedback; at the end of the queue the scoreboard follows.
        Mode::Feedback(_) => {
            state.mode = if queue_finished(state) {
                Mode::Scoreboard
            } else {
                Mode::Browse
            };
            vec![]
        }
        Mode::Scoreboard => {
            if matches!(
                command,
                Command::Cancel | Command::Confirm | Command::Scoreboard
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
    }
}

/// Nothing is left in the queue (and no page is on its way).
pub(super) fn queue_finished(state: &ReviewState) -> bool {
    state.window.entries.is_empty() && state.window.at_end
}

/// One line of the filter menu: a value for one part of the filter.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterOption {
    State(StateFilter),
    Batch(Option<i64>, String),
    Band(Option<ScoreBand>),
    Flag(Option<ItemFlags>),
}

impl FilterOption {
    pub fn apply(&self, filter: QueueFilter) -> QueueFilter {
        match self {
            FilterOption::State(s) => QueueFilter {
                state: *s,
                ..filter
            },
            FilterOption::Batch(b, _) => QueueFilter {
                batch_id: *b,
                ..filter
            },
            FilterOption::Band(b) => QueueFilter { band: *b, ..filter },
            FilterOption::Flag(f) => QueueFilter { flag: *f, ..filter },
        }
    }

    /// (group, label): the menu shows the group once above its options.
    pub fn label(&self) -> (&'static str, String) {
        match self {
            FilterOption::State(s) => ("status", s.label().to_string()),
            FilterOption::Batch(None, _) => ("batch", "all batches".into()),
            FilterOption::Batch(Some(_), name) => ("batch", name.clone()),
            FilterOption::Band(None) => ("score", "any score".into()),
            FilterOption::Band(Some(b)) => ("score", b.label().to_string()),
            FilterOption::Flag(None) => ("flag", "any flags".into()),
            FilterOption::Flag(Some(f)) => ("flag", f.names().join(", ")),
        }
    }

    pub fn is_active(&self, filter: &QueueFilter) -> bool {
        self.apply(*filter) == *filter
    }
}

/// Every choice the filter menu offers, in menu order.
pub fn filter_options(state: &ReviewState) -> Vec<FilterOption> {
    let mut options: Vec<FilterOption> = StateFilter::ALL
        .into_iter()
        .map(FilterOption::State)
        .collect();
    options.push(FilterOption::Batch(None, String::new()));
    options.extend(
        state
            .batches
            .iter()
            .map(|(id, b)| FilterOption::Batch(Some(*id), b.name.clone())),
    );
    options.push(FilterOption::Band(None));
    options.extend(
        ScoreBand::ALL
            .into_iter()
            .map(|b| FilterOption::Band(Some(b))),
    );
    options.push(FilterOption::Flag(None));
    options.extend(
        ItemFlags::NAMED
            .into_iter()
            .map(|(f, _)| FilterOption::Flag(Some(f))),
    );
    options
}
