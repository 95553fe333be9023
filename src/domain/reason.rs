//! The fixed list of reasons a reviewer gives for rejecting a release.

use std::fmt;
use std::str::FromStr;

/// Why a release was rejected. The digit is the key in the reason picker; the code is what is
/// stored in `decisions.reason_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    InsufficientAddress,
    NameOnly,
    DobConflict,
    DifferentPerson,
    Ambiguous,
    StaleAddress,
    IdentifierConflict,
    Duplicate,
    Other,
    /// Set by matchgate, not picked: a sibling candidate of the same request was approved.
    NotChosen,
}

impl ReasonCode {
    /// The reasons a reviewer can pick, in picker order (digit 1 is the first).
    pub const PICKABLE: [ReasonCode; 9] = [
        ReasonCode::InsufficientAddress,
        ReasonCode::NameOnly,
        ReasonCode::DobConflict,
        ReasonCode::DifferentPerson,
        ReasonCode::Ambiguous,
        ReasonCode::StaleAddress,
        ReasonCode::IdentifierConflict,
        ReasonCode::Duplicate,
        ReasonCode::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReasonCode::InsufficientAddress => "insufficient_address",
            ReasonCode::NameOnly => "name_only",
            ReasonCode::DobConflict => "dob_conflict",
            ReasonCode::DifferentPerson => "different_person",
            ReasonCode::Ambiguous => "ambiguous",
            ReasonCode::StaleAddress => "stale_address",
            ReasonCode::IdentifierConflict => "identifier_conflict",
            ReasonCode::Duplicate => "duplicate",
            ReasonCode::Other => "other",
            ReasonCode::NotChosen => "not_chosen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReasonCode::InsufficientAddress => "Insufficient or incomplete address",
            ReasonCode::NameOnly => "Name only: nothing else agrees",
            ReasonCode::DobConflict => "Date of birth conflicts",
            ReasonCode::DifferentPerson => "Different person (namesake)",
            ReasonCode::Ambiguous => "Ambiguous: several candidates fit",
            ReasonCode::StaleAddress => "Stale or superseded address",
            ReasonCode::IdentifierConflict => "Identifier (TIN) conflicts",
            ReasonCode::Duplicate => "Duplicate of another request",
            ReasonCode::Other => "Other (add a note)",
            ReasonCode::NotChosen => "Another candidate was approved",
        }
    }

    /// The picker digit (1-9) that chooses this reason.
    pub fn digit(self) -> Option<u8> {
        ReasonCode::PICKABLE
            .iter()
            .position(|r| *r == self)
            .and_then(|i| u8::try_from(i + 1).ok())
    }

    pub fn from_digit(digit: u8) -> Option<ReasonCode> {
        ReasonCode::PICKABLE
            .get(usize::from(digit).checked_sub(1)?)
            .copied()
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReasonCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReasonCode::PICKABLE
            .into_iter()
            .chain([ReasonCode::NotChosen])
            .find(|r| r.code() == s)
            .ok_or_else(|| format!("unknown reason code {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_choose_reasons_in_order() {
        assert_eq!(
            ReasonCode::from_digit(1),
            Some(ReasonCode::InsufficientAddress)
        );
        assert_eq!(ReasonCode::from_digit(9), Some(ReasonCode::Other));
        assert_eq!(ReasonCode::from_digit(0), None);
        assert_eq!(ReasonCode::from_digit(10), None);
        assert_eq!(ReasonCode::NotChosen.digit(), None);
        for r in ReasonCode::PICKABLE {
            assert_eq!(r.digit().and_then(ReasonCode::from_digit), Some(r));
            assert_eq!(r.code().parse::<ReasonCode>(), Ok(r));
        }
    }
}
