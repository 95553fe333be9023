//! The small corruptions real record pairs carry: keyboard typos, transposed letters, DOB typos,
//! and the comparisons that recognise them again.
//!
//! Names here are ASCII (the tables in [`super::names`] are), so the functions work on bytes. The
//! first letter is never touched: clerks rarely get an initial wrong, and keeping it means the
//! capitalisation of a name survives the noise.

use chrono::{Datelike, NaiveDate};
use rand::RngExt;

/// Which kind of keyboard slip [`typo`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypoKind {
    /// One letter replaced by a neighbouring key.
    Substitution,
    /// One letter left out.
    Omission,
    /// One letter typed twice.
    Doubling,
}

/// Lower-case QWERTY neighbours of a lower-case letter.
fn keyboard_neighbours(letter: u8) -> &'static [u8] {
    match letter {
        b'q' => b"wa",
        b'w' => b"qes",
        b'e' => b"wrd",
        b'r' => b"etf",
        b't' => b"ryg",
        b'y' => b"tuh",
        b'u' => b"yij",
        b'i' => b"uok",
        b'o' => b"ipl",
        b'p' => b"ol",
        b'a' => b"qsz",
        b's' => b"adw",
        b'd' => b"sfe",
        b'f' => b"dgr",
        b'g' => b"fht",
        b'h' => b"gjy",
        b'j' => b"hku",
        b'k' => b"jli",
        b'l' => b"ko",
        b'z' => b"xa",
        b'x' => b"zc",
        b'c' => b"xv",
        b'v' => b"cb",
        b'b' => b"vn",
        b'n' => b"bm",
        b'm' => b"n",
        _ => b"",
    }
}

/// A copy of `name` with one keyboard slip after the first letter. The result always differs
/// from `name`; names shorter than three letters only get a doubled letter, since dropping one
/// would leave too little to recognise.
pub fn typo<R: RngExt + ?Sized>(rng: &mut R, name: &str) -> (String, TypoKind) {
    let bytes = name.as_bytes();
    // Positions after the first letter whose letter has keyboard neighbours.
    let substitutable = (1..bytes.len())
        .filter(|&i| !keyboard_neighbours(bytes[i]).is_empty())
        .count();
    let kind = match rng.random_range(0..3u8) {
        0 if substitutable > 0 => TypoKind::Substitution,
        1 if bytes.len() >= 4 => TypoKind::Omission,
        _ => TypoKind::Doubling,
    };
    let mut out = Vec::with_capacity(bytes.len() + 1);
    match kind {
        TypoKind::Substitution => {
            let nth = rng.random_range(0..substitutable);
            let at = (1..bytes.len())
                .filter(|&i| !keyboard_neighbours(bytes[i]).is_empty())
                .nth(nth)
                .unwrap_or(1);
            let options = keyboard_neighbours(bytes[at]);
            out.extend_from_slice(bytes);
            out[at] = options[rng.random_range(0..options.len())];
        }
        TypoKind::Omission => {
            let at = rng.random_range(1..bytes.len());
            out.extend_from_slice(&bytes[..at]);
            out.extend_from_slice(&bytes[at + 1..]);
        }
        TypoKind::Doubling => {
            // Doubling a later letter keeps the initial (a one-letter name doubles its only one).
            let at = if bytes.len() >= 2 {
                rng.random_range(1..bytes.len())
            } else {
                0
            };
            out.extend_from_slice(&bytes[..at]);
            if let Some(&b) = bytes.get(at) {
                out.push(b);
            }
            out.extend_from_slice(&bytes[at..]);
        }
    }
    (ascii_string(out), kind)
}

/// A copy of `name` with two adjacent, different letters after the first swapped ("Jonhson"),
/// or `None` when there is no such pair (every letter after the first the same).
pub fn transpose<R: RngExt + ?Sized>(rng: &mut R, name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let swappable = |i: &usize| bytes[*i] != bytes[*i + 1];
    let count = (1..bytes.len().saturating_sub(1)).filter(swappable).count();
    if count == 0 {
        return None;
    }
    let nth = rng.random_range(0..count);
    let at = (1..bytes.len() - 1).filter(swappable).nth(nth)?;
    let mut out = bytes.to_vec();
    out.swap(at, at + 1);
    Some(ascii_string(out))
}

/// Bytes that came from an ASCII `&str` and were only rearranged are still valid UTF-8; the
/// lossy conversion is a belt-and-braces fallback that never allocates in that case.
fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

// The rule book's definitions, so the generator's noise is exactly what the gates forgive.
pub use crate::domain::evidence::{DobTypo, dob_typo_between, within_one_edit};

/// A plausible mistyping of `dob`: always a valid, different date related to `dob` by
/// [`dob_typo_between`].
pub fn dob_typo<R: RngExt + ?Sized>(rng: &mut R, dob: NaiveDate) -> (NaiveDate, DobTypo) {
    let (y, m, d) = (dob.year(), dob.month(), dob.day());
    let start = rng.random_range(0..3u8);
    for attempt in 0..3 {
        let candidate = match (start + attempt) % 3 {
            0 if d % 10 != d / 10 => NaiveDate::from_ymd_opt(y, m, (d % 10) * 10 + d / 10)
                .map(|t| (t, DobTypo::DayDigitsTransposed)),
            1 if d <= 12 && d != m => {
                NaiveDate::from_ymd_opt(y, d, m).map(|t| (t, DobTypo::MonthDaySwapped))
            }
            _ => None,
        };
        if let Some(found) = candidate {
            return found;
        }
    }
    // A wrong last digit of the year always yields a valid date except on 29 February, where
    // the last digit of the day is changed instead (29 → 28 is valid in every year).
    if m == 2 && d == 29 {
        let fixed = NaiveDate::from_ymd_opt(y, 2, 28).unwrap_or(dob);
        return (fixed, DobTypo::OneDigit);
    }
    let last = y.rem_euclid(10);
    let wrong = (last + rng.random_range(1..10)) % 10;
    let typo = NaiveDate::from_ymd_opt(y - last + wrong, m, d).unwrap_or(dob);
    (typo, DobTypo::OneDigit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(42)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn transposition_swaps_exactly_two_adjacent_letters() {
        let mut rng = rng();
        for name in ["Johnson", "Robert", "Li", "Nguyen", "Ava", "Okafor"] {
            for _ in 0..50 {
                let Some(t) = transpose(&mut rng, name) else {
                    assert!(name.len() < 3, "{name} has a swappable pair");
                    continue;
                };
                let (a, b) = (name.as_bytes(), t.as_bytes());
                assert_eq!(a.len(), b.len());
                let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(diff.len(), 2, "{name} -> {t}");
                assert_eq!(diff[1], diff[0] + 1, "{name} -> {t}");
                assert_eq!((a[diff[0]], a[diff[1]]), (b[diff[1]], b[diff[0]]));
                assert_ne!(diff[0], 0, "first letter kept: {name} -> {t}");
                assert!(within_one_edit(name, &t));
            }
        }
        assert_eq!(transpose(&mut rng, "Aaa"), None);
    }

    #[test]
    fn typo_always_changes_the_name_by_one_edit_and_keeps_the_initial() {
        let mut rng = rng();
        let mut seen = Vec::new();
        for name in ["Johnson", "Robert", "Lee", "Kim", "Mia", "Washington"] {
            for _ in 0..100 {
                let (t, kind) = typo(&mut rng, name);
                assert_ne!(t, name);
                assert!(within_one_edit(name, &t), "{name} -> {t}");
                assert_eq!(t.as_bytes()[0], name.as_bytes()[0], "{name} -> {t}");
                match kind {
                    TypoKind::Substitution => assert_eq!(t.len(), name.len()),
                    TypoKind::Omission => assert_eq!(t.len() + 1, name.len()),
                    TypoKind::Doubling => assert_eq!(t.len(), name.len() + 1),
                }
                if !seen.contains(&kind) {
                    seen.push(kind);
                }
            }
        }
        assert_eq!(seen.len(), 3, "every typo kind occurs");
    }

    #[test]
    fn one_edit_comparison() {
        assert!(within_one_edit("Johnson", "johnson"));
        assert!(within_one_edit("Johnson", "Jonson"));
        assert!(within_one_edit("Johnson", "Johnsson"));
        assert!(within_one_edit("Johnson", "Jonhson"));
        assert!(within_one_edit("Johnson", "Johnsen"));
        assert!(!within_one_edit("Johnson", "Jhonosn"));
        assert!(!within_one_edit("Johnson", "Johnston2"));
        assert!(!within_one_edit("Bob", "Robert"));
    }

    #[test]
    fn dob_typos_are_recognised_and_valid() {
        let mut rng = rng();
        let mut kinds = Vec::new();
        for dob in [
            date(1984, 3, 12),
            date(1990, 12, 12),
            date(1971, 2, 29 - 1),
            date(1972, 2, 29),
            date(2001, 7, 30),
            date(1958, 11, 5),
            date(1966, 6, 11),
        ] {
            for _ in 0..30 {
                let (typo, kind) = dob_typo(&mut rng, dob);
                assert_ne!(typo, dob);
                assert!(dob_typo_between(dob, typo).is_some(), "{dob} -> {typo}");
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
        }
        assert_eq!(kinds.len(), 3);
    }

    #[test]
    fn dob_typo_relation() {
        let a = date(1984, 3, 12);
        assert_eq!(
            dob_typo_between(a, date(1984, 3, 21)),
            Some(DobTypo::DayDigitsTransposed)
        );
        assert_eq!(
            dob_typo_between(a, date(1984, 12, 3)),
            Some(DobTypo::MonthDaySwapped)
        );
        assert_eq!(
            dob_typo_between(a, date(1985, 3, 12)),
            Some(DobTypo::OneDigit)
        );
        assert_eq!(dob_typo_between(a, a), None);
        assert_eq!(dob_typo_between(a, date(1984, 4, 2)), None);
        assert_eq!(dob_typo_between(a, date(1957, 8, 30)), None);
    }
}
