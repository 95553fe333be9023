//! The supervisor's screen's whole state. Rendering reads it; only `update` changes it.

use crate::domain::policy::{Hold, Policy};
use crate::domain::{ReasonCode, ReviewItem};
use crate::store::{DecisionUnderCheck, OverrideWaiting};
use crate::tui::state::{StatusKind, StatusLine};

/// What a supervisor is asked to do with a request, in queue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskKind {
    /// A reviewer handed the request to a supervisor: approve or reject it.
    Escalated,
    /// An approval refused by the address-sufficiency rule: override it, or reject.
    Override,
    /// A blind second review disagreed with the first decision: which was right?
    Disagreement,
    /// A decision drawn for a spot check: agree or overturn.
    SpotCheck,
}

impl TaskKind {
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::Escalated => "escalated",
            TaskKind::Override => "override?",
            TaskKind::Disagreement => "disagree",
            TaskKind::SpotCheck => "spot check",
        }
    }

    /// Whether the task is a check of a decision (y agrees, o overturns).
    pub fn checks_a_decision(self) -> bool {
        matches!(self, TaskKind::Disagreement | TaskKind::SpotCheck)
    }
}

/// One entry of the supervisor's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub kind: TaskKind,
    pub request_id: i64,
    /// The request's id in its file, as the queue list shows it.
    pub source_id: String,
    /// The match in question (the one under check, or waiting for an override).
    pub match_id: Option<i64>,
    /// The decision under check.
    pub decision_id: Option<i64>,
    /// Whose decision it is (or who asked for the override).
    pub reviewer: Option<String>,
    /// Why it is in the queue (sample reason, lot), one line.
    pub why: String,
}

/// Where the lot of the decision under check stands, one line ("lot ann 2026-12-02: ...").
pub type LotLine = String;

/// The task on screen with everything loaded for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub task: Task,
    pub item: ReviewItem,
    /// Which candidate the comparison shows.
    pub candidate: usize,
    pub under_check: Option<DecisionUnderCheck>,
    pub waiting: Option<OverrideWaiting>,
    pub lot: Option<LotLine>,
    pub policy: Policy,
    pub holds: Vec<Hold>,
}

/// What a reason digit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonFor {
    Overturn,
    Reject,
}

/// What typed text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFor {
    /// The note an overturn must carry.
    OverturnNote(ReasonCode),
    /// A note on the match.
    Note,
    /// The written justification of an override.
    Justification,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    #[default]
    Browse,
    ReasonPicker(ReasonFor),
    TextInput {
        purpose: InputFor,
        text: String,
    },
    Help,
    /// The reviewers' figures.
    Figures,
}

/// An action of this session that `u` can take back.
#[derive(Debug, Clone, PartialEq)]
pub struct Undoable {
    pub group_id: i64,
    pub what: String,
    /// The decision it checked, when it was a check.
    pub check: Option<i64>,
}

/// One check made in this session (the training scoreboard reads them).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckMade {
    pub decision_id: i64,
    pub overturned: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuperviseState {
    pub supervisor: String,
    pub db_label: String,
    pub no_color: bool,
    pub tasks: Vec<Task>,
    pub cursor: usize,
    /// The queue has been loaded at least once.
    pub loaded: bool,
    pub shown: Option<Shown>,
    pub mode: Mode,
    pub status: Option<StatusLine>,
    pub undo: Vec<Undoable>,
    /// The undo sent to the store and not answered yet.
    pub undoing: Option<Undoable>,
    /// An action sent to the store and not answered yet (keys that write wait for it).
    pub busy: bool,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    pub checks: Vec<CheckMade>,
    /// The figures view, once loaded.
    pub figures: Option<super::figures::FiguresView>,
}

impl SuperviseState {
    pub fn new(supervisor: String, db_label: String, no_color: bool) -> Self {
        SuperviseState {
            supervisor,
            db_label,
            no_color,
            width: 80,
            height: 24,
            ..SuperviseState::default()
        }
    }

    pub fn current_task(&self) -> Option<&Task> {
        self.tasks.get(self.cursor)
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(StatusLine {
            text: text.into(),
            kind,
        });
    }

    /// How many tasks of each kind wait.
    pub fn count(&self, kind: TaskKind) -> usize {
        self.tasks.iter().filter(|t| t.kind == kind).count()
    }
}
