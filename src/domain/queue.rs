//! The review queue as the screen asks for it: which requests, in which order, and the key that
//! pages through them without OFFSET scans.

use super::flags::ItemFlags;
use super::status::QueueState;

/// Which requests the queue holds, by where they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Open, then deferred: the reviewer's work.
    #[default]
    ToDo,
    Escalated,
    Done,
    All,
}

impl StateFilter {
    pub const ALL: [StateFilter; 4] = [
        StateFilter::ToDo,
        StateFilter::Escalated,
        StateFilter::Done,
        StateFilter::All,
    ];

    /// The queue states this filter admits, in queue order.
    pub fn states(self) -> &'static [QueueState] {
        match self {
            StateFilter::ToDo => &[QueueState::Open, QueueState::Deferred],
            StateFilter::Escalated => &[QueueState::Escalated],
            StateFilter::Done => &[QueueState::Done],
            StateFilter::All => &QueueState::ALL,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StateFilter::ToDo => "to do",
            StateFilter::Escalated => "escalated",
            StateFilter::Done => "done",
            StateFilter::All => "all",
        }
    }
}

/// A band of matcher scores (the request's best candidate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreBand {
    High,
    Medium,
    Low,
}

impl ScoreBand {
    pub const ALL: [ScoreBand; 3] = [ScoreBand::High, ScoreBand::Medium, ScoreBand::Low];

    /// The half-open score range `[lo, hi)` of the band (High includes 1.0).
    pub fn range(self) -> (f64, f64) {
        match self {
            ScoreBand::High => (0.9, 1.01),
            ScoreBand::Medium => (0.7, 0.9),
            ScoreBand::Low => (0.0, 0.7),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScoreBand::High => "score ≥ 0.90",
            ScoreBand::Medium => "score 0.70–0.90",
            ScoreBand::Low => "score < 0.70",
        }
    }
}

/// The order of the queue within each queue state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueSort {
    /// Best matcher score first.
    #[default]
    Score,
    /// Oldest import first.
    Age,
    /// By batch, then import order.
    Batch,
}

impl QueueSort {
    pub const ALL: [QueueSort; 3] = [QueueSort::Score, QueueSort::Age, QueueSort::Batch];

    pub fn label(self) -> &'static str {
        match self {
            QueueSort::Score => "score",
            QueueSort::Age => "age",
            QueueSort::Batch => "batch",
        }
    }
}

/// Everything that selects the queue.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueFilter {
    pub state: StateFilter,
    pub batch_id: Option<i64>,
    pub band: Option<ScoreBand>,
    pub flag: Option<ItemFlags>,
}

/// A position in the queue: enough of a request to continue paging after (or before) it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueKey {
    pub state: QueueState,
    pub batch_id: i64,
    pub score: f64,
    pub request_id: i64,
}

/// One line of the queue list.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The request's row id (`requests.id`).
    pub request_id: i64,
    /// The request id from the import file.
    pub source_id: String,
    pub batch_id: i64,
    pub name: String,
    pub top_score: f64,
    pub state: QueueState,
    pub candidate_count: u32,
    pub flags: ItemFlags,
}

impl QueueEntry {
    pub fn key(&self) -> QueueKey {
        QueueKey {
            state: self.state,
            batch_id: self.batch_id,
            score: self.top_score,
            request_id: self.request_id,
        }
    }
}

/// How many requests stand in each queue state (under the non-state parts of a filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueCounts {
    pub open: u64,
    pub deferred: u64,
    pub escalated: u64,
    pub done: u64,
}

impl QueueCounts {
    pub fn total(&self) -> u64 {
        self.open + self.deferred + self.escalated + self.done
    }

    /// Requests a reviewer has finished with (decided or handed to a supervisor).
    pub fn decided(&self) -> u64 {
        self.escalated + self.done
    }

    pub fn get(&self, state: QueueState) -> u64 {
        match state {
            QueueState::Open => self.open,
            QueueState::Deferred => self.deferred,
            QueueState::Escalated => self.escalated,
            QueueState::Done => self.done,
        }
    }

    pub fn set(&mut self, state: QueueState, count: u64) {
        match state {
            QueueState::Open => self.open = count,
            QueueState::Deferred => self.deferred = count,
            QueueState::Escalated => self.escalated = count,
            QueueState::Done => self.done = count,
        }
    }

    /// Moves one request from one state to another (after a decision).
    pub fn moved(mut self, from: QueueState, to: QueueState) -> QueueCounts {
        if from != to {
            self.set(from, self.get(from).saturating_sub(1));
            self.set(to, self.get(to) + 1);
        }
        self
    }
}

/// A request that changed queue state, as another session's commit left it (live updates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueMove {
    pub request_id: i64,
    pub batch_id: i64,
    pub top_score: f64,
    pub flags: ItemFlags,
    pub before: QueueState,
    pub after: QueueState,
}

impl QueueFilter {
    /// Whether a request with these values is counted under this filter (whatever its state).
    pub fn admits(&self, batch_id: i64, top_score: f64, flags: ItemFlags) -> bool {
        self.batch_id.is_none_or(|b| b == batch_id)
            && self.band.is_none_or(|band| {
                let (lo, hi) = band.range();
                top_score >= lo && top_score < hi
            })
            && self.flag.is_none_or(|f| f.0 & flags.0 != 0)
    }
}

impl QueueCounts {
    /// The counts after other sessions' moves, taking only the requests the filter counts.
    pub fn after_moves(self, moves: &[QueueMove], filter: &QueueFilter) -> QueueCounts {
        moves
            .iter()
            .filter(|m| filter.admits(m.batch_id, m.top_score, m.flags))
            .fold(self, |counts, m| counts.moved(m.before, m.after))
    }
}

#[cfg(test)]
mod move_tests {
    use super::*;

    #[test]
    fn moves_outside_the_filter_leave_counts_alone() {
        let counts = QueueCounts {
            open: 5,
            deferred: 1,
            escalated: 0,
            done: 2,
        };
        let mv = |batch_id, top_score, after| QueueMove {
            request_id: 1,
            batch_id,
            top_score,
            flags: ItemFlags(0),
            before: QueueState::Open,
            after,
        };
        let filter = QueueFilter {
            batch_id: Some(7),
            ..QueueFilter::default()
        };
        let moves = [
            mv(7, 0.9, QueueState::Done),
            mv(8, 0.9, QueueState::Done),
            mv(7, 0.5, QueueState::Escalated),
        ];
        let after = counts.after_moves(&moves, &filter);
        assert_eq!((after.open, after.escalated, after.done), (3, 1, 3));
        assert_eq!(after.total(), counts.total());
        let everything = counts.after_moves(&moves, &QueueFilter::default());
        assert_eq!((everything.open, everything.done), (2, 4));
    }
}
