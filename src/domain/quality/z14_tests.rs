//! Z1.4 plans against the standard's tables.
//!
//! Source for every expected value: ANSI/ASQ Z1.4-2003 (R2018) "Sampling Procedures and Tables
//! for Inspection by Attributes" = MIL-STD-105E (1989), Table I "Sample size code letters"
//! (general inspection level II column) and Table II-A "Single sampling plans for normal
//! inspection (Master table)". The same values are ISO 2859-1:1999 Tables 1 and 2-A.

use super::z14::*;

#[test]
fn issue_example_lot_of_501_to_1200_at_aql_1_draws_80_and_accepts_2() {
    for lot in [501, 800, 1200] {
        let plan = sampling_plan(lot, Aql::P1_0);
        assert_eq!(plan.code_letter, CodeLetter::J);
        assert_eq!(plan.plan_letter, CodeLetter::J);
        assert_eq!((plan.sample_size, plan.accept, plan.reject), (80, 2, 3));
        assert!(!plan.full_inspection);
    }
}

// Table I, level II column: every range boundary.
#[test]
fn table_i_level_ii_code_letters_at_every_boundary() {
    use CodeLetter::*;
    let cases: [(u64, CodeLetter); 30] = [
        (2, A),
        (8, A),
        (9, B),
        (15, B),
        (16, C),
        (25, C),
        (26, D),
        (50, D),
        (51, E),
        (90, E),
        (91, F),
        (150, F),
        (151, G),
        (280, G),
        (281, H),
        (500, H),
        (501, J),
        (1_200, J),
        (1_201, K),
        (3_200, K),
        (3_201, L),
        (10_000, L),
        (10_001, M),
        (35_000, M),
        (35_001, N),
        (150_000, N),
        (150_001, P),
        (500_000, P),
        (500_001, Q),
        (1_000_000_000, Q),
    ];
    for (lot, letter) in cases {
        assert_eq!(code_letter(lot), letter, "lot {lot}");
    }
}

// Table II-A, "Sample size" column.
#[test]
fn table_ii_a_sample_size_per_code_letter() {
    let sizes: Vec<u32> = CodeLetter::ALL.iter().map(|c| c.sample_size()).collect();
    assert_eq!(
        sizes,
        [
            2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000
        ]
    );
    let letters: String = CodeLetter::ALL.iter().map(|c| c.as_char()).collect();
    assert_eq!(letters, "ABCDEFGHJKLMNPQR");
}

/// A lot size whose Table I letter is `letter` (the top of its range).
fn lot_for(letter: CodeLetter) -> u64 {
    [
        8, 15, 25, 50, 90, 150, 280, 500, 1_200, 3_200, 10_000, 35_000, 150_000, 500_000, 600_000,
    ][letter as usize]
}

fn cell(letter: CodeLetter, aql: &str) -> (CodeLetter, u32, u32, u32) {
    let aql: Aql = aql.parse().expect("aql");
    let plan = sampling_plan(lot_for(letter), aql);
    assert_eq!(plan.code_letter, letter);
    (plan.plan_letter, plan.sample_size, plan.accept, plan.reject)
}

// Table II-A cells that hold numbers (no arrow): letter, AQL -> n, Ac, Re.
#[test]
fn table_ii_a_numeric_cells() {
    use CodeLetter::*;
    let cases = [
        // The zero-acceptance diagonal.
        (A, "6.5", 2, 0, 1),
        (B, "4.0", 3, 0, 1),
        (C, "2.5", 5, 0, 1),
        (D, "1.5", 8, 0, 1),
        (E, "1.0", 13, 0, 1),
        (F, "0.65", 20, 0, 1),
        (G, "0.40", 32, 0, 1),
        (H, "0.25", 50, 0, 1),
        (J, "0.15", 80, 0, 1),
        (K, "0.10", 125, 0, 1),
        // Row J across the supported AQLs.
        (J, "0.65", 80, 1, 2),
        (J, "1.0", 80, 2, 3),
        (J, "1.5", 80, 3, 4),
        (J, "2.5", 80, 5, 6),
        (J, "4.0", 80, 7, 8),
        (J, "6.5", 80, 10, 11),
        // Elsewhere in the table.
        (D, "6.5", 8, 1, 2),
        (E, "6.5", 13, 2, 3),
        (F, "2.5", 20, 1, 2),
        (F, "4.0", 20, 2, 3),
        (G, "4.0", 32, 3, 4),
        (G, "6.5", 32, 5, 6),
        (H, "2.5", 50, 3, 4),
        (K, "2.5", 125, 7, 8),
        (K, "6.5", 125, 14, 15),
        (L, "6.5", 200, 21, 22),
        (L, "1.5", 200, 7, 8),
        (L, "2.5", 200, 10, 11),
        (L, "4.0", 200, 14, 15),
        (M, "1.5", 315, 10, 11),
        (M, "4.0", 315, 21, 22),
        (N, "0.65", 500, 7, 8),
        (N, "2.5", 500, 21, 22),
        (P, "0.40", 800, 7, 8),
        (Q, "0.10", 1250, 3, 4),
        (Q, "1.0", 1250, 21, 22),
    ];
    for (letter, aql, n, ac, re) in cases {
        assert_eq!(
            cell(letter, aql),
            (letter, n, ac, re),
            "letter {letter} AQL {aql}"
        );
    }
}

// Table II-A arrow cells: "Use first sampling plan below (above) arrow. If sample size equals,
// or exceeds, lot or batch size, do 100 percent inspection." The sample size moves with the plan.
#[test]
fn table_ii_a_arrow_cells_move_to_the_plan_and_its_sample_size() {
    use CodeLetter::*;
    let cases = [
        // Down-arrows above the zero row: the column's first plan, a larger sample.
        (H, "0.10", K, 125, 0, 1),
        (J, "0.10", K, 125, 0, 1),
        (E, "0.65", F, 20, 0, 1),
        (G, "0.15", J, 80, 0, 1),
        // Up-arrow just under the zero row: the zero plan, a smaller sample than the letter's.
        (F, "1.0", E, 13, 0, 1),
        (J, "0.25", H, 50, 0, 1),
        (B, "6.5", A, 2, 0, 1),
        (K, "0.15", J, 80, 0, 1),
        (L, "0.10", K, 125, 0, 1),
        // Down-arrow two under the zero row: the 1/2 plan one row further down.
        (G, "1.0", H, 50, 1, 2),
        (J, "0.40", K, 125, 1, 2),
        (C, "6.5", D, 8, 1, 2),
        (M, "0.10", N, 500, 1, 2),
        // Up-arrows past 21/22: the 21/22 plan above.
        (P, "2.5", N, 500, 21, 22),
        (Q, "2.5", N, 500, 21, 22),
        (M, "6.5", L, 200, 21, 22),
        (Q, "6.5", L, 200, 21, 22),
    ];
    for (letter, aql, plan_letter, n, ac, re) in cases {
        assert_eq!(
            cell(letter, aql),
            (plan_letter, n, ac, re),
            "letter {letter} AQL {aql}"
        );
    }
}

#[test]
fn the_sample_never_exceeds_the_lot() {
    // Lot 5 is letter A; at AQL 1.0 A points down to E (13): check all 5.
    let plan = sampling_plan(5, Aql::P1_0);
    assert_eq!(
        (plan.code_letter, plan.plan_letter),
        (CodeLetter::A, CodeLetter::E)
    );
    assert_eq!(
        (plan.sample_size, plan.accept, plan.full_inspection),
        (5, 0, true)
    );
    // Lot 13 exactly equals the plan's n: that is 100% inspection too.
    let plan = sampling_plan(13, Aql::P1_0);
    assert_eq!((plan.sample_size, plan.full_inspection), (13, true));
    // Lot 20 is letter C, plan E: 13 of 20.
    let plan = sampling_plan(20, Aql::P1_0);
    assert_eq!((plan.sample_size, plan.full_inspection), (13, false));
    // Below Table I's first range.
    assert_eq!(sampling_plan(1, Aql::P6_5).sample_size, 1);
    assert_eq!(sampling_plan(0, Aql::P6_5).sample_size, 0);
    for aql in Aql::ALL {
        for lot in (0..3000).step_by(7) {
            let plan = sampling_plan(lot, aql);
            assert!(u64::from(plan.sample_size) <= lot, "lot {lot} AQL {aql}");
            assert_eq!(plan.full_inspection, u64::from(plan.sample_size) == lot);
        }
    }
}

/// P(at most `ac` nonconforming in `n` draws) at fraction `p`.
fn probability_of_acceptance(n: u32, ac: u32, p: f64) -> f64 {
    let mut term = (1.0 - p).powi(n as i32); // P(X = 0)
    let mut sum = term;
    for x in 1..=ac {
        term *= (n - x + 1) as f64 / x as f64 * p / (1.0 - p);
        sum += term;
    }
    sum
}

// Structure of Table II-A that holds in every cell: Re = Ac + 1 with Ac from the standard's
// series; bigger lots never get a smaller sample or a stricter Ac; a looser AQL never a stricter
// Ac; and lots exactly at the AQL are accepted with high probability (the standard's plans give
// 0.87 to 0.99 at the AQL; see its OC curves, Table X).
#[test]
fn every_cell_has_the_standard_s_structure() {
    for aql in Aql::ALL {
        let mut previous = (0, 0);
        for letter in CodeLetter::ALL.into_iter().take(15) {
            let plan = sampling_plan(lot_for(letter), aql);
            assert!([0, 1, 2, 3, 5, 7, 10, 14, 21].contains(&plan.accept));
            assert_eq!(plan.reject, plan.accept + 1);
            let n = plan.plan_letter.sample_size();
            assert!((n, plan.accept) >= previous, "{letter} {aql}");
            previous = (n, plan.accept);
            let pa = probability_of_acceptance(n, plan.accept, aql.percent() / 100.0);
            assert!(pa > 0.87, "{letter} {aql}: P(accept at AQL) = {pa}");
        }
    }
    for letter in CodeLetter::ALL.into_iter().take(15) {
        let acs: Vec<u32> = Aql::ALL
            .iter()
            .map(|a| sampling_plan(lot_for(letter), *a).accept)
            .collect();
        assert!(acs.windows(2).all(|w| w[0] <= w[1]), "{letter}: {acs:?}");
    }
}

#[test]
fn aql_parses_any_spelling_of_a_supported_value() {
    assert_eq!("1".parse::<Aql>(), Ok(Aql::P1_0));
    assert_eq!(" 0.65% ".parse::<Aql>(), Ok(Aql::P0_65));
    assert_eq!("0.1".parse::<Aql>(), Ok(Aql::P0_10));
    assert!("0.5".parse::<Aql>().is_err());
    assert!("10".parse::<Aql>().is_err());
    for a in Aql::ALL {
        assert_eq!(a.as_str().parse::<Aql>(), Ok(a));
    }
}

#[test]
fn lot_status_open_accepted_rejected() {
    // 501-1,200 at 1.0: n 80, Ac 2, Re 3.
    let s = LotStatus::evaluate(900, Aql::P1_0, 34, 1);
    assert_eq!(
        (s.checked, s.to_check(), s.overturns, s.allowed()),
        (34, 80, 1, 2)
    );
    assert_eq!((s.state, s.remaining()), (LotState::Open, 46));
    assert_eq!(
        LotStatus::evaluate(900, Aql::P1_0, 80, 2).state,
        LotState::Accepted
    );
    // The third overturn rejects at once, however many checks remain.
    assert_eq!(
        LotStatus::evaluate(900, Aql::P1_0, 10, 3).state,
        LotState::Rejected
    );
    assert_eq!(
        LotStatus::evaluate(900, Aql::P1_0, 80, 3).state,
        LotState::Rejected
    );
    // Checks beyond the sample do not count past it.
    assert_eq!(LotStatus::evaluate(900, Aql::P1_0, 95, 0).checked, 80);
    // A 4-decision lot is checked in full.
    let small = LotStatus::evaluate(4, Aql::P1_0, 3, 0);
    assert_eq!((small.to_check(), small.state), (4, LotState::Open));
    assert_eq!(
        LotStatus::evaluate(4, Aql::P1_0, 4, 0).state,
        LotState::Accepted
    );
    assert_eq!(
        LotStatus::evaluate(4, Aql::P1_0, 4, 1).state,
        LotState::Rejected
    );
    assert_eq!(LotState::Rejected.to_string(), "rejected");
}
