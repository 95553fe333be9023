//! Property: over random sequences of decisions (by random reviewers), undos, holds, lifts,
//! policy changes, overrides and exports, an export never contains a match that was not
//! releasable at that moment. "Releasable" is re-checked with the pure domain function against
//! the state read back with plain SQL just before the export.

use std::collections::HashSet;

use matchgate::domain::policy::{Hold, HoldScope, ReleaseContext, Sibling, check_release};
use matchgate::domain::{Decision, ReasonCode, Verdict};
use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use matchgate::store::{ExportFormat, Store};
use proptest::prelude::*;
use rusqlite::Connection;

const CSV: &str = "\
batch,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_unit,req_city,req_state,req_zip,req_tin,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_unit,cand_city,cand_state,cand_zip,cand_tin
b1,R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,,Springfield,IL,62701,,Ann,Archer,1970-01-01,1,Main St,,Springfield,IL,62701,900-11-1111
b1,R2,C2,0.83,Bob,Baker,1971-02-02,2,Oak Ave,,Springfield,IL,62702,,Bob,Baker,1971-02-02,2,Oak Ave,,Springfield,IL,62702,900-22-2222
b1,R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,62703,,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,90210,900-33-3333
b1,R4,C4,0.92,Di,Dunn,1973-04-04,4,Elm St,,Springfield,IL,62704,,Di,Dunn,1983-05-05,99,Oak Ave,,Springfield,IL,62711,900-44-4444
b1,R5,C5a,0.93,Ed,Eve,1974-05-05,5,Birch Ln,,Springfield,IL,62701,,Ed,Eve,1974-05-05,5,Birch Ln,,Springfield,IL,62701,900-55-5555
b1,R5,C5b,0.90,Ed,Eve,1974-05-05,5,Birch Ln,,Springfield,IL,62701,,Ed,Eve,1974-05-05,50,Birch Ln,,Springfield,IL,62701,900-55-6666
b2,R6,C6,0.97,Flo,Fox,1975-06-06,6,Cedar Ct,,Chicago,IL,60614,6666,Flo,Fox,1975-06-06,6,Cedar Ct,,Chicago,IL,60614,900-66-6666
b2,R7,C7,0.96,Gus,Gray,1976-07-07,7,Ash St,,Chicago,IL,60614,,Gus,Gray,1976-07-07,PO Box 7,PO Box 7,,Chicago,IL,60614,900-77-7777
b2,R8,C8,0.88,Hal,Hunt,1977-08-08,8,Elm St,Apt 2,Chicago,IL,60614,,Hal,Hunt,1977-08-08,8,Elm St,#2,Chicago,IL,60614,900-88-8888
";
const MATCHES: i64 = 9;
const PEOPLE: [&str; 4] = ["alice", "bob", "carol", "sue"];

#[derive(Debug, Clone)]
enum Op {
    Decide { m: i64, who: usize, verdict: u8 },
    Undo,
    HoldAdd { batch: u8, all: bool },
    HoldLift { nth: usize },
    Policy { which: u8 },
    Override { m: i64, who: usize },
    Export,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1..=MATCHES, 0..PEOPLE.len(), 0u8..5).prop_map(|(m, who, verdict)| Op::Decide { m, who, verdict }),
        1 => Just(Op::Undo),
        1 => (1u8..=2, any::<bool>()).prop_map(|(batch, all)| Op::HoldAdd { batch, all }),
        1 => (0usize..4).prop_map(|nth| Op::HoldLift { nth }),
        2 => (0u8..8).prop_map(|which| Op::Policy { which }),
        1 => (1..=MATCHES, 0..PEOPLE.len()).prop_map(|(m, who)| Op::Override { m, who }),
        3 => Just(Op::Export),
    ]
}

fn setup(path: &std::path::Path) -> Store {
    let (mut store, _) = Store::create(path).expect("create");
    let rows = FlaggedReader::new(
        CSV.as_bytes(),
        "prop.csv",
        Format::Csv,
        &ImportOptions::default(),
    )
    .expect("reader");
    let report = store
        .import_matches(rows, OnBadRow::Abort, |_| {})
        .expect("import");
    assert!(report.committed);
    store
        .set_policy("supervisors", "sue", "admin")
        .expect("supervisors");
    store
}

/// The gate context of a match, read with plain SQL (independently of the store's loader).
fn context(conn: &Connection, store: &Store, match_id: i64) -> (String, ReleaseContext) {
    let (request_id, score, status): (i64, f64, String) = conn
        .query_row(
            "SELECT request_id, score, status FROM matches WHERE id = ?",
            [match_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("match");
    let item = store.review_item(request_id).expect("item").expect("some");
    let me = item
        .candidates
        .iter()
        .find(|c| c.match_id == match_id)
        .expect("candidate");
    let approvals: Vec<(String, String)> = conn
        .prepare(
            "SELECT reviewer, status_before FROM decisions d WHERE match_id = ? AND action = 'approve'
               AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id) ORDER BY id",
        )
        .expect("prepare")
        .query_map([match_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let siblings = item
        .candidates
        .iter()
        .filter(|c| c.match_id != match_id)
        .map(|c| {
            let last_reason: Option<String> = conn
                .query_row(
                    "SELECT reason_code FROM decisions WHERE match_id = ? ORDER BY id DESC LIMIT 1",
                    [c.match_id],
                    |r| r.get(0),
                )
                .unwrap_or(None);
            Sibling {
                match_id: c.match_id,
                score: c.score,
                candidate: c.candidate.clone(),
                in_play: c.status.as_str() != "rejected"
                    || last_reason.as_deref() == Some(ReasonCode::NotChosen.code()),
            }
        })
        .collect();
    let holds: Vec<Hold> = conn
        .prepare(
            "SELECT id, scope, reason FROM holds WHERE batch_id = ? AND lifted_at IS NULL ORDER BY id",
        )
        .expect("prepare")
        .query_map([item.batch_id], |r| {
            let scope: String = r.get(1)?;
            Ok(Hold {
                id: r.get(0)?,
                batch_id: item.batch_id,
                batch: item.batch.name.clone(),
                scope: if scope == "all" { HoldScope::All } else { HoldScope::Residential },
                reason: r.get(2)?,
                added_by: String::new(),
                added_at: String::new(),
                lifted: None,
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let override_by: Option<String> = conn
        .query_row(
            "SELECT supervisor FROM overrides WHERE match_id = ? ORDER BY id DESC LIMIT 1",
            [match_id],
            |r| r.get(0),
        )
        .ok();
    let escalated = !approvals.is_empty() && approvals.iter().all(|(_, b)| b == "escalated");
    let ctx = ReleaseContext {
        request: item.request.clone(),
        candidate: me.candidate.clone(),
        score,
        siblings,
        approvals: approvals.into_iter().map(|(r, _)| r).collect(),
        decider: None,
        escalated,
        holds,
        override_by,
        today: chrono::Utc::now().date_naive(),
    };
    (status, ctx)
}

/// Runs the sequence; returns the matches released.
fn run_ops(ops: &[Op]) -> Result<HashSet<i64>, TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let mut store = setup(&path);
    let conn = Connection::open(&path).expect("conn");
    let mut groups: Vec<i64> = Vec::new();
    let mut released: HashSet<i64> = HashSet::new();
    let mut exports = 0;
    for op in ops {
        match op {
            Op::Decide { m, who, verdict } => {
                let verdict = match verdict {
                    0 | 1 => Verdict::Approve,
                    2 => Verdict::Reject(ReasonCode::Other),
                    3 => Verdict::Escalate,
                    _ => Verdict::Defer,
                };
                let d = Decision {
                    match_id: *m,
                    reviewer: PEOPLE[*who].into(),
                    verdict,
                    note: None,
                    viewed_ms: 1,
                };
                if let Ok(o) = store.record_decision(&d, "p") {
                    groups.push(o.group_id);
                }
            }
            Op::Undo => {
                if let Some(g) = groups.pop() {
                    let _ = store.undo_group(g, "alice", "p");
                }
            }
            Op::HoldAdd { batch, all } => {
                let scope = if *all {
                    HoldScope::All
                } else {
                    HoldScope::Residential
                };
                store
                    .add_hold(&format!("b{batch}"), scope, "order", "counsel")
                    .expect("hold");
            }
            Op::HoldLift { nth } => {
                let active = store.holds(true).expect("holds");
                if let Some(h) = active.get(*nth) {
                    store.lift_hold(h.id, "vacated", "counsel").expect("lift");
                }
            }
            Op::Policy { which } => {
                let (k, v) = match which {
                    0 => ("approvals_required", "1"),
                    1 => ("approvals_required", "2"),
                    2 => ("score_floor", "0.80"),
                    3 => ("score_floor", "0.90"),
                    4 => ("min_identifiers", "2"),
                    5 => ("min_identifiers", "3"),
                    6 => ("allow_override", "false"),
                    _ => ("allow_override", "true"),
                };
                store.set_policy(k, v, "admin").expect("policy");
            }
            Op::Override { m, who } => {
                if let Ok(o) = store.record_override(*m, PEOPLE[*who], "checked", "p") {
                    groups.push(o.group_id);
                }
            }
            Op::Export => {
                // The state at this moment, read independently.
                let policy = store.policy().expect("policy");
                let mut releasable_now = HashSet::new();
                for m in 1..=MATCHES {
                    let (status, ctx) = context(&conn, &store, m);
                    if status == "approved"
                        && !released.contains(&m)
                        && check_release(&ctx, &policy).is_empty()
                    {
                        releasable_now.insert(m);
                    }
                }
                exports += 1;
                let out = dir.path().join(format!("e{exports}.csv"));
                let summary = store
                    .export_release("exporter", &out, ExportFormat::Csv)
                    .expect("export");
                let lines = std::fs::read_to_string(&out).expect("read").lines().count();
                prop_assert_eq!(lines as u64, summary.count + 1);
                let exported: Vec<i64> = match summary.release_id {
                    Some(id) => rusqlite::Connection::open(store.path())
                        .expect("open")
                        .prepare("SELECT match_id FROM release_items WHERE release_id = ?")
                        .expect("prepare")
                        .query_map([id], |r| r.get(0))
                        .expect("query")
                        .collect::<Result<_, _>>()
                        .expect("ids"),
                    None => Vec::new(),
                };
                prop_assert_eq!(exported.len() as u64, summary.count);
                for id in &exported {
                    prop_assert!(
                        releasable_now.contains(id),
                        "match {} was exported but was not releasable: {:?}",
                        id,
                        ops
                    );
                    prop_assert!(released.insert(*id), "released twice");
                }
                // And nothing releasable was held back.
                prop_assert_eq!(exported.len(), releasable_now.len());
            }
        }
    }
    let intact = matches!(
        store.audit_verify().expect("verify"),
        matchgate::store::AuditVerdict::Intact { .. }
    );
    prop_assert!(intact, "the audit log verifies");
    Ok(released)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn export_never_contains_a_match_that_was_not_releasable(ops in prop::collection::vec(op(), 1..40)) {
        run_ops(&ops)?;
    }
}

#[test]
fn a_fixed_sequence_releases_exactly_the_releasable() {
    let ops = vec![
        Op::Decide {
            m: 1,
            who: 0,
            verdict: 0,
        },
        Op::Decide {
            m: 7,
            who: 1,
            verdict: 0,
        },
        Op::HoldAdd {
            batch: 2,
            all: false,
        },
        Op::Export,
        Op::HoldLift { nth: 0 },
        Op::Policy { which: 1 },
        Op::Export,
        Op::Decide {
            m: 7,
            who: 0,
            verdict: 0,
        },
        Op::Policy { which: 0 },
        Op::Export,
    ];
    let released = run_ops(&ops).expect("property holds");
    // m1 (C1) at the first export; m7 (C6) was held, then policy asked for a second approver.
    assert_eq!(released, HashSet::from([1, 7]));
}
