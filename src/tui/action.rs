//! Every thing that can happen to the review screen: keys the keymap names, and results coming
//! back from the store. `update` is the only consumer.

use serde::Deserialize;

use super::state::SecondShown;
use crate::domain::policy::{Hold, Policy, Refusal, ReleaseRow};
use crate::domain::{BatchInfo, QueueCounts, QueueEntry, QueueMove, ReviewItem};
use crate::store::DecisionOutcome;

/// What a key can be bound to (the names used in keymap files, in snake_case).
/// Declaration order is the order help lists them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Approve release of the shown candidate's address.
    Approve,
    /// Reject: opens the reason picker.
    Reject,
    /// Defer the request; it comes back after the pending items.
    Defer,
    /// Escalate the request to a supervisor, with an optional note.
    Escalate,
    /// Add a note to the current item.
    Note,
    /// Revert your last decision of this session.
    Undo,
    /// Next item in the queue.
    Next,
    /// Previous item in the queue.
    Prev,
    /// Show the request's next candidate.
    NextCandidate,
    /// Fuzzy search over names and addresses in the queue.
    Search,
    /// Filter the queue (status, batch, score band, flag).
    Filter,
    /// Change the queue order (score, age, batch).
    Sort,
    /// Show every field in full, untruncated.
    Detail,
    /// Show or hide the queue list.
    ToggleQueue,
    /// Help: every key.
    Help,
    /// Training: show the scoreboard.
    Scoreboard,
    /// Reveal the shown candidate's masked identifier (recorded in the audit log).
    Reveal,
    /// Preview exactly what a release of the shown candidate would send.
    Preview,
    /// Guided tour: the next caption.
    TourNext,
    /// Leave the current popup or mode.
    Cancel,
    /// Confirm the current popup or input.
    Confirm,
    /// Quit (every decision is already saved).
    Quit,
}

impl Command {
    /// A short label for the footer and the help overlay.
    pub fn label(self) -> &'static str {
        match self {
            Command::Approve => "approve",
            Command::Reject => "reject",
            Command::Defer => "defer",
            Command::Escalate => "escalate",
            Command::Note => "note",
            Command::Undo => "undo",
            Command::Next => "next",
            Command::Prev => "previous",
            Command::NextCandidate => "next candidate",
            Command::Search => "search",
            Command::Filter => "filter",
            Command::Sort => "sort",
            Command::Detail => "full values",
            Command::ToggleQueue => "queue list",
            Command::Help => "help",
            Command::Scoreboard => "scoreboard",
            Command::Reveal => "reveal TIN",
            Command::Preview => "release preview",
            Command::TourNext => "next caption",
            Command::Cancel => "cancel",
            Command::Confirm => "confirm",
            Command::Quit => "quit",
        }
    }

    /// Commands that decide, and so need the record fully visible first.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Command::Approve | Command::Reject | Command::Defer | Command::Escalate
        )
    }
}

/// An input to `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A bound key.
    Command(Command),
    /// A typed character in a text field (note, search) or a picker digit.
    Input(char),
    /// Delete the last typed character.
    Backspace,
    /// The terminal is now this size.
    Resize { width: u16, height: u16 },
    /// A page of the queue arrived.
    PageLoaded {
        page: Vec<QueueEntry>,
        placement: Placement,
    },
    /// The counts for the current filter arrived.
    CountsLoaded(QueueCounts),
    /// The release policy and the active holds on the item's batch arrived.
    ContextLoaded { policy: Policy, holds: Vec<Hold> },
    /// A masked value was revealed (its reveal is in the audit log).
    Revealed {
        match_id: i64,
        value: Option<String>,
    },
    /// The release preview of a candidate arrived.
    PreviewLoaded {
        row: ReleaseRow,
        refusals: Vec<Refusal>,
    },
    /// The current item arrived (None: it vanished, e.g. deleted by another tool).
    ItemLoaded(Option<Box<ReviewItem>>),
    /// The shown item, loaded again after another session's commit.
    ItemRefreshed(Option<Box<ReviewItem>>),
    /// Another reviewer's screen holds this request: it is skipped.
    ItemHeld { request_id: i64, holder: String },
    /// The window's entries, reloaded after another session's commit.
    WindowRefreshed(Vec<QueueEntry>),
    /// Another session committed: these requests changed queue state (`truncated`: too many to
    /// apply one by one), and the batches are now these.
    StoreChanged {
        moves: Vec<QueueMove>,
        truncated: bool,
        batches: Vec<(i64, BatchInfo)>,
    },
    /// The request this reviewer still held from an earlier session, if any.
    Resumed(Option<QueueEntry>),
    /// End the session now (SIGTERM, SIGHUP, the end of a script): claims are released.
    Terminate,
    /// A decision was committed; the item had been on screen for `viewed_ms`.
    DecisionSaved {
        outcome: DecisionOutcome,
        viewed_ms: u64,
    },
    /// An undo was committed.
    UndoSaved(DecisionOutcome),
    /// A note was committed (status unchanged).
    NoteSaved,
    /// The store refused or failed; nothing was saved.
    StoreFailed(String),
    /// The lookup for a blind second review ended: the one now claimed and shown (None: none
    /// is waiting for this reviewer, the queue is shown), how many are waiting, and the policy.
    SecondFound {
        found: Option<Box<SecondShown>>,
        waiting: u64,
        policy: Box<Policy>,
    },
    /// How many second reviews this reviewer may take, counted again.
    SecondWaiting(u64),
    /// A second verdict was committed (the match's status is unchanged).
    SecondVerdictSaved(DecisionOutcome),
    /// Search results arrived for this query.
    SearchResults {
        query: String,
        hits: Vec<QueueEntry>,
    },
}

/// Where a loaded page goes in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// A fresh window from the head of the queue (position 1); select the first entry.
    Head,
    /// A fresh window at a jump target (search hit, undone item); its position is not known.
    Replace,
    /// After the last entry.
    Append,
    /// Before the first entry.
    Prepend,
}
