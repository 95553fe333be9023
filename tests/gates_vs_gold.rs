//! The gates against the right answers: with default policy, no hand-checked or generated
//! non-match passes, and gold matches are refused only by rules that send them to a supervisor.

use std::collections::BTreeMap;

use matchgate::domain::policy::{Policy, ReleaseContext, Sibling, check_release};
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
        by_request.entry((&m.batch, &m.request.id)).or_default().push(i);
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

#[test]
fn measure() {
    let mut policy = Policy::default();
    policy.set("review_date", "2026-11-01").expect("review date");
    let mut scenario_rows = Vec::new();
    for s in scenarios::all().expect("scenarios") {
        scenario_rows.extend(read(s.csv.as_bytes(), &s.name));
    }
    let v = verdicts(&scenario_rows, &policy);
    let nonmatch_pass: Vec<String> = v
        .iter()
        .filter(|(i, r)| scenario_rows[*i].gold == Some(Gold::Nonmatch) && r.is_empty())
        .map(|(i, _)| format!("{}/{}", scenario_rows[*i].request.id, scenario_rows[*i].candidate.id))
        .collect();
    let nonmatches = scenario_rows.iter().filter(|m| m.gold == Some(Gold::Nonmatch)).count();
    eprintln!("scenarios: {} of {nonmatches} non-matches pass: {nonmatch_pass:?}", nonmatch_pass.len());
    let refused: Vec<String> = v
        .iter()
        .filter(|(i, r)| scenario_rows[*i].gold == Some(Gold::Match) && !r.is_empty())
        .map(|(i, r)| format!("{}:{r:?}", scenario_rows[*i].request.id))
        .collect();
    eprintln!("scenarios: {} of {} matches refused: {refused:?}", refused.len(), scenario_rows.len() - nonmatches);
    for seed in [1u64, 2, 3] {
        let mut buf = Vec::new();
        write_csv(&GenerateConfig { rows: 20_000, seed, batches: 2 }, &mut buf).expect("generate");
        let rows = read(&buf, "gen.csv");
        let v = verdicts(&rows, &policy);
        let mut pass_by_kind: BTreeMap<String, usize> = BTreeMap::new();
        let mut refused_by_rule: BTreeMap<String, usize> = BTreeMap::new();
        let (mut nm, mut nm_pass, mut m, mut m_ref) = (0, 0, 0, 0);
        for (i, rules) in &v {
            let row = &rows[*i];
            let note = row.gold_note.clone().unwrap_or_default();
            match row.gold {
                Some(Gold::Nonmatch) => {
                    nm += 1;
                    if rules.is_empty() {
                        nm_pass += 1;
                        *pass_by_kind.entry(note.chars().take(40).collect()).or_default() += 1;
                    }
                }
                _ => {
                    m += 1;
                    if !rules.is_empty() {
                        m_ref += 1;
                        let n = refused_by_rule.entry(format!("{rules:?}")).or_default();
                        *n += 1;
                        if *n <= 3 && seed == 1 {
                            eprintln!("    {rules:?} {:?} {:?} {}", row.request, row.candidate, note);
                        }
                    }
                }
            }
        }
        eprintln!("seed {seed}: non-matches passing {nm_pass}/{nm} ({:.1}%), matches refused {m_ref}/{m} ({:.1}%)", 100.0 * nm_pass as f64 / nm as f64, 100.0 * m_ref as f64 / m as f64);
        eprintln!("  passing non-matches by note: {pass_by_kind:#?}");
        eprintln!("  refused matches by rules: {refused_by_rule:#?}");
    }
}
