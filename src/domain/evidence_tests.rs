use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn person(given: &str, surname: &str) -> Record {
    Record::new("x")
        .with(Field::GivenName, given)
        .with(Field::Surname, surname)
}

#[test]
fn dob_typos_at_their_edges() {
    let a = date(1966, 3, 17);
    assert_eq!(dob_typo_between(a, a), None);
    assert_eq!(
        dob_typo_between(a, date(1967, 3, 17)),
        Some(DobTypo::OneDigit)
    );
    assert_eq!(
        dob_typo_between(a, date(1966, 3, 18)),
        Some(DobTypo::OneDigit)
    );
    assert_eq!(
        dob_typo_between(a, date(1966, 3, 71 - 60)),
        Some(DobTypo::OneDigit),
        "17 -> 11 is one digit"
    );
    // A decade digit: thirty years, a parent and child.
    assert_eq!(dob_typo_between(a, date(1996, 3, 17)), None);
    assert_eq!(dob_typo_between(a, date(2066, 3, 17)), None);
    assert_eq!(
        dob_typo_between(date(1990, 12, 5), date(1990, 5, 12)),
        Some(DobTypo::MonthDaySwapped)
    );
    assert_eq!(
        dob_typo_between(date(1990, 5, 12), date(1990, 5, 21)),
        Some(DobTypo::DayDigitsTransposed)
    );
    // Two digits wrong, days apart: a near namesake, not a typo.
    assert_eq!(dob_typo_between(date(1970, 3, 12), date(1970, 4, 29)), None);
}

#[test]
fn one_edit_names() {
    assert!(within_one_edit("jonson", "johnson"));
    assert!(within_one_edit("Mlller", "miller"));
    assert!(within_one_edit("Mlilre", "Mlilre"));
    assert!(within_one_edit("milelr", "miller"));
    assert!(!within_one_edit("miller", "mills"));
    assert!(!within_one_edit("al", "bo"));
}

#[test]
fn names_conflict_unless_forgiven() {
    let conflict = |a: Record, b: Record| name_conflict(&a, &b);
    assert_eq!(
        conflict(person("Robert", "Miller"), person("Bob", "Miller")),
        None
    );
    assert_eq!(
        conflict(person("Karen", "Jonson"), person("Karen", "Johnson")),
        None
    );
    assert_eq!(
        conflict(person("Al", "Li"), person("Al", "Lu")),
        None,
        "one edit"
    );
    assert_eq!(
        conflict(person("Miller", "Ann"), person("Ann", "Miller")),
        None
    );
    assert_eq!(
        conflict(person("J", "Miller"), person("John", "Miller")),
        None
    );
    assert_eq!(
        conflict(person("Ana", "Garcia"), person("Ana", "Garcia Lopez")),
        None
    );
    assert_eq!(
        conflict(person("Robert", "Miller"), person("Michael", "Miller")).as_deref(),
        Some("given name Robert / Michael")
    );
    let married = person("Ann", "Smith");
    let mut record = person("Ann", "Okafor");
    assert!(conflict(married.clone(), record.clone()).is_some());
    record.set_extra("maiden_name", "Smith");
    assert_eq!(conflict(married.clone(), record.clone()), None);
    let mut req = person("Ann", "Okafor");
    req.set_extra("former_surname", "Jones; Smith");
    assert_eq!(conflict(req, married), None);
    // A missing name is no evidence either way.
    assert_eq!(conflict(person("Ann", "Okafor"), Record::new("c")), None);
}
