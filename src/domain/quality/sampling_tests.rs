//! The sample, statistically: on a simulated history of 200,000 decisions by 10 reviewers the
//! sampled fraction of every (reviewer, verdict) stratum is its rate within binomial tolerance,
//! the sample is reproducible from the seed, and the double-review sample is independent of it.
//!
//! Tolerance: a stratum of N decisions sampled at rate p has a Binomial(N, p) count, standard
//! deviation σ = √(N p (1 − p)). We allow 5σ: a correct sampler strays that far with probability
//! about 6·10⁻⁷ per stratum. Per reviewer (about 8,000 rejections at 0.05 and 12,000 approvals
//! at 0.20) that is ±24% and ±9% of the expected count; over all reviewers (80,000 and 120,000)
//! ±7.7% and ±2.9%, so a sampler biased by a tenth of its rate fails. The history and seed are
//! fixed, so the test is deterministic. Cost: about 420,000 HMACs, ~2.5 s CPU in a debug build.

use std::sync::OnceLock;

use super::policy::QualityPolicy;
use super::sampling::*;

const SEED: &[u8] = b"matchgate-test-seed-0123456789ab";
const OTHER_SEED: &[u8] = b"matchgate-test-seed-0123456789ac";
const DECISIONS: i64 = 200_000;
const REVIEWERS: usize = 10;

fn reviewer_name(i: usize) -> String {
    format!("reviewer-{i}")
}

/// One simulated decision and its two draws.
struct Simulated {
    id: i64,
    reviewer: usize,
    stratum: Stratum,
    spot: Draw,
    double: Draw,
}

/// Reviewer and verdict come from a multiplicative mix of the id, unrelated to the keyed hash;
/// about 60% approvals.
fn simulated_decision(id: i64) -> (usize, Stratum) {
    let mix = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    let stratum = if mix % 100 < 60 {
        Stratum::Approval
    } else {
        Stratum::Rejection
    };
    ((mix / 100) as usize % REVIEWERS, stratum)
}

fn simulate(seed: &[u8], ids: std::ops::RangeInclusive<i64>) -> Vec<Simulated> {
    let sampler = Sampler::new(seed).expect("seed");
    let names: Vec<String> = (0..REVIEWERS).map(reviewer_name).collect();
    ids.map(|id| {
        let (reviewer, stratum) = simulated_decision(id);
        let key = DecisionKey {
            decision_id: id,
            reviewer: &names[reviewer],
            stratum,
        };
        Simulated {
            id,
            reviewer,
            stratum,
            spot: sampler.spot_check_draw(&key),
            double: sampler.double_review_draw(&key),
        }
    })
    .collect()
}

/// The 200,000-decision history, computed once and shared by the tests.
fn history() -> &'static [Simulated] {
    static HISTORY: OnceLock<Vec<Simulated>> = OnceLock::new();
    HISTORY.get_or_init(|| simulate(SEED, 1..=DECISIONS))
}

/// |observed − N·p| ≤ 5σ for a Binomial(N, p) count.
fn assert_binomial(observed: usize, n: usize, p: f64, what: &str) {
    let expected = n as f64 * p;
    let sigma = (n as f64 * p * (1.0 - p)).sqrt();
    let off = (observed as f64 - expected).abs();
    assert!(
        off <= 5.0 * sigma,
        "{what}: {observed} of {n}, expected {expected:.1} ± {:.1} (5σ)",
        5.0 * sigma
    );
}

#[test]
fn every_reviewer_and_verdict_stratum_is_sampled_at_its_rate() {
    let policy = QualityPolicy::default();
    let h = history();
    let mut totals = [[0usize; 2]; REVIEWERS];
    let mut sampled = [[0usize; 2]; REVIEWERS];
    for d in h {
        let s = d.stratum as usize;
        totals[d.reviewer][s] += 1;
        sampled[d.reviewer][s] += usize::from(d.spot.below(policy.rate_for(d.stratum)));
    }
    for r in 0..REVIEWERS {
        for stratum in Stratum::ALL {
            let s = stratum as usize;
            assert!(totals[r][s] > 5_000, "the simulation covers every stratum");
            let what = format!("reviewer {r} {}", stratum.as_str());
            assert_binomial(sampled[r][s], totals[r][s], policy.rate_for(stratum), &what);
        }
    }
    for stratum in Stratum::ALL {
        let s = stratum as usize;
        let n = totals.iter().map(|t| t[s]).sum();
        let k = sampled.iter().map(|t| t[s]).sum();
        assert_binomial(k, n, policy.rate_for(stratum), stratum.as_str());
    }
}

// Kolmogorov-Smirnov: the draws are uniform on [0, 1). The critical value at α = 0.001 is
// 1.949/√n (asymptotic); D for 200,000 uniforms is typically about 0.002.
#[test]
fn draws_are_uniform() {
    for pick in [|d: &Simulated| d.spot, |d: &Simulated| d.double] {
        let mut units: Vec<f64> = history().iter().map(|d| pick(d).unit()).collect();
        units.sort_by(f64::total_cmp);
        let n = units.len() as f64;
        let d = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u - i as f64 / n).max((i + 1) as f64 / n - u))
            .fold(0.0, f64::max);
        assert!(d < 1.949 / n.sqrt(), "KS D = {d}");
    }
}

#[test]
fn the_sample_is_reproducible_from_the_seed_and_changes_with_it() {
    let policy = QualityPolicy::default();
    let again = simulate(SEED, 1..=10_000);
    let other = simulate(OTHER_SEED, 1..=10_000);
    let in_sample = |d: &Simulated| d.spot.below(policy.rate_for(d.stratum));
    let mut both_seeds = 0;
    let mut sampled = 0;
    for ((first, second), other) in history().iter().zip(&again).zip(&other) {
        assert_eq!(first.id, second.id);
        assert_eq!((first.spot, first.double), (second.spot, second.double));
        sampled += usize::from(in_sample(first));
        both_seeds += usize::from(in_sample(first) && in_sample(other));
    }
    // Another seed draws a different, unrelated sample: it shares about p² of the decisions.
    assert!(sampled > 1_000);
    let approvals = again
        .iter()
        .filter(|d| d.stratum == Stratum::Approval)
        .count();
    let p_a = policy.rate_for(Stratum::Approval);
    let p_r = policy.rate_for(Stratum::Rejection);
    let expected = approvals as f64 * p_a * p_a + (10_000 - approvals) as f64 * p_r * p_r;
    let sigma = expected.sqrt();
    assert!(
        (both_seeds as f64 - expected).abs() <= 5.0 * sigma,
        "shared {both_seeds}, expected {expected:.0}"
    );
}

#[test]
fn the_double_review_sample_is_independent_of_the_spot_check_sample() {
    let policy = QualityPolicy {
        double_review_rate: 0.10,
        ..QualityPolicy::default()
    };
    let h = history();
    let q = policy.double_review_rate;
    let mut doubled = 0;
    let mut overlap = 0;
    let mut expected = 0.0;
    let mut variance = 0.0;
    for d in h {
        let p = policy.rate_for(d.stratum);
        let spot = d.spot.below(p);
        let double = d.double.below(q);
        doubled += usize::from(double);
        overlap += usize::from(spot && double);
        expected += p * q;
        variance += p * q * (1.0 - p * q);
    }
    assert_binomial(doubled, h.len(), q, "double review");
    let off = (overlap as f64 - expected).abs();
    assert!(
        off <= 5.0 * variance.sqrt(),
        "overlap {overlap}, expected {expected:.0} if independent"
    );
    // And the draws themselves are uncorrelated: |r| within 5/√n.
    let n = h.len() as f64;
    let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for d in h {
        let (x, y) = (d.spot.unit(), d.double.unit());
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    let r = (n * sxy - sx * sy) / ((n * sxx - sx * sx).sqrt() * (n * syy - sy * sy).sqrt());
    assert!(r.abs() < 5.0 / n.sqrt(), "correlation {r}");
}

// The Z1.4 lot sample is unweighted: among 200 lots of 1,000 decisions, the approvals' share of
// the lowest-80 samples is the approvals' share of the lots.
#[test]
fn the_lot_sample_is_a_simple_random_sample() {
    let h = history();
    let mut sampled_approvals = 0;
    let mut sampled = 0;
    for lot in h.chunks(1_000) {
        let day: Vec<DayEntry> = lot
            .iter()
            .map(|d| DayEntry {
                decision_id: d.id,
                stratum: d.stratum,
                draw: d.spot,
            })
            .collect();
        let ids = lot_sample(&day, 80);
        assert_eq!(ids.len(), 80);
        let first = lot[0].id;
        sampled_approvals += ids
            .iter()
            .filter(|id| lot[(**id - first) as usize].stratum == Stratum::Approval)
            .count();
        sampled += ids.len();
    }
    let share = h.iter().filter(|d| d.stratum == Stratum::Approval).count() as f64 / h.len() as f64;
    assert_binomial(
        sampled_approvals,
        sampled,
        share,
        "approvals in lot samples",
    );
}
