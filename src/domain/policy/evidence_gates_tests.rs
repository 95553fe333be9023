use chrono::NaiveDate;

use super::*;

fn person() -> Record {
    Record::new("R1")
        .with(Field::GivenName, "Walter")
        .with(Field::Surname, "Briggs")
        .with(Field::Dob, "1952-05-11")
        .with(Field::StreetNumber, "18")
        .with(Field::Street, "Pine Hill Rd")
        .with(Field::City, "Burlington")
        .with(Field::State, "VT")
        .with(Field::Zip, "05401")
}

fn with_tin(mut r: Record, last4: &str) -> Record {
    r.set_extra("tin", last4);
    r
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
}

#[test]
fn dob_conflict_edges() {
    let c = |dob: &str| dob_conflict(&person(), &person().with(Field::Dob, dob));
    assert!(c("1952-05-11").is_none());
    assert!(c("1953-05-11").is_none(), "last year digit: a typo");
    assert!(c("1952-11-05").is_none(), "day and month swapped");
    assert!(c("1952-05-15").is_none(), "one day digit");
    let father_son = c("1983-10-27").expect("refused");
    assert_eq!(father_son.rule, RULE_DOB);
    assert!(
        father_son.reason.contains("31 years apart"),
        "{}",
        father_son.reason
    );
    assert!(
        father_son
            .to_string()
            .contains("needs the same date of birth")
    );
    assert!(c("1982-05-11").is_some(), "a decade digit is no typo");
    assert!(c("1952-06-29").is_some(), "weeks apart, two digits");
    // Invalid or missing: no evidence, no conflict (the invalid value is flagged instead).
    assert!(c("1952-05-93").is_none());
    assert!(dob_conflict(&person(), &Record::new("C")).is_none());
}

#[test]
fn tin_conflict_edges() {
    let cand = person().with(Field::Tin, "919-06-5512");
    assert!(
        tin_conflict(&person(), &cand).is_none(),
        "no last four given"
    );
    assert!(tin_conflict(&with_tin(person(), "5512"), &cand).is_none());
    let r = tin_conflict(&with_tin(person(), "4480"), &cand).expect("refused");
    assert_eq!(r.rule, RULE_TIN);
    assert!(r.remedy.contains("same TIN last four"));
    assert!(
        tin_conflict(&with_tin(person(), "44x0"), &cand).is_none(),
        "invalid: flagged"
    );
    assert!(tin_conflict(&with_tin(person(), "4480"), &person()).is_none());
}

#[test]
fn name_conflict_edges() {
    assert!(name_refusal(&person(), &person().with(Field::GivenName, "Walt")).is_none());
    let r = name_refusal(&person(), &person().with(Field::GivenName, "Gregory")).expect("refused");
    assert_eq!(r.rule, RULE_NAME);
    assert!(r.reason.contains("Walter / Gregory"));
    assert!(r.remedy.contains("documented name change"));
}

#[test]
fn unit_conflict_edges() {
    let req = person().with(Field::Unit, "Apt 4");
    let cand = person()
        .with(Field::Unit, "Apt 5")
        .with(Field::Tin, "919-06-5512");
    let r = unit_conflict(&req, &cand).expect("refused");
    assert_eq!(r.rule, RULE_UNIT);
    assert!(r.remedy.contains("TIN last four"));
    assert!(
        unit_conflict(&with_tin(req.clone(), "5512"), &cand).is_none(),
        "TIN settles it"
    );
    assert!(
        unit_conflict(&with_tin(req.clone(), "0000"), &cand).is_some(),
        "a differing TIN does not"
    );
    assert!(
        unit_conflict(&req, &person().with(Field::Unit, "#4")).is_none(),
        "same unit"
    );
    assert!(
        unit_conflict(&person(), &cand).is_none(),
        "request omits the unit"
    );
    assert!(
        unit_conflict(&req, &person()).is_none(),
        "a missing unit is address-sufficiency's"
    );
}

#[test]
fn currency_edges() {
    let p = Policy::default();
    let cand = |date: &str| {
        let mut c = person();
        c.set_extra("address_updated", date);
        c
    };
    assert!(
        currency_refusal(&person(), &p, day()).is_none(),
        "no date: not refused"
    );
    assert!(
        currency_refusal(&cand("2023-11-02"), &p, day()).is_none(),
        "1095 days"
    );
    let stale = currency_refusal(&cand("2023-11-01"), &p, day()).expect("1096 days");
    assert_eq!(stale.rule, RULE_CURRENCY);
    assert!(stale.reason.contains("1096 days"), "{}", stale.reason);
    assert!(stale.remedy.contains("max_address_age_days"));
    assert!(
        currency_refusal(&cand("2026-11-02"), &p, day()).is_some(),
        "future"
    );
    assert!(
        currency_refusal(&cand("2026-02-30"), &p, day()).is_some(),
        "not a date"
    );
    let mut pinned = Policy::default();
    pinned.set("review_date", "2024-01-01").expect("set");
    assert!(currency_refusal(&cand("2021-04-02"), &pinned, day()).is_none());
    pinned.set("max_address_age_days", "30").expect("set");
    assert!(currency_refusal(&cand("2023-11-01"), &pinned, day()).is_some());
}
