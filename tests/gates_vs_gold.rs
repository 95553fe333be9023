//! The gates against the right answers: with default policy, no hand-checked or generated
//! non-match passes, and gold matches are refused only by rules that send them to a supervisor.

use std::collections::BTreeMap;

use matchgate::domain::policy::{Policy, ReleaseContext, Sibling, check_release, rulebook};
use matchgate::domain::{FlaggedMatch, Gold};
use matchgate::generate::{GenerateConfig, write_csv};
use matchgate::import::{FlaggedReader, Format, ImportOptions};
use matchgate::scenarios;

fn read(csv: &[u8], name: &str) -> Vec<FlaggedMatch> {
    FlaggedReader::new(csv, name, Format::Csv, &ImportOptions::default())
        .expect("reader")
        .map(|r| r.expect("row").flagged)
        .collect()
}

/// The refusals of approving each row (as its only approver), with every other candidate of the
/// request still in play.
fn verdicts(rows: &[FlaggedMatch], policy: &Policy) -> Vec<(usize, Vec<&'static str>)> {
    let mut by_request: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, m) in rows.iter().enumerate() {
        by_request
            .entry((&m.batch, &m.request.id))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for members in by_request.values() {
        for &i in members {
            let m = &rows[i];
            let ctx = ReleaseContext {
                request: m.request.clone(),
                candidate: m.candidate.clone(),
                score: m.score,
                siblings: members
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| Sibling {
                        match_id: j as i64,
                        score: rows[j].score,
                        candidate: rows[j].candidate.clone(),
                        in_play: true,
                    })
                    .collect(),
                approvals: Vec::new(),
                decider: Some("reviewer".into()),
                escalated: false,
                holds: Vec::new(),
                override_by: None,
                today: chrono::Utc::now().date_naive(),
            };
            let mut rules: Vec<&'static str> =
                check_release(&ctx, policy).iter().map(|r| r.rule).collect();
            rules.dedup();
            out.push((i, rules));
        }
    }
    out
}

fn review_policy() -> Policy {
    let mut policy = Policy::default();
    // The day the hand-checked and generated answers were set for.
    policy
        .set("review_date", "2026-11-01")
        .expect("review date");
    policy
}

/// Rules that send a match to a supervisor rather than stop it: the only ones a gold match may
/// meet.
fn supervisor_rules(rules: &[&str]) -> bool {
    rules
        .iter()
        .all(|r| *r == "ambiguity" || *r == "escalation")
}

#[test]
fn no_hand_checked_non_match_passes_and_matches_only_go_to_a_supervisor() {
    let policy = review_policy();
    let mut rows = Vec::new();
    for s in scenarios::all().expect("scenarios") {
        rows.extend(read(s.csv.as_bytes(), &s.name));
    }
    let (mut matches, mut to_supervisor) = (0, 0);
    for (i, rules) in verdicts(&rows, &policy) {
        let m = &rows[i];
        let id = format!("{}/{}", m.request.id, m.candidate.id);
        match m.gold.expect("gold") {
            Gold::Nonmatch => {
                assert!(!rules.is_empty(), "{id} passes every gate");
                let note = m.gold_note.as_deref().unwrap_or_default();
                let cited = rulebook::cited_in(note);
                assert!(!cited.is_empty(), "{id}: the note cites no rule");
                for rule in cited {
                    assert!(
                        rules.contains(&rule.name),
                        "{id}: cites {} but {rules:?}",
                        rule.name
                    );
                }
            }
            Gold::Match => {
                matches += 1;
                assert!(supervisor_rules(&rules), "{id} refused by {rules:?}");
                to_supervisor += usize::from(!rules.is_empty());
            }
        }
    }
    eprintln!("hand-checked: {to_supervisor} of {matches} gold matches go to a supervisor");
}

#[test]
fn no_generated_non_match_passes_on_several_seeds() {
    let policy = review_policy();
    let (mut matches, mut to_supervisor) = (0usize, 0usize);
    for seed in [1u64, 2, 3] {
        let mut buf = Vec::new();
        write_csv(
            &GenerateConfig {
                rows: 20_000,
                seed,
                batches: 2,
            },
            &mut buf,
        )
        .expect("generate");
        let rows = read(&buf, "gen.csv");
        assert_eq!(rows.len(), 20_000);
        for (i, rules) in verdicts(&rows, &policy) {
            let m = &rows[i];
            let note = m.gold_note.as_deref().unwrap_or_default();
            match m.gold.expect("gold") {
                Gold::Nonmatch => {
                    // The note names the rules that stop it, and the gates refuse by them.
                    let cited = rulebook::cited_in(note);
                    assert!(!cited.is_empty(), "seed {seed}: no rule cited: {note}");
                    for rule in cited {
                        assert!(rules.contains(&rule.name), "seed {seed}: {rules:?} {note}");
                    }
                }
                Gold::Match => {
                    matches += 1;
                    assert!(supervisor_rules(&rules), "seed {seed}: {rules:?} {note}");
                    to_supervisor += usize::from(!rules.is_empty());
                }
            }
        }
    }
    eprintln!(
        "generated: {to_supervisor} of {matches} gold matches go to a supervisor ({:.3}%)",
        100.0 * to_supervisor as f64 / matches as f64
    );
}

/// Before/after figures: `cargo test --test gates_vs_gold -- --ignored --nocapture`.
#[test]
#[ignore = "a report, not a check"]
fn report_disagreements() {
    let policy = review_policy();
    for seed in [1u64, 2, 3] {
        let mut buf = Vec::new();
        write_csv(
            &GenerateConfig {
                rows: 20_000,
                seed,
                batches: 2,
            },
            &mut buf,
        )
        .expect("generate");
        let rows = read(&buf, "gen.csv");
        let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
        let (mut nm, mut nm_pass, mut m, mut m_ref) = (0, 0, 0, 0);
        for (i, rules) in verdicts(&rows, &policy) {
            if rows[i].gold == Some(Gold::Nonmatch) {
                nm += 1;
                nm_pass += usize::from(rules.is_empty());
            } else {
                m += 1;
                if !rules.is_empty() {
                    m_ref += 1;
                    *by_rule.entry(format!("{rules:?}")).or_default() += 1;
                }
            }
        }
        eprintln!(
            "seed {seed}: non-matches passing {nm_pass}/{nm}, matches refused {m_ref}/{m} {by_rule:?}"
        );
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]
        /// For generated data the gates' verdict and the gold answer agree, except where a rule
        /// sends the match to a supervisor.
        #[test]
        fn gates_agree_with_gold_except_escalations(seed in any::<u64>(), rows in 1u64..400) {
            let mut buf = Vec::new();
            write_csv(&GenerateConfig { rows, seed, batches: 1 }, &mut buf).expect("generate");
            let data = read(&buf, "gen.csv");
            for (i, rules) in verdicts(&data, &review_policy()) {
                let passes = rules.is_empty();
                match data[i].gold.expect("gold") {
                    Gold::Nonmatch => prop_assert!(!passes, "{:?}", data[i].gold_note),
                    Gold::Match => prop_assert!(passes || supervisor_rules(&rules), "{rules:?} {:?}", data[i].gold_note),
                }
            }
        }
    }
}

/// Lists each hand-checked row with the rules that refuse it:
/// `cargo test --test gates_vs_gold -- --ignored --nocapture list_scenario_rules`.
#[test]
#[ignore = "a listing, not a check"]
fn list_scenario_rules() {
    let policy = review_policy();
    for s in scenarios::all().expect("scenarios") {
        let rows = read(s.csv.as_bytes(), &s.name);
        for (i, rules) in verdicts(&rows, &policy) {
            let m = &rows[i];
            eprintln!(
                "{}\t{}\t{:?}\t{rules:?}",
                m.request.id, m.candidate.id, m.gold
            );
        }
    }
}
