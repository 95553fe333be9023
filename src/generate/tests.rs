//! Tests of the generator as a whole: determinism, the gold rules, the kinds and the score.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::names::{FORMAL_GIVEN_NAMES, PLAIN_GIVEN_NAMES, is_nickname_pair};
use super::noise::{dob_typo_between, within_one_edit};
use super::places::{CITIES, is_valid_state};
use super::scenario::{
    Candidate, CandidateRow, Request, RequestGroup, STALE_AFTER_DAYS, StreetLine, reference_date,
    request_group,
};
use super::*;

fn generate(config: GenerateConfig) -> (Vec<u8>, GenerateSummary) {
    let mut out = Vec::new();
    let summary = write_csv(&config, &mut out).expect("generation succeeds");
    (out, summary)
}

/// Many request groups straight from the scenario code, with their structured data.
fn groups(seed: u64, count: usize) -> Vec<RequestGroup> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut next = 1;
    (0..count)
        .map(|i| {
            // Every seventh request has several candidates, like the file's 10-15 %.
            let size = match i % 7 {
                0 => 2,
                3 if i % 2 == 1 => 3,
                _ => 1,
            };
            let ids: Vec<u64> = (next..next + size).collect();
            next += size;
            request_group(&mut rng, &ids)
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let config = GenerateConfig {
        rows: 500,
        seed: 11,
        batches: 2,
    };
    let (a, _) = generate(config);
    let (b, _) = generate(config);
    assert_eq!(a, b);
    let (c, _) = generate(GenerateConfig { seed: 12, ..config });
    assert_ne!(a, c);
}

#[test]
fn writes_exactly_the_rows_asked_for_over_the_batches() {
    for (rows, batches) in [(0, 1), (1, 3), (7, 3), (1000, 4), (999, 7)] {
        let (out, summary) = generate(GenerateConfig {
            rows,
            seed: 3,
            batches,
        });
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(
            reader.headers().expect("header").iter().collect::<Vec<_>>(),
            COLUMNS
        );
        let records: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("valid csv");
        assert_eq!(records.len() as u64, rows);
        assert_eq!(summary.rows, rows);
        let names: std::collections::BTreeSet<&str> = records.iter().map(|r| &r[0]).collect();
        assert_eq!(names.len() as u32, summary.batches);
        assert_eq!(summary.batches as u64, u64::from(batches).min(rows));
        let matches = records.iter().filter(|r| &r[29] == "match").count() as u64;
        assert_eq!(matches, summary.matches);
    }
}

#[test]
fn zero_batches_is_an_error() {
    let config = GenerateConfig {
        rows: 10,
        seed: 1,
        batches: 0,
    };
    assert!(write_csv(&config, Vec::new()).is_err());
}

#[test]
fn batch_names_are_unique_and_dated() {
    let names: std::collections::BTreeSet<String> = (0..30).map(|i| batch_info(i).name).collect();
    assert_eq!(names.len(), 30);
    assert_eq!(batch_info(0).name, "2026-11-hhs-locate");
    assert_eq!(batch_info(1).name, "2026-10-ssa-overpayment");
    assert_eq!(batch_info(11).name, "2025-12-dol-wage-claims");
}

#[test]
fn every_note_names_its_own_kind_and_no_other() {
    let mut seen: BTreeMap<Kind, usize> = BTreeMap::new();
    for group in groups(5, 4000) {
        for row in &group.rows {
            *seen.entry(row.kind).or_default() += 1;
            for kind in Kind::ALL {
                assert_eq!(
                    row.gold_note.contains(kind.marker()),
                    kind == row.kind,
                    "{:?} note {:?} vs marker of {kind:?}",
                    row.kind,
                    row.gold_note
                );
            }
        }
    }
    for kind in Kind::ALL {
        assert!(
            seen.get(&kind).copied().unwrap_or(0) >= 5,
            "{kind:?} seen {seen:?}"
        );
    }
}

#[test]
fn gold_follows_the_kind() {
    for group in groups(6, 3000) {
        for row in &group.rows {
            let expected = match row.kind {
                Kind::Exact
                | Kind::Typo
                | Kind::Transposition
                | Kind::Nickname
                | Kind::NameSwap
                | Kind::DobTypo
                | Kind::RequestUnitMissing
                | Kind::MovedTinConfirmed => Gold::Match,
                Kind::UnitDiffers if group.request.tin_last4.is_some() => Gold::Match,
                _ => Gold::Nonmatch,
            };
            assert_eq!(row.gold, expected, "{:?}: {}", row.kind, row.gold_note);
        }
    }
}

fn names_agree(request: &Request, candidate: &Candidate) -> bool {
    let same = |a: &str, b: &str| within_one_edit(a, b) || is_nickname_pair(a, b);
    (same(&request.given, &candidate.given) && same(&request.surname, &candidate.surname))
        || (request.given == candidate.surname && request.surname == candidate.given)
}

fn releasable(candidate: &Candidate) -> bool {
    let a = &candidate.address;
    let zip_of_state = CITIES
        .iter()
        .any(|c| Some(c.name) == a.city && Some(c.state) == a.state && Some(c.zip) == a.zip);
    let age = (reference_date() - candidate.address_updated).num_days();
    a.number.is_some()
        && matches!(a.street, StreetLine::Named(_))
        && a.state.is_some_and(is_valid_state)
        && zip_of_state
        && (0..=STALE_AFTER_DAYS as i64).contains(&age)
}

/// The reviewer's rules, checked on the structured data rather than on the notes.
#[test]
fn match_rows_satisfy_every_release_rule() {
    let mut matches = 0;
    for group in groups(7, 5000) {
        let req = &group.request;
        let mut group_matches = 0;
        for row in &group.rows {
            let CandidateRow { candidate, .. } = row;
            if row.gold != Gold::Match {
                continue;
            }
            group_matches += 1;
            assert!(names_agree(req, candidate), "{}", row.gold_note);
            let (Some(rd), Some(cd)) = (req.dob, candidate.dob) else {
                panic!("match without DOB: {}", row.gold_note);
            };
            assert!(
                rd == cd || dob_typo_between(rd, cd).is_some(),
                "{}",
                row.gold_note
            );
            let (ra, ca) = (&req.address, &candidate.address);
            let address_agrees = ra.number == ca.number
                && ra.street == ca.street
                && ra.city == ca.city
                && ra.state == ca.state
                && ra.zip == ca.zip
                && (ra.unit.is_none() || ra.unit == ca.unit);
            let tin_agrees = req.tin_last4 == Some(candidate.tin.serial);
            assert!(address_agrees || tin_agrees, "{}", row.gold_note);
            assert!(releasable(candidate), "{}", row.gold_note);
        }
        assert!(group_matches <= 1);
        matches += group_matches;
    }
    assert!(matches > 1000, "{matches}");
}

#[test]
fn address_defects_really_are_unreleasable() {
    for group in groups(8, 3000) {
        for row in &group.rows {
            let defect = matches!(
                row.kind,
                Kind::StreetNumberMissing
                    | Kind::AddressPartMissing
                    | Kind::PoBox
                    | Kind::GeneralDelivery
                    | Kind::ZipStateMismatch
                    | Kind::Stale
            );
            if defect {
                assert!(!releasable(&row.candidate), "{:?}", row.candidate);
            }
            if row.kind == Kind::CandidateUnitMissing {
                assert!(row.candidate.address.unit.is_none());
                assert!(group.request.address.unit.is_some());
            }
        }
    }
}

#[test]
fn namesakes_have_other_dobs_and_tins() {
    for group in groups(9, 3000) {
        let req = &group.request;
        for row in &group.rows {
            if !matches!(
                row.kind,
                Kind::Namesake | Kind::NamesakeNearDob | Kind::OtherCandidate | Kind::DobConflict
            ) {
                continue;
            }
            if let (Some(rd), Some(cd)) = (req.dob, row.candidate.dob) {
                assert_ne!(rd, cd);
                assert_eq!(dob_typo_between(rd, cd), None, "{}", row.gold_note);
            }
            if let Some(last4) = req.tin_last4 {
                assert_ne!(last4, row.candidate.tin.serial);
            }
        }
    }
}

#[test]
fn scores_are_plausible_but_imperfect() {
    let mut by_kind: BTreeMap<Kind, Vec<f64>> = BTreeMap::new();
    for group in groups(10, 5000) {
        for row in &group.rows {
            assert!((0.0..1.0).contains(&row.score), "{}", row.score);
            by_kind.entry(row.kind).or_default().push(row.score);
        }
    }
    let mean = |k: Kind| {
        let v = &by_kind[&k];
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean(Kind::Exact) > 0.9, "{}", mean(Kind::Exact));
    assert!(mean(Kind::Exact) > mean(Kind::Typo));
    assert!(mean(Kind::Typo) > mean(Kind::Namesake));
    assert!(mean(Kind::NameSwap) < 0.85);
    // Imperfect: some namesakes score high, some true matches with noisy names middling.
    assert!(by_kind[&Kind::NamesakeNearDob].iter().any(|&s| s > 0.7));
    assert!(by_kind[&Kind::Nickname].iter().any(|&s| s < 0.8));
    // And unreleasable addresses of the right person still look like strong matches.
    assert!(mean(Kind::PoBox) > 0.75, "{}", mean(Kind::PoBox));
}

#[test]
fn every_table_given_name_can_be_transposed() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for name in FORMAL_GIVEN_NAMES.iter().chain(PLAIN_GIVEN_NAMES) {
        assert!(super::noise::transpose(&mut rng, name).is_some(), "{name}");
    }
}

#[test]
fn reference_date_is_the_review_day() {
    assert_eq!(
        reference_date(),
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
    );
}

#[test]
fn every_generator_nickname_is_a_nickname_to_the_rule_book() {
    let missing: Vec<(&str, &str)> = crate::generate::names::NICKNAMES
        .iter()
        .filter(|(formal, nick)| !crate::domain::agreement::is_nickname_pair(formal, nick))
        .copied()
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}
