//! The review screen's whole state. Rendering reads it; only `update` changes it.

use crate::domain::policy::{Hold, Policy, Refusal, ReleaseRow};
use crate::domain::training::{Feedback, TrainingRecord};
use crate::domain::{
    BatchInfo, Gold, QueueCounts, QueueEntry, QueueFilter, QueueSort, ReviewItem, Verdict,
};
use crate::store::SecondReview;

/// How many queue entries one page load brings.
pub const PAGE_SIZE: usize = 100;
/// The most entries the window keeps; older ones are dropped as the reviewer moves on.
pub const WINDOW_MAX: usize = 3 * PAGE_SIZE;

/// Who is reviewing what, fixed for the session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionInfo {
    pub db_label: String,
    pub reviewer: String,
    /// A training session (demo data or a scratch copy): shown in the header.
    pub training: bool,
    /// NO_COLOR is set: styles fall back to bold, reverse and underline.
    pub no_color: bool,
}

/// A bounded slice of the queue around the cursor, paged in from the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueWindow {
    pub entries: Vec<QueueEntry>,
    pub cursor: usize,
    /// Queue position of `entries[0]` (0-based), when known.
    pub offset: Option<u64>,
    /// Nothing comes after the last entry / before the first.
    pub at_end: bool,
    pub at_start: bool,
    /// A move waiting for a page to arrive (+1 after an append, -1 after a prepend).
    pub pending_move: i8,
}

impl QueueWindow {
    pub fn current(&self) -> Option<&QueueEntry> {
        self.entries.get(self.cursor)
    }

    /// The 1-based position of the current entry in the queue, when known.
    pub fn position(&self) -> Option<u64> {
        self.offset
            .map(|o| o + self.cursor as u64 + 1)
            .filter(|_| !self.entries.is_empty())
    }
}

/// What a line of text typed by the reviewer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    /// The note that goes with an escalation (may be empty).
    Escalate,
    /// A note on the item.
    Note,
}

/// What the screen is doing: browsing, or one popup with its own keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    #[default]
    Browse,
    /// Choosing the reason for a rejection.
    ReasonPicker,
    TextInput {
        purpose: InputPurpose,
        text: String,
    },
    Search {
        query: String,
        hits: Vec<QueueEntry>,
        selected: usize,
    },
    Filter {
        selected: usize,
    },
    Sort {
        selected: usize,
    },
    Help,
    /// Every value of the current item in full.
    Detail,
    /// Training: whether the last decision matched the right answer, and why.
    Feedback(Feedback),
    /// Training: the session's results.
    Scoreboard,
    /// Exactly what a release of the shown candidate would send, and what stands in its way.
    Preview {
        row: ReleaseRow,
        refusals: Vec<Refusal>,
    },
}

/// The last line of the screen: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub kind: StatusKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    /// A decision is committed.
    Saved,
    /// Nothing was saved.
    Error,
}

/// A decision of this session that `u` can revert.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub group_id: i64,
    pub entry: QueueEntry,
    pub verdict: Verdict,
    /// A second verdict: the first decision it reviewed (its undo reopens that review).
    pub second: Option<i64>,
}

/// A blind second review on screen. The item is cut down to the reviewed candidate, with the
/// approvals and the training answer taken out; the view hides its score and status.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondShown {
    pub review: SecondReview,
    pub entry: QueueEntry,
    pub item: ReviewItem,
}

impl SecondShown {
    /// The second review with its item cut down to what a blind reviewer may see; None when the
    /// reviewed match is no longer among the item's candidates.
    pub fn blind(review: SecondReview, entry: QueueEntry, mut item: ReviewItem) -> Option<Self> {
        let mut candidate = item
            .candidates
            .into_iter()
            .find(|c| c.match_id == review.match_id)?;
        candidate.approvals.clear();
        candidate.gold = None;
        candidate.gold_note = None;
        candidate.override_by = None;
        item.candidates = vec![candidate];
        Some(SecondShown {
            review,
            entry,
            item,
        })
    }
}

/// Blind second reviews are served before the queue: while one is looked for or shown, the
/// queue's item waits (its loads are held back) and the keys act on the second review.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SecondSlot {
    /// The queue is shown.
    #[default]
    Idle,
    /// The worker is looking for (and claiming) an open second review.
    Looking,
    Showing(Box<SecondShown>),
}

/// A decision sent to the store and not yet confirmed (kept so a failure can be retried).
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub entry: QueueEntry,
    pub verdict: Verdict,
    pub note: Option<String>,
    /// The decided candidate, with the right answer when the data carries one (training).
    pub candidate_id: String,
    pub gold: Option<Gold>,
    pub gold_note: Option<String>,
    /// A second verdict: the first decision it reviews.
    pub second: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewState {
    pub session: SessionInfo,
    pub batches: Vec<(i64, BatchInfo)>,
    pub filter: QueueFilter,
    pub sort: QueueSort,
    pub counts: QueueCounts,
    pub window: QueueWindow,
    pub item: Option<ReviewItem>,
    /// Which candidate of the item the comparison shows.
    pub shown: usize,
    pub mode: Mode,
    pub width: u16,
    pub height: u16,
    /// The reviewer's choice to show the queue list (it also needs the room).
    pub show_queue: bool,
    pub status: Option<StatusLine>,
    pub undo: Vec<UndoEntry>,
    pub in_flight: Option<InFlight>,
    /// The last decision that failed, for the retry hint.
    pub failed: Option<InFlight>,
    pub quit: bool,
    /// Training: every decision of the session, checked against its gold answer.
    pub training_log: Vec<TrainingRecord>,
    /// Guided tour: the caption shown, if the tour is on.
    pub tour_step: Option<usize>,
    /// The release policy and the current item's active legal holds, loaded with each item.
    pub policy: Policy,
    pub holds: Vec<Hold>,
    /// A masked value the reviewer revealed (match id, value); the reveal is audited.
    pub revealed: Option<(i64, String)>,
    /// The blind second review served before the queue, if any.
    pub second: SecondSlot,
    /// Second reviews this reviewer may take (for the header), as last counted.
    pub second_waiting: u64,
    /// First decisions whose second review this session skipped (`n`); not offered again.
    pub second_skipped: Vec<i64>,
}

impl ReviewState {
    pub fn new(session: SessionInfo, batches: Vec<(i64, BatchInfo)>, filter: QueueFilter) -> Self {
        ReviewState {
            session,
            batches,
            filter,
            show_queue: true,
            width: 80,
            height: 24,
            ..ReviewState::default()
        }
    }

    /// The second review on screen, if one is.
    pub fn second_shown(&self) -> Option<&SecondShown> {
        match &self.second {
            SecondSlot::Showing(shown) => Some(shown),
            _ => None,
        }
    }

    /// The item on screen: the second review's, else the queue's.
    pub fn shown_item(&self) -> Option<&ReviewItem> {
        match &self.second {
            SecondSlot::Showing(shown) => Some(&shown.item),
            SecondSlot::Looking => None,
            SecondSlot::Idle => self.item.as_ref(),
        }
    }

    pub fn shown_candidate(&self) -> Option<&crate::domain::CandidateMatch> {
        let shown = if self.second_shown().is_some() {
            0
        } else {
            self.shown
        };
        self.shown_item().and_then(|i| i.candidates.get(shown))
    }

    /// What the release rules say of approving the shown candidate now (empty: nothing blocks).
    /// Nothing on a second review: its verdict releases nothing, and a refusal would hint at the
    /// first verdict.
    pub fn refusals(&self) -> Vec<Refusal> {
        match &self.item {
            _ if self.second != SecondSlot::Idle => Vec::new(),
            Some(item) => crate::domain::policy::release_check(
                item,
                self.shown,
                &self.session.reviewer,
                &self.policy,
                &self.holds,
            ),
            None => Vec::new(),
        }
    }

    /// What this reviewer may see of earlier decisions and the score (two-person rule).
    pub fn visibility(&self) -> crate::domain::policy::ReviewVisibility {
        if self.second_shown().is_some() {
            return crate::domain::policy::ReviewVisibility::second_review();
        }
        let approvals = self
            .shown_candidate()
            .map(|c| c.approvals.as_slice())
            .unwrap_or_default();
        crate::domain::policy::review_visibility(&self.policy, approvals, &self.session.reviewer)
    }

    /// A field's value as the screen may show it: masked fields masked unless revealed.
    pub fn display_value(&self, match_id: i64, field: crate::domain::Field, value: &str) -> String {
        super::view::shown_value(&self.policy, self.revealed.as_ref(), match_id, field, value)
    }

    pub fn batch_name(&self, batch_id: i64) -> Option<&str> {
        self.batches
            .iter()
            .find(|(id, _)| *id == batch_id)
            .map(|(_, b)| b.name.as_str())
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(StatusLine {
            text: text.into(),
            kind,
        });
    }
}
