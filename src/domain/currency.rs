//! Address currency: when the candidate's address was last confirmed, and whether that is too
//! long ago to release it. The date lives in the candidate's extra fields under the canonical
//! key [`ADDRESS_UPDATED`]; the importer maps the common names onto it ([`ALIASES`]).
//!
//! A candidate without a date is not refused for currency (many matchers do not export one);
//! a date that is not a date, or lies in the future, is: nobody can say how current it is.

use chrono::NaiveDate;

use super::field::Record;
use super::validity::parse_date;

/// The canonical key of the date the candidate's address was last confirmed.
pub const ADDRESS_UPDATED: &str = "address_updated";

/// Other names matchers and agencies give that date; imported as [`ADDRESS_UPDATED`].
pub const ALIASES: [&str; 10] = [
    "last_confirmed",
    "address_confirmed",
    "address_last_confirmed",
    "address_confirmed_date",
    "address_date",
    "address_verified",
    "last_verified",
    "address_updated_at",
    "address_last_updated",
    "address_as_of",
];

/// The canonical suffix for a candidate field suffix: an alias becomes [`ADDRESS_UPDATED`].
pub fn canonical_suffix(suffix: &str) -> &str {
    if ALIASES.contains(&suffix) {
        ADDRESS_UPDATED
    } else {
        suffix
    }
}

/// How current the candidate's address is on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressAge {
    /// No date: currency is not known.
    Unknown,
    /// A value that is not a date.
    Invalid(String),
    /// Confirmed after the day it is judged on.
    Future(NaiveDate),
    /// Confirmed on `date`, `days` before the day it is judged on.
    Confirmed { date: NaiveDate, days: i64 },
}

/// The age of the candidate's address on `as_of`.
pub fn address_age(candidate: &Record, as_of: NaiveDate) -> AddressAge {
    let Some(raw) = candidate.extra.get(ADDRESS_UPDATED) else {
        return AddressAge::Unknown;
    };
    match parse_date(raw) {
        None => AddressAge::Invalid(raw.trim().to_string()),
        Some(date) if date > as_of => AddressAge::Future(date),
        Some(date) => AddressAge::Confirmed {
            date,
            days: (as_of - date).num_days(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(date: &str) -> Record {
        let mut r = Record::new("c");
        r.set_extra(ADDRESS_UPDATED, date);
        r
    }

    #[test]
    fn ages_at_their_edges() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        assert_eq!(address_age(&Record::new("c"), day), AddressAge::Unknown);
        assert_eq!(
            address_age(&cand("2026-11-01"), day),
            AddressAge::Confirmed { date: day, days: 0 }
        );
        assert!(matches!(
            address_age(&cand("2023-11-02"), day),
            AddressAge::Confirmed { days: 1095, .. }
        ));
        assert!(matches!(
            address_age(&cand("2026-11-02"), day),
            AddressAge::Future(_)
        ));
        assert_eq!(
            address_age(&cand(" 2026-13-01 "), day),
            AddressAge::Invalid("2026-13-01".into())
        );
        assert_eq!(canonical_suffix("last_confirmed"), ADDRESS_UPDATED);
        assert_eq!(canonical_suffix("phone"), "phone");
    }
}
