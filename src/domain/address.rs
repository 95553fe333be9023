//! Address sufficiency: is an address complete and well-formed enough to release?
//!
//! matchgate exists because an agency released addresses "based on incomplete or insufficient
//! address information". So before a match may be approved, both sides must carry a complete,
//! well-formed postal address: street number, street, city, a valid state, and a ZIP consistent
//! with that state. PO boxes and general delivery are flagged (they are not where a person
//! lives), and so is a side that lacks a unit the other side has (the match may be to a
//! different dwelling in the same building).
//!
//! Every rule is a pure function over a [`Record`]; every problem says what is wrong
//! ([`AddressProblem::describe`]), which rule it breaks ([`AddressProblem::rule`]) and what would
//! satisfy it ([`AddressProblem::remedy`]), so a refusal is never a bare "no".
//!
//! Choices, made deliberately and tested:
//! - Only the canonical field is checked. A street field reading "12 Main St" with no street
//!   number still lacks a street number, and "Main St Apt 4" in the street field is not a unit:
//!   guessing at free text could pass an address the fields do not support, and a refusal is
//!   the safe error.
//! - Placeholder text ("N/A", "unknown", "none", "-", ...) counts as missing.
//! - A street number must contain a digit and otherwise only ASCII letters, spaces, `-`, `/`
//!   and `½`: "12", "12B", "12-14" (Queens style), "12 1/2", "N6W23001" (Wisconsin grid) pass;
//!   "N/A" is missing, "twelve" or "12, rear" are malformed.
//! - ZIP ranges are USPS three-digit prefixes per state; where one prefix is shared (967 by
//!   Hawaii and American Samoa, 969 by Guam, the Northern Marianas and the freely associated
//!   states) the five-digit ranges are used. Unassigned prefixes inside a state's range are
//!   accepted: the rule catches a ZIP of another state, not a ZIP that does not exist.

use std::fmt;

use super::field::{Field, Record};

/// Which side of a match an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The record as the requester sent it.
    Requested,
    /// The protected record the matcher proposed.
    Candidate,
}

impl Side {
    /// Both sides, in the order problems are reported.
    pub const ALL: [Side; 2] = [Side::Requested, Side::Candidate];

    /// A short human label for screens and refusal messages.
    pub fn label(self) -> &'static str {
        match self {
            Side::Requested => "Requested",
            Side::Candidate => "Candidate",
        }
    }

    /// The opposite side.
    pub fn other(self) -> Side {
        match self {
            Side::Requested => Side::Candidate,
            Side::Candidate => Side::Requested,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One reason an address is not sufficient to release.
///
/// Values carried in variants are the record's own text, trimmed; [`AddressProblem::describe`]
/// quotes them with escapes and shortens long ones, but screens must still pass every string
/// through the text-safety layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressProblem {
    /// No street number (or only a placeholder such as "N/A").
    MissingStreetNumber,
    /// A street number without a digit or with characters no house number has.
    MalformedStreetNumber(String),
    /// No street name.
    MissingStreet,
    /// No city.
    MissingCity,
    /// No state.
    MissingState,
    /// A state that is neither a USPS code nor a full state or territory name.
    UnknownState(String),
    /// No ZIP code.
    MissingZip,
    /// A ZIP that is not 5 digits or ZIP+4.
    MalformedZip(String),
    /// A well-formed ZIP outside the ZIP ranges of a valid state: one of them is wrong.
    ZipStateMismatch {
        /// The five-digit part of the ZIP.
        zip: String,
        /// The normalised two-letter state code.
        state: String,
    },
    /// The street number, street or unit is a PO box (or a private mailbox).
    PoBox,
    /// The address is general delivery: mail held at a post office.
    GeneralDelivery,
    /// This side has no unit although the other side has one.
    MissingUnit,
    /// An address field holds control, escape, bidi or invisible characters: what the screen
    /// shows (escaped) is not what a letter would carry, so the address cannot be trusted.
    UnsafeText(Field),
    /// An address field holds a value no real address has: longer than
    /// [`MAX_ADDRESS_FIELD_CHARS`], or mostly filler (punctuation, one character repeated).
    Implausible(Field),
}

/// No line of a real US postal address comes near this (USPS allows 64 characters a line).
pub const MAX_ADDRESS_FIELD_CHARS: usize = 100;

impl AddressProblem {
    /// A stable, short name of the rule broken, for refusal messages, logs and filters.
    pub fn rule(&self) -> &'static str {
        match self {
            AddressProblem::MissingStreetNumber | AddressProblem::MalformedStreetNumber(_) => {
                "street-number"
            }
            AddressProblem::MissingStreet => "street",
            AddressProblem::MissingCity => "city",
            AddressProblem::MissingState | AddressProblem::UnknownState(_) => "state",
            AddressProblem::MissingZip | AddressProblem::MalformedZip(_) => "zip",
            AddressProblem::ZipStateMismatch { .. } => "zip-state",
            AddressProblem::PoBox => "po-box",
            AddressProblem::GeneralDelivery => "general-delivery",
            AddressProblem::MissingUnit => "unit",
            AddressProblem::UnsafeText(_) => "unsafe-text",
            AddressProblem::Implausible(_) => "implausible",
        }
    }

    /// The field a screen should highlight. PO box and general delivery point at the street,
    /// though the text may sit in the street number or unit.
    pub fn field(&self) -> Field {
        match self {
            AddressProblem::MissingStreetNumber | AddressProblem::MalformedStreetNumber(_) => {
                Field::StreetNumber
            }
            AddressProblem::MissingStreet
            | AddressProblem::PoBox
            | AddressProblem::GeneralDelivery => Field::Street,
            AddressProblem::MissingCity => Field::City,
            AddressProblem::MissingState | AddressProblem::UnknownState(_) => Field::State,
            AddressProblem::MissingZip
            | AddressProblem::MalformedZip(_)
            | AddressProblem::ZipStateMismatch { .. } => Field::Zip,
            AddressProblem::MissingUnit => Field::Unit,
            AddressProblem::UnsafeText(field) | AddressProblem::Implausible(field) => *field,
        }
    }

    /// What is wrong, in words, e.g. `ZIP 90210 is not in the range of IL`.
    pub fn describe(&self) -> String {
        match self {
            AddressProblem::MissingStreetNumber => "no street number".to_string(),
            AddressProblem::MalformedStreetNumber(v) => {
                format!("street number {} is not a house number", quote(v))
            }
            AddressProblem::MissingStreet => "no street name".to_string(),
            AddressProblem::MissingCity => "no city".to_string(),
            AddressProblem::MissingState => "no state".to_string(),
            AddressProblem::UnknownState(v) => {
                format!("state {} is not a US state or territory", quote(v))
            }
            AddressProblem::MissingZip => "no ZIP code".to_string(),
            AddressProblem::MalformedZip(v) => {
                format!("ZIP {} is not 5 digits or ZIP+4", quote(v))
            }
            AddressProblem::ZipStateMismatch { zip, state } => {
                format!("ZIP {zip} is not in the range of {state}")
            }
            AddressProblem::PoBox => "the address is a PO box, not a residence".to_string(),
            AddressProblem::GeneralDelivery => {
                "the address is general delivery (mail held at a post office)".to_string()
            }
            AddressProblem::MissingUnit => "no unit, though the request has one".to_string(),
            AddressProblem::Implausible(field) => format!(
                "the {} is a value no real address has (over {MAX_ADDRESS_FIELD_CHARS} characters or mostly filler)",
                field.label().to_lowercase()
            ),
            AddressProblem::UnsafeText(field) => format!(
                "the {} holds control, escape, bidi or invisible characters",
                field.label().to_lowercase()
            ),
        }
    }

    /// What would satisfy the rule.
    pub fn remedy(&self) -> &'static str {
        match self {
            AddressProblem::MissingStreetNumber | AddressProblem::MalformedStreetNumber(_) => {
                "a street number with digits (e.g. 12, 12B, 12-14, 12 1/2) in the street-number field"
            }
            AddressProblem::MissingStreet => "a street name in the street field",
            AddressProblem::MissingCity => "a city name",
            AddressProblem::MissingState | AddressProblem::UnknownState(_) => {
                "a valid two-letter USPS state or territory code (e.g. IL) or its full name"
            }
            AddressProblem::MissingZip | AddressProblem::MalformedZip(_) => {
                "a ZIP code of 5 digits or ZIP+4 (e.g. 62704 or 62704-1234)"
            }
            AddressProblem::ZipStateMismatch { .. } => {
                "a ZIP code (5 digits or ZIP+4) within the state's ranges, or the state the ZIP belongs to"
            }
            AddressProblem::PoBox => "a residential street address instead of a PO box",
            AddressProblem::GeneralDelivery => {
                "a residential street address instead of general delivery"
            }
            AddressProblem::MissingUnit => {
                "the unit (apartment, suite, #) in the candidate address, since the request has one"
            }
            AddressProblem::Implausible(_) => {
                "a real value of at most 100 characters, mostly letters and digits, checked against the source"
            }
            AddressProblem::UnsafeText(_) => {
                "the address re-entered as plain text, checked against the source"
            }
        }
    }
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A problem on one side of a match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SideProblem {
    pub side: Side,
    pub problem: AddressProblem,
}

impl SideProblem {
    /// "Candidate: ZIP 90210 is not in the range of IL".
    pub fn describe(&self) -> String {
        format!("{}: {}", self.side.label(), self.problem.describe())
    }

    /// What would satisfy the rule (see [`AddressProblem::remedy`]).
    pub fn remedy(&self) -> &'static str {
        self.problem.remedy()
    }

    /// The rule broken (see [`AddressProblem::rule`]).
    pub fn rule(&self) -> &'static str {
        self.problem.rule()
    }
}

impl fmt::Display for SideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A parsed ZIP code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Zip {
    /// The five-digit ZIP.
    pub five: String,
    /// The four-digit add-on, when ZIP+4 was given.
    pub plus4: Option<String>,
}

impl fmt::Display for Zip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.plus4 {
            Some(p) => write!(f, "{}-{}", self.five, p),
            None => f.write_str(&self.five),
        }
    }
}

/// Checks one side's address alone. An empty result means it is sufficient on its own; the
/// missing-unit rule needs both sides and lives in [`check_pair`].
///
/// Problems come in field order: street number, street, city, state, ZIP, ZIP/state, then
/// PO box and general delivery.
pub fn check_record(record: &Record) -> Vec<AddressProblem> {
    let mut problems = Vec::new();
    for field in Field::ALL.into_iter().filter(|f| f.is_address()) {
        if record
            .get(field)
            .is_some_and(crate::domain::text_safety::contains_unsafe)
        {
            problems.push(AddressProblem::UnsafeText(field));
        }
    }
    for field in Field::ALL.into_iter().filter(|f| f.is_address()) {
        if record.get(field).is_some_and(is_implausible) {
            problems.push(AddressProblem::Implausible(field));
        }
    }

    match value(record, Field::StreetNumber) {
        None => problems.push(AddressProblem::MissingStreetNumber),
        Some(n) if !is_street_number(n) => {
            problems.push(AddressProblem::MalformedStreetNumber(n.to_string()))
        }
        Some(_) => {}
    }
    if !value(record, Field::Street).is_some_and(has_letter) {
        problems.push(AddressProblem::MissingStreet);
    }
    if !value(record, Field::City).is_some_and(has_letter) {
        problems.push(AddressProblem::MissingCity);
    }

    let state = match value(record, Field::State) {
        None => {
            problems.push(AddressProblem::MissingState);
            None
        }
        Some(raw) => {
            let code = normalize_state(raw);
            if code.is_none() {
                problems.push(AddressProblem::UnknownState(raw.to_string()));
            }
            code
        }
    };
    let zip = match value(record, Field::Zip) {
        None => {
            problems.push(AddressProblem::MissingZip);
            None
        }
        Some(raw) => {
            let zip = parse_zip(raw);
            if zip.is_none() {
                problems.push(AddressProblem::MalformedZip(raw.to_string()));
            }
            zip
        }
    };
    // Only a valid state and a well-formed ZIP can disagree; otherwise the problem is reported
    // above and a second one would be noise.
    if let (Some(state), Some(zip)) = (state, zip)
        && !zip_in_state(&zip.five, state)
    {
        problems.push(AddressProblem::ZipStateMismatch {
            zip: zip.five,
            state: state.to_string(),
        });
    }

    let line: Vec<&str> = [Field::StreetNumber, Field::Street, Field::Unit]
        .into_iter()
        .filter_map(|f| record.get(f))
        .collect();
    if line.iter().any(|t| is_po_box(t)) {
        problems.push(AddressProblem::PoBox);
    }
    if line.iter().any(|t| is_general_delivery(t)) {
        problems.push(AddressProblem::GeneralDelivery);
    }
    problems
}

/// Checks both sides of a match: each side alone, plus the cross check that a side lacking a
/// unit the other side has is flagged (on the side that lacks it). Requested problems come
/// first. An empty result means the match may be approved as far as the address goes.
///
/// A unit that is itself a PO box or general delivery does not count as a unit here: that side
/// is already flagged, and flagging the other side as well would only add noise.
pub fn check_pair(requested: &Record, candidate: &Record) -> Vec<SideProblem> {
    let has_unit = [requested, candidate].map(|r| {
        r.get(Field::Unit).is_some_and(|u| {
            normalize_unit(u).is_some() && !is_po_box(u) && !is_general_delivery(u)
        })
    });
    // A unit the request has is missing only from the same building: a candidate at a newer
    // address has no reason to carry the old address's unit.
    let same_building = [Field::StreetNumber, Field::Street].into_iter().all(|f| {
        crate::domain::agreement::compare_field(
            crate::domain::agreement::FieldKey::Canonical(f),
            requested.get(f),
            candidate.get(f),
        )
        .class
            == crate::domain::agreement::AgreementClass::Exact
    });
    let mut out = Vec::new();
    for (i, (side, record)) in [(Side::Requested, requested), (Side::Candidate, candidate)]
        .into_iter()
        .enumerate()
    {
        out.extend(
            check_record(record)
                .into_iter()
                // Only the candidate's address is released; escaped text on the request side
                // is shown safely and judged by the reviewer, not a reason to refuse.
                .filter(|p| side == Side::Candidate || !matches!(p, AddressProblem::UnsafeText(_)))
                .map(|problem| SideProblem { side, problem }),
        );
        // Only the candidate's address is released: a request that omits the unit the candidate
        // has does not make the released address incomplete.
        if side == Side::Candidate && !has_unit[i] && has_unit[1 - i] && same_building {
            out.push(SideProblem {
                side,
                problem: AddressProblem::MissingUnit,
            });
        }
    }
    out
}

/// True when an address value is one no real address has: longer than
/// [`MAX_ADDRESS_FIELD_CHARS`], or (from six characters) mostly filler: fewer than half its
/// non-space characters letters or digits, or one letter or mark making up over half of them.
pub fn is_implausible(text: &str) -> bool {
    let t = text.trim();
    let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    if t.chars().count() > MAX_ADDRESS_FIELD_CHARS {
        return true;
    }
    if chars.len() < 6 {
        return false;
    }
    let alnum = chars.iter().filter(|c| c.is_alphanumeric()).count();
    // Digits repeat in real values (ZIP+4 10001-0000); a letter or mark repeated is filler.
    let most = chars
        .iter()
        .filter(|c| !c.is_ascii_digit())
        .map(|c| {
            chars
                .iter()
                .filter(|d| d.to_lowercase().eq(c.to_lowercase()))
                .count()
        })
        .max()
        .unwrap_or(0);
    alnum * 2 < chars.len() || most * 2 > chars.len()
}

/// True when neither side has an address problem: the address rule allows approval.
pub fn is_sufficient(requested: &Record, candidate: &Record) -> bool {
    check_pair(requested, candidate).is_empty()
}

/// The USPS code for a state or territory given as a code or a full name, in any case and with
/// stray dots, commas and spaces ("il", " IL ", "Illinois", "D.C.", "U.S. Virgin Islands").
///
/// Covers the 50 states, DC, PR, VI, GU, AS, MP, the freely associated states (FM, MH, PW,
/// which USPS serves as domestic mail) and the military codes AA, AE, AP.
pub fn normalize_state(text: &str) -> Option<&'static str> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '.')
        .map(|c| if c == ',' { ' ' } else { c })
        .collect();
    let key = cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if key.is_empty() {
        return None;
    }
    table::REGIONS
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(&key) || r.name.eq_ignore_ascii_case(&key))
        .map(|r| r.code)
        .or_else(|| {
            table::ALIASES
                .iter()
                .find(|(alias, _)| *alias == key)
                .map(|(_, code)| *code)
        })
}

/// Parses a ZIP: "62704", "62704-1234" or "627041234", with surrounding spaces. Anything else,
/// including 4-digit ZIPs (a leading zero lost to a spreadsheet) and letters, is refused: a
/// guessed ZIP is exactly the insufficient information this tool exists to stop.
pub fn parse_zip(text: &str) -> Option<Zip> {
    let t = text.trim();
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (five, plus4) = match t.len() {
        5 => (t, None),
        9 => (t.get(..5)?, Some(t.get(5..)?)),
        10 if t.as_bytes().get(5) == Some(&b'-') => (t.get(..5)?, Some(t.get(6..)?)),
        _ => return None,
    };
    if !all_digits(five) || !plus4.is_none_or(all_digits) {
        return None;
    }
    Some(Zip {
        five: five.to_string(),
        plus4: plus4.map(str::to_string),
    })
}

/// True when the ZIP falls in one of the state's USPS ZIP ranges. `zip5` may be any form
/// [`parse_zip`] accepts and `state_code` any form [`normalize_state`] accepts; anything
/// unparseable is not in range.
pub fn zip_in_state(zip5: &str, state_code: &str) -> bool {
    let (Some(zip), Some(code)) = (parse_zip(zip5), normalize_state(state_code)) else {
        return false;
    };
    let Ok(n) = zip.five.parse::<u32>() else {
        return false;
    };
    table::REGIONS
        .iter()
        .filter(|r| r.code == code)
        .flat_map(|r| r.zips.iter())
        .any(|(lo, hi)| (*lo..=*hi).contains(&n))
}

/// True when the text is a PO box or another mailbox that is not a residence: "PO Box 12",
/// "P.O. Box", "P O Box", "POB 12", "Post Office Box", "Box 12", "PMB 5" (private mailbox),
/// "PO Drawer", in any case and in any address field.
///
/// "Box" alone counts only when a number follows, so "Box Elder Rd" and "Boxwood Ln" pass.
pub fn is_po_box(text: &str) -> bool {
    let w = words(text);
    let has = |seq: &[&str]| w.windows(seq.len()).any(|win| win == seq);
    w.iter()
        .any(|t| matches!(t.as_str(), "pobox" | "pob" | "pobx" | "pmb"))
        || has(&["po", "box"])
        || has(&["po", "bx"])
        || has(&["p", "o", "box"])
        || has(&["p", "o", "b"])
        || has(&["po", "drawer"])
        || has(&["p", "o", "drawer"])
        || has(&["post", "office", "box"])
        || has(&["postal", "box"])
        || has(&["private", "mail", "box"])
        || has(&["private", "mailbox"])
        || w.windows(2)
            .any(|win| win[0] == "box" && win[1].chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// True when the text is general delivery ("General Delivery", "Gen Del"), mail held at a post
/// office for pickup: it says nothing about where a person lives.
pub fn is_general_delivery(text: &str) -> bool {
    let w = words(text);
    let has = |seq: &[&str]| w.windows(seq.len()).any(|win| win == seq);
    w.iter().any(|t| t == "gendel" || t == "generaldelivery")
        || has(&["general", "delivery"])
        || has(&["gen", "delivery"])
        || has(&["gen", "del"])
}

/// The unit identifier without its designator, upper-cased, so that "Apt 4B", "Apt. 4b",
/// "#4B", "Unit 4B", "Apt #4B" and "4B" are all "4B", and "Suite 200" and "Ste 200" are "200".
///
/// Stripped designators: Apt, Apartment, Unit, Ste, Suite, #, No, Num, Number, Rm, Room, Spc,
/// Space, Lot, Trlr, Trailer (as leading words, repeatedly). Others (Bldg, Fl, PH, Rear) are
/// kept because they change which dwelling is meant. Spaces and dots are dropped; hyphens are
/// kept, since "1-2" and "12" may be different units. Empty, designator-only or placeholder
/// text ("N/A") is no unit: `None`.
pub fn normalize_unit(text: &str) -> Option<String> {
    if is_placeholder(text) {
        return None;
    }
    let upper = text.trim().to_uppercase();
    let mut rest = upper.as_str();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '#' | '.' | ','));
        let word_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..word_len];
        if word_len > 0 && UNIT_DESIGNATORS.contains(&word) {
            rest = &rest[word_len..];
        } else {
            break;
        }
    }
    let id: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | ','))
        .collect();
    (!id.is_empty()).then_some(id)
}

/// Leading words of a unit that only say "this is a unit" (see [`normalize_unit`]).
const UNIT_DESIGNATORS: [&str; 16] = [
    "APT",
    "APARTMENT",
    "UNIT",
    "STE",
    "SUITE",
    "NO",
    "NUM",
    "NUMBER",
    "RM",
    "ROOM",
    "SPC",
    "SPACE",
    "LOT",
    "TRLR",
    "TRAILER",
    "APTO",
];

/// Text that fills a field without saying anything; it counts as missing.
const PLACEHOLDERS: [&str; 20] = [
    "n/a",
    "na",
    "n a",
    "none",
    "null",
    "nil",
    "unknown",
    "unk",
    "-",
    "--",
    "---",
    "?",
    "??",
    "???",
    "tbd",
    "not available",
    "not applicable",
    "not known",
    "no address",
    "missing",
];

/// True when the text is empty or a placeholder such as "N/A", "unknown" or "-".
fn is_placeholder(text: &str) -> bool {
    let key = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let key = key.trim_end_matches('.');
    key.is_empty() || PLACEHOLDERS.contains(&key) || key == "n.a"
}

/// The field's trimmed text, or `None` when absent or a placeholder.
fn value(record: &Record, field: Field) -> Option<&str> {
    record
        .get(field)
        .map(str::trim)
        .filter(|v| !is_placeholder(v))
}

/// A house number: at least one digit, otherwise ASCII letters, spaces, `-`, `/` or `½`.
fn is_street_number(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/' | '½'))
}

/// A name (street, city) has at least one letter; "123" or "--" is not a name.
fn has_letter(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// Lower-cased words of the text, split at anything not alphanumeric and between letters and
/// digits, so "P.O.Box123" is `p o box 123` and "POB12" is `pob 12`.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_is_digit = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            let is_digit = c.is_ascii_digit();
            if !cur.is_empty() && is_digit != cur_is_digit {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            cur_is_digit = is_digit;
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Record text quoted with escapes and cut to a screen-friendly length.
/// A record value inside a message: cut short and escaped (invisible fillers too, which Rust's
/// Debug would leave raw), so no message carries a record's characters raw.
fn quote(text: &str) -> String {
    const MAX: usize = 40;
    let escaped = |t: &str| crate::domain::text_safety::escape_for_display(t).replace('"', "\\\"");
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("\"{}\"…", escaped(&cut))
    } else {
        format!("\"{}\"", escaped(text))
    }
}

/// The USPS state and territory table with ZIP ranges.
mod table {
    /// A state or territory: USPS code, full name, and inclusive ranges of five-digit ZIPs.
    pub(super) struct Region {
        pub code: &'static str,
        pub name: &'static str,
        pub zips: &'static [(u32, u32)],
    }

    /// A range of three-digit ZIP prefixes, `lo..=hi`, as five-digit bounds.
    const fn p(lo: u32, hi: u32) -> (u32, u32) {
        (lo * 100, hi * 100 + 99)
    }

    /// A single three-digit prefix.
    const fn one(prefix: u32) -> (u32, u32) {
        p(prefix, prefix)
    }

    /// Other spellings accepted by `normalize_state`, lower-case, dots removed.
    pub(super) const ALIASES: [(&str, &str); 9] = [
        ("washington dc", "DC"),
        ("washington d c", "DC"),
        ("us virgin islands", "VI"),
        ("u s virgin islands", "VI"),
        ("northern marianas", "MP"),
        ("micronesia", "FM"),
        ("armed forces africa", "AE"),
        ("armed forces canada", "AE"),
        ("armed forces middle east", "AE"),
    ];

    /// From the USPS three-digit ZIP prefix list (ranges include prefixes not yet assigned).
    #[rustfmt::skip]
    pub(super) const REGIONS: [Region; 62] = [
        Region { code: "AL", name: "Alabama", zips: &[p(350, 369)] },
        Region { code: "AK", name: "Alaska", zips: &[p(995, 999)] },
        Region { code: "AZ", name: "Arizona", zips: &[p(850, 865)] },
        Region { code: "AR", name: "Arkansas", zips: &[p(716, 729)] },
        Region { code: "CA", name: "California", zips: &[p(900, 961)] },
        Region { code: "CO", name: "Colorado", zips: &[p(800, 816)] },
        Region { code: "CT", name: "Connecticut", zips: &[p(60, 69)] },
        Region { code: "DE", name: "Delaware", zips: &[p(197, 199)] },
        Region {
            code: "DC",
            name: "District of Columbia",
            zips: &[one(200), p(202, 205), one(569)],
        },
        Region { code: "FL", name: "Florida", zips: &[p(320, 339), p(341, 349)] },
        Region { code: "GA", name: "Georgia", zips: &[p(300, 319), p(398, 399)] },
        // 967xx except 96799 (American Samoa), and 968xx.
        Region { code: "HI", name: "Hawaii", zips: &[(96700, 96798), p(968, 968)] },
        Region { code: "ID", name: "Idaho", zips: &[p(832, 838)] },
        Region { code: "IL", name: "Illinois", zips: &[p(600, 629)] },
        Region { code: "IN", name: "Indiana", zips: &[p(460, 479)] },
        Region { code: "IA", name: "Iowa", zips: &[p(500, 528)] },
        Region { code: "KS", name: "Kansas", zips: &[p(660, 679)] },
        Region { code: "KY", name: "Kentucky", zips: &[p(400, 427)] },
        Region { code: "LA", name: "Louisiana", zips: &[p(700, 714)] },
        Region { code: "ME", name: "Maine", zips: &[p(39, 49)] },
        Region { code: "MD", name: "Maryland", zips: &[p(206, 219)] },
        Region { code: "MA", name: "Massachusetts", zips: &[p(10, 27), one(55)] },
        Region { code: "MI", name: "Michigan", zips: &[p(480, 499)] },
        Region { code: "MN", name: "Minnesota", zips: &[p(550, 567)] },
        Region { code: "MS", name: "Mississippi", zips: &[p(386, 397)] },
        Region { code: "MO", name: "Missouri", zips: &[p(630, 658)] },
        Region { code: "MT", name: "Montana", zips: &[p(590, 599)] },
        Region { code: "NE", name: "Nebraska", zips: &[p(680, 693)] },
        Region { code: "NV", name: "Nevada", zips: &[p(889, 898)] },
        Region { code: "NH", name: "New Hampshire", zips: &[p(30, 38)] },
        Region { code: "NJ", name: "New Jersey", zips: &[p(70, 89)] },
        Region { code: "NM", name: "New Mexico", zips: &[p(870, 884)] },
        Region { code: "NY", name: "New York", zips: &[one(5), p(100, 149)] },
        Region { code: "NC", name: "North Carolina", zips: &[p(270, 289)] },
        Region { code: "ND", name: "North Dakota", zips: &[p(580, 588)] },
        Region { code: "OH", name: "Ohio", zips: &[p(430, 459)] },
        Region { code: "OK", name: "Oklahoma", zips: &[p(730, 731), p(734, 749)] },
        Region { code: "OR", name: "Oregon", zips: &[p(970, 979)] },
        Region { code: "PA", name: "Pennsylvania", zips: &[p(150, 196)] },
        Region { code: "RI", name: "Rhode Island", zips: &[p(28, 29)] },
        Region { code: "SC", name: "South Carolina", zips: &[p(290, 299)] },
        Region { code: "SD", name: "South Dakota", zips: &[p(570, 577)] },
        Region { code: "TN", name: "Tennessee", zips: &[p(370, 385)] },
        Region { code: "TX", name: "Texas", zips: &[one(733), p(750, 799), one(885)] },
        Region { code: "UT", name: "Utah", zips: &[p(840, 847)] },
        Region { code: "VT", name: "Vermont", zips: &[p(50, 54), p(56, 59)] },
        Region { code: "VA", name: "Virginia", zips: &[one(201), p(220, 246)] },
        Region { code: "WA", name: "Washington", zips: &[p(980, 994)] },
        Region { code: "WV", name: "West Virginia", zips: &[p(247, 268)] },
        Region { code: "WI", name: "Wisconsin", zips: &[p(530, 549)] },
        Region { code: "WY", name: "Wyoming", zips: &[p(820, 831)] },
        // Territories.
        Region { code: "PR", name: "Puerto Rico", zips: &[p(6, 7), one(9)] },
        Region { code: "VI", name: "Virgin Islands", zips: &[one(8)] },
        Region { code: "AS", name: "American Samoa", zips: &[(96799, 96799)] },
        Region { code: "GU", name: "Guam", zips: &[(96910, 96932)] },
        Region {
            code: "MP",
            name: "Northern Mariana Islands",
            zips: &[(96950, 96952)],
        },
        // Freely associated states, served by USPS as domestic mail.
        Region { code: "PW", name: "Palau", zips: &[(96939, 96940)] },
        Region {
            code: "FM",
            name: "Federated States of Micronesia",
            zips: &[(96941, 96944)],
        },
        Region { code: "MH", name: "Marshall Islands", zips: &[(96960, 96970)] },
        // Military post offices.
        Region { code: "AA", name: "Armed Forces Americas", zips: &[one(340)] },
        Region { code: "AE", name: "Armed Forces Europe", zips: &[p(90, 98)] },
        Region { code: "AP", name: "Armed Forces Pacific", zips: &[p(962, 966)] },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Record {
        Record::new("r1")
            .with(Field::StreetNumber, "12")
            .with(Field::Street, "Main St")
            .with(Field::City, "Springfield")
            .with(Field::State, "IL")
            .with(Field::Zip, "62704")
    }

    fn only(record: &Record) -> AddressProblem {
        let problems = check_record(record);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].clone()
    }

    // --- a complete address ---

    #[test]
    fn complete_address_passes() {
        assert_eq!(check_record(&complete()), vec![]);
        assert!(is_sufficient(&complete(), &complete()));
        let unit = complete().with(Field::Unit, "Apt 4B");
        assert!(is_sufficient(&unit, &unit.clone().with(Field::Unit, "#4b")));
    }

    // --- street number ---

    #[test]
    fn missing_street_number() {
        let r = complete().with(Field::StreetNumber, "");
        assert_eq!(only(&r), AddressProblem::MissingStreetNumber);
        let r = complete().with(Field::StreetNumber, "N/A");
        assert_eq!(only(&r), AddressProblem::MissingStreetNumber);
    }

    #[test]
    fn number_in_street_field_does_not_count() {
        let r = complete()
            .with(Field::StreetNumber, "")
            .with(Field::Street, "12 Main St");
        assert_eq!(only(&r), AddressProblem::MissingStreetNumber);
    }

    #[test]
    fn street_number_formats() {
        for ok in [
            "12", "12B", "12-14", "12 1/2", "12½", "N6W23001", " 7 ", "0",
        ] {
            assert!(
                check_record(&complete().with(Field::StreetNumber, ok)).is_empty(),
                "{ok}"
            );
        }
        for bad in ["twelve", "12, rear", "12#", "#"] {
            assert_eq!(
                only(&complete().with(Field::StreetNumber, bad)),
                AddressProblem::MalformedStreetNumber(bad.to_string()),
                "{bad}"
            );
        }
    }

    // --- street, city ---

    #[test]
    fn missing_street() {
        assert_eq!(
            only(&complete().with(Field::Street, "")),
            AddressProblem::MissingStreet
        );
        assert_eq!(
            only(&complete().with(Field::Street, "unknown")),
            AddressProblem::MissingStreet
        );
        assert_eq!(
            only(&complete().with(Field::Street, "123")),
            AddressProblem::MissingStreet
        );
    }

    #[test]
    fn missing_city() {
        assert_eq!(
            only(&complete().with(Field::City, " ")),
            AddressProblem::MissingCity
        );
        assert_eq!(
            only(&complete().with(Field::City, "-")),
            AddressProblem::MissingCity
        );
        assert_eq!(
            only(&complete().with(Field::City, "none")),
            AddressProblem::MissingCity
        );
    }

    // --- state ---

    #[test]
    fn missing_and_unknown_state() {
        assert_eq!(
            only(&complete().with(Field::State, "")),
            AddressProblem::MissingState
        );
        assert_eq!(
            only(&complete().with(Field::State, "n/a")),
            AddressProblem::MissingState
        );
        assert_eq!(
            only(&complete().with(Field::State, "XX")),
            AddressProblem::UnknownState("XX".to_string())
        );
        assert_eq!(
            only(&complete().with(Field::State, " Ill ")),
            AddressProblem::UnknownState("Ill".to_string())
        );
    }

    #[test]
    fn lower_case_and_full_name_states() {
        for s in [
            "il", " IL ", "Il", "Illinois", "illinois", "ILLINOIS", "I.L.", "IL,",
        ] {
            assert_eq!(normalize_state(s), Some("IL"), "{s}");
            assert!(
                check_record(&complete().with(Field::State, s)).is_empty(),
                "{s}"
            );
        }
        assert_eq!(normalize_state("new  york"), Some("NY"));
        assert_eq!(normalize_state("District of Columbia"), Some("DC"));
        assert_eq!(normalize_state("D.C."), Some("DC"));
        assert_eq!(normalize_state("Washington, D.C."), Some("DC"));
        assert_eq!(normalize_state("Washington"), Some("WA"));
        assert_eq!(normalize_state("West Virginia"), Some("WV"));
        assert_eq!(normalize_state("U.S. Virgin Islands"), Some("VI"));
        assert_eq!(normalize_state("pr"), Some("PR"));
        assert_eq!(normalize_state("Armed Forces Pacific"), Some("AP"));
        for code in ["GU", "AS", "MP", "VI", "AA", "AE", "AP", "DC"] {
            assert_eq!(normalize_state(&code.to_lowercase()), Some(code));
        }
        for bad in ["", "XX", "I", "ILL", "Illinoiss", "62704", "IL 62704"] {
            assert_eq!(normalize_state(bad), None, "{bad}");
        }
    }

    // --- ZIP ---

    #[test]
    fn zip_forms() {
        let z = |five: &str, plus4: Option<&str>| {
            Some(Zip {
                five: five.to_string(),
                plus4: plus4.map(str::to_string),
            })
        };
        assert_eq!(parse_zip("62704"), z("62704", None));
        assert_eq!(parse_zip(" 62704-1234 "), z("62704", Some("1234")));
        assert_eq!(parse_zip("627041234"), z("62704", Some("1234")));
        for bad in [
            "",
            "6270",
            "627",
            "62704-12",
            "62704-",
            "6270A",
            "ABCDE",
            "62704 1234",
            "62704-12345",
            "627041",
            "62704_1234",
            "６２７０４",
        ] {
            assert_eq!(parse_zip(bad), None, "{bad}");
        }
        assert_eq!(
            parse_zip("627041234").map(|z| z.to_string()).as_deref(),
            Some("62704-1234")
        );
    }

    #[test]
    fn zip_plus4_passes() {
        assert!(check_record(&complete().with(Field::Zip, "62704-1234")).is_empty());
        assert!(check_record(&complete().with(Field::Zip, "627041234")).is_empty());
    }

    #[test]
    fn missing_and_malformed_zip() {
        assert_eq!(
            only(&complete().with(Field::Zip, "")),
            AddressProblem::MissingZip
        );
        assert_eq!(
            only(&complete().with(Field::Zip, "N/A")),
            AddressProblem::MissingZip
        );
        for bad in ["6270", "ABCDE", "62704-12"] {
            assert_eq!(
                only(&complete().with(Field::Zip, bad)),
                AddressProblem::MalformedZip(bad.to_string())
            );
        }
    }

    #[test]
    fn zip_of_another_state_is_flagged() {
        let p = only(&complete().with(Field::Zip, "90210"));
        assert_eq!(
            p,
            AddressProblem::ZipStateMismatch {
                zip: "90210".to_string(),
                state: "IL".to_string()
            }
        );
        assert_eq!(p.describe(), "ZIP 90210 is not in the range of IL");
        // The state is normalised before the comparison.
        let p = only(
            &complete()
                .with(Field::State, "illinois")
                .with(Field::Zip, "90210-1234"),
        );
        assert!(matches!(p, AddressProblem::ZipStateMismatch { ref state, .. } if state == "IL"));
    }

    #[test]
    fn no_mismatch_reported_on_top_of_a_bad_state_or_zip() {
        let r = complete().with(Field::State, "XX").with(Field::Zip, "6270");
        assert_eq!(
            check_record(&r),
            vec![
                AddressProblem::UnknownState("XX".to_string()),
                AddressProblem::MalformedZip("6270".to_string())
            ]
        );
    }

    #[test]
    fn zip_ranges() {
        let yes = [
            ("60001", "IL"),
            ("62999", "IL"),
            ("90210", "CA"),
            ("96150", "CA"),
            ("00501", "NY"),
            ("10001", "NY"),
            ("14999", "NY"),
            ("73301", "TX"),
            ("75001", "TX"),
            ("88510", "TX"),
            ("20001", "DC"),
            ("20201", "DC"),
            ("20599", "DC"),
            ("56901", "DC"),
            ("01001", "MA"),
            ("02799", "MA"),
            ("05501", "MA"),
            ("34001", "AA"),
            ("09001", "AE"),
            ("09899", "AE"),
            ("96201", "AP"),
            ("96601", "AP"),
            ("00601", "PR"),
            ("00701", "PR"),
            ("00901", "PR"),
            ("00801", "VI"),
            ("96910", "GU"),
            ("96950", "MP"),
            ("96799", "AS"),
            ("96813", "HI"),
            ("96701", "HI"),
            ("20101", "VA"),
            ("22201", "VA"),
            ("05601", "VT"),
            ("03901", "ME"),
            ("02801", "RI"),
            ("06001", "CT"),
            ("07001", "NJ"),
            ("99501", "AK"),
            ("83201", "ID"),
            ("82001", "WY"),
            ("39801", "GA"),
            ("33101", "FL"),
            ("34101", "FL"),
            ("73101", "OK"),
            ("74101", "OK"),
            ("89101", "NV"),
            ("96960", "MH"),
            ("96939", "PW"),
            ("96941", "FM"),
        ];
        for (zip, state) in yes {
            assert!(zip_in_state(zip, state), "{zip} should be in {state}");
        }
        let no = [
            ("90210", "IL"),
            ("63001", "IL"),
            ("59999", "IL"),
            ("96201", "CA"),
            ("73301", "OK"),
            ("20101", "DC"),
            ("34001", "FL"),
            ("09001", "NY"),
            ("05501", "VT"),
            ("96799", "HI"),
            ("96813", "AS"),
            ("96950", "GU"),
            ("96910", "MP"),
            ("00000", "NY"),
            ("00801", "PR"),
        ];
        for (zip, state) in no {
            assert!(!zip_in_state(zip, state), "{zip} should not be in {state}");
        }
        // Forms accepted on both arguments; garbage is never in range.
        assert!(zip_in_state("62704-1234", "il"));
        assert!(zip_in_state("62704", "Illinois"));
        assert!(!zip_in_state("6270", "IL"));
        assert!(!zip_in_state("62704", "XX"));
    }

    // --- PO box and general delivery ---

    #[test]
    fn po_box_variants() {
        for t in [
            "PO Box 12",
            "po box 12",
            "P.O. Box 12",
            "P. O. Box 12",
            "P O Box 12",
            "POB 12",
            "P.O.B. 12",
            "pob12",
            "Post Office Box 12",
            "POST OFFICE BOX 12",
            "Box 12",
            "box12",
            "POBox 12",
            "P.O.Box12",
            "PMB 5",
            "Private Mailbox 5",
            "PO Drawer 7",
            "PO BX 12",
            "Main St Box 5",
            "Caller Box 9",
        ] {
            assert!(is_po_box(t), "{t}");
        }
        for t in [
            "Main St",
            "Box Elder Rd",
            "Boxwood Ln",
            "Poe Ave",
            "Post Rd",
            "Pobst St",
            "12B",
            "Apt 4B",
            "",
            "Post Office Rd",
        ] {
            assert!(!is_po_box(t), "{t}");
        }
    }

    #[test]
    fn po_box_in_any_address_field_is_flagged() {
        let r = complete().with(Field::Street, "PO Box 12");
        assert_eq!(only(&r), AddressProblem::PoBox);
        let r = complete().with(Field::Unit, "P.O. Box 12");
        assert_eq!(only(&r), AddressProblem::PoBox);
        let r = complete().with(Field::StreetNumber, "Box 12");
        assert_eq!(only(&r), AddressProblem::PoBox);
        // Reported once, however many fields carry it.
        let r = complete()
            .with(Field::Street, "PO Box 12")
            .with(Field::Unit, "Box 12");
        assert_eq!(only(&r), AddressProblem::PoBox);
    }

    #[test]
    fn general_delivery() {
        for t in [
            "General Delivery",
            "GENERAL DELIVERY",
            "general  delivery",
            "Gen Del",
            "Gen. Delivery",
        ] {
            assert!(is_general_delivery(t), "{t}");
        }
        for t in ["General Ave", "Delivery Rd", "Main St", ""] {
            assert!(!is_general_delivery(t), "{t}");
        }
        let r = complete().with(Field::Street, "General Delivery");
        assert_eq!(only(&r), AddressProblem::GeneralDelivery);
    }

    // --- units ---

    #[test]
    fn unit_formats_equal_after_normalisation() {
        for t in [
            "Apt 4B",
            "Apt. 4b",
            "#4B",
            "# 4B",
            "Unit 4B",
            "4B",
            "Apt #4B",
            "apartment 4b",
            "APT4B",
            " 4b ",
        ] {
            assert_eq!(normalize_unit(t).as_deref(), Some("4B"), "{t}");
        }
        for t in ["Suite 200", "Ste 200", "STE. 200", "Rm 200", "No. 200"] {
            assert_eq!(normalize_unit(t).as_deref(), Some("200"), "{t}");
        }
        assert_eq!(normalize_unit("Bldg 2 Apt 4").as_deref(), Some("BLDG2APT4"));
        assert_eq!(normalize_unit("Fl 3").as_deref(), Some("FL3"));
        assert_eq!(normalize_unit("4-B").as_deref(), Some("4-B"));
        assert_eq!(normalize_unit("A").as_deref(), Some("A"));
        for t in ["", "   ", "Apt", "#", "N/A", "none", "Apt."] {
            assert_eq!(normalize_unit(t), None, "{t:?}");
        }
    }

    #[test]
    fn missing_unit_flagged_only_when_the_candidate_in_the_same_building_lacks_it() {
        let with_unit = complete().with(Field::Unit, "Apt 4B");
        // Only the candidate's address is released: a request omitting its unit is fine.
        assert!(check_pair(&complete(), &with_unit).is_empty());
        // A candidate at another street address need not carry the request's unit.
        let moved = complete()
            .with(Field::StreetNumber, "99")
            .with(Field::Street, "Oak Ave");
        assert!(check_pair(&with_unit, &moved).is_empty());
        let problems = check_pair(&with_unit, &complete());
        assert_eq!(
            problems,
            vec![SideProblem {
                side: Side::Candidate,
                problem: AddressProblem::MissingUnit
            }]
        );
        // A placeholder unit is no unit.
        let problems = check_pair(&with_unit, &complete().with(Field::Unit, "N/A"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].side, Side::Candidate);
        // Units in different formats on both sides: nothing to flag.
        assert!(check_pair(&with_unit, &complete().with(Field::Unit, "#4b")).is_empty());
        // Neither side has one: fine.
        assert!(check_pair(&complete(), &complete()).is_empty());
    }

    #[test]
    fn po_box_unit_does_not_demand_a_unit_on_the_other_side() {
        let boxed = complete().with(Field::Unit, "PO Box 7");
        assert_eq!(
            check_pair(&complete(), &boxed),
            vec![SideProblem {
                side: Side::Candidate,
                problem: AddressProblem::PoBox
            }]
        );
    }

    #[test]
    fn pair_reports_requested_first_and_names_sides() {
        let bad_req = complete().with(Field::City, "");
        let bad_cand = complete().with(Field::Zip, "90210");
        let problems = check_pair(&bad_req, &bad_cand);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].side, Side::Requested);
        assert_eq!(problems[0].to_string(), "Requested: no city");
        assert_eq!(
            problems[1].describe(),
            "Candidate: ZIP 90210 is not in the range of IL"
        );
        assert_eq!(problems[1].rule(), "zip-state");
        assert!(problems[1].remedy().contains("within the state's ranges"));
        assert!(!is_sufficient(&bad_req, &bad_cand));
    }

    // --- messages ---

    #[test]
    fn every_problem_has_a_rule_description_and_remedy() {
        let all = [
            AddressProblem::MissingStreetNumber,
            AddressProblem::MalformedStreetNumber("x".into()),
            AddressProblem::MissingStreet,
            AddressProblem::MissingCity,
            AddressProblem::MissingState,
            AddressProblem::UnknownState("XX".into()),
            AddressProblem::MissingZip,
            AddressProblem::MalformedZip("6270".into()),
            AddressProblem::ZipStateMismatch {
                zip: "90210".into(),
                state: "IL".into(),
            },
            AddressProblem::PoBox,
            AddressProblem::GeneralDelivery,
            AddressProblem::MissingUnit,
            AddressProblem::UnsafeText(Field::City),
        ];
        for p in all {
            assert!(!p.rule().is_empty());
            assert!(!p.describe().is_empty());
            assert!(!p.remedy().is_empty());
            assert!(p.field().is_address());
        }
        assert_eq!(Side::Requested.label(), "Requested");
        assert_eq!(Side::Candidate.other(), Side::Requested);
    }

    #[test]
    fn descriptions_escape_and_shorten_record_text() {
        let p = AddressProblem::UnknownState("X\u{1b}[31m".into());
        assert!(!p.describe().contains('\u{1b}'), "{}", p.describe());
        let long = "Z".repeat(200);
        let d = AddressProblem::MalformedZip(long).describe();
        assert!(d.chars().count() < 80, "{d}");
    }

    // --- the table ---

    #[test]
    fn table_is_consistent() {
        let mut codes: Vec<&str> = table::REGIONS.iter().map(|r| r.code).collect();
        for r in &table::REGIONS {
            assert!(
                r.code.len() == 2 && r.code.bytes().all(|b| b.is_ascii_uppercase()),
                "{}",
                r.code
            );
            assert!(!r.zips.is_empty(), "{} has no ZIP range", r.code);
            for (lo, hi) in r.zips {
                assert!(lo <= hi, "{}: {lo} > {hi}", r.code);
                assert!(*hi <= 99_999, "{}: {hi}", r.code);
            }
            assert_eq!(normalize_state(r.code), Some(r.code));
            assert_eq!(normalize_state(r.name), Some(r.code), "{}", r.name);
        }
        for (alias, code) in table::ALIASES {
            assert!(codes.contains(&code), "{alias} -> {code}");
            assert_eq!(normalize_state(alias), Some(code));
        }
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate state code");
        // 50 states + DC + 5 territories + 3 freely associated + 3 military.
        assert_eq!(n, 62);
        // No ZIP belongs to two regions.
        let mut ranges: Vec<(u32, u32, &str)> = table::REGIONS
            .iter()
            .flat_map(|r| r.zips.iter().map(move |(lo, hi)| (*lo, *hi, r.code)))
            .collect();
        ranges.sort_unstable();
        for w in ranges.windows(2) {
            assert!(w[0].1 < w[1].0, "{:?} overlaps {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn unsafe_text_blocks_only_the_released_side() {
        let clean = Record::new("c")
            .with(Field::StreetNumber, "12")
            .with(Field::Street, "Main St")
            .with(Field::City, "Springfield")
            .with(Field::State, "IL")
            .with(Field::Zip, "62704");
        let tabbed = clean.clone().with(Field::Street, "Main\tSt");
        assert!(check_pair(&tabbed, &clean).is_empty());
        let problems = check_pair(&clean, &tabbed);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].side, Side::Candidate);
        assert_eq!(
            problems[0].problem,
            AddressProblem::UnsafeText(Field::Street)
        );
    }

    #[test]
    fn control_bidi_and_invisible_characters_in_an_address_are_refused() {
        let complete = || {
            Record::new("r")
                .with(Field::StreetNumber, "12")
                .with(Field::Street, "Main St")
                .with(Field::City, "Springfield")
                .with(Field::State, "IL")
                .with(Field::Zip, "62704")
        };
        assert!(check_record(&complete()).is_empty());
        for (field, text) in [
            (Field::City, "Spring\u{202e}dleif"),
            (Field::Street, "Main St\u{1b}[2J"),
            (Field::Street, "Main\r\nSt"),
            (Field::Unit, "4\u{200b}B"),
        ] {
            let problems = check_record(&complete().with(field, text));
            assert!(
                problems.contains(&AddressProblem::UnsafeText(field)),
                "{field:?}: {problems:?}"
            );
        }
    }
}
