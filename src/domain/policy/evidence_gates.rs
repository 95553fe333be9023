//! The gates on conflicting evidence and address currency: a date of birth, TIN last four or
//! name that says "someone else", a unit that differs with nothing to settle it, and an address
//! confirmed too long ago. Each refusal names its rule from the [`super::rulebook`] and what
//! would satisfy it; a supervisor's override with a written justification lifts them.

use chrono::NaiveDate;

use super::gates::Refusal;
use super::rulebook::{RULE_CURRENCY, RULE_DOB, RULE_NAME, RULE_TIN, RULE_UNIT, rule};
use super::settings::Policy;
use crate::domain::address::{is_general_delivery, is_po_box, normalize_unit};
use crate::domain::agreement::{AgreementClass, FieldKey, compare_field};
use crate::domain::currency::{AddressAge, address_age};
use crate::domain::evidence::{dob_typo_between, name_conflict};
use crate::domain::validity::{REQUEST_TIN, parse_date};
use crate::domain::{Field, Record};

fn refusal(name: &'static str, reason: String) -> Refusal {
    let remedy = rule(name).map_or("", |r| r.satisfied_by).to_string();
    Refusal {
        rule: name,
        reason,
        remedy,
    }
}

/// The dates of birth clearly differ (both valid, not a plain typo).
pub fn dob_conflict(request: &Record, candidate: &Record) -> Option<Refusal> {
    let a = parse_date(request.get(Field::Dob)?)?;
    let b = parse_date(candidate.get(Field::Dob)?)?;
    if a == b || dob_typo_between(a, b).is_some() {
        return None;
    }
    let years = ((a - b).num_days().abs() as f64 / 365.25).round() as i64;
    let apart = if years >= 1 {
        format!("{years} years apart")
    } else {
        format!("{} days apart", (a - b).num_days().abs())
    };
    Some(refusal(
        RULE_DOB,
        format!("dates of birth {a} and {b} are {apart}, not a typo of one date"),
    ))
}

/// The request's TIN last four and the candidate's TIN differ (both valid).
pub fn tin_conflict(request: &Record, candidate: &Record) -> Option<Refusal> {
    let req = request
        .get(Field::Tin)
        .or_else(|| request.extra.get(REQUEST_TIN).map(String::as_str))?;
    let row = compare_field(
        FieldKey::Canonical(Field::Tin),
        Some(req),
        candidate.get(Field::Tin),
    );
    (row.class == AgreementClass::Different).then(|| {
        refusal(
            RULE_TIN,
            "the TIN last four the request gives differ from the candidate's".to_string(),
        )
    })
}

/// The names conflict (see [`crate::domain::evidence::name_conflict`]).
pub fn name_refusal(request: &Record, candidate: &Record) -> Option<Refusal> {
    let what = name_conflict(request, candidate)?;
    Some(refusal(
        RULE_NAME,
        format!(
            "the names conflict ({}): not a nickname, typo, swap or documented name change",
            crate::domain::text_safety::escape_for_display(&what)
        ),
    ))
}

/// Both sides carry a unit, they differ, and no agreeing TIN last four shows which is current.
pub fn unit_conflict(request: &Record, candidate: &Record) -> Option<Refusal> {
    let unit = |r: &Record| {
        r.get(Field::Unit)
            .filter(|u| !is_po_box(u) && !is_general_delivery(u))
            .and_then(normalize_unit)
    };
    let (a, b) = (unit(request)?, unit(candidate)?);
    if a == b {
        return None;
    }
    let tin_agrees = request
        .extra
        .get(REQUEST_TIN)
        .map(String::as_str)
        .or_else(|| request.get(Field::Tin))
        .is_some_and(|t| {
            compare_field(
                FieldKey::Canonical(Field::Tin),
                Some(t),
                candidate.get(Field::Tin),
            )
            .class
                == AgreementClass::Exact
        });
    (!tin_agrees).then(|| {
        refusal(
            RULE_UNIT,
            "the units differ and no agreeing TIN last four shows which one is current".to_string(),
        )
    })
}

/// The candidate's address was confirmed too long ago, or its date cannot be trusted.
pub fn currency_refusal(candidate: &Record, policy: &Policy, today: NaiveDate) -> Option<Refusal> {
    let as_of = policy.as_of(today);
    let max = i64::from(policy.max_address_age_days);
    let reason = match address_age(candidate, as_of) {
        AddressAge::Unknown => return None,
        AddressAge::Confirmed { days, .. } if days <= max => return None,
        AddressAge::Confirmed { date, days } => format!(
            "the candidate address was last confirmed {date}, {days} days before {as_of} (more than {max})"
        ),
        AddressAge::Future(date) => {
            format!("the address's confirmation date {date} lies after {as_of}")
        }
        AddressAge::Invalid(raw) => {
            let shown: String = raw.chars().take(40).collect();
            format!(
                "the address's confirmation date \"{}\" is not a date",
                crate::domain::text_safety::escape_for_display(&shown)
            )
        }
    };
    Some(refusal(RULE_CURRENCY, reason))
}

/// Every conflicting-evidence refusal (DOB, TIN, name), for the gates and for ruling a sibling
/// out of the ambiguity check.
pub fn identity_conflicts(request: &Record, candidate: &Record) -> Vec<Refusal> {
    [
        dob_conflict(request, candidate),
        tin_conflict(request, candidate),
        name_refusal(request, candidate),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
#[path = "evidence_gates_tests.rs"]
mod tests;
