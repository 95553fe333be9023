//! The sampling rules case by case: the draw's encoding, thresholds, the per-day minimum and the
//! lot sample.

use super::policy::QualityPolicy;
use super::sampling::*;

const SEED: &[u8] = b"matchgate-test-seed-0123456789ab";

fn key(decision_id: i64, reviewer: &str, stratum: Stratum) -> DecisionKey<'_> {
    DecisionKey {
        decision_id,
        reviewer,
        stratum,
    }
}

fn sampler() -> Sampler {
    Sampler::new(SEED).expect("seed")
}

// Known answers computed independently with Python's standard library:
//   hmac.new(seed, domain + id.to_bytes(8, "big", signed=True) + tag + len(reviewer).to_bytes(8,
//   "big") + reviewer, hashlib.sha256).digest(), first 8 bytes big-endian, shifted right by 11.
// They pin the encoding: stored draws stay valid only while it does not change.
#[test]
fn draws_match_an_independent_hmac_computation() {
    let s = sampler();
    let alice = key(42, "alice", Stratum::Approval);
    assert_eq!(s.spot_check_draw(&alice).stored(), 6219473963140362);
    assert_eq!(s.double_review_draw(&alice).stored(), 7910709327463398);
    let bob = key(-7, "bob ñ", Stratum::Rejection);
    assert_eq!(s.spot_check_draw(&bob).stored(), 814359061082318);
}

#[test]
fn every_part_of_the_key_and_the_seed_changes_the_draw() {
    let s = sampler();
    let base = s.spot_check_draw(&key(1, "ann", Stratum::Approval));
    assert_ne!(base, s.spot_check_draw(&key(2, "ann", Stratum::Approval)));
    assert_ne!(base, s.spot_check_draw(&key(1, "anne", Stratum::Approval)));
    assert_ne!(base, s.spot_check_draw(&key(1, "ann", Stratum::Rejection)));
    assert_ne!(
        base,
        s.double_review_draw(&key(1, "ann", Stratum::Approval))
    );
    let other = Sampler::new(b"another seed of enough length").expect("seed");
    assert_ne!(
        base,
        other.spot_check_draw(&key(1, "ann", Stratum::Approval))
    );
    assert_eq!(
        base,
        sampler().spot_check_draw(&key(1, "ann", Stratum::Approval))
    );
}

#[test]
fn short_seeds_are_refused() {
    assert_eq!(Sampler::new(b"").err(), Some(SeedError(0)));
    assert_eq!(Sampler::new(&[7; 15]).err(), Some(SeedError(15)));
    assert!(Sampler::new(&[7; 16]).is_ok());
    assert!(SeedError(3).to_string().contains("at least 16"));
}

#[test]
fn thresholds_cut_exactly_at_the_rate() {
    let scale = 1i64 << 53;
    assert_eq!(Draw::threshold(0.0), 0);
    assert_eq!(Draw::threshold(1.0), scale);
    assert_eq!(Draw::threshold(0.5), scale / 2);
    assert_eq!(Draw::threshold(-1.0), 0);
    assert_eq!(Draw::threshold(f64::NAN), 0);
    assert_eq!(Draw::threshold(7.0), scale);
    let half = Draw::from_stored(scale / 2).expect("in range");
    assert!(!half.below(0.5) && half.below(0.5000001));
    assert_eq!(half.unit(), 0.5);
    let top = Draw::from_stored(scale - 1).expect("in range");
    assert!(top.below(1.0) && !top.below(0.999_999));
    let zero = Draw::from_stored(0).expect("in range");
    assert!(!zero.below(0.0) && zero.below(1e-15));
    assert_eq!(Draw::from_stored(scale), None);
    assert_eq!(Draw::from_stored(-1), None);
    // below() agrees with comparing the unit value.
    let s = sampler();
    for id in 0..500 {
        let d = s.spot_check_draw(&key(id, "x", Stratum::Rejection));
        for rate in [0.01, 0.05, 0.2, 0.77] {
            assert_eq!(d.below(rate), d.unit() < rate);
        }
    }
}

#[test]
fn approvals_are_sampled_at_the_weighted_rate() {
    let s = sampler();
    let policy = QualityPolicy::default();
    for id in 0..2_000 {
        for stratum in Stratum::ALL {
            let k = key(id, "rev", stratum);
            let d = s.spot_check_draw(&k);
            assert_eq!(
                s.is_spot_checked(&policy, &k),
                d.unit() < policy.rate_for(stratum)
            );
        }
    }
    let mut none = policy.clone();
    none.spot_check_rate = 0.0;
    let mut all = policy;
    all.spot_check_rate = 1.0;
    all.double_review_rate = 1.0;
    for id in 0..200 {
        let k = key(id, "rev", Stratum::Approval);
        assert!(!s.is_spot_checked(&none, &k) && !s.is_double_reviewed(&none, &k));
        assert!(s.is_spot_checked(&all, &k) && s.is_double_reviewed(&all, &k));
    }
}

#[test]
fn only_approvals_and_rejections_are_strata() {
    use crate::domain::DecisionAction::*;
    assert_eq!(Stratum::of(Approve), Some(Stratum::Approval));
    assert_eq!(Stratum::of(Reject), Some(Stratum::Rejection));
    for other in [Defer, Escalate, Note, Undo] {
        assert_eq!(Stratum::of(other), None);
    }
}

fn at(u: f64) -> Draw {
    Draw::from_stored((u * (1u64 << 53) as f64) as i64).expect("in range")
}

fn entry(decision_id: i64, stratum: Stratum, u: f64) -> DayEntry {
    DayEntry {
        decision_id,
        stratum,
        draw: at(u),
    }
}

#[test]
fn a_light_day_is_sampled_in_full() {
    let policy = QualityPolicy::default();
    let day = [
        entry(1, Stratum::Rejection, 0.9),
        entry(2, Stratum::Approval, 0.8),
        entry(3, Stratum::Rejection, 0.7),
    ];
    let mut extra = top_up_to_minimum(&policy, &day);
    extra.sort();
    assert_eq!(extra, [1, 2, 3]);
    assert!(top_up_to_minimum(&policy, &[]).is_empty());
}

#[test]
fn the_top_up_adds_only_what_is_missing_closest_to_the_rate_first() {
    let policy = QualityPolicy::default(); // approvals 0.20, rejections 0.05, minimum 5
    let day = [
        entry(10, Stratum::Rejection, 0.01), // sampled by rate
        entry(11, Stratum::Approval, 0.10),  // sampled by rate
        entry(12, Stratum::Approval, 0.25),  // 1.25 × its rate
        entry(13, Stratum::Rejection, 0.07), // 1.4 × its rate
        entry(14, Stratum::Rejection, 0.06), // 1.2 × its rate
        entry(15, Stratum::Approval, 0.90),  // 4.5 × its rate
        entry(16, Stratum::Rejection, 0.50), // 10 × its rate
    ];
    // Two are in, three are missing: 14 (1.2), 12 (1.25), 13 (1.4). The approval at draw 0.25
    // comes before the rejection at 0.07: approvals keep their weight in the top-up.
    assert_eq!(top_up_to_minimum(&policy, &day), [14, 12, 13]);
    // The answer does not depend on the order the store reads the day in.
    let mut reversed = day;
    reversed.reverse();
    assert_eq!(top_up_to_minimum(&policy, &reversed), [14, 12, 13]);
    // No top-up when the rate sample already meets the minimum, or the minimum is 0.
    let mut low = policy.clone();
    low.spot_check_min = 2;
    assert!(top_up_to_minimum(&low, &day).is_empty());
    low.spot_check_min = 0;
    assert!(top_up_to_minimum(&low, &day).is_empty());
}

#[test]
fn with_a_zero_rate_the_minimum_alone_samples_lowest_draws_first() {
    let policy = QualityPolicy {
        spot_check_rate: 0.0,
        spot_check_min: 2,
        ..QualityPolicy::default()
    };
    let day = [
        entry(1, Stratum::Approval, 0.5),
        entry(2, Stratum::Rejection, 0.2),
        entry(3, Stratum::Approval, 0.3),
    ];
    assert_eq!(top_up_to_minimum(&policy, &day), [2, 3]);
}

#[test]
fn ties_break_by_decision_id() {
    let policy = QualityPolicy {
        spot_check_min: 1,
        ..QualityPolicy::default()
    };
    let day = [
        entry(9, Stratum::Rejection, 0.5),
        entry(4, Stratum::Rejection, 0.5),
    ];
    assert_eq!(top_up_to_minimum(&policy, &day), [4]);
    assert_eq!(lot_sample(&day, 1), [4]);
}

#[test]
fn the_lot_sample_takes_the_lowest_draws_or_the_whole_lot() {
    let day = [
        entry(1, Stratum::Approval, 0.4),
        entry(2, Stratum::Rejection, 0.1),
        entry(3, Stratum::Approval, 0.3),
        entry(4, Stratum::Rejection, 0.2),
    ];
    assert_eq!(lot_sample(&day, 2), [2, 4]);
    let mut shuffled = day;
    shuffled.swap(0, 3);
    assert_eq!(lot_sample(&shuffled, 2), [2, 4]);
    assert_eq!(lot_sample(&day, 9), [2, 4, 3, 1]);
    assert!(lot_sample(&day, 0).is_empty());
}
