//! Per-field agreement between a requested record and the matcher's candidate.
//!
//! The reviewer decides whether two records are the same person; the table built here is their
//! evidence. Each field is compared the way that field goes wrong in practice: names by spelling
//! similarity and nicknames, dates component by component (a swapped day and month is a typing
//! slip, not a different person), numbers digit by digit (a ZIP that is "almost" right is a
//! different ZIP), street and unit by their usual abbreviations. Every row gets a score and a
//! class, and for values that are not exact the characters that differ, so a transposed digit is
//! visible at a glance.
//!
//! Values here are raw, untrusted text; the renderer must pass them through
//! [`super::text_safety`] (the diff indices are char indices into the raw value, which
//! [`super::text_safety::display_segments_marked`] maps onto the escaped display).

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;

use super::field::{Field, Record};
use super::text_safety;

/// A row of the comparison: a canonical field, or a non-canonical field by its suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKey {
    Canonical(Field),
    Extra(String),
}

impl FieldKey {
    /// The row's label, safe to print: an extra field's suffix comes from the import file, so it
    /// is escaped like any other untrusted text.
    pub fn label(&self) -> String {
        match self {
            FieldKey::Canonical(f) => f.label().to_string(),
            FieldKey::Extra(suffix) => text_safety::escape_for_display(suffix),
        }
    }

    /// The lower-case label used inside sentences ("given name", "street no.").
    pub fn label_lower(&self) -> String {
        match self {
            FieldKey::Canonical(Field::Zip) => "ZIP".to_string(),
            FieldKey::Canonical(Field::Tin) => "TIN".to_string(),
            FieldKey::Canonical(f) => f.label().to_lowercase(),
            FieldKey::Extra(_) => self.label(),
        }
    }

    /// The raw key (`Field::key()` or the suffix), for storage and lookups; not for display.
    pub fn raw_key(&self) -> &str {
        match self {
            FieldKey::Canonical(f) => f.key(),
            FieldKey::Extra(suffix) => suffix,
        }
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// How far two values agree. Every class has a word and an ASCII glyph, so the class is never
/// carried by colour alone (NO_COLOR, colour-blind reviewers, monochrome terminals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgreementClass {
    /// Equal after normalisation (case, whitespace, punctuation, known abbreviations).
    Exact,
    /// Not equal but plausibly the same (a typo, a nickname, a swapped day and month).
    Close,
    /// Conflicting values.
    Different,
    /// Present on one side only: no evidence either way.
    Missing,
    /// A value that cannot be what its field says (a date of birth 1945-04-93, a ZIP with
    /// letters): shown with its raw text, never agrees.
    Invalid,
}

impl AgreementClass {
    pub const ALL: [AgreementClass; 5] = [
        AgreementClass::Exact,
        AgreementClass::Close,
        AgreementClass::Different,
        AgreementClass::Missing,
        AgreementClass::Invalid,
    ];

    pub fn word(self) -> &'static str {
        match self {
            AgreementClass::Exact => "exact",
            AgreementClass::Close => "close",
            AgreementClass::Different => "differs",
            AgreementClass::Missing => "missing",
            AgreementClass::Invalid => "invalid",
        }
    }

    /// A one-column glyph. ASCII on purpose: "≈", "≠" and "∅" are East Asian "ambiguous" width
    /// and take two columns in CJK terminals, which would break the table's alignment.
    pub fn glyph(self) -> &'static str {
        match self {
            AgreementClass::Exact => "=",
            AgreementClass::Close => "~",
            AgreementClass::Different => "!",
            AgreementClass::Missing => "?",
            AgreementClass::Invalid => "x",
        }
    }
}

impl fmt::Display for AgreementClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a row got the class it got, when the values alone would not tell the reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementNote {
    /// Given names that are a known nickname pair (Bob / Robert).
    Nickname,
    /// A given name against its initial (J / John).
    Initial,
    /// Given name and surname are swapped between the records.
    NamesSwapped,
    /// Dates whose day and month are swapped (1990-05-12 / 1990-12-05).
    DayMonthSwapped,
    /// ZIPs that agree in the five-digit ZIP and differ only in the +4 extension.
    ZipPlus4Differs,
    /// The request carries only the TIN's last four digits; only those were compared.
    LastFour,
}

impl AgreementNote {
    pub fn word(self) -> &'static str {
        match self {
            AgreementNote::Nickname => "nickname",
            AgreementNote::Initial => "initial",
            AgreementNote::NamesSwapped => "names swapped",
            AgreementNote::DayMonthSwapped => "day/month swapped",
            AgreementNote::ZipPlus4Differs => "ZIP+4 differs",
            AgreementNote::LastFour => "last four",
        }
    }
}

impl fmt::Display for AgreementNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAgreement {
    pub key: FieldKey,
    /// The requested record's raw value (for the TIN: the last four digits the request carries).
    pub requested: Option<String>,
    /// The candidate's raw value. For the TIN this is the full, sensitive identifier: mask it
    /// when showing it; nothing else in this struct repeats it.
    pub candidate: Option<String>,
    /// 0 (nothing in common, or missing) ..= 1 (exact).
    pub score: f64,
    pub class: AgreementClass,
    pub note: Option<AgreementNote>,
    /// Char indices (not bytes) into `requested` of the characters that differ; empty when exact.
    pub requested_diff: Vec<usize>,
    /// Char indices (not bytes) into `candidate` of the characters that differ.
    pub candidate_diff: Vec<usize>,
}

/// Counts over a comparison, for the screen's header and the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Overall {
    pub exact: usize,
    pub close: usize,
    pub different: usize,
    pub missing: usize,
    /// Mean score over the rows present on both sides; None when no row is.
    pub mean_score: Option<f64>,
}

/// Summarises a comparison. Missing rows are counted but left out of the mean: a field nobody
/// supplied is no evidence against the match.
pub fn overall(agreements: &[FieldAgreement]) -> Overall {
    let mut o = Overall::default();
    let mut sum = 0.0;
    for a in agreements {
        match a.class {
            AgreementClass::Exact => o.exact += 1,
            AgreementClass::Close => o.close += 1,
            // An invalid value is evidence of nothing but a bad record: it counts as a conflict.
            AgreementClass::Different | AgreementClass::Invalid => o.different += 1,
            AgreementClass::Missing => {
                o.missing += 1;
                continue;
            }
        }
        sum += a.score;
    }
    let compared = o.exact + o.close + o.different;
    if compared > 0 {
        o.mean_score = Some(sum / compared as f64);
    }
    o
}

/// The suffix under which a request may carry the last four digits of the TIN.
const REQUEST_TIN_SUFFIX: &str = "tin";

/// The comparison table: canonical fields in [`Field::ALL`] order (skipping fields neither side
/// has), then the extra fields by suffix in sorted order.
pub fn compare_records(request: &Record, candidate: &Record) -> Vec<FieldAgreement> {
    let mut rows = Vec::new();
    for field in Field::ALL {
        let requested = match field {
            // The request never has the full TIN column; it may carry the last four as an extra.
            Field::Tin => request
                .get(Field::Tin)
                .or_else(|| request.extra.get(REQUEST_TIN_SUFFIX).map(String::as_str)),
            _ => request.get(field),
        };
        let requested = present(requested);
        let cand = present(candidate.get(field));
        if requested.is_none() && cand.is_none() {
            continue;
        }
        rows.push(compare_field(FieldKey::Canonical(field), requested, cand));
    }

    if names_swapped(request, candidate) {
        for row in &mut rows {
            if matches!(
                row.key,
                FieldKey::Canonical(Field::GivenName | Field::Surname)
            ) {
                row.class = AgreementClass::Close;
                row.score = SWAPPED_SCORE;
                row.note = Some(AgreementNote::NamesSwapped);
                // Each value equals the other row's counterpart, so nothing in it is "wrong".
                row.requested_diff.clear();
                row.candidate_diff.clear();
            }
        }
    }

    let suffixes: BTreeSet<&str> = request
        .extra
        .keys()
        .chain(candidate.extra.keys())
        .map(String::as_str)
        .filter(|k| *k != REQUEST_TIN_SUFFIX)
        .collect();
    for suffix in suffixes {
        let requested = present(request.extra.get(suffix).map(String::as_str));
        let cand = present(candidate.extra.get(suffix).map(String::as_str));
        if requested.is_none() && cand.is_none() {
            continue;
        }
        rows.push(compare_field(
            FieldKey::Extra(suffix.to_string()),
            requested,
            cand,
        ));
    }
    rows
}

/// Blank text carries no information; treat it as missing like `Record::set` does.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// Compares one pair of values by the rules of their field.
pub fn compare_field(
    key: FieldKey,
    requested: Option<&str>,
    candidate: Option<&str>,
) -> FieldAgreement {
    let (requested, candidate) = (present(requested), present(candidate));
    let invalid = match &key {
        FieldKey::Canonical(field) => [requested, candidate]
            .into_iter()
            .flatten()
            .any(|v| !super::validity::is_valid(*field, v)),
        FieldKey::Extra(_) => false,
    };
    let outcome = match (requested, candidate) {
        _ if invalid => Outcome::plain(AgreementClass::Invalid, 0.0),
        (Some(a), Some(b)) => match &key {
            FieldKey::Canonical(field) => compare_canonical(*field, a, b),
            FieldKey::Extra(_) => compare_text(a, b, EXTRA_CLOSE),
        },
        _ => Outcome::plain(AgreementClass::Missing, 0.0),
    };
    FieldAgreement {
        key,
        requested: requested.map(str::to_string),
        candidate: candidate.map(str::to_string),
        score: outcome.score,
        class: outcome.class,
        note: outcome.note,
        requested_diff: outcome.requested_diff,
        candidate_diff: outcome.candidate_diff,
    }
}

/// True when the given name and surname are swapped between the records (a common data-entry
/// slip, and in some cultures the customary order differs).
pub fn names_swapped(request: &Record, candidate: &Record) -> bool {
    let key = |r: &Record, f: Field| r.get(f).map(name_key).filter(|k| !k.is_empty());
    match (
        key(request, Field::GivenName),
        key(request, Field::Surname),
        key(candidate, Field::GivenName),
        key(candidate, Field::Surname),
    ) {
        (Some(rg), Some(rs), Some(cg), Some(cs)) => rg != rs && rg == cs && rs == cg,
        _ => false,
    }
}

/// Jaro-Winkler similarity from which two names count as close.
const NAME_CLOSE: f64 = 0.88;
/// Jaro-Winkler similarity from which street and city names count as close.
const PLACE_CLOSE: f64 = 0.88;
/// Jaro-Winkler similarity from which extra fields count as close.
const EXTRA_CLOSE: f64 = 0.9;
const NICKNAME_SCORE: f64 = 0.9;
const INITIAL_SCORE: f64 = 0.75;
const SWAPPED_SCORE: f64 = 0.9;
const DAY_MONTH_SCORE: f64 = 0.8;
const ZIP_PLUS4_SCORE: f64 = 0.9;

/// The result of comparing two present values.
struct Outcome {
    score: f64,
    class: AgreementClass,
    note: Option<AgreementNote>,
    requested_diff: Vec<usize>,
    candidate_diff: Vec<usize>,
}

impl Outcome {
    fn plain(class: AgreementClass, score: f64) -> Outcome {
        Outcome {
            score,
            class,
            note: None,
            requested_diff: Vec::new(),
            candidate_diff: Vec::new(),
        }
    }

    fn exact() -> Outcome {
        Outcome::plain(AgreementClass::Exact, 1.0)
    }

    fn with_note(mut self, note: AgreementNote) -> Outcome {
        self.note = Some(note);
        self
    }

    fn with_diff(mut self, (a, b): (Vec<usize>, Vec<usize>)) -> Outcome {
        self.requested_diff = a;
        self.candidate_diff = b;
        self
    }
}

fn compare_canonical(field: Field, a: &str, b: &str) -> Outcome {
    match field {
        Field::GivenName => compare_given_name(a, b),
        Field::Surname => compare_surname(a, b),
        Field::Dob => compare_date(a, b),
        Field::StreetNumber => compare_street_number(a, b),
        Field::Street => compare_place(a, b, street_token),
        Field::Unit => compare_unit(a, b),
        Field::City => compare_place(a, b, city_token),
        Field::State => compare_state(a, b),
        Field::Zip => compare_zip(a, b),
        Field::Tin => compare_tin(a, b),
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// Lower case without accents, so "José" and "JOSE" compare equal: records from different systems
/// disagree on accents far more often than people do.
fn fold(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Words of the value: folded, split on anything not alphanumeric (punctuation and whitespace).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(fold).collect())
        .collect()
}

/// A name with case, accents, spaces and punctuation removed: "O'Brien" = "OBrien" = "o brien",
/// "Mary-Ann" = "Mary Ann".
pub(crate) fn name_key(s: &str) -> String {
    words(s).concat()
}

/// Jaro-Winkler is quadratic in the worst case; real names and places are short, so a hostile
/// multi-kilobyte value is judged by its first characters rather than stalling the screen.
const MAX_SIMILARITY_CHARS: usize = 256;

fn jaro_winkler(a: &str, b: &str) -> f64 {
    let head = |s: &str| -> String { s.chars().take(MAX_SIMILARITY_CHARS).collect() };
    strsim::jaro_winkler(&head(a), &head(b))
}

// ---------------------------------------------------------------------------------------------
// Names

/// Nickname → formal name. A name is related to another when they share a formal name, so
/// Bob ~ Robert and Bob ~ Rob both hold.
const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("cy", "cyrus"),
    ("josh", "joshua"),
    ("jon", "jonathan"),
    ("debbie", "deborah"),
    ("jess", "jessica"),
    ("kim", "kimberly"),
    ("barb", "barbara"),
    ("terri", "theresa"),
    ("cindy", "cynthia"),
    ("pam", "pamela"),
    ("jackie", "jacqueline"),
    ("steph", "stephanie"),
    ("judy", "judith"),
    ("ginny", "virginia"),
    ("mark", "marcus"),
    ("al", "albert"),
    ("al", "alfred"),
    ("alex", "alexander"),
    ("alex", "alexandra"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("becky", "rebecca"),
    ("ben", "benjamin"),
    ("bill", "william"),
    ("billy", "william"),
    ("will", "william"),
    ("liam", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("bert", "robert"),
    ("cathy", "catherine"),
    ("kate", "catherine"),
    ("charlie", "charles"),
    ("chuck", "charles"),
    ("chris", "christopher"),
    ("chris", "christine"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("dick", "richard"),
    ("rich", "richard"),
    ("rick", "richard"),
    ("don", "donald"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ted", "edward"),
    ("ted", "theodore"),
    ("fred", "frederick"),
    ("frank", "francis"),
    ("fran", "frances"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("harry", "henry"),
    ("jack", "john"),
    ("johnny", "john"),
    ("jen", "jennifer"),
    ("jenny", "jennifer"),
    ("jerry", "gerald"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("ken", "kenneth"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("eliza", "elizabeth"),
    ("matt", "matthew"),
    ("mike", "michael"),
    ("mick", "michael"),
    ("molly", "mary"),
    ("polly", "mary"),
    ("nick", "nicholas"),
    ("pat", "patrick"),
    ("pat", "patricia"),
    ("patty", "patricia"),
    ("peggy", "margaret"),
    ("maggie", "margaret"),
    ("meg", "margaret"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("ray", "raymond"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("sam", "samantha"),
    ("sandy", "sandra"),
    ("steve", "stephen"),
    ("steve", "steven"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vicky", "victoria"),
    ("walt", "walter"),
];

/// The formal names a name stands for: itself, and any formal name it is a nickname of.
fn formal_names(name: &str) -> impl Iterator<Item = &str> {
    std::iter::once(name).chain(
        NICKNAMES
            .iter()
            .filter(move |(nick, _)| *nick == name)
            .map(|(_, formal)| *formal),
    )
}

/// True when two given names (any case or punctuation) are a known nickname pair, either way, or two
/// nicknames of the same name.
pub fn is_nickname_pair(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    a != b && formal_names(&a).any(|fa| formal_names(&b).any(|fb| fa == fb))
}

fn compare_given_name(a: &str, b: &str) -> Outcome {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    let diff = text_diff(a, b);
    let first = |s: &str| words(s).into_iter().next().unwrap_or_default();
    if is_nickname_pair(&ka, &kb) || is_nickname_pair(&first(a), &first(b)) {
        return Outcome::plain(AgreementClass::Close, NICKNAME_SCORE)
            .with_note(AgreementNote::Nickname)
            .with_diff(diff);
    }
    let is_initial = |short: &str, long: &str| {
        short.chars().count() == 1 && long.chars().count() > 1 && long.starts_with(short)
    };
    if is_initial(&ka, &kb) || is_initial(&kb, &ka) {
        return Outcome::plain(AgreementClass::Close, INITIAL_SCORE)
            .with_note(AgreementNote::Initial)
            .with_diff(diff);
    }
    similarity_outcome(jaro_winkler(&ka, &kb), NAME_CLOSE).with_diff(diff)
}

fn compare_surname(a: &str, b: &str) -> Outcome {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    similarity_outcome(jaro_winkler(&ka, &kb), NAME_CLOSE).with_diff(text_diff(a, b))
}

fn similarity_outcome(similarity: f64, close_from: f64) -> Outcome {
    let class = if similarity >= close_from {
        AgreementClass::Close
    } else {
        AgreementClass::Different
    };
    Outcome::plain(class, similarity)
}

// ---------------------------------------------------------------------------------------------
// Free text (extra fields) and the fallback for values that normalise to nothing

fn compare_text(a: &str, b: &str, close_from: f64) -> Outcome {
    let (ka, kb) = (words(a).join(" "), words(b).join(" "));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    similarity_outcome(jaro_winkler(&ka, &kb), close_from).with_diff(text_diff(a, b))
}

/// For values with no letters or digits ("-", "?"): equal ignoring case and surrounding space,
/// or different. Two different punctuation strings must not both normalise to "" and agree.
fn compare_raw(a: &str, b: &str) -> Outcome {
    let (ta, tb) = (a.trim().to_lowercase(), b.trim().to_lowercase());
    if ta == tb {
        Outcome::exact()
    } else {
        Outcome::plain(AgreementClass::Different, 0.0).with_diff(projected_diff(
            a,
            b,
            |c| !c.is_whitespace(),
            Window::all(),
            Window::all(),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

/// One component of a parsed date, with where it sits in the raw value.
#[derive(Debug, Clone, Copy)]
struct DatePart {
    value: u32,
    /// Char index of the component's first digit in the raw value.
    start: usize,
    len: usize,
}

/// Year, month, day as written. Accepts ISO `YYYY-MM-DD` (also with `/` or `.`), compact
/// `YYYYMMDD`, and US `MM/DD/YYYY` (slashes, year last): the formats matchers actually emit.
/// Anything else, or an impossible date, is compared as text.
fn parse_date(raw: &str) -> Option<[DatePart; 3]> {
    let trimmed_start = raw.chars().take_while(|c| c.is_whitespace()).count();
    let body: Vec<char> = raw.trim().chars().collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut seps = BTreeSet::new();
    let mut i = 0;
    while i < body.len() {
        if body[i].is_ascii_digit() {
            let start = i;
            while i < body.len() && body[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i - start));
        } else if matches!(body[i], '-' | '/' | '.') {
            seps.insert(body[i]);
            i += 1;
        } else {
            return None;
        }
    }
    let digits = |(start, len): (usize, usize)| -> Option<u32> {
        body[start..start + len]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    };
    let part = |start: usize, len: usize| -> Option<DatePart> {
        Some(DatePart {
            value: digits((start, len))?,
            start: start + trimmed_start,
            len,
        })
    };
    let [y, m, d] = match runs.as_slice() {
        [(s, 8)] if seps.is_empty() => [part(*s, 4)?, part(s + 4, 2)?, part(s + 6, 2)?],
        [(ys, 4), (ms, ml @ 1..=2), (ds, dl @ 1..=2)] if seps.len() == 1 => {
            [part(*ys, 4)?, part(*ms, *ml)?, part(*ds, *dl)?]
        }
        [(ms, ml @ 1..=2), (ds, dl @ 1..=2), (ys, 4)] if seps.len() == 1 && seps.contains(&'/') => {
            [part(*ys, 4)?, part(*ms, *ml)?, part(*ds, *dl)?]
        }
        _ => return None,
    };
    let year = i32::try_from(y.value).ok()?;
    NaiveDate::from_ymd_opt(year, m.value, d.value)?;
    Some([y, m, d])
}

fn compare_date(a: &str, b: &str) -> Outcome {
    let (Some(pa), Some(pb)) = (parse_date(a), parse_date(b)) else {
        return compare_text(a, b, NAME_CLOSE);
    };
    let equal: Vec<bool> = pa
        .iter()
        .zip(&pb)
        .map(|(x, y)| x.value == y.value)
        .collect();
    let agreeing = equal.iter().filter(|e| **e).count();
    if agreeing == 3 {
        return Outcome::exact();
    }
    let [_, am, ad] = pa;
    let [_, bm, bd] = pb;
    if equal[0] && am.value != ad.value && am.value == bd.value && ad.value == bm.value {
        // Highlight both swapped components whole: no single digit is the mistake.
        let span = |p: &DatePart| (p.start..p.start + p.len).collect::<Vec<_>>();
        let mut ra = span(&am);
        ra.extend(span(&ad));
        let mut rb = span(&bm);
        rb.extend(span(&bd));
        return Outcome::plain(AgreementClass::Close, DAY_MONTH_SCORE)
            .with_note(AgreementNote::DayMonthSwapped)
            .with_diff((ra, rb));
    }
    let class = if agreeing == 2 {
        AgreementClass::Close
    } else {
        AgreementClass::Different
    };
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    for ((x, y), same) in pa.iter().zip(&pb).zip(&equal) {
        if !same {
            let (da, db) = projected_diff(
                a,
                b,
                |c| c.is_ascii_digit(),
                Window::new(x.start, x.len),
                Window::new(y.start, y.len),
            );
            ra.extend(da);
            rb.extend(db);
        }
    }
    ra.sort_unstable();
    rb.sort_unstable();
    Outcome::plain(class, agreeing as f64 / 3.0).with_diff((ra, rb))
}

// ---------------------------------------------------------------------------------------------
// Numbers: street number, ZIP, unit, TIN

/// Share of positions holding the same character, over the longer sequence: a ZIP with one wrong
/// digit scores 0.8, a transposed pair 0.6.
fn positional_score(a: &[char], b: &[char]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / longest as f64
}

fn digits_of(s: &str) -> Vec<char> {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn alnum_upper(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| fold(c).to_uppercase().next().unwrap_or(c))
        .collect()
}

fn compare_street_number(a: &str, b: &str) -> Outcome {
    let (ka, kb) = (alnum_upper(a), alnum_upper(b));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    Outcome::plain(AgreementClass::Different, positional_score(&ka, &kb)).with_diff(projected_diff(
        a,
        b,
        char::is_alphanumeric,
        Window::all(),
        Window::all(),
    ))
}

/// ZIPs agree when their five-digit ZIPs do: one side often has the +4 and the other not.
fn compare_zip(a: &str, b: &str) -> Outcome {
    let (da, db) = (digits_of(a), digits_of(b));
    if da.is_empty() || db.is_empty() {
        return compare_text(a, b, 1.0);
    }
    let digit = |c: char| c.is_ascii_digit();
    if da.len() >= 5 && db.len() >= 5 {
        if da[..5] == db[..5] {
            let plus4 = |d: &[char]| d.get(5..9).map(<[char]>::to_vec);
            return match (plus4(&da), plus4(&db)) {
                (Some(pa), Some(pb)) if pa != pb => {
                    Outcome::plain(AgreementClass::Close, ZIP_PLUS4_SCORE)
                        .with_note(AgreementNote::ZipPlus4Differs)
                        .with_diff(projected_diff(
                            a,
                            b,
                            digit,
                            Window::digits(5, 4),
                            Window::digits(5, 4),
                        ))
                }
                _ => Outcome::exact(),
            };
        }
        return Outcome::plain(
            AgreementClass::Different,
            positional_score(&da[..5], &db[..5]),
        )
        .with_diff(projected_diff(
            a,
            b,
            digit,
            Window::digits(0, 5),
            Window::digits(0, 5),
        ));
    }
    if da == db {
        return Outcome::exact();
    }
    Outcome::plain(AgreementClass::Different, positional_score(&da, &db)).with_diff(projected_diff(
        a,
        b,
        digit,
        Window::all(),
        Window::all(),
    ))
}

/// Designators that say "this is a unit" without being part of its number.
const UNIT_DESIGNATORS: &[&str] = &["apt", "apartment", "unit", "ste", "suite", "no", "number"];

/// The unit's identifier ("4B" for "Apt 4b", "#4B", "Unit 4-B") and the char index where it
/// starts in the raw value.
fn unit_core(raw: &str) -> (usize, Vec<char>) {
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    loop {
        while i < chars.len() && !chars[i].is_alphanumeric() {
            i += 1;
        }
        let end = (i..chars.len())
            .find(|&j| !chars[j].is_alphanumeric())
            .unwrap_or(chars.len());
        let word: String = chars[i..end].iter().map(|c| fold(*c)).collect();
        // Only strip a designator when something follows it: "Suite" alone is the value.
        let rest_has_id = chars[end..].iter().any(|c| c.is_alphanumeric());
        if UNIT_DESIGNATORS.contains(&word.as_str()) && rest_has_id {
            i = end;
        } else {
            break;
        }
    }
    let start = i;
    (
        start,
        alnum_upper(&chars[start..].iter().collect::<String>()),
    )
}

fn compare_unit(a: &str, b: &str) -> Outcome {
    let ((sa, ka), (sb, kb)) = (unit_core(a), unit_core(b));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    Outcome::plain(AgreementClass::Different, positional_score(&ka, &kb)).with_diff(projected_diff(
        a,
        b,
        char::is_alphanumeric,
        Window::starting_at(sa),
        Window::starting_at(sb),
    ))
}

/// The request usually carries only the last four digits; compare them with the candidate's last
/// four. A full TIN on both sides is compared whole.
fn compare_tin(a: &str, b: &str) -> Outcome {
    let (da, db) = (digits_of(a), digits_of(b));
    if da.is_empty() || db.is_empty() {
        return compare_raw(a, b);
    }
    let digit = |c: char| c.is_ascii_digit();
    let note = (da.len() < db.len()).then_some(AgreementNote::LastFour);
    if da.len() > db.len() {
        return Outcome::plain(AgreementClass::Different, positional_score(&da, &db))
            .with_diff(projected_diff(a, b, digit, Window::all(), Window::all()));
    }
    let tail = &db[db.len() - da.len()..];
    let mut outcome = if da == tail {
        Outcome::exact()
    } else {
        Outcome::plain(AgreementClass::Different, positional_score(&da, tail)).with_diff(
            projected_diff(
                a,
                b,
                digit,
                Window::all(),
                Window::digits(db.len() - da.len(), da.len()),
            ),
        )
    };
    outcome.note = note.filter(|_| da.len() == 4);
    outcome
}

// ---------------------------------------------------------------------------------------------
// Places: street, city, state

/// The USPS abbreviation of a street word, so "North Main Street" = "N Main St".
fn street_token(word: &str) -> &str {
    match word {
        "street" | "str" => "st",
        "avenue" | "av" | "ave" => "ave",
        "road" => "rd",
        "boulevard" | "boul" => "blvd",
        "drive" | "drv" => "dr",
        "lane" => "ln",
        "court" => "ct",
        "place" => "pl",
        "terrace" => "ter",
        "circle" => "cir",
        "highway" => "hwy",
        "parkway" | "pky" => "pkwy",
        "square" => "sq",
        "trail" => "trl",
        "expressway" => "expy",
        "freeway" => "fwy",
        "plaza" => "plz",
        "point" => "pt",
        "north" => "n",
        "south" => "s",
        "east" => "e",
        "west" => "w",
        "northeast" => "ne",
        "northwest" => "nw",
        "southeast" => "se",
        "southwest" => "sw",
        "first" => "1st",
        "second" => "2nd",
        "third" => "3rd",
        "fourth" => "4th",
        "fifth" => "5th",
        "sixth" => "6th",
        "seventh" => "7th",
        "eighth" => "8th",
        "ninth" => "9th",
        "tenth" => "10th",
        other => other,
    }
}

/// City words spelled out, so "St. Louis" = "Saint Louis" and "Ft Worth" = "Fort Worth".
fn city_token(word: &str) -> &str {
    match word {
        "st" => "saint",
        "ste" => "sainte",
        "ft" => "fort",
        "mt" => "mount",
        "pt" => "port",
        other => other,
    }
}

fn compare_place(a: &str, b: &str, token: fn(&str) -> &str) -> Outcome {
    let key = |s: &str| {
        words(s)
            .iter()
            .map(|w| token(w).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (ka, kb) = (key(a), key(b));
    if ka.is_empty() || kb.is_empty() {
        return compare_raw(a, b);
    }
    if ka == kb {
        return Outcome::exact();
    }
    similarity_outcome(jaro_winkler(&ka, &kb), PLACE_CLOSE).with_diff(text_diff(a, b))
}

/// The postal code of a state given by code (any case) or by name: the address rules' table.
pub fn state_code(raw: &str) -> Option<&'static str> {
    super::address::normalize_state(raw)
}

fn compare_state(a: &str, b: &str) -> Outcome {
    match (state_code(a), state_code(b)) {
        (Some(ca), Some(cb)) if ca == cb => Outcome::exact(),
        // Two real, different states: no partial credit for similar spelling (IA / IL).
        (Some(_), Some(_)) => {
            Outcome::plain(AgreementClass::Different, 0.0).with_diff(text_diff(a, b))
        }
        _ => compare_text(a, b, PLACE_CLOSE),
    }
}

// ---------------------------------------------------------------------------------------------
// Character diff

/// Which part of a value's projected characters (after the filter) takes part in a diff.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Ignore raw chars before this char index (a unit's designator, a date's other parts).
    from_char: usize,
    /// Skip this many projected characters, then take at most `take` (the ZIP's first five).
    skip: usize,
    take: Option<usize>,
    /// Stop at this raw char index.
    until_char: Option<usize>,
}

impl Window {
    fn all() -> Window {
        Window {
            from_char: 0,
            skip: 0,
            take: None,
            until_char: None,
        }
    }

    fn starting_at(from_char: usize) -> Window {
        Window {
            from_char,
            ..Window::all()
        }
    }

    fn new(from_char: usize, len: usize) -> Window {
        Window {
            from_char,
            until_char: Some(from_char + len),
            ..Window::all()
        }
    }

    fn digits(skip: usize, take: usize) -> Window {
        Window {
            skip,
            take: Some(take),
            ..Window::all()
        }
    }
}

/// The characters of `raw` that take part in a diff, folded, with their raw char indices.
fn project(raw: &str, keep: impl Fn(char) -> bool, window: Window) -> Vec<(usize, char)> {
    raw.chars()
        .enumerate()
        .skip(window.from_char)
        .take_while(|(i, _)| window.until_char.is_none_or(|u| *i < u))
        .filter(|(_, c)| keep(*c))
        .map(|(i, c)| (i, fold(c)))
        .skip(window.skip)
        .take(window.take.unwrap_or(usize::MAX))
        .collect()
}

/// A diff over letters and digits only: a value that differs only in spacing or punctuation has
/// no highlighted characters, since normalisation ignores those too.
fn text_diff(a: &str, b: &str) -> (Vec<usize>, Vec<usize>) {
    projected_diff(a, b, char::is_alphanumeric, Window::all(), Window::all())
}

/// Char indices into `a` and `b` of the characters that differ, aligning the projections of
/// both values.
fn projected_diff(
    a: &str,
    b: &str,
    keep: impl Fn(char) -> bool + Copy,
    window_a: Window,
    window_b: Window,
) -> (Vec<usize>, Vec<usize>) {
    let pa = project(a, keep, window_a);
    let pb = project(b, keep, window_b);
    let ca: Vec<char> = pa.iter().map(|(_, c)| *c).collect();
    let cb: Vec<char> = pb.iter().map(|(_, c)| *c).collect();
    let (da, db) = char_diff(&ca, &cb);
    (
        da.into_iter().map(|i| pa[i].0).collect(),
        db.into_iter().map(|i| pb[i].0).collect(),
    )
}

/// Above this many cells the alignment is skipped and the whole differing middle is marked: a
/// hostile multi-kilobyte value must not cost the screen a quadratic amount of work.
const MAX_ALIGNMENT_CELLS: usize = 250_000;

/// Positions in `a` and in `b` not matched by an optimal alignment that allows substitutions,
/// insertions, deletions and transpositions of adjacent characters (optimal string alignment).
/// Transpositions matter: with a plain LCS, "62704" / "62740" would highlight one digit per
/// side instead of the swapped pair.
pub fn char_diff(a: &[char], b: &[char]) -> (Vec<usize>, Vec<usize>) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let ma = &a[prefix..a.len() - suffix];
    let mb = &b[prefix..b.len() - suffix];
    let (n, m) = (ma.len(), mb.len());
    let all = |len: usize| (prefix..prefix + len).collect::<Vec<_>>();
    if n == 0 || m == 0 || (n + 1).saturating_mul(m + 1) > MAX_ALIGNMENT_CELLS {
        return (all(n), all(m));
    }

    let width = m + 1;
    let mut d = vec![0usize; (n + 1) * width];
    for i in 0..=n {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(ma[i - 1] != mb[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && ma[i - 1] == mb[j - 2] && ma[i - 2] == mb[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }

    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = d[i * width + j];
        if i > 0 && j > 0 && ma[i - 1] == mb[j - 1] && here == d[(i - 1) * width + j - 1] {
            i -= 1;
            j -= 1;
        } else if i > 1
            && j > 1
            && ma[i - 1] == mb[j - 2]
            && ma[i - 2] == mb[j - 1]
            && here == d[(i - 2) * width + j - 2] + 1
        {
            ra.extend([i - 1, i - 2]);
            rb.extend([j - 1, j - 2]);
            i -= 2;
            j -= 2;
        } else if i > 0 && j > 0 && here == d[(i - 1) * width + j - 1] + 1 {
            ra.push(i - 1);
            rb.push(j - 1);
            i -= 1;
            j -= 1;
        } else if i > 0 && here == d[(i - 1) * width + j] + 1 {
            ra.push(i - 1);
            i -= 1;
        } else {
            rb.push(j - 1);
            j -= 1;
        }
    }
    let shift = |v: Vec<usize>| {
        let mut v: Vec<usize> = v.into_iter().map(|x| x + prefix).collect();
        v.sort_unstable();
        v
    };
    (shift(ra), shift(rb))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgreementClass::*;

    fn cmp(field: Field, a: &str, b: &str) -> FieldAgreement {
        compare_field(FieldKey::Canonical(field), Some(a), Some(b))
    }

    fn class(field: Field, a: &str, b: &str) -> AgreementClass {
        cmp(field, a, b).class
    }

    fn row<'a>(rows: &'a [FieldAgreement], key: &FieldKey) -> &'a FieldAgreement {
        rows.iter()
            .find(|r| &r.key == key)
            .unwrap_or_else(|| panic!("no row {key:?}"))
    }

    #[test]
    fn class_words_and_glyphs_are_distinct_and_one_column() {
        let words: BTreeSet<_> = AgreementClass::ALL.iter().map(|c| c.word()).collect();
        let glyphs: BTreeSet<_> = AgreementClass::ALL.iter().map(|c| c.glyph()).collect();
        assert_eq!(words.len(), 5);
        assert_eq!(glyphs.len(), 5);
        for c in AgreementClass::ALL {
            assert_eq!(text_safety::display_width(c.glyph()), 1);
        }
        assert_eq!(Different.word(), "differs");
    }

    #[test]
    fn names_normalise_case_space_punctuation_and_accents() {
        assert_eq!(class(Field::Surname, "O'Brien", "obrien"), Exact);
        assert_eq!(class(Field::Surname, "  SMITH ", "Smith"), Exact);
        assert_eq!(class(Field::GivenName, "Mary-Ann", "Mary Ann"), Exact);
        assert_eq!(class(Field::GivenName, "José", "JOSE"), Exact);
        let exact = cmp(Field::Surname, "Smith", "SMITH");
        assert_eq!(exact.score, 1.0);
        assert!(exact.requested_diff.is_empty() && exact.candidate_diff.is_empty());
    }

    #[test]
    fn nicknames_are_close_both_ways() {
        for (a, b) in [
            ("Bob", "Robert"),
            ("Robert", "Bob"),
            ("bill", "WILLIAM"),
            ("William", "Bill"),
            ("Liz", "Elizabeth"),
            ("Elizabeth", "Liz"),
            ("Kate", "Katherine"),
            ("Peggy", "Margaret"),
            ("Tony", "Anthony"),
            ("Dick", "Richard"),
            ("Bob", "Rob"),
        ] {
            let r = cmp(Field::GivenName, a, b);
            assert_eq!(r.class, Close, "{a} / {b}");
            assert_eq!(r.note, Some(AgreementNote::Nickname), "{a} / {b}");
            assert!((r.score - 0.9).abs() < 1e-9);
        }
        assert!(is_nickname_pair("Jim", "James"));
        assert!(!is_nickname_pair("Jim", "Jim"));
        assert!(!is_nickname_pair("Bob", "William"));
        // Nicknames are for given names; surnames get no such credit.
        assert_eq!(class(Field::Surname, "Bob", "Robert"), Different);
    }

    #[test]
    fn nickname_on_first_of_several_given_names() {
        let r = cmp(Field::GivenName, "Bob James", "Robert James");
        assert_eq!(r.class, Close);
    }

    #[test]
    fn initials_are_close() {
        let r = cmp(Field::GivenName, "J.", "John");
        assert_eq!(r.class, Close);
        assert_eq!(r.note, Some(AgreementNote::Initial));
        assert_eq!(class(Field::GivenName, "K", "John"), Different);
    }

    #[test]
    fn typos_in_names_are_close_and_unrelated_names_differ() {
        let r = cmp(Field::GivenName, "Jonh", "John");
        assert_eq!(r.class, Close);
        assert!(r.score > 0.88 && r.score < 1.0);
        assert_eq!(r.requested_diff, vec![2, 3]);
        assert_eq!(r.candidate_diff, vec![2, 3]);
        assert_eq!(class(Field::Surname, "Smith", "Smyth"), Close);
        let far = cmp(Field::Surname, "Smith", "Okonkwo");
        assert_eq!(far.class, Different);
        assert!(far.score < 0.88);
    }

    #[test]
    fn swapped_names_are_close_with_a_note() {
        let req = Record::new("r")
            .with(Field::GivenName, "Chen")
            .with(Field::Surname, "Wei");
        let cand = Record::new("c")
            .with(Field::GivenName, "WEI")
            .with(Field::Surname, "chen");
        assert!(names_swapped(&req, &cand));
        let rows = compare_records(&req, &cand);
        for f in [Field::GivenName, Field::Surname] {
            let r = row(&rows, &FieldKey::Canonical(f));
            assert_eq!(r.class, Close);
            assert_eq!(r.note, Some(AgreementNote::NamesSwapped));
            assert!(r.requested_diff.is_empty());
        }
        // Same name in both parts is not a swap.
        let same = Record::new("x")
            .with(Field::GivenName, "Lee")
            .with(Field::Surname, "Lee");
        assert!(!names_swapped(&same, &same));
        assert!(!names_swapped(&req, &req));
    }

    #[test]
    fn dates_compare_component_wise() {
        assert_eq!(class(Field::Dob, "1990-05-12", "1990-05-12"), Exact);
        assert_eq!(class(Field::Dob, "1990-5-12", "19900512"), Exact);
        assert_eq!(class(Field::Dob, "05/12/1990", "1990-05-12"), Exact);
        let year = cmp(Field::Dob, "1985-05-12", "1986-05-12");
        assert_eq!(year.class, Close);
        assert!((year.score - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(year.requested_diff, vec![3]);
        assert_eq!(year.candidate_diff, vec![3]);
        let far = cmp(Field::Dob, "1985-01-02", "1990-03-04");
        assert_eq!(far.class, Different);
        assert_eq!(far.score, 0.0);
        let one = cmp(Field::Dob, "1985-01-02", "1985-03-04");
        assert_eq!(one.class, Different);
        assert!((one.score - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn day_month_transposition_is_close() {
        let r = cmp(Field::Dob, "1990-05-12", "1990-12-05");
        assert_eq!(r.class, Close);
        assert_eq!(r.note, Some(AgreementNote::DayMonthSwapped));
        assert_eq!(r.requested_diff, vec![5, 6, 8, 9]);
        assert_eq!(r.candidate_diff, vec![5, 6, 8, 9]);
        // Equal day and month cannot be swapped.
        assert_eq!(class(Field::Dob, "1990-05-05", "1990-05-05"), Exact);
    }

    #[test]
    fn invalid_values_never_agree() {
        assert_eq!(class(Field::Dob, "unknown", "UNKNOWN"), Invalid);
        assert_eq!(class(Field::Dob, "1990-02-30", "1990-02-30"), Invalid);
        assert_eq!(class(Field::Dob, "1990-02-30", "1971-11-03"), Invalid);
        assert_eq!(class(Field::Dob, "1945-04-93", "1945-04-13"), Invalid);
        assert_eq!(class(Field::Zip, "6O614", "6O614"), Invalid);
        assert_eq!(class(Field::Tin, "12x4", "900-11-1234"), Invalid);
        // One side invalid, the other missing: still shown as invalid.
        let r = compare_field(FieldKey::Canonical(Field::Dob), Some("1945-04-93"), None);
        assert_eq!((r.class, r.score), (Invalid, 0.0));
        assert_eq!(r.requested.as_deref(), Some("1945-04-93"), "kept verbatim");
    }

    #[test]
    fn zip_plus_four_agrees_with_five_digits() {
        assert_eq!(class(Field::Zip, "62704-1234", "62704"), Exact);
        assert_eq!(class(Field::Zip, "62704", "627041234"), Exact);
        assert_eq!(class(Field::Zip, "62704-1234", "62704-1234"), Exact);
        let plus4 = cmp(Field::Zip, "62704-1234", "62704-1243");
        assert_eq!(plus4.class, Close);
        assert_eq!(plus4.note, Some(AgreementNote::ZipPlus4Differs));
        assert_eq!(plus4.requested_diff, vec![8, 9]);
    }

    #[test]
    fn transposed_zip_digits_are_highlighted_exactly() {
        let r = cmp(Field::Zip, "62704", "62740");
        assert_eq!(r.class, Different);
        assert!((r.score - 0.6).abs() < 1e-9);
        assert_eq!(r.requested_diff, vec![3, 4]);
        assert_eq!(r.candidate_diff, vec![3, 4]);
        // The +4 is not highlighted when the five-digit ZIPs conflict.
        let r = cmp(Field::Zip, "62704-1234", "62740");
        assert_eq!(r.requested_diff, vec![3, 4]);
        let r = cmp(Field::Zip, "62704", "62714");
        assert_eq!(r.requested_diff, vec![3]);
        assert!((r.score - 0.8).abs() < 1e-9);
    }

    #[test]
    fn street_numbers_compare_exactly() {
        assert_eq!(class(Field::StreetNumber, "12b", "12 B"), Exact);
        let r = cmp(Field::StreetNumber, "123", "132");
        assert_eq!(r.class, Different);
        assert_eq!(r.requested_diff, vec![1, 2]);
        assert_eq!(class(Field::StreetNumber, "12", "13"), Different);
    }

    #[test]
    fn street_abbreviations_are_exact() {
        assert_eq!(
            class(Field::Street, "North Main Street", "N. Main St"),
            Exact
        );
        assert_eq!(class(Field::Street, "Oak Avenue", "oak ave"), Exact);
        assert_eq!(
            class(Field::Street, "Sunset Boulevard", "Sunset Blvd."),
            Exact
        );
        assert_eq!(class(Field::Street, "Elm Road", "Elm Rd"), Exact);
        assert_eq!(class(Field::Street, "Park Drive", "Park Dr"), Exact);
        assert_eq!(class(Field::Street, "Mill Lane", "Mill Ln"), Exact);
        assert_eq!(class(Field::Street, "Fifth Avenue", "5th Ave"), Exact);
        assert_eq!(class(Field::Street, "Main St", "Mian St"), Close);
        assert_eq!(
            class(Field::Street, "Main St", "Rosewood Terrace"),
            Different
        );
    }

    #[test]
    fn unit_formats_are_exact() {
        for u in [
            "Apt 4B", "#4B", "Unit 4b", "4B", "apt. 4-b", "Suite 4B", "No. 4B",
        ] {
            assert_eq!(class(Field::Unit, u, "4B"), Exact, "{u}");
            assert_eq!(class(Field::Unit, "Apt 4B", u), Exact, "{u}");
        }
        let r = cmp(Field::Unit, "Apt 4B", "Apt 4C");
        assert_eq!(r.class, Different);
        assert_eq!(r.requested_diff, vec![5]);
        assert_eq!(r.candidate_diff, vec![5]);
        // A designator alone is the value itself.
        assert_eq!(class(Field::Unit, "Suite", "suite"), Exact);
    }

    #[test]
    fn cities_use_similarity_and_spelled_out_abbreviations() {
        assert_eq!(class(Field::City, "St. Louis", "Saint Louis"), Exact);
        assert_eq!(class(Field::City, "Springfield", "Springfeild"), Close);
        assert_eq!(class(Field::City, "Springfield", "Chicago"), Different);
    }

    #[test]
    fn states_by_code_or_name_any_case() {
        assert_eq!(class(Field::State, "Illinois", "IL"), Exact);
        assert_eq!(class(Field::State, "il", "IL"), Exact);
        assert_eq!(class(Field::State, "new york", "NY"), Exact);
        assert_eq!(class(Field::State, "IA", "IL"), Different);
        assert_eq!(cmp(Field::State, "IA", "IL").score, 0.0);
        assert_eq!(state_code("Puerto Rico"), Some("PR"));
        assert_eq!(state_code("Atlantis"), None);
        assert_eq!(class(Field::State, "Ontario", "ontario"), Invalid);
    }

    #[test]
    fn tin_compares_the_last_four_only() {
        let req = Record::new("r").with(Field::Surname, "Smith");
        let mut req = req;
        req.set_extra("tin", "6789");
        let cand = Record::new("c")
            .with(Field::Surname, "Smith")
            .with(Field::Tin, "123-45-6789");
        let rows = compare_records(&req, &cand);
        let tin = row(&rows, &FieldKey::Canonical(Field::Tin));
        assert_eq!(tin.class, Exact);
        assert_eq!(tin.note, Some(AgreementNote::LastFour));
        assert_eq!(tin.requested.as_deref(), Some("6789"));
        assert_eq!(tin.candidate.as_deref(), Some("123-45-6789"));
        // "tin" is shown once, as the canonical row, not again as an extra.
        assert_eq!(
            rows.iter()
                .filter(|r| r.key == FieldKey::Extra("tin".into()))
                .count(),
            0
        );
        // The full TIN appears nowhere but in the candidate value.
        let dump = format!(
            "{:?}",
            rows.iter()
                .map(|r| (&r.key, &r.requested, r.score, r.class, r.note))
                .collect::<Vec<_>>()
        );
        assert!(!dump.contains("12345") && !dump.contains("123-45"));

        let r = cmp(Field::Tin, "6798", "123-45-6789");
        assert_eq!(r.class, Different);
        assert_eq!(r.requested_diff, vec![2, 3]);
        assert_eq!(r.candidate_diff, vec![9, 10]);
        assert_eq!(class(Field::Tin, "123456789", "123-45-6789"), Exact);
    }

    #[test]
    fn tin_row_is_missing_when_the_request_has_none() {
        let req = Record::new("r");
        let cand = Record::new("c").with(Field::Tin, "123456789");
        let rows = compare_records(&req, &cand);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].class, Missing);
        assert_eq!(rows[0].requested, None);
    }

    #[test]
    fn missing_sides_and_both_missing() {
        let req = Record::new("r")
            .with(Field::GivenName, "John")
            .with(Field::Unit, "4B");
        let cand = Record::new("c")
            .with(Field::GivenName, "John")
            .with(Field::City, "Springfield");
        let rows = compare_records(&req, &cand);
        let keys: Vec<_> = rows.iter().map(|r| r.key.clone()).collect();
        assert_eq!(
            keys,
            vec![
                FieldKey::Canonical(Field::GivenName),
                FieldKey::Canonical(Field::Unit),
                FieldKey::Canonical(Field::City),
            ]
        );
        assert_eq!(rows[1].class, Missing);
        assert_eq!(rows[1].score, 0.0);
        assert_eq!(rows[2].class, Missing);
        assert_eq!(rows[2].requested, None);
        assert_eq!(rows[2].candidate.as_deref(), Some("Springfield"));
    }

    #[test]
    fn extras_follow_canonical_fields_sorted_by_suffix() {
        let mut req = Record::new("r").with(Field::Zip, "62704");
        req.set_extra("phone", "555-0100");
        req.set_extra("email", "J.Doe@Example.com");
        let mut cand = Record::new("c").with(Field::Zip, "62704");
        cand.set_extra("email", "j.doe@example.com");
        cand.set_extra("middle_name", "Q");
        cand.extra.insert("blank".into(), "  ".into());
        let rows = compare_records(&req, &cand);
        let keys: Vec<_> = rows.iter().map(|r| r.key.raw_key().to_string()).collect();
        assert_eq!(keys, vec!["zip", "email", "middle_name", "phone"]);
        assert_eq!(rows[1].class, Exact);
        assert_eq!(rows[2].class, Missing);
        assert_eq!(rows[3].class, Missing);
        assert_eq!(
            compare_field(
                FieldKey::Extra("x".into()),
                Some("employer inc"),
                Some("employer inc.")
            )
            .class,
            Exact
        );
        assert_eq!(
            compare_field(
                FieldKey::Extra("x".into()),
                Some("abcdefghij"),
                Some("abcdefghik")
            )
            .class,
            Close
        );
        assert_eq!(
            compare_field(FieldKey::Extra("x".into()), Some("red"), Some("blue")).class,
            Different
        );
    }

    #[test]
    fn punctuation_only_values_do_not_agree_by_accident() {
        assert_eq!(class(Field::Surname, "???", "---"), Different);
        assert_eq!(class(Field::Surname, "?", "?"), Exact);
        assert_eq!(class(Field::Zip, "n/a", "N/A"), Invalid);
    }

    #[test]
    fn extra_labels_are_escaped() {
        let key = FieldKey::Extra("evil\u{1b}[2J".into());
        assert_eq!(key.label(), "evil\\e[2J");
        assert_eq!(
            FieldKey::Canonical(Field::StreetNumber).label_lower(),
            "street no."
        );
        assert_eq!(FieldKey::Canonical(Field::Zip).label_lower(), "ZIP");
    }

    #[test]
    fn diff_indices_are_char_indices_not_bytes() {
        let r = cmp(Field::Surname, "Müller", "Müler");
        assert_eq!(r.class, Close);
        assert_eq!(r.requested_diff, vec![3]);
        assert!(r.candidate_diff.is_empty());
        // Punctuation and case differences are not highlighted.
        let r = cmp(Field::Street, "Main St.", "main strt");
        assert!(!r.requested_diff.contains(&7));
    }

    #[test]
    fn char_diff_handles_edits_and_large_inputs() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(char_diff(&c("abc"), &c("abc")), (vec![], vec![]));
        assert_eq!(char_diff(&c("abc"), &c("abxc")), (vec![], vec![2]));
        assert_eq!(char_diff(&c("abxc"), &c("abc")), (vec![2], vec![]));
        assert_eq!(char_diff(&c("abc"), &c("axc")), (vec![1], vec![1]));
        assert_eq!(char_diff(&c(""), &c("ab")), (vec![], vec![0, 1]));
        let long_a: Vec<char> = std::iter::repeat_n('a', 2000).chain(['x']).collect();
        let long_b: Vec<char> = std::iter::repeat_n('b', 2000).collect();
        let (da, db) = char_diff(&long_a, &long_b);
        assert_eq!((da.len(), db.len()), (2001, 2000));
    }

    #[test]
    fn huge_values_stay_cheap() {
        let a = "x".repeat(50_000);
        let b = format!("{}y", "x".repeat(50_000));
        let started = std::time::Instant::now();
        let r = compare_field(FieldKey::Extra("note".into()), Some(&a), Some(&b));
        assert_eq!(r.class, Close);
        assert_eq!(r.candidate_diff, vec![50_000]);
        let c = "ab".repeat(20_000);
        let d = "ba".repeat(20_000);
        let r = cmp(Field::Street, &c, &d);
        assert_eq!(r.class, Different);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn overall_counts_and_averages_present_rows() {
        let req = Record::new("r")
            .with(Field::Surname, "Smith")
            .with(Field::Zip, "62704")
            .with(Field::Unit, "4B");
        let cand = Record::new("c")
            .with(Field::Surname, "Smith")
            .with(Field::Zip, "62740");
        let o = overall(&compare_records(&req, &cand));
        assert_eq!((o.exact, o.close, o.different, o.missing), (1, 0, 1, 1));
        assert_eq!(o.mean_score, Some(0.8));
        assert_eq!(overall(&[]).mean_score, None);
    }

    proptest::proptest! {
        #[test]
        fn diffs_index_inside_the_values(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            for field in Field::ALL {
                let r = cmp(field, &a, &b);
                proptest::prop_assert!((0.0..=1.0).contains(&r.score));
                let (na, nb) = (a.chars().count(), b.chars().count());
                proptest::prop_assert!(r.requested_diff.iter().all(|i| *i < na));
                proptest::prop_assert!(r.candidate_diff.iter().all(|i| *i < nb));
                if r.class == Exact {
                    proptest::prop_assert!(r.requested_diff.is_empty());
                }
                let same = cmp(field, &a, &a);
                if !a.trim().is_empty() {
                    let expected = if crate::domain::validity::is_valid(field, &a) { Exact } else { Invalid };
                    proptest::prop_assert_eq!(same.class, expected);
                }
            }
        }
    }
}
