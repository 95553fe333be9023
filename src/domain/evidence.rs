//! Conflicting evidence: when two values on the two sides of a match say "different person"
//! rather than "a slip of the keyboard". The release gates refuse on conflicts (see
//! [`crate::domain::policy::rulebook`]); the generator builds its noise from the same
//! definitions, so its gold answers and the gates cannot drift apart.
//!
//! Choices, made deliberately:
//! - A date of birth is a plain typo when one digit of the day, the month or the last digit of the
//!   year is wrong, the day's two digits are transposed, or day and month are swapped. A wrong
//!   century or decade digit (1966 / 1996) moves the date ten years or more: that is how a parent
//!   and child at one address look, so it conflicts.
//! - A name conflicts unless it is equal, close (Jaro-Winkler), one edit away (typo or
//!   transposition), a nickname, an initial, swapped with the other name, one name's words
//!   contain the other's (compound surnames), or a documented name change on either side
//!   (`former_surname`, `maiden_name`, `previous_surname`, `alias`, `aka`) explains it.

use chrono::{Datelike, NaiveDate};

use super::agreement::{AgreementClass, FieldKey, compare_field, is_nickname_pair, name_key};
use super::field::{Field, Record};

/// How a DOB was mistyped, in words a reviewer can check against the two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DobTypo {
    /// The two digits of the day swapped (12 ↔ 21).
    DayDigitsTransposed,
    /// Month and day swapped (03-12 ↔ 12-03).
    MonthDaySwapped,
    /// A single digit wrong (not a century or decade digit).
    OneDigit,
}

impl DobTypo {
    pub fn describe(self) -> &'static str {
        match self {
            DobTypo::DayDigitsTransposed => "day digits transposed",
            DobTypo::MonthDaySwapped => "month and day swapped",
            DobTypo::OneDigit => "one digit wrong",
        }
    }
}

/// Whether `b` is `a` with a plain typo. Equal dates are not a typo.
pub fn dob_typo_between(a: NaiveDate, b: NaiveDate) -> Option<DobTypo> {
    if a == b {
        return None;
    }
    let (da, db) = (digits(a), digits(b));
    let wrong: Vec<usize> = (0..8).filter(|&i| da[i] != db[i]).collect();
    // Positions 0-2 are the century and decade digits of the year.
    if let [i] = wrong.as_slice()
        && *i >= 3
    {
        return Some(DobTypo::OneDigit);
    }
    if a.year() == b.year() && a.month() == b.month() && da[6] == db[7] && da[7] == db[6] {
        return Some(DobTypo::DayDigitsTransposed);
    }
    if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() {
        return Some(DobTypo::MonthDaySwapped);
    }
    None
}

/// The eight digits of YYYYMMDD.
fn digits(date: NaiveDate) -> [u8; 8] {
    let y = date.year().rem_euclid(10_000) as u32;
    let (m, d) = (date.month(), date.day());
    [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        d / 10,
        d % 10,
    ]
    .map(|v| v as u8)
}

/// Whether two names are at most one edit apart (insert, delete, substitute, or swap of two
/// adjacent letters), ignoring case: a typo or a transposition.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len() as isize - rb.len() as isize {
        0 => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        1 => ra[1..] == *rb,
        -1 => *ra == rb[1..],
        _ => false,
    }
}

/// Extra fields that document another name a person has gone by.
pub const NAME_CHANGE_FIELDS: [&str; 6] = [
    "former_surname",
    "previous_surname",
    "maiden_name",
    "birth_surname",
    "alias",
    "aka",
];

/// Why the names of the two records say "different person", if they do: "given name Robert /
/// Michael". None when they agree or differ only in ways the rule book forgives.
pub fn name_conflict(request: &Record, candidate: &Record) -> Option<String> {
    if super::agreement::names_swapped(request, candidate) {
        return None;
    }
    let mut out = Vec::new();
    for field in [Field::GivenName, Field::Surname] {
        let (Some(a), Some(b)) = (request.get(field), candidate.get(field)) else {
            continue;
        };
        let row = compare_field(FieldKey::Canonical(field), Some(a), Some(b));
        if row.class != AgreementClass::Different {
            continue;
        }
        let (ka, kb) = (name_key(a), name_key(b));
        let forgiven = within_one_edit(&ka, &kb)
            || is_nickname_pair(a, b)
            || words_contain(a, b)
            || (field == Field::Surname && name_change_documented(request, candidate));
        if !forgiven {
            out.push(format!("{} {a} / {b}", field.label().to_lowercase()));
        }
    }
    (!out.is_empty()).then(|| out.join(", "))
}

/// "Garcia" within "Garcia Lopez", "Mary" within "Mary Ann": one name's words are all in the other.
fn words_contain(a: &str, b: &str) -> bool {
    let split = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(name_key)
            .collect()
    };
    let (wa, wb) = (split(a), split(b));
    let within = |x: &[String], y: &[String]| !x.is_empty() && x.iter().all(|w| y.contains(w));
    within(&wa, &wb) || within(&wb, &wa)
}

/// A documented former name on one side that is the other side's surname.
fn name_change_documented(request: &Record, candidate: &Record) -> bool {
    let documents = |holder: &Record, other: &Record| {
        let Some(surname) = other.get(Field::Surname).map(name_key) else {
            return false;
        };
        NAME_CHANGE_FIELDS.iter().any(|k| {
            holder.extra.get(*k).is_some_and(|v| {
                v.split([',', ';', '/'])
                    .any(|part| !part.trim().is_empty() && words_contain_key(part, &surname))
            })
        })
    };
    documents(request, candidate) || documents(candidate, request)
}

fn words_contain_key(text: &str, key: &str) -> bool {
    name_key(text) == key
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| !w.is_empty() && name_key(w) == key)
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
