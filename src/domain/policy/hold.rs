//! Legal holds: while one is active on a batch, nothing covered by it may be approved or released.

use std::fmt;
use std::str::FromStr;

use crate::domain::Record;
use crate::domain::address::{AddressProblem, check_record};

/// What a hold covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldScope {
    /// Residential addresses: every candidate address that is not a PO box or general delivery
    /// (which is every address the sufficiency gate lets through without an override).
    Residential,
    /// Every match of the batch, whatever its address.
    All,
}

impl HoldScope {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldScope::Residential => "residential",
            HoldScope::All => "all",
        }
    }

    /// True when a hold of this scope covers a release of this candidate address.
    pub fn covers(self, candidate: &Record) -> bool {
        match self {
            HoldScope::All => true,
            HoldScope::Residential => !check_record(candidate)
                .iter()
                .any(|p| matches!(p, AddressProblem::PoBox | AddressProblem::GeneralDelivery)),
        }
    }
}

impl fmt::Display for HoldScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HoldScope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "residential" => Ok(HoldScope::Residential),
            "all" => Ok(HoldScope::All),
            other => Err(format!(
                "unknown hold scope {other:?}: expected residential or all"
            )),
        }
    }
}

/// A legal hold on a batch, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: i64,
    pub batch_id: i64,
    pub batch: String,
    pub scope: HoldScope,
    pub reason: String,
    pub added_by: String,
    pub added_at: String,
    /// (who, when, why) once lifted.
    pub lifted: Option<(String, String, String)>,
}

impl Hold {
    pub fn is_active(&self) -> bool {
        self.lifted.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn residential_scope_skips_po_boxes_and_all_covers_everything() {
        let home = Record::new("c")
            .with(Field::StreetNumber, "12")
            .with(Field::Street, "Main St");
        let po = Record::new("c").with(Field::Street, "PO Box 12");
        assert!(HoldScope::Residential.covers(&home));
        assert!(!HoldScope::Residential.covers(&po));
        assert!(HoldScope::All.covers(&po));
        assert_eq!("ALL".parse::<HoldScope>(), Ok(HoldScope::All));
        assert!("some".parse::<HoldScope>().is_err());
    }
}
