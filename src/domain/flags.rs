//! Flags an item carries in the queue, computed from its records at import. Stored as a bit set in
//! `requests.flags` so the queue can be filtered by them.

use super::field::Record;
use super::text_safety;

/// A set of item flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ItemFlags(pub u32);

impl ItemFlags {
    /// A field holds control characters, escape sequences, bidi overrides or invisible characters.
    pub const HOSTILE_TEXT: ItemFlags = ItemFlags(1);
    /// The request has more than one candidate.
    pub const SEVERAL_CANDIDATES: ItemFlags = ItemFlags(1 << 1);
    /// An address on either side is incomplete or malformed (release policy).
    pub const INSUFFICIENT_ADDRESS: ItemFlags = ItemFlags(1 << 2);
    /// A value cannot be what its field says (a date of birth 1945-04-93, a ZIP with letters).
    pub const INVALID_VALUE: ItemFlags = ItemFlags(1 << 3);

    /// Every flag with its name, for filters and help.
    pub const NAMED: [(ItemFlags, &'static str); 4] = [
        (ItemFlags::HOSTILE_TEXT, "hostile-text"),
        (ItemFlags::SEVERAL_CANDIDATES, "several-candidates"),
        (ItemFlags::INSUFFICIENT_ADDRESS, "insufficient-address"),
        (ItemFlags::INVALID_VALUE, "invalid-value"),
    ];

    pub fn contains(self, other: ItemFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn union(self, other: ItemFlags) -> ItemFlags {
        ItemFlags(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn names(self) -> Vec<&'static str> {
        ItemFlags::NAMED
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
            .collect()
    }

    pub fn from_name(name: &str) -> Option<ItemFlags> {
        ItemFlags::NAMED
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(flag, _)| *flag)
    }

    /// The flags one request × candidate pair contributes: each record's, and whether the pair's
    /// addresses fail the sufficiency rules.
    pub fn of_pair(request: &Record, candidate: &Record) -> ItemFlags {
        let flags = ItemFlags::of_record(request).union(ItemFlags::of_record(candidate));
        if super::address::is_sufficient(request, candidate) {
            flags
        } else {
            flags.union(ItemFlags::INSUFFICIENT_ADDRESS)
        }
    }

    /// The flags one record contributes (a request's flags are the union over its records).
    pub fn of_record(record: &Record) -> ItemFlags {
        let hostile = std::iter::once(record.id.as_str())
            .chain(record.all_values())
            .chain(record.extra.keys().map(String::as_str))
            .any(text_safety::contains_unsafe);
        let mut flags = ItemFlags::default();
        if hostile {
            flags = flags.union(ItemFlags::HOSTILE_TEXT);
        }
        if !super::validity::invalid_fields(record).is_empty() {
            flags = flags.union(ItemFlags::INVALID_VALUE);
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn hostile_text_in_any_field_flags_the_record() {
        let clean = Record::new("r1").with(Field::City, "Springfield");
        assert!(ItemFlags::of_record(&clean).is_empty());
        let hostile = Record::new("r2").with(Field::City, "Spring\u{1b}[2Jfield");
        assert!(ItemFlags::of_record(&hostile).contains(ItemFlags::HOSTILE_TEXT));
    }

    #[test]
    fn names_round_trip() {
        for (flag, name) in ItemFlags::NAMED {
            assert_eq!(ItemFlags::from_name(name), Some(flag));
        }
        let both = ItemFlags::HOSTILE_TEXT.union(ItemFlags::SEVERAL_CANDIDATES);
        assert_eq!(both.names(), vec!["hostile-text", "several-candidates"]);
    }

    #[test]
    fn a_pair_with_an_incomplete_address_is_flagged() {
        let complete = Record::new("r")
            .with(Field::StreetNumber, "12")
            .with(Field::Street, "Main St")
            .with(Field::City, "Springfield")
            .with(Field::State, "IL")
            .with(Field::Zip, "62704");
        assert!(ItemFlags::of_pair(&complete, &complete).is_empty());
        let po_box = complete.clone().with(Field::Street, "PO Box 12");
        assert!(ItemFlags::of_pair(&complete, &po_box).contains(ItemFlags::INSUFFICIENT_ADDRESS));
    }
}
