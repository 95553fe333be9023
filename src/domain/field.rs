//! The record fields matchgate knows by name, and a record as a set of field values.

use std::collections::BTreeMap;
use std::fmt;

/// A canonical field: one the comparison and the policy understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    GivenName,
    Surname,
    Dob,
    StreetNumber,
    Street,
    Unit,
    City,
    State,
    Zip,
    /// Taxpayer identification number: candidate side only, sensitive.
    Tin,
}

impl Field {
    /// Every canonical field, in the order the comparison shows them.
    pub const ALL: [Field; 10] = [
        Field::GivenName,
        Field::Surname,
        Field::Dob,
        Field::StreetNumber,
        Field::Street,
        Field::Unit,
        Field::City,
        Field::State,
        Field::Zip,
        Field::Tin,
    ];

    /// The column suffix used in import files and the database (`req_<key>`, `cand_<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::Surname => "surname",
            Field::Dob => "dob",
            Field::StreetNumber => "street_number",
            Field::Street => "street",
            Field::Unit => "unit",
            Field::City => "city",
            Field::State => "state",
            Field::Zip => "zip",
            Field::Tin => "tin",
        }
    }

    /// A short human label for screens.
    pub fn label(self) -> &'static str {
        match self {
            Field::GivenName => "Given name",
            Field::Surname => "Surname",
            Field::Dob => "Date of birth",
            Field::StreetNumber => "Street no.",
            Field::Street => "Street",
            Field::Unit => "Unit",
            Field::City => "City",
            Field::State => "State",
            Field::Zip => "ZIP",
            Field::Tin => "TIN",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Fields that belong to the protected record only; a request never carries them.
    pub fn candidate_only(self) -> bool {
        matches!(self, Field::Tin)
    }

    /// Fields that make up the postal address (what a release hands over).
    pub fn is_address(self) -> bool {
        matches!(
            self,
            Field::StreetNumber
                | Field::Street
                | Field::Unit
                | Field::City
                | Field::State
                | Field::Zip
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One side of a match: the record as the requester sent it, or the protected record proposed.
///
/// Empty values are not stored: a field is either present with text or missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The id the source gave the record (`request_id` / `candidate_id`).
    pub id: String,
    values: BTreeMap<Field, String>,
    /// Non-canonical fields by suffix, kept to be shown side by side.
    pub extra: BTreeMap<String, String>,
}

impl Record {
    pub fn new(id: impl Into<String>) -> Self {
        Record {
            id: id.into(),
            ..Record::default()
        }
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.values.get(&field).map(String::as_str)
    }

    /// Sets a canonical field; blank text (after trimming) removes it.
    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        let value = value.into();
        if value.trim().is_empty() {
            self.values.remove(&field);
        } else {
            self.values.insert(field, value);
        }
    }

    pub fn with(mut self, field: Field, value: impl Into<String>) -> Self {
        self.set(field, value);
        self
    }

    /// Sets a non-canonical field by suffix; blank text removes it.
    pub fn set_extra(&mut self, suffix: impl Into<String>, value: impl Into<String>) {
        let (suffix, value) = (suffix.into(), value.into());
        if value.trim().is_empty() {
            self.extra.remove(&suffix);
        } else {
            self.extra.insert(suffix, value);
        }
    }

    /// Every present value, canonical and extra, for checks that look at all text.
    pub fn all_values(&self) -> impl Iterator<Item = &str> {
        self.values
            .values()
            .chain(self.extra.values())
            .map(String::as_str)
    }

    /// "Given Surname", or whichever part is present.
    pub fn display_name(&self) -> String {
        let parts: Vec<&str> = [Field::GivenName, Field::Surname]
            .into_iter()
            .filter_map(|f| self.get(f))
            .collect();
        parts.join(" ")
    }

    /// A one-line postal address: "12B Main St Apt 4, Springfield, IL 62704".
    pub fn display_address(&self) -> String {
        let street: Vec<&str> = [Field::StreetNumber, Field::Street, Field::Unit]
            .into_iter()
            .filter_map(|f| self.get(f))
            .collect();
        let region: Vec<&str> = [Field::State, Field::Zip]
            .into_iter()
            .filter_map(|f| self.get(f))
            .collect();
        [
            street.join(" "),
            self.get(Field::City).unwrap_or("").to_string(),
            region.join(" "),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
        assert_eq!(Field::from_key("nickname"), None);
    }

    #[test]
    fn blank_values_are_missing() {
        let mut r = Record::new("r1").with(Field::City, "Springfield");
        r.set(Field::City, "   ");
        assert_eq!(r.get(Field::City), None);
    }

    #[test]
    fn address_line_skips_missing_parts() {
        let r = Record::new("r1")
            .with(Field::StreetNumber, "12")
            .with(Field::Street, "Main St")
            .with(Field::City, "Springfield")
            .with(Field::State, "IL")
            .with(Field::Zip, "62704");
        assert_eq!(r.display_address(), "12 Main St, Springfield, IL 62704");
        assert_eq!(Record::new("x").display_address(), "");
    }
}
