//! Values that cannot be what their column says: a date of birth such as 1945-04-93, a ZIP with
//! letters, a TIN without nine digits. Record fields are evidence, not contract: such a value is
//! imported verbatim, shown as "invalid" with its raw text, never agrees, never counts as an
//! identifier, and flags the item.

use chrono::NaiveDate;

use super::address::{normalize_state, parse_zip};
use super::field::{Field, Record};

/// The suffix under which a request carries the TIN's last four.
pub const REQUEST_TIN: &str = "tin";

/// A date as matchers write it: `YYYY-MM-DD` (also with `/` or `.`), `YYYYMMDD`, or US
/// `MM/DD/YYYY`; a day that exists on the calendar, in a year from 1850 to 2200.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let date = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%m/%d/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .or_else(|| {
            (t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| NaiveDate::parse_from_str(t, "%Y%m%d").ok())
                .flatten()
        })?;
    // chrono accepts signs and short years; a birth date of year 12 is not a date of birth.
    let year = chrono::Datelike::year(&date);
    ((1850..=2200).contains(&year) && t.starts_with(|c: char| c.is_ascii_digit())).then_some(date)
}

/// Why a canonical value is invalid for its field, or None when it is valid (or the field has
/// no format). `last_four_ok` accepts a four-digit TIN (what a request carries).
pub fn invalid_reason(field: Field, value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match field {
        Field::Dob if parse_date(v).is_none() => Some("not a real calendar date"),
        Field::Zip if parse_zip(v).is_none() => Some("not a 5-digit or ZIP+4 code"),
        Field::State if normalize_state(v).is_none() => Some("not a US state or territory"),
        Field::Tin if !tin_shaped(v) => Some("not a TIN (9 digits) or its last four"),
        _ => None,
    }
}

/// True when the value is valid for the field (or the field has no format).
pub fn is_valid(field: Field, value: &str) -> bool {
    invalid_reason(field, value).is_none()
}

/// Nine digits (with optional dashes or spaces), or just the last four.
fn tin_shaped(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    v.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' '))
        && (digits == 9 || digits == 4)
}

/// The canonical fields of a record (and the request's TIN last four) whose values are invalid.
pub fn invalid_fields(record: &Record) -> Vec<Field> {
    let mut out: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|f| record.get(*f).is_some_and(|v| !is_valid(*f, v)))
        .collect();
    if let Some(t) = record.extra.get(REQUEST_TIN)
        && !is_valid(Field::Tin, t)
        && !out.contains(&Field::Tin)
    {
        out.push(Field::Tin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(parse_date("1945-04-13").is_some());
        assert!(parse_date(" 04/13/1945 ").is_some());
        assert!(parse_date("19450413").is_some());
        assert!(parse_date("1945-04-93").is_none());
        assert!(parse_date("1945-02-29").is_none());
        assert!(parse_date("13/04/1945").is_none());
        assert!(parse_date("0012-01-01").is_none());
        assert!(parse_date("+1945-04-13").is_none());
        assert!(parse_date("April 1945").is_none());
    }

    #[test]
    fn invalid_values_by_field() {
        assert_eq!(
            invalid_reason(Field::Dob, "1945-04-93"),
            Some("not a real calendar date")
        );
        assert_eq!(
            invalid_reason(Field::Zip, "6O614"),
            Some("not a 5-digit or ZIP+4 code")
        );
        assert_eq!(invalid_reason(Field::Zip, "60614-1234"), None);
        assert_eq!(
            invalid_reason(Field::State, "XX"),
            Some("not a US state or territory")
        );
        assert_eq!(invalid_reason(Field::State, "illinois"), None);
        assert_eq!(invalid_reason(Field::Tin, "912-34-5678"), None);
        assert_eq!(invalid_reason(Field::Tin, "5678"), None);
        assert!(invalid_reason(Field::Tin, "912-34-567").is_some());
        assert!(invalid_reason(Field::Tin, "ABC-DE-FGHI").is_some());
        assert_eq!(invalid_reason(Field::Street, "%%%"), None, "no format");
        let mut r = Record::new("r").with(Field::Dob, "1945-04-93");
        r.set_extra("tin", "12x4");
        assert_eq!(invalid_fields(&r), vec![Field::Dob, Field::Tin]);
    }
}
