//! Unit tests of every gate and its edges.
#![allow(clippy::field_reassign_with_default)]

use super::*;
use crate::domain::{CandidateMatch, Field, MatchStatus, Record, ReviewItem};

fn request() -> Record {
    Record::new("R1")
        .with(Field::GivenName, "Ann")
        .with(Field::Surname, "Archer")
        .with(Field::Dob, "1970-01-01")
        .with(Field::StreetNumber, "1")
        .with(Field::Street, "Main St")
        .with(Field::City, "Springfield")
        .with(Field::State, "IL")
        .with(Field::Zip, "62701")
}

fn candidate() -> Record {
    let mut c = request().with(Field::Tin, "900-11-1111");
    c.id = "C1".into();
    c
}

fn ctx(request: Record, candidate: Record) -> ReleaseContext {
    ReleaseContext {
        request,
        candidate,
        score: 0.95,
        siblings: Vec::new(),
        approvals: Vec::new(),
        decider: Some("alice".into()),
        escalated: false,
        holds: Vec::new(),
        override_by: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    }
}

fn rules(ctx: &ReleaseContext, policy: &Policy) -> Vec<&'static str> {
    check_release(ctx, policy).iter().map(|r| r.rule).collect()
}

fn hold(scope: HoldScope, lifted: bool) -> Hold {
    Hold {
        id: 7,
        batch_id: 1,
        batch: "b1".into(),
        scope,
        reason: "court order 12-3".into(),
        added_by: "sue".into(),
        added_at: "2026-01-01T00:00:00.000Z".into(),
        lifted: lifted.then(|| ("sue".into(), "t".into(), "vacated".into())),
    }
}

#[test]
fn a_clean_match_passes_every_gate() {
    assert!(check_release(&ctx(request(), candidate()), &Policy::default()).is_empty());
}

#[test]
fn every_refusal_names_rule_reason_and_remedy() {
    let mut c = ctx(request(), Record::new("C9").with(Field::GivenName, "Ann"));
    c.score = 0.1;
    c.holds = vec![hold(HoldScope::All, false)];
    for r in check_release(&c, &Policy::default()) {
        assert!(!r.rule.is_empty() && !r.reason.is_empty() && !r.remedy.is_empty());
        assert!(r.to_string().contains(r.rule));
    }
}

#[test]
fn score_floor_edges() {
    // Off by default: sufficient evidence is not refused for the score alone.
    let mut c = ctx(request(), candidate());
    c.score = 0.01;
    assert!(check_release(&c, &Policy::default()).is_empty());
    let mut p = Policy::default();
    p.set("score_floor", "0.80").expect("floor");
    c.score = 0.80;
    assert!(
        !rules(&c, &p).contains(&"score-floor"),
        "the floor itself passes"
    );
    c.score = 0.7999;
    assert!(rules(&c, &p).contains(&"score-floor"));
    let r = check_release(&c, &p);
    assert!(r.iter().any(|r| r.remedy.contains("0.80")));
}

#[test]
fn address_gate_refuses_and_names_the_problem() {
    let p = Policy::default();
    let c = ctx(request(), candidate().with(Field::Zip, "90210"));
    let r = check_release(&c, &p);
    let addr: Vec<_> = r
        .iter()
        .filter(|r| r.rule == "address-sufficiency")
        .collect();
    assert_eq!(addr.len(), 1);
    assert!(addr[0].reason.contains("zip-state"), "{}", addr[0].reason);
    // PO box and general delivery.
    for street in ["PO Box 12", "General Delivery"] {
        let c = ctx(request(), candidate().with(Field::Street, street));
        assert!(rules(&c, &p).contains(&"address-sufficiency"), "{street}");
    }
    // Missing unit where the other side has one.
    let c = ctx(request().with(Field::Unit, "Apt 4"), candidate());
    assert!(rules(&c, &p).contains(&"address-sufficiency"));
}

#[test]
fn address_edges_that_pass_zip_plus4_lower_case_state_and_unit_formats() {
    let p = Policy::default();
    let c = ctx(
        request()
            .with(Field::Zip, "62701-1234")
            .with(Field::Unit, "Apt 4B"),
        candidate()
            .with(Field::State, "il")
            .with(Field::Zip, "627011234")
            .with(Field::Unit, "#4b"),
    );
    assert!(
        check_release(&c, &p).is_empty(),
        "{:?}",
        check_release(&c, &p)
    );
}

#[test]
fn an_override_lifts_only_the_address_gate_and_only_when_policy_allows() {
    let mut p = Policy::default();
    p.score_floor = 0.8;
    let mut req = request();
    req.set_extra("tin", "1111");
    let mut c = ctx(
        req,
        candidate()
            .with(Field::Street, "PO Box 12")
            .with(Field::StreetNumber, "12"),
    );
    c.score = 0.5;
    c.override_by = Some("sue".into());
    let got = rules(&c, &p);
    assert!(!got.contains(&"address-sufficiency"));
    assert!(
        got.contains(&"score-floor"),
        "the override lifts nothing else"
    );
    p.allow_override = false;
    let r = check_release(&c, &p);
    assert!(
        r.iter()
            .any(|r| r.rule == "address-sufficiency" && r.remedy.contains("forbidden"))
    );
}

#[test]
fn identifier_agreement_counts_exact_identifiers_beyond_the_name() {
    let p = Policy::default();
    // Name only: no DOB, different street and ZIP.
    let name_only = candidate()
        .with(Field::Dob, "1980-02-02")
        .with(Field::StreetNumber, "9")
        .with(Field::Street, "Elm St")
        .with(Field::Zip, "62702");
    let r = check_release(&ctx(request(), name_only), &p);
    let idr = r.iter().find(|r| r.rule == "identifiers").expect("refused");
    assert!(idr.reason.contains("name-only"));

    // One identifier (DOB) of two.
    let one = candidate()
        .with(Field::StreetNumber, "9")
        .with(Field::Street, "Elm St")
        .with(Field::Zip, "62702");
    assert_eq!(identifiers_agreeing(&request(), &one), vec![Field::Dob]);
    assert!(rules(&ctx(request(), one.clone()), &p).contains(&"identifiers"));

    // TIN last four from the request counts as a second identifier.
    let mut req = request();
    req.set_extra("tin", "1111");
    assert!(!rules(&ctx(req.clone(), one.clone()), &p).contains(&"identifiers"));
    let mut wrong = req.clone();
    wrong.set_extra("tin", "2222");
    assert!(rules(&ctx(wrong, one), &p).contains(&"identifiers"));

    // A swapped day/month DOB is close, not agreeing.
    let swapped = candidate()
        .with(Field::Dob, "1970-01-01")
        .with(Field::Zip, "62702");
    let req2 = request().with(Field::Dob, "1970-05-12");
    let swapped = swapped.with(Field::Dob, "1970-12-05");
    assert_eq!(identifiers_agreeing(&req2, &swapped), vec![Field::Street]);

    // ZIP+4 that differs in the +4 still agrees on the ZIP.
    let z = candidate().with(Field::Zip, "62701-9999");
    let zr = request().with(Field::Zip, "62701-1234");
    assert!(identifiers_agreeing(&zr, &z).contains(&Field::Zip));

    // Street number alone is not the street address.
    let num = candidate().with(Field::Street, "Oak Ave");
    assert!(!identifiers_agreeing(&request(), &num).contains(&Field::Street));

    // min_identifiers = 3
    let mut p3 = Policy::default();
    p3.min_identifiers = 3;
    assert!(check_release(&ctx(request(), candidate()), &p3).is_empty());
    p3.min_identifiers = 4;
    assert!(rules(&ctx(request(), candidate()), &p3).contains(&"identifiers"));
}

fn sibling(score: f64, cand: Record) -> Sibling {
    Sibling {
        match_id: 2,
        score,
        candidate: cand,
        in_play: true,
    }
}

#[test]
fn ambiguity_by_score_gap_or_address_requires_supervisor_escalation() {
    let mut p = Policy::default();
    let mut same_addr = candidate();
    same_addr.id = "C2".into();
    let mut c = ctx(request(), candidate());
    c.siblings = vec![sibling(0.91, same_addr.clone())];
    assert!(
        rules(&c, &p).contains(&"ambiguity"),
        "0.95 vs 0.91 within 0.05"
    );
    c.siblings = vec![sibling(0.89, same_addr.clone())];
    assert!(
        !rules(&c, &p).contains(&"ambiguity"),
        "gap 0.06, same address"
    );
    c.siblings = vec![sibling(0.90, same_addr)];
    assert!(
        rules(&c, &p).contains(&"ambiguity"),
        "exactly the gap is close"
    );
    let elsewhere = candidate().with(Field::StreetNumber, "99");
    c.siblings = vec![sibling(0.50, elsewhere.clone())];
    assert!(rules(&c, &p).contains(&"ambiguity"), "different address");
    // A sibling rejected on its merits is no contender.
    c.siblings[0].in_play = false;
    assert!(!rules(&c, &p).contains(&"ambiguity"));
    c.siblings[0].in_play = true;
    // Escalated and decided by a supervisor: satisfied.
    p.supervisors = vec!["sue".into()];
    c.escalated = true;
    c.decider = Some("sue".into());
    assert!(check_release(&c, &p).is_empty());
    // Escalated but a non-supervisor decides: escalation and ambiguity both refuse.
    c.decider = Some("alice".into());
    let got = rules(&c, &p);
    assert!(got.contains(&"ambiguity") && got.contains(&"escalation"));
    // Export of an ambiguous match approved by a non-supervisor is refused.
    c.decider = None;
    c.approvals = vec!["alice".into()];
    assert!(rules(&c, &p).contains(&"ambiguity"));
    c.approvals = vec!["sue".into()];
    assert!(check_release(&c, &p).is_empty());
}

#[test]
fn two_person_rule() {
    let mut p = Policy::default();
    p.approvals_required = 2;
    let mut c = ctx(request(), candidate());
    assert!(check_release(&c, &p).is_empty(), "first approval");
    c.approvals = vec!["alice".into()];
    let r = check_release(&c, &p);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].rule, "two-person", "the same person twice");
    c.decider = Some("bob".into());
    assert!(check_release(&c, &p).is_empty());
    // Export: 1 of 2 refused, 2 distinct accepted, the same name twice is still 1.
    c.decider = None;
    let r = check_release(&c, &p);
    assert_eq!(r[0].rule, "two-person");
    assert!(r[0].reason.contains("1 of 2"));
    c.approvals = vec!["alice".into(), "alice".into()];
    assert!(rules(&c, &p).contains(&"two-person"));
    c.approvals = vec!["alice".into(), "bob".into()];
    assert!(check_release(&c, &p).is_empty());
    // One required: export needs one approval.
    p.approvals_required = 1;
    c.approvals = vec![];
    assert_eq!(rules(&c, &p), vec!["approval"]);
}

#[test]
fn holds_refuse_by_scope_and_lifted_holds_do_not() {
    let p = Policy::default();
    let mut c = ctx(request(), candidate());
    c.holds = vec![hold(HoldScope::Residential, false)];
    let r = check_release(&c, &p);
    assert_eq!(r[0].rule, "legal-hold");
    assert!(r[0].remedy.contains("hold lift --id 7"));
    c.holds = vec![hold(HoldScope::All, true)];
    assert!(check_release(&c, &p).is_empty());
    // A residential hold does not cover an (overridden) PO box; an "all" hold does, and an
    // override never lifts a hold.
    let mut req = request();
    req.set_extra("tin", "1111");
    let mut po = ctx(req, candidate().with(Field::Street, "PO Box 4"));
    po.override_by = Some("sue".into());
    po.holds = vec![hold(HoldScope::Residential, false)];
    assert!(check_release(&po, &p).is_empty());
    po.holds = vec![hold(HoldScope::All, false)];
    assert_eq!(rules(&po, &p), vec!["legal-hold"]);
}

#[test]
fn visibility_hides_the_first_decision_and_blind_score_from_the_second_reviewer() {
    let mut p = Policy::default();
    let none: Vec<String> = vec![];
    let one = vec!["alice".to_string()];
    let v = review_visibility(&p, &one, "bob");
    assert_eq!(v.progress, None);
    assert!(!v.hide_prior_decisions);
    p.approvals_required = 2;
    let v = review_visibility(&p, &one, "bob");
    assert!(v.hide_prior_decisions && !v.hide_score);
    assert_eq!(v.progress, Some((1, 2)));
    p.blind = true;
    assert!(review_visibility(&p, &one, "bob").hide_score);
    assert!(!review_visibility(&p, &one, "alice").hide_score);
    assert!(!review_visibility(&p, &none, "bob").hide_score);
}

#[test]
fn release_check_reads_the_review_item() {
    let mut p = Policy::default();
    p.approvals_required = 2;
    let cm = |id: i64, score: f64, approvals: Vec<String>| CandidateMatch {
        match_id: id,
        candidate: candidate(),
        score,
        status: MatchStatus::Pending,
        gold: None,
        gold_note: None,
        approvals,
        override_by: None,
    };
    let item = ReviewItem {
        request_id: 1,
        batch_id: 1,
        batch: Default::default(),
        request: request(),
        state: crate::domain::QueueState::Open,
        flags: Default::default(),
        candidates: vec![cm(1, 0.95, vec!["alice".into()])],
    };
    assert_eq!(
        release_check(&item, 0, "alice", &p, &[])
            .iter()
            .map(|r| r.rule)
            .collect::<Vec<_>>(),
        vec!["two-person"]
    );
    assert!(release_check(&item, 0, "bob", &p, &[]).is_empty());
    let held = [hold(HoldScope::All, false)];
    assert_eq!(
        release_check(&item, 0, "bob", &p, &held)[0].rule,
        "legal-hold"
    );
    assert!(release_check(&item, 5, "bob", &p, &[]).is_empty());
}

#[test]
fn an_override_never_lifts_control_characters_in_the_released_address() {
    let p = Policy::default();
    let mut c = ctx(request(), candidate().with(Field::City, "Chi\u{1b}[5mcago"));
    c.override_by = Some("sue".into());
    let refusals = check_release(&c, &p);
    assert!(
        refusals
            .iter()
            .any(|r| r.rule == "address-sufficiency" && r.remedy.contains("cannot lift")),
        "{refusals:?}"
    );
}

#[test]
fn siblings_ruled_out_by_conflicts_or_staleness_do_not_make_a_request_ambiguous() {
    let p = Policy::default();
    let sibling = |candidate: Record| Sibling {
        match_id: 2,
        score: 0.94,
        candidate,
        in_play: true,
    };
    let elsewhere = candidate()
        .with(Field::StreetNumber, "9")
        .with(Field::Street, "Elm St");
    let mut c = ctx(request(), candidate());
    c.siblings = vec![sibling(elsewhere.clone())];
    assert_eq!(rules(&c, &p), vec!["ambiguity"], "same person elsewhere");
    c.siblings = vec![sibling(elsewhere.clone().with(Field::Dob, "1940-06-30"))];
    assert!(rules(&c, &p).is_empty(), "a parent is not a contender");
    let mut stale = elsewhere;
    stale.set_extra("address_updated", "2019-01-01");
    c.siblings = vec![sibling(stale)];
    assert!(
        rules(&c, &p).is_empty(),
        "a superseded record is not a contender"
    );
}
