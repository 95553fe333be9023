//! What kind of pair a row is, how it is built, and the answer a careful reviewer should give.
//!
//! A request group is one requested person and the one to three candidates the matcher flagged
//! for it. Every candidate row gets a [`Kind`]; the kind decides how the request and candidate
//! differ, the gold answer, and a `gold_note` whose wording names the kind (see
//! [`Kind::marker`]), so a test can tell from the file alone that every kind occurs.
//!
//! The reviewer's rules the gold follows: release (`match`) only when it is clearly the same
//! person (name agrees allowing nicknames, typos and swaps; DOB agrees or is a plain typo; and
//! the address or the TIN last four agree) and the candidate's address is complete (street
//! number, street, city, valid state, ZIP of that state), is not a PO box or General Delivery,
//! and was confirmed within three years of [`reference_date`]. Anything else is `nonmatch`.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use chrono::{Datelike, Days, NaiveDate};
use rand::RngExt;

use super::names::{
    FORMAL_GIVEN_NAMES, PLAIN_GIVEN_NAMES, SURNAMES, is_nickname_pair, nicknames_of,
};
use super::noise::{dob_typo, dob_typo_between, transpose, typo, within_one_edit};
use super::places::{CITIES, City, INVALID_STATES, STREETS, state_of_zip};
use crate::domain::Gold;

/// A date known valid at compile time (an invalid literal fails the build, not a run).
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date literal"),
    }
}

/// The day the generated requests are reviewed; address ages are measured from it.
pub const REFERENCE_DATE: NaiveDate = ymd(2026, 11, 1);

/// The day the generated requests are reviewed ([`REFERENCE_DATE`]).
pub fn reference_date() -> NaiveDate {
    REFERENCE_DATE
}

/// A confirmed address older than this is stale: the rule book's default
/// `max_address_age_days`.
pub const STALE_AFTER_DAYS: u64 = crate::domain::policy::DEFAULT_MAX_ADDRESS_AGE_DAYS as u64;
/// Fresh addresses are at most this old and stale ones at least [`STALE_MIN_DAYS`], leaving a
/// gap around the three-year line so no gold answer hinges on a day's difference.
const FRESH_MAX_DAYS: u64 = 1_000;
const STALE_MIN_DAYS: u64 = 1_200;

/// The kind of pair a row is: one per kind of noise or defect, with its gold answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Same person, everything agrees. `match`.
    Exact,
    /// Same person, one name has a keyboard typo. `match`.
    Typo,
    /// Same person, two adjacent letters of a name transposed. `match`.
    Transposition,
    /// Same person, a nickname on one side (Bob / Robert). `match`.
    Nickname,
    /// Same person, the request has given name and surname swapped. `match`.
    NameSwap,
    /// Same person, DOB differs by a plain typo. `match`.
    DobTypo,
    /// Same person, the request leaves out the unit the candidate has. `match`.
    RequestUnitMissing,
    /// Same person at a newer address, confirmed by the TIN last four. `match`.
    MovedTinConfirmed,
    /// Same street address, different unit: `match` only when the TIN last four confirm it.
    UnitDiffers,
    /// The candidate lacks the unit number the request shows. `nonmatch` (incomplete).
    CandidateUnitMissing,
    /// The candidate address has no street number. `nonmatch` (incomplete).
    StreetNumberMissing,
    /// The candidate address lacks its ZIP, city or state, or has an invalid state. `nonmatch`.
    AddressPartMissing,
    /// The candidate address is a PO box. `nonmatch`.
    PoBox,
    /// The candidate address is General Delivery. `nonmatch`.
    GeneralDelivery,
    /// The candidate ZIP belongs to another state. `nonmatch`.
    ZipStateMismatch,
    /// The candidate address was last confirmed over three years ago. `nonmatch`.
    Stale,
    /// Same name, different person (DOB years apart, elsewhere). `nonmatch`.
    Namesake,
    /// Same name, DOB only days apart but not a typo, different person. `nonmatch`.
    NamesakeNearDob,
    /// Same name and address, DOB decades apart (parent and child). `nonmatch`.
    DobConflict,
    /// Only the name agrees: the request has no DOB or TIN and the addresses differ. `nonmatch`.
    NameOnly,
    /// Name and DOB agree, the address differs, and no TIN confirms the move. `nonmatch`.
    MovedUnconfirmed,
    /// A namesake flagged next to the requested person's own record. `nonmatch`.
    OtherCandidate,
}

impl Kind {
    pub const ALL: [Kind; 22] = [
        Kind::Exact,
        Kind::Typo,
        Kind::Transposition,
        Kind::Nickname,
        Kind::NameSwap,
        Kind::DobTypo,
        Kind::RequestUnitMissing,
        Kind::MovedTinConfirmed,
        Kind::UnitDiffers,
        Kind::CandidateUnitMissing,
        Kind::StreetNumberMissing,
        Kind::AddressPartMissing,
        Kind::PoBox,
        Kind::GeneralDelivery,
        Kind::ZipStateMismatch,
        Kind::Stale,
        Kind::Namesake,
        Kind::NamesakeNearDob,
        Kind::DobConflict,
        Kind::NameOnly,
        Kind::MovedUnconfirmed,
        Kind::OtherCandidate,
    ];

    /// A phrase every `gold_note` of this kind contains, and no note of another kind does.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Exact => "agree exactly",
            Kind::Typo => "Same person: typo in the",
            Kind::Transposition => "Same person: transposed letters in the",
            Kind::Nickname => "Same person: nickname",
            Kind::NameSwap => "Same person: given name and surname swapped",
            Kind::DobTypo => "DOB typo",
            Kind::RequestUnitMissing => "request omits the unit",
            Kind::MovedTinConfirmed => "at a newer address",
            Kind::UnitDiffers => "unit differs",
            Kind::CandidateUnitMissing => "candidate address lacks the unit",
            Kind::StreetNumberMissing => "no street number",
            Kind::AddressPartMissing => "incomplete candidate address",
            Kind::PoBox => "PO box",
            Kind::GeneralDelivery => "General Delivery",
            Kind::ZipStateMismatch => "ZIP/state mismatch",
            Kind::Stale => "stale address",
            Kind::Namesake => "Namesake: same name but",
            Kind::NamesakeNearDob => "Namesake with a near-identical DOB",
            Kind::DobConflict => "DOB conflict",
            Kind::NameOnly => "name-only agreement",
            Kind::MovedUnconfirmed => "Insufficient evidence",
            Kind::OtherCandidate => "another candidate (",
        }
    }

    /// Relative frequency for a request with a single candidate.
    fn single_weight(self) -> u32 {
        match self {
            Kind::Exact => 14,
            Kind::Typo | Kind::Nickname => 6,
            Kind::Transposition | Kind::MovedTinConfirmed | Kind::Stale => 5,
            Kind::DobTypo | Kind::StreetNumberMissing | Kind::MovedUnconfirmed => 4,
            Kind::NameSwap
            | Kind::RequestUnitMissing
            | Kind::UnitDiffers
            | Kind::CandidateUnitMissing
            | Kind::AddressPartMissing
            | Kind::PoBox
            | Kind::ZipStateMismatch
            | Kind::NamesakeNearDob
            | Kind::DobConflict
            | Kind::NameOnly => 3,
            Kind::GeneralDelivery => 1,
            Kind::Namesake => 7,
            // Only meaningful next to the requested person's own record.
            Kind::OtherCandidate => 0,
        }
    }

    /// Relative frequency of the requested person's own record in a several-candidate request:
    /// kinds where the candidate is that person, so the others can be called namesakes.
    fn group_weight(self) -> u32 {
        match self {
            Kind::Namesake
            | Kind::NamesakeNearDob
            | Kind::DobConflict
            | Kind::NameOnly
            | Kind::MovedUnconfirmed
            | Kind::OtherCandidate => 0,
            other => other.single_weight(),
        }
    }

    fn pick<R: RngExt + ?Sized>(rng: &mut R, weight: fn(Kind) -> u32) -> Kind {
        let total: u32 = Kind::ALL.iter().map(|&k| weight(k)).sum();
        let mut ticket = rng.random_range(0..total);
        for kind in Kind::ALL {
            let w = weight(kind);
            if ticket < w {
                return kind;
            }
            ticket -= w;
        }
        Kind::Exact
    }
}

/// An apartment or unit designator: "Apt 4B", "Unit 12".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub label: &'static str,
    pub number: u16,
    pub letter: Option<char>,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.label, self.number)?;
        match self.letter {
            Some(letter) => write!(f, "{letter}"),
            None => Ok(()),
        }
    }
}

/// The street line of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreetLine {
    Named(&'static str),
    PoBox(u32),
    GeneralDelivery,
}

impl fmt::Display for StreetLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreetLine::Named(name) => f.write_str(name),
            StreetLine::PoBox(n) => write!(f, "PO Box {n}"),
            StreetLine::GeneralDelivery => f.write_str("General Delivery"),
        }
    }
}

/// A postal address; `None` parts are written as empty fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Address {
    pub number: Option<u32>,
    pub street: StreetLine,
    pub unit: Option<Unit>,
    pub city: Option<&'static str>,
    pub state: Option<&'static str>,
    pub zip: Option<&'static str>,
}

/// A synthetic TIN: area 900-999 (never issued as an SSN) and group 01-49 (never used for an
/// ITIN), so no generated number can be anyone's real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tin {
    pub area: u16,
    pub group: u8,
    pub serial: u16,
}

impl fmt::Display for Tin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}-{:02}-{:04}", self.area, self.group, self.serial)
    }
}

/// A phone number in the 555-0100..555-0199 block reserved for fiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phone {
    pub area: u16,
    pub line: u16,
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-555-{:04}", self.area, self.line)
    }
}

/// The real person behind a request (or a namesake of them).
#[derive(Debug, Clone, Copy)]
struct Person {
    given: &'static str,
    surname: &'static str,
    dob: NaiveDate,
    address: Address,
    tin: Tin,
    phone: Phone,
}

/// The record as the requesting agency sent it.
#[derive(Debug, Clone)]
pub struct Request {
    pub given: Cow<'static, str>,
    pub surname: Cow<'static, str>,
    pub dob: Option<NaiveDate>,
    pub address: Address,
    pub tin_last4: Option<u16>,
    pub phone: Option<Phone>,
}

/// The protected record the matcher proposed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub given: Cow<'static, str>,
    pub surname: Cow<'static, str>,
    pub dob: Option<NaiveDate>,
    pub address: Address,
    pub tin: Tin,
    pub address_updated: NaiveDate,
    pub phone: Option<Phone>,
}

/// One candidate row of a group, with its answer.
#[derive(Debug, Clone)]
pub struct CandidateRow {
    pub candidate_id: u64,
    pub candidate: Candidate,
    pub kind: Kind,
    pub gold: Gold,
    pub gold_note: String,
    pub score: f64,
}

/// One request and the candidates flagged for it.
#[derive(Debug, Clone)]
pub struct RequestGroup {
    pub request: Request,
    pub rows: Vec<CandidateRow>,
}

/// Writes a candidate id the way it appears in the file ("C0004567").
pub fn candidate_label(id: u64) -> CandidateLabel {
    CandidateLabel(id)
}

/// A candidate id shown as in the file, without allocating.
pub struct CandidateLabel(u64);

impl fmt::Display for CandidateLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{:07}", self.0)
    }
}

/// Builds one request with one candidate per id in `candidate_ids` (one to three).
pub fn request_group<R: RngExt + ?Sized>(rng: &mut R, candidate_ids: &[u64]) -> RequestGroup {
    match candidate_ids {
        // The writer never asks for an empty group; it still gets a well-formed request.
        [] => RequestGroup {
            request: {
                let nobody = person(rng, false, false);
                request_of(rng, &nobody)
            },
            rows: Vec::new(),
        },
        [only] => {
            let kind = Kind::pick(rng, Kind::single_weight);
            let (_, request, row) = pair(rng, kind, *only);
            RequestGroup {
                request,
                rows: vec![row],
            }
        }
        several => several_candidates(rng, several),
    }
}

/// A request with several candidates: usually the person's own record among namesakes,
/// sometimes namesakes only.
fn several_candidates<R: RngExt + ?Sized>(rng: &mut R, ids: &[u64]) -> RequestGroup {
    let mut rows = Vec::with_capacity(ids.len());
    if rng.random_bool(0.2) {
        let person = person(rng, false, false);
        let request = request_of(rng, &person);
        for &id in ids {
            let (candidate, near) = namesake_candidate(rng, &person);
            let mut note = String::from("Namesake: ");
            describe_namesake(&request, &candidate, near, &mut note);
            note.push_str("; none of this request's candidates is the requested person.");
            rows.push(finish(
                rng,
                &request,
                id,
                candidate,
                Kind::Namesake,
                Gold::Nonmatch,
                note,
            ));
        }
        return RequestGroup { request, rows };
    }
    let kind = Kind::pick(rng, Kind::group_weight);
    let own = rng.random_range(0..ids.len());
    let (person, request, own_row) = pair(rng, kind, ids[own]);
    let own_label = candidate_label(ids[own]);
    let mut own_row = Some(own_row);
    for (i, &id) in ids.iter().enumerate() {
        if i == own {
            rows.extend(own_row.take());
            continue;
        }
        // Against the request as sent (its DOB may carry a typo), the namesake's DOB must
        // clearly differ, or it would not be told apart by the rule book either.
        let (candidate, near) = loop {
            let (candidate, near) = namesake_candidate(rng, &person);
            let clear = match (request.dob, candidate.dob) {
                (Some(r), Some(c)) => r != c && dob_typo_between(r, c).is_none(),
                _ => true,
            };
            if clear {
                break (candidate, near);
            }
        };
        let mut note = String::new();
        let _ = write!(
            note,
            "Namesake: another candidate ({own_label}) is the requested person; this one has the "
        );
        describe_namesake(&request, &candidate, near, &mut note);
        note.push('.');
        rows.push(finish(
            rng,
            &request,
            id,
            candidate,
            Kind::OtherCandidate,
            Gold::Nonmatch,
            note,
        ));
    }
    RequestGroup { request, rows }
}

/// One of `items`, uniformly; the tables are non-empty constants (tests check each).
fn pick<T: Copy, R: RngExt + ?Sized>(rng: &mut R, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn random_city<R: RngExt + ?Sized>(rng: &mut R) -> &'static City {
    &CITIES[rng.random_range(0..CITIES.len())]
}

fn street_number<R: RngExt + ?Sized>(rng: &mut R) -> u32 {
    match rng.random_range(0..20u8) {
        0..=2 => rng.random_range(1..100),
        3..=14 => rng.random_range(100..1000),
        _ => rng.random_range(1000..10_000),
    }
}

fn unit<R: RngExt + ?Sized>(rng: &mut R) -> Unit {
    let label = if rng.random_bool(0.75) { "Apt" } else { "Unit" };
    let number = if rng.random_bool(0.6) {
        rng.random_range(1..41)
    } else {
        rng.random_range(1..16) * 100 + rng.random_range(1..21)
    };
    let letter = rng
        .random_bool(0.2)
        .then(|| char::from(b'A' + rng.random_range(0..6u8)));
    Unit {
        label,
        number,
        letter,
    }
}

/// A different unit: another number or letter ("Unit 5" is the same unit as "Apt 5").
fn other_unit<R: RngExt + ?Sized>(rng: &mut R, not: Unit) -> Unit {
    loop {
        let u = unit(rng);
        if (u.number, u.letter) != (not.number, not.letter) {
            return u;
        }
    }
}

fn street_address<R: RngExt + ?Sized>(
    rng: &mut R,
    city: &'static City,
    with_unit: bool,
) -> Address {
    Address {
        number: Some(street_number(rng)),
        street: StreetLine::Named(pick(rng, STREETS)),
        unit: with_unit.then(|| unit(rng)),
        city: Some(city.name),
        state: Some(city.state),
        zip: Some(city.zip),
    }
}

/// A street address other than `not`, in another state when `other_state`, else in its city.
fn other_address<R: RngExt + ?Sized>(rng: &mut R, not: &Address, other_state: bool) -> Address {
    loop {
        let city = if other_state {
            random_city(rng)
        } else {
            CITIES
                .iter()
                .find(|c| Some(c.name) == not.city && Some(c.state) == not.state)
                .unwrap_or_else(|| random_city(rng))
        };
        let with_unit = rng.random_bool(0.28);
        let address = street_address(rng, city, with_unit);
        let moved_state = address.state != not.state;
        let new_street = address.street != not.street || address.number != not.number;
        if new_street && moved_state == other_state {
            return address;
        }
    }
}

fn dob<R: RngExt + ?Sized>(rng: &mut R) -> NaiveDate {
    // Adults aged about 18 to 85 on the reference date.
    ymd(1941, 1, 1) + Days::new(rng.random_range(0..24_775))
}

fn tin<R: RngExt + ?Sized>(rng: &mut R) -> Tin {
    Tin {
        area: rng.random_range(900..1000),
        group: rng.random_range(1..50),
        serial: rng.random_range(1..10_000),
    }
}

fn other_tin<R: RngExt + ?Sized>(rng: &mut R, not: Tin) -> Tin {
    loop {
        let t = tin(rng);
        if t.serial != not.serial {
            return t;
        }
    }
}

fn phone<R: RngExt + ?Sized>(rng: &mut R) -> Phone {
    // Area codes look like real ones: no N11 service codes, no x9x (reserved), not 555.
    let area = loop {
        let area = rng.random_range(201..990);
        if area % 100 != 11 && area != 555 && area % 100 / 10 != 9 {
            break area;
        }
    };
    Phone {
        area,
        line: rng.random_range(100..200),
    }
}

fn fresh_update<R: RngExt + ?Sized>(rng: &mut R) -> NaiveDate {
    reference_date() - Days::new(rng.random_range(7..FRESH_MAX_DAYS))
}

fn person<R: RngExt + ?Sized>(rng: &mut R, formal_given: bool, with_unit: bool) -> Person {
    let given = if formal_given || rng.random_bool(0.6) {
        pick(rng, FORMAL_GIVEN_NAMES)
    } else {
        pick(rng, PLAIN_GIVEN_NAMES)
    };
    let city = random_city(rng);
    let with_unit = with_unit || rng.random_bool(0.28);
    Person {
        given,
        surname: pick(rng, SURNAMES),
        dob: dob(rng),
        address: street_address(rng, city, with_unit),
        tin: tin(rng),
        phone: phone(rng),
    }
}

/// The request an agency would send for `person`: about half carry the TIN last four.
fn request_of<R: RngExt + ?Sized>(rng: &mut R, person: &Person) -> Request {
    Request {
        given: Cow::Borrowed(person.given),
        surname: Cow::Borrowed(person.surname),
        dob: Some(person.dob),
        address: person.address,
        tin_last4: rng.random_bool(0.5).then_some(person.tin.serial),
        phone: rng.random_bool(0.45).then_some(person.phone),
    }
}

/// The protected record of `person`, confirmed recently; the phone is sometimes missing or
/// newer than the one the agency knows.
fn candidate_of<R: RngExt + ?Sized>(rng: &mut R, person: &Person) -> Candidate {
    let phone = if rng.random_bool(0.85) {
        person.phone
    } else {
        phone(rng)
    };
    Candidate {
        given: Cow::Borrowed(person.given),
        surname: Cow::Borrowed(person.surname),
        dob: Some(person.dob),
        address: person.address,
        tin: person.tin,
        address_updated: fresh_update(rng),
        phone: rng.random_bool(0.75).then_some(phone),
    }
}

/// Ways the names of the same person come out different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameNoise {
    Typo,
    Transposition,
    Nickname,
    Swap,
}

/// Applies `noise` to the request's or candidate's names and describes it in `phrase`.
fn apply_name_noise<R: RngExt + ?Sized>(
    rng: &mut R,
    noise: NameNoise,
    person: &Person,
    request: &mut Request,
    candidate: &mut Candidate,
    phrase: &mut String,
) {
    // Agency lists are typed by hand more often than the protected records are.
    let on_request = rng.random_bool(0.7);
    match noise {
        NameNoise::Typo | NameNoise::Transposition => {
            let surname_first = rng.random_bool(0.6);
            let mut done = false;
            for surname in [surname_first, !surname_first] {
                let (part, original) = if surname {
                    ("surname", person.surname)
                } else {
                    ("given name", person.given)
                };
                let changed = match noise {
                    NameNoise::Typo => Some(typo(rng, original).0),
                    _ => transpose(rng, original),
                };
                let Some(changed) = changed else { continue };
                let what = if noise == NameNoise::Typo {
                    "typo in the"
                } else {
                    "transposed letters in the"
                };
                let (req_text, cand_text) = if on_request {
                    (changed.as_str(), original)
                } else {
                    (original, changed.as_str())
                };
                let _ = write!(
                    phrase,
                    "{what} {part} (request {req_text}, candidate {cand_text})"
                );
                let target = match (on_request, surname) {
                    (true, true) => &mut request.surname,
                    (true, false) => &mut request.given,
                    (false, true) => &mut candidate.surname,
                    (false, false) => &mut candidate.given,
                };
                *target = Cow::Owned(changed);
                done = true;
                break;
            }
            if !done {
                // Every table given name has two different adjacent letters (a unit test checks),
                // so this is unreachable; say what happened rather than mislabel it.
                phrase.push_str("names agree");
            }
        }
        NameNoise::Nickname => {
            let options: Vec<&'static str> = nicknames_of(person.given).collect();
            if options.is_empty() {
                phrase.push_str("names agree");
                return;
            }
            let nickname = pick(rng, &options);
            let _ = write!(phrase, "nickname {nickname} for {}", person.given);
            if on_request {
                request.given = Cow::Borrowed(nickname);
            } else {
                candidate.given = Cow::Borrowed(nickname);
            }
        }
        NameNoise::Swap => {
            std::mem::swap(&mut request.given, &mut request.surname);
            let _ = write!(
                phrase,
                "given name and surname swapped in the request ({} {})",
                request.given, request.surname
            );
        }
    }
}

/// The agreeing evidence a match note cites, with TIN last four when the request has them.
fn agree_tail(request: &Request) -> &'static str {
    if request.tin_last4.is_some() {
        "DOB, full address and TIN last four agree"
    } else {
        "DOB and full address agree"
    }
}

/// Builds the requested person, their request and the candidate row of `kind`.
fn pair<R: RngExt + ?Sized>(
    rng: &mut R,
    kind: Kind,
    candidate_id: u64,
) -> (Person, Request, CandidateRow) {
    let needs_unit = matches!(
        kind,
        Kind::RequestUnitMissing | Kind::UnitDiffers | Kind::CandidateUnitMissing
    );
    let person = person(rng, kind == Kind::Nickname, needs_unit);
    let mut request = request_of(rng, &person);
    let mut candidate = candidate_of(rng, &person);
    let mut note = String::with_capacity(160);
    let gold = match kind {
        Kind::Exact => {
            let _ = write!(note, "Same person: name, {} exactly.", agree_tail(&request));
            Gold::Match
        }
        Kind::Typo | Kind::Transposition | Kind::Nickname | Kind::NameSwap => {
            let noise = match kind {
                Kind::Typo => NameNoise::Typo,
                Kind::Transposition => NameNoise::Transposition,
                Kind::Nickname => NameNoise::Nickname,
                _ => NameNoise::Swap,
            };
            let mut phrase = String::new();
            apply_name_noise(
                rng,
                noise,
                &person,
                &mut request,
                &mut candidate,
                &mut phrase,
            );
            let _ = write!(note, "Same person: {phrase}; {}.", agree_tail(&request));
            Gold::Match
        }
        Kind::DobTypo => {
            let (typoed, how) = dob_typo(rng, person.dob);
            let (req_dob, cand_dob) = if rng.random_bool(0.7) {
                request.dob = Some(typoed);
                (typoed, person.dob)
            } else {
                candidate.dob = Some(typoed);
                (person.dob, typoed)
            };
            let tin = if request.tin_last4.is_some() {
                ", full address and TIN last four"
            } else {
                " and full address"
            };
            let _ = write!(
                note,
                "Same person: DOB typo (request {req_dob}, candidate {cand_dob}: {}); name{tin} agree.",
                how.describe()
            );
            Gold::Match
        }
        Kind::RequestUnitMissing => {
            request.address.unit = None;
            let unit = candidate
                .address
                .unit
                .map(|u| u.to_string())
                .unwrap_or_default();
            let tin = if request.tin_last4.is_some() {
                ", TIN last four"
            } else {
                ""
            };
            let _ = write!(
                note,
                "Same person: request omits the unit (candidate has {unit}); name, DOB{tin} and the rest of the address agree, and the candidate address is complete."
            );
            Gold::Match
        }
        Kind::MovedTinConfirmed => {
            request.tin_last4 = Some(person.tin.serial);
            let other_state = rng.random_bool(0.6);
            candidate.address = other_address(rng, &person.address, other_state);
            candidate.address_updated = reference_date() - Days::new(rng.random_range(7..400));
            let _ = write!(
                note,
                "Same person at a newer address: name, DOB and TIN last four ({:04}) agree; the candidate address is complete and was confirmed {}.",
                person.tin.serial, candidate.address_updated
            );
            Gold::Match
        }
        Kind::UnitDiffers => {
            let old = person.address.unit.unwrap_or_else(|| unit(rng));
            request.address.unit = Some(old);
            let new = other_unit(rng, old);
            candidate.address.unit = Some(new);
            if let Some(last4) = request.tin_last4 {
                candidate.address_updated = reference_date() - Days::new(rng.random_range(7..400));
                let _ = write!(
                    note,
                    "Same person: unit differs (request {old}, candidate {new}) but name, DOB, street and TIN last four ({last4:04}) agree; the candidate address is complete and was confirmed {}.",
                    candidate.address_updated
                );
                Gold::Match
            } else {
                let _ = write!(
                    note,
                    "Do not release: unit differs (request {old}, candidate {new}) and the request has no TIN last four to show which unit is current; the address could reach the wrong household."
                );
                Gold::Nonmatch
            }
        }
        Kind::CandidateUnitMissing
        | Kind::StreetNumberMissing
        | Kind::AddressPartMissing
        | Kind::PoBox
        | Kind::GeneralDelivery
        | Kind::ZipStateMismatch
        | Kind::Stale => {
            address_defect(rng, kind, &person, &mut request, &mut candidate, &mut note);
            Gold::Nonmatch
        }
        Kind::Namesake | Kind::NamesakeNearDob | Kind::OtherCandidate => {
            let near = kind == Kind::NamesakeNearDob;
            let same_city = rng.random_bool(0.35);
            let other = namesake(rng, &person, near, same_city);
            candidate = candidate_of(rng, &other);
            note.push_str(if near {
                "Namesake with a near-identical DOB: "
            } else {
                "Namesake: "
            });
            describe_namesake(&request, &candidate, near, &mut note);
            note.push('.');
            Gold::Nonmatch
        }
        Kind::DobConflict => {
            let mut relative = person;
            relative.dob = generation_apart(rng, person.dob);
            relative.tin = other_tin(rng, person.tin);
            candidate = candidate_of(rng, &relative);
            let years = years_between(person.dob, relative.dob);
            let tin = match request.tin_last4 {
                Some(last4) => format!(
                    ", and TIN last four disagree ({last4:04} vs {:04})",
                    relative.tin.serial
                ),
                None => String::new(),
            };
            let _ = write!(
                note,
                "Do not release: DOB conflict. Same name and address but DOB differs by {years} years (likely a parent or child in the same household){tin}."
            );
            Gold::Nonmatch
        }
        Kind::NameOnly => {
            request.dob = None;
            request.tin_last4 = None;
            let other_state = rng.random_bool(0.5);
            candidate.address = other_address(rng, &person.address, other_state);
            note.push_str(
                "Do not release: name-only agreement. The request has no DOB or TIN last four and the addresses differ, so nothing shows this is the requested person.",
            );
            Gold::Nonmatch
        }
        Kind::MovedUnconfirmed => {
            request.tin_last4 = None;
            let other_state = rng.random_bool(0.5);
            candidate.address = other_address(rng, &person.address, other_state);
            note.push_str(
                "Insufficient evidence: name and DOB agree but the candidate lives at a different address and the request has no TIN last four to confirm it is the same person.",
            );
            Gold::Nonmatch
        }
    };
    let row = finish(rng, &request, candidate_id, candidate, kind, gold, note);
    (person, request, row)
}

/// The candidate record is the requested person's, but its address cannot be released.
fn address_defect<R: RngExt + ?Sized>(
    rng: &mut R,
    kind: Kind,
    person: &Person,
    request: &mut Request,
    candidate: &mut Candidate,
    note: &mut String,
) {
    // A quarter of these also carry name noise, so a reviewer learns that a convincing
    // identity does not make an unreleasable address releasable.
    let mut identity = String::new();
    if rng.random_bool(0.25) {
        let noise = if nicknames_of(person.given).next().is_some() {
            pick(
                rng,
                &[
                    NameNoise::Typo,
                    NameNoise::Transposition,
                    NameNoise::Nickname,
                    NameNoise::Swap,
                ],
            )
        } else {
            pick(
                rng,
                &[NameNoise::Typo, NameNoise::Transposition, NameNoise::Swap],
            )
        };
        apply_name_noise(rng, noise, person, request, candidate, &mut identity);
    }
    note.push_str("Do not release: ");
    match kind {
        Kind::CandidateUnitMissing => {
            let unit = person
                .address
                .unit
                .map(|u| u.to_string())
                .unwrap_or_default();
            candidate.address.unit = None;
            let _ = write!(
                note,
                "candidate address lacks the unit number (request has {unit}); at a multi-unit building that address is incomplete"
            );
        }
        Kind::StreetNumberMissing => {
            candidate.address.number = None;
            note.push_str("candidate address has no street number, so it is incomplete");
        }
        Kind::AddressPartMissing => match rng.random_range(0..4u8) {
            0 => {
                candidate.address.zip = None;
                note.push_str("incomplete candidate address, it has no ZIP code");
            }
            1 => {
                candidate.address.city = None;
                note.push_str("incomplete candidate address, it has no city");
            }
            2 => {
                candidate.address.state = None;
                note.push_str("incomplete candidate address, it has no state");
            }
            _ => {
                let code = pick(rng, INVALID_STATES);
                candidate.address.state = Some(code);
                let _ = write!(
                    note,
                    "incomplete candidate address, its state {code} is not a valid US state"
                );
            }
        },
        Kind::PoBox => {
            let box_number = rng.random_range(1..10_000);
            candidate.address.number = None;
            candidate.address.unit = None;
            candidate.address.street = StreetLine::PoBox(box_number);
            let _ = write!(
                note,
                "candidate address is a PO box (PO Box {box_number}), not a residential address"
            );
        }
        Kind::GeneralDelivery => {
            candidate.address.number = None;
            candidate.address.unit = None;
            candidate.address.street = StreetLine::GeneralDelivery;
            note.push_str("candidate address is General Delivery at the post office, not a residential address");
        }
        Kind::ZipStateMismatch => {
            let state = person.address.state.unwrap_or_default();
            let wrong = loop {
                let c = random_city(rng);
                if c.state != state {
                    break c;
                }
            };
            candidate.address.zip = Some(wrong.zip);
            let _ = write!(
                note,
                "candidate ZIP {} belongs to {} but the address is in {state}, a ZIP/state mismatch",
                wrong.zip,
                state_of_zip(wrong.zip).unwrap_or(wrong.state)
            );
        }
        _ => {
            candidate.address_updated =
                reference_date() - Days::new(rng.random_range(STALE_MIN_DAYS..4_000));
            let _ = write!(
                note,
                "candidate address was last confirmed {}, more than 3 years before {}; a stale address",
                candidate.address_updated,
                reference_date()
            );
        }
    }
    if identity.is_empty() {
        note.push_str(". Name and DOB agree, but that does not make the address releasable.");
    } else {
        let _ = write!(
            note,
            ". Name and DOB agree, allowing for {identity}, but that does not make the address releasable."
        );
    }
}

/// Someone else with the same name: DOB years apart (or days apart when `near_dob`), another
/// TIN, and an address in another state unless `same_city`.
fn namesake<R: RngExt + ?Sized>(
    rng: &mut R,
    person: &Person,
    near_dob: bool,
    same_city: bool,
) -> Person {
    let dob = if near_dob {
        loop {
            let days = rng.random_range(3..90);
            let d = if rng.random_bool(0.5) {
                person.dob + Days::new(days)
            } else {
                person.dob - Days::new(days)
            };
            if dob_typo_between(person.dob, d).is_none() {
                break d;
            }
        }
    } else {
        loop {
            let years = rng.random_range(2..41);
            let d = if rng.random_bool(0.5) {
                person
                    .dob
                    .checked_add_days(Days::new(years * 365 + rng.random_range(0..365)))
            } else {
                person
                    .dob
                    .checked_sub_days(Days::new(years * 365 + rng.random_range(0..365)))
            };
            let Some(d) = d else { continue };
            let plausible = d.year() >= 1930 && d <= reference_date() - Days::new(16 * 365);
            if plausible && dob_typo_between(person.dob, d).is_none() {
                break d;
            }
        }
    };
    Person {
        given: person.given,
        surname: person.surname,
        dob,
        address: other_address(rng, &person.address, !same_city),
        tin: other_tin(rng, person.tin),
        phone: phone(rng),
    }
}

/// A namesake candidate for a several-candidate request; `true` when its DOB is only days off.
fn namesake_candidate<R: RngExt + ?Sized>(rng: &mut R, person: &Person) -> (Candidate, bool) {
    let near = rng.random_bool(0.2);
    let same_city = rng.random_bool(0.35);
    let other = namesake(rng, person, near, same_city);
    (candidate_of(rng, &other), near)
}

/// A DOB a generation away (18-35 years), older or younger whichever keeps it plausible.
fn generation_apart<R: RngExt + ?Sized>(rng: &mut R, dob: NaiveDate) -> NaiveDate {
    loop {
        let days = Days::new(rng.random_range(18 * 365..35 * 365));
        let older = dob.year() >= 1975 || (dob.year() > 1960 && rng.random_bool(0.5));
        let other = if older {
            dob.checked_sub_days(days)
        } else {
            dob.checked_add_days(days)
        };
        if let Some(other) = other
            && other.year() >= 1925
            && other <= reference_date()
            && dob_typo_between(dob, other).is_none()
        {
            return other;
        }
    }
}

fn years_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let days = (a - b).num_days().abs();
    ((days as f64) / 365.25).round() as i64
}

/// "DOB differs by 11 years, TIN last four disagree (…) and the record is in another state (…)".
fn describe_namesake(request: &Request, candidate: &Candidate, near: bool, out: &mut String) {
    out.push_str("same name but ");
    let mut parts: Vec<String> = Vec::with_capacity(3);
    match (request.dob, candidate.dob) {
        (Some(r), Some(c)) if near => {
            let days = (r - c).num_days().abs();
            parts.push(format!(
                "DOB only {days} days apart ({r} vs {c}, not a typo of the same date)"
            ));
        }
        (Some(r), Some(c)) => {
            let years = years_between(r, c).max(1);
            let unit = if years == 1 { "year" } else { "years" };
            parts.push(format!("DOB differs by {years} {unit}"));
        }
        _ => parts.push("the request has no DOB to tell them apart".to_string()),
    }
    if let Some(last4) = request.tin_last4 {
        parts.push(format!(
            "TIN last four disagree ({last4:04} vs {:04})",
            candidate.tin.serial
        ));
    }
    let (rs, cs) = (request.address.state, candidate.address.state);
    if rs != cs {
        parts.push(format!(
            "the TIN-bearing record is in another state ({}, request {})",
            cs.unwrap_or("none"),
            rs.unwrap_or("none")
        ));
    } else if request.address.city == candidate.address.city {
        parts.push("the street address differs within the same city".to_string());
    } else {
        parts.push("the address differs".to_string());
    }
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if i == last { " and " } else { ", " });
        }
        out.push_str(part);
    }
}

fn finish<R: RngExt + ?Sized>(
    rng: &mut R,
    request: &Request,
    candidate_id: u64,
    candidate: Candidate,
    kind: Kind,
    gold: Gold,
    mut gold_note: String,
) -> CandidateRow {
    let score = matcher_score(rng, request, &candidate);
    let rules = rules_of(kind, request);
    if gold == Gold::Nonmatch && !rules.is_empty() {
        gold_note.push_str(" Rule book:");
        for rule in rules {
            let _ = write!(gold_note, " [{rule}]");
        }
        gold_note.push('.');
    }
    CandidateRow {
        candidate_id,
        candidate,
        kind,
        gold,
        gold_note,
        score,
    }
}

/// The rule-book rules that stop a non-match of this kind, from how it was built (not from the
/// gates, so the gates can be checked against it).
fn rules_of(kind: Kind, request: &Request) -> Vec<&'static str> {
    use crate::domain::policy::rulebook::{
        RULE_ADDRESS, RULE_CURRENCY, RULE_DOB, RULE_IDENTIFIERS, RULE_TIN, RULE_UNIT,
    };
    match kind {
        Kind::CandidateUnitMissing
        | Kind::StreetNumberMissing
        | Kind::AddressPartMissing
        | Kind::PoBox
        | Kind::GeneralDelivery
        | Kind::ZipStateMismatch => vec![RULE_ADDRESS],
        Kind::Stale => vec![RULE_CURRENCY],
        Kind::UnitDiffers => vec![RULE_UNIT],
        Kind::Namesake | Kind::NamesakeNearDob | Kind::OtherCandidate | Kind::DobConflict => {
            if request.tin_last4.is_some() {
                vec![RULE_DOB, RULE_TIN]
            } else {
                vec![RULE_DOB]
            }
        }
        Kind::NameOnly | Kind::MovedUnconfirmed => vec![RULE_IDENTIFIERS],
        _ => Vec::new(),
    }
}

/// What an automated matcher would score this pair: a weighted sum of field agreement (in the
/// manner of Fellegi-Sunter) through a logistic curve, plus noise. It knows nothing of PO
/// boxes, staleness or ZIP/state consistency and only partly recognises nicknames and typos,
/// so unreleasable addresses can score high and true matches with noisy names middling: the
/// reasons a person reviews.
pub fn matcher_score<R: RngExt + ?Sized>(
    rng: &mut R,
    request: &Request,
    candidate: &Candidate,
) -> f64 {
    let names = |a: &str, b: &str, weight: f64| -> f64 {
        if a.eq_ignore_ascii_case(b) {
            weight
        } else if within_one_edit(a, b) {
            weight * 0.1
        } else if is_nickname_pair(a, b) {
            -0.3
        } else {
            -weight * 0.8
        }
    };
    let straight = names(&request.given, &candidate.given, 2.5)
        + names(&request.surname, &candidate.surname, 3.0);
    let crossed = request.given.eq_ignore_ascii_case(&candidate.surname)
        && request.surname.eq_ignore_ascii_case(&candidate.given);
    let mut w = if crossed { 1.1 } else { straight };
    w += match (request.dob, candidate.dob) {
        (Some(r), Some(c)) if r == c => 3.0,
        (Some(r), Some(c)) if dob_typo_between(r, c).is_some() => 0.8,
        (Some(r), Some(c)) if (r - c).num_days().abs() <= 90 => 0.5,
        (Some(_), Some(_)) => -2.5,
        _ => 0.0,
    };
    let (ra, ca) = (&request.address, &candidate.address);
    w += agree(ra.number, ca.number, 0.8, -0.5);
    w += if ra.street == ca.street { 1.0 } else { -0.6 };
    w += agree(ra.unit, ca.unit, 0.2, -0.4);
    w += agree(ra.city, ca.city, 0.5, -0.3);
    w += agree(ra.state, ca.state, 0.2, -0.2);
    w += agree(ra.zip, ca.zip, 0.6, -0.4);
    if let Some(last4) = request.tin_last4 {
        w += if last4 == candidate.tin.serial {
            2.5
        } else {
            -2.5
        };
    }
    // Roughly normal noise from three uniforms: matchers are not consistent.
    let noise = rng.random::<f64>() + rng.random::<f64>() + rng.random::<f64>() - 1.5;
    let z = (w - 7.0) / 1.8 + noise;
    let p = 1.0 / (1.0 + (-z).exp());
    // Pairs below about 0.3 would not have been flagged at all.
    (0.3 + 0.7 * p).clamp(0.0, 0.9999)
}

/// Agreement points for an optional field: nothing when either side lacks it.
fn agree<T: PartialEq>(a: Option<T>, b: Option<T>, yes: f64, no: f64) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => yes,
        (Some(_), Some(_)) => no,
        _ => 0.0,
    }
}
