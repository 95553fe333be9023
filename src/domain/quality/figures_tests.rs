//! Figures against worked, published examples.

use super::figures::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn assert_interval(successes: u64, trials: u64, lower: f64, upper: f64) {
    let i = wilson_interval(successes, trials).expect("interval");
    assert!(
        close(i.lower, lower, 5e-5) && close(i.upper, upper, 5e-5),
        "{successes}/{trials}: got ({:.4}, {:.4}), want ({lower}, {upper})",
        i.lower,
        i.upper
    );
}

// Newcombe R.G. (1998), "Two-sided confidence intervals for the single proportion: comparison of
// seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (score method without
// continuity correction, i.e. Wilson), to the four decimals printed there.
#[test]
fn wilson_matches_newcombe_1998_table_ii() {
    assert_interval(81, 263, 0.2553, 0.3662);
    assert_interval(15, 148, 0.0624, 0.1605);
    assert_interval(0, 20, 0.0, 0.1611);
    assert_interval(1, 29, 0.0061, 0.1718);
}

// Edge cases. 0/10: upper = z²/(n + z²) = 3.8415/13.8415 = 0.2775 (the closed form at x = 0);
// n/n mirrors it; 0/0 has no estimate.
#[test]
fn wilson_edge_cases() {
    assert_interval(0, 10, 0.0, 0.2775);
    assert_interval(10, 10, 0.7225, 1.0);
    let zero = wilson_interval(0, 10).expect("interval");
    assert_eq!(zero.lower, 0.0);
    let all = wilson_interval(10, 10).expect("interval");
    assert_eq!(all.upper, 1.0);
    assert_eq!(wilson_interval(0, 0), None);
    assert_eq!(wilson_interval(3, 2), None);
    // One trial: z²/(1 + z²) = 0.7935.
    assert_interval(0, 1, 0.0, 0.7935);
    assert_interval(1, 1, 0.2065, 1.0);
}

#[test]
fn wilson_contains_the_estimate_and_narrows_with_more_data() {
    let mut previous_width = f64::INFINITY;
    for n in [20u64, 100, 1_000, 10_000, 1_000_000] {
        let x = n / 20;
        let i = wilson_interval(x, n).expect("interval");
        let p = x as f64 / n as f64;
        assert!(i.lower < p && p < i.upper);
        let width = i.upper - i.lower;
        assert!(width < previous_width);
        previous_width = width;
    }
    // Symmetry: x/n and (n-x)/n mirror each other.
    let a = wilson_interval(7, 40).expect("interval");
    let b = wilson_interval(33, 40).expect("interval");
    assert!(close(a.lower, 1.0 - b.upper, 1e-12) && close(a.upper, 1.0 - b.lower, 1e-12));
}

fn table(rows: &[&[u64]]) -> AgreementTable {
    AgreementTable::from_rows(rows).expect("square")
}

// The example and Wikipedia, "Cohen's kappa", worked examples: [[20, 5], [10, 15]]:
// p_o = 35/50 = 0.70, p_e = (25·30 + 25·20)/50² = 0.50, κ = 0.20/0.50 = 0.40.
#[test]
fn cohen_kappa_of_the_worked_2x2_example_is_0_40() {
    let t = table(&[&[20, 5], &[10, 15]]);
    assert!(close(t.percent_agreement().expect("po"), 0.70, 1e-12));
    assert!(close(t.chance_agreement().expect("pe"), 0.50, 1e-12));
    assert!(close(t.kappa().expect("kappa"), 0.40, 1e-12));
}

// Wikipedia, "Cohen's kappa", the worked examples of equal agreement, both with
// p_o = 0.60: [[45, 15], [25, 15]] gives κ = 0.1304 and [[25, 35], [5, 35]] gives κ = 0.2593
// (p_e = 0.54 and 0.46).
#[test]
fn cohen_kappa_of_the_same_agreement_with_different_marginals() {
    let a = table(&[&[45, 15], &[25, 15]]);
    let b = table(&[&[25, 35], &[5, 35]]);
    assert!(close(a.percent_agreement().expect("po"), 0.60, 1e-12));
    assert!(close(b.percent_agreement().expect("po"), 0.60, 1e-12));
    assert!(close(a.kappa().expect("kappa"), 0.06 / 0.46, 1e-12));
    assert!(close(b.kappa().expect("kappa"), 0.14 / 0.54, 1e-12));
    assert!(close(a.kappa().expect("kappa"), 0.1304, 5e-5));
    assert!(close(b.kappa().expect("kappa"), 0.2593, 5e-5));
}

// A 3×3 table worked by hand: n = 50, p_o = (10+12+17)/50 = 0.78; rows 15, 15, 20; columns 11,
// 17, 22; p_e = (15·11 + 15·17 + 20·22)/2500 = 860/2500 = 0.344; κ = 0.436/0.656 = 0.66463.
#[test]
fn cohen_kappa_k_by_k() {
    let t = table(&[&[10, 2, 3], &[1, 12, 2], &[0, 3, 17]]);
    assert_eq!((t.categories(), t.total(), t.agreements()), (3, 50, 39));
    assert!(close(t.chance_agreement().expect("pe"), 0.344, 1e-12));
    assert!(close(t.kappa().expect("kappa"), 0.436 / 0.656, 1e-12));
    // An unused third category changes nothing.
    let padded = table(&[&[20, 5, 0], &[10, 15, 0], &[0, 0, 0]]);
    assert!(close(padded.kappa().expect("kappa"), 0.40, 1e-12));
    // Swapping the raters (transposing) leaves kappa alone.
    let transposed = table(&[&[10, 1, 0], &[2, 12, 3], &[3, 2, 17]]);
    assert!(close(
        transposed.kappa().expect("kappa"),
        t.kappa().expect("kappa"),
        1e-12
    ));
}

#[test]
fn kappa_edge_cases() {
    // Perfect agreement over two categories: 1. Complete disagreement with balanced marginals: -1.
    assert!(close(
        table(&[&[30, 0], &[0, 20]]).kappa().expect("k"),
        1.0,
        1e-12
    ));
    assert!(close(
        table(&[&[0, 25], &[25, 0]]).kappa().expect("k"),
        -1.0,
        1e-12
    ));
    // Both raters always chose the same single category: agreement 1, kappa undefined.
    let one = table(&[&[40, 0], &[0, 0]]);
    assert_eq!(one.percent_agreement(), Some(1.0));
    assert_eq!(one.kappa(), None);
    // No items.
    assert_eq!(AgreementTable::new(2).kappa(), None);
    assert_eq!(AgreementTable::new(2).percent_agreement(), None);
    assert!(AgreementTable::from_rows(&[&[1, 2], &[3]]).is_none());
}

// Pooled kappa is the kappa of the summed table: two pairs whose tables add up to the 2×2 example
// pool to 0.40, which is not the mean of their own kappas.
#[test]
fn pooled_kappa_is_the_kappa_of_the_summed_table() {
    let mut first = AgreementTable::new(2);
    first.add(0, 0, 18);
    first.add(0, 1, 1);
    first.add(1, 0, 2);
    first.add(1, 1, 4);
    let second = table(&[&[2, 4], &[8, 11]]);
    let pooled = pooled_kappa(&[first.clone(), second.clone()]).expect("pooled");
    assert!(close(pooled, 0.40, 1e-12));
    let mean = (first.kappa().expect("k") + second.kappa().expect("k")) / 2.0;
    assert!(!close(pooled, mean, 1e-3));
    assert_eq!(pooled_kappa(&[]), None);
    assert_eq!(pooled_kappa(&[first, AgreementTable::new(3)]), None);
}

#[test]
fn median_of_odd_even_and_empty() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[7.0]), Some(7.0));
    assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[2.0, 2.0, 100.0]), Some(2.0));
}
