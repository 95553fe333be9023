//! What can happen on the supervisor's screen, and what its `update` asks the worker to do.

use crate::domain::Verdict;
use crate::domain::supervision::CheckVerdict;

use super::state::{Shown, Task};

/// A supervisor's command (from a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Next,
    Previous,
    NextCandidate,
    Agree,
    Overturn,
    Note,
    Approve,
    Reject,
    Undo,
    Figures,
    Help,
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Command(Command),
    /// A typed character in a popup (a reason digit, text).
    Char(char),
    Backspace,
    Submit,
    Cancel,
    Resize {
        width: u16,
        height: u16,
    },
    TasksLoaded(Vec<Task>),
    ItemLoaded(Box<Shown>),
    /// Another session holds the task's request: it is skipped.
    HeldBy {
        request_id: i64,
        holder: String,
    },
    /// A write committed. `settles`: the task is done (a note leaves it on screen).
    Saved {
        text: String,
        group_id: i64,
        check: Option<(i64, bool)>,
        settles: bool,
    },
    Undone(String),
    /// A write was refused or failed: nothing was saved.
    Failed(String),
    FiguresLoaded(Box<super::figures::FiguresView>),
    /// Another session committed something.
    StoreChanged,
    Terminate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadTasks,
    /// Claim the task's request and load it (or report who holds it).
    LoadItem(Task),
    Check {
        decision_id: i64,
        verdict: CheckVerdict,
        note: Option<String>,
    },
    /// Decide a match (an escalated request, or reject one waiting for an override; a note).
    Decide {
        match_id: i64,
        verdict: Verdict,
        note: Option<String>,
    },
    Override {
        match_id: i64,
        justification: String,
    },
    Undo {
        group_id: i64,
    },
    LoadFigures,
    Quit,
}
