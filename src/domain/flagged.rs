//! A flagged match as it arrives from a matcher: the requested record, the candidate the matcher
//! proposed, its score, and (for training sets) the right answer.

use super::field::Record;

/// The right answer for a training item, as a careful reviewer would decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gold {
    /// The candidate is the requested person and the address may be released.
    Match,
    /// It is not, or the evidence is not enough: the address must not be released.
    Nonmatch,
}

impl Gold {
    pub fn as_str(self) -> &'static str {
        match self {
            Gold::Match => "match",
            Gold::Nonmatch => "nonmatch",
        }
    }

    pub fn parse(text: &str) -> Option<Gold> {
        match text.trim().to_ascii_lowercase().as_str() {
            "match" => Some(Gold::Match),
            "nonmatch" | "non-match" | "non_match" => Some(Gold::Nonmatch),
            _ => None,
        }
    }
}

/// Who asked for a batch and under which authority.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchInfo {
    pub name: String,
    pub requester: String,
    pub legal_basis: String,
}

/// One imported row: one request × one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedMatch {
    pub batch: String,
    pub request: Record,
    pub candidate: Record,
    /// The matcher's score, 0..=1.
    pub score: f64,
    pub gold: Option<Gold>,
    pub gold_note: Option<String>,
}
