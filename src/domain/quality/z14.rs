//! ANSI/ASQ Z1.4 (MIL-STD-105E, ISO 2859-1) single sampling, normal inspection, general
//! inspection level II: the acceptance-sampling plan quality staff already know.
//!
//! One lot is one reviewer's decisions on one day; a "nonconforming unit" is a decision the
//! supervisor overturned. The plan says how many of the lot to check (n), and the most overturns
//! that still accept the lot (Ac); at Re = Ac + 1 overturns the lot is rejected, which here means
//! the reviewer's whole day goes to full review.
//!
//! Table II-A is diagonal: each AQL column has a "zero row" (plan Ac 0 / Re 1), and going down
//! the column from it the cells are always 0/1, up-arrow, down-arrow, 1/2, 2/3, 3/4, 5/6, 7/8,
//! 10/11, 14/15, 21/22, then up-arrows; above the zero row every cell is a down-arrow. The code
//! models that pattern rather than transcribing 256 cells, and the tests check it against cells
//! read from the published table.

use std::fmt;
use std::str::FromStr;

/// Sample size code letters of Table I / Table II-A, in order (no I or O in the standard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeLetter {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    H,
    J,
    K,
    L,
    M,
    N,
    P,
    Q,
    R,
}

impl CodeLetter {
    pub const ALL: [CodeLetter; 16] = [
        CodeLetter::A,
        CodeLetter::B,
        CodeLetter::C,
        CodeLetter::D,
        CodeLetter::E,
        CodeLetter::F,
        CodeLetter::G,
        CodeLetter::H,
        CodeLetter::J,
        CodeLetter::K,
        CodeLetter::L,
        CodeLetter::M,
        CodeLetter::N,
        CodeLetter::P,
        CodeLetter::Q,
        CodeLetter::R,
    ];

    /// Sample sizes of Table II-A, one per code letter.
    const SAMPLE_SIZES: [u32; 16] = [
        2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The sample size Table II-A gives this letter.
    pub fn sample_size(self) -> u32 {
        Self::SAMPLE_SIZES[self.index()]
    }

    pub fn as_char(self) -> char {
        "ABCDEFGHJKLMNPQR".chars().nth(self.index()).unwrap_or('?')
    }
}

impl fmt::Display for CodeLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

/// Inclusive upper bounds of Table I's lot size ranges (2-8, 9-15, ... 150,001-500,000); larger
/// lots are the last range.
const LOT_UPPER_BOUNDS: [u64; 14] = [
    8, 15, 25, 50, 90, 150, 280, 500, 1_200, 3_200, 10_000, 35_000, 150_000, 500_000,
];

/// Table I, general inspection level II: the code letter for a lot size. Table I starts at 2;
/// smaller lots get A (they are inspected in full anyway, see [`sampling_plan`]).
pub fn code_letter(lot_size: u64) -> CodeLetter {
    let range = LOT_UPPER_BOUNDS
        .iter()
        .position(|&upper| lot_size <= upper)
        .unwrap_or(LOT_UPPER_BOUNDS.len());
    // At level II the first range is letter A and each range moves one letter on (A..Q).
    CodeLetter::ALL[range]
}

/// The acceptable quality level, in percent nonconforming: the preferred AQLs of Table II-A whose
/// plans lie wholly inside the table (0.10 to 6.5). The overturn rate a reviewer's lot may have
/// and still be accepted most of the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Aql {
    P0_10,
    P0_15,
    P0_25,
    P0_40,
    P0_65,
    P1_0,
    P1_5,
    P2_5,
    P4_0,
    P6_5,
}

impl Aql {
    pub const ALL: [Aql; 10] = [
        Aql::P0_10,
        Aql::P0_15,
        Aql::P0_25,
        Aql::P0_40,
        Aql::P0_65,
        Aql::P1_0,
        Aql::P1_5,
        Aql::P2_5,
        Aql::P4_0,
        Aql::P6_5,
    ];

    const LABELS: [&'static str; 10] = [
        "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5", "4.0", "6.5",
    ];

    /// The label as printed in Table II-A's column heading.
    pub fn as_str(self) -> &'static str {
        Self::LABELS[self as usize]
    }

    /// Percent nonconforming.
    pub fn percent(self) -> f64 {
        self.as_str().parse().unwrap_or(f64::NAN)
    }

    /// Column of Table II-A, counting from the 0.010 column as 0 (so 6.5 is column 14).
    fn column(self) -> usize {
        self as usize + 5
    }
}

impl fmt::Display for Aql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Aql {
    type Err = String;
    /// Accepts "1.0", "1", "1%", "0.65" ...: any spelling of one of the supported values.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_end_matches('%').trim();
        let value: f64 = t
            .parse()
            .map_err(|_| format!("AQL {s:?} is not a number"))?;
        Aql::ALL
            .into_iter()
            .find(|a| (a.percent() - value).abs() < 1e-9)
            .ok_or_else(|| {
                format!(
                    "AQL {s:?} is not one of {}",
                    Aql::ALL.map(|a| a.as_str()).join(", ")
                )
            })
    }
}

/// Ac/Re at each distance below an AQL column's zero row (distances 1 and 2 are arrows).
fn accept_reject(distance: usize) -> (u32, u32) {
    const AC: [u32; 11] = [0, 0, 0, 1, 2, 3, 5, 7, 10, 14, 21];
    let ac = AC[distance.min(10)];
    (ac, ac + 1)
}

/// A lot's single sampling plan after the arrows are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplingPlan {
    /// The letter Table I gives the lot.
    pub code_letter: CodeLetter,
    /// The letter whose plan applies after following Table II-A's arrow (if any).
    pub plan_letter: CodeLetter,
    /// Decisions to check: the plan letter's sample size, or the whole lot when that is smaller.
    pub sample_size: u32,
    /// Acceptance number: the most overturns that still accept the lot.
    pub accept: u32,
    /// Rejection number: this many overturns reject the lot.
    pub reject: u32,
    /// The plan's sample size reached the lot size, so every decision is checked.
    pub full_inspection: bool,
}

/// The Z1.4 normal-inspection single sampling plan, level II, for a lot and an AQL.
///
/// Arrow rule (Z1.4 Table II-A note): at an arrow use the first plan below or above it; when
/// that plan's sample size differs, the sample size changes with it. When the sample size reaches
/// the lot size the whole lot is checked (100% inspection) with the same Ac/Re.
pub fn sampling_plan(lot_size: u64, aql: Aql) -> SamplingPlan {
    let letter = code_letter(lot_size);
    let zero_row = 14 - aql.column();
    let row = letter.index();
    let plan_row = if row <= zero_row + 1 {
        zero_row // down-arrows above the zero row, and the up-arrow just under it
    } else if row == zero_row + 2 {
        zero_row + 3 // down-arrow to the 1/2 plan
    } else {
        row.min(zero_row + 10) // up-arrows past 21/22
    };
    let plan_letter = CodeLetter::ALL[plan_row];
    let (accept, reject) = accept_reject(plan_row - zero_row);
    let n = plan_letter.sample_size();
    let full_inspection = u64::from(n) >= lot_size;
    SamplingPlan {
        code_letter: letter,
        plan_letter,
        sample_size: if full_inspection {
            u32::try_from(lot_size).unwrap_or(n)
        } else {
            n
        },
        accept,
        reject,
        full_inspection,
    }
}

/// Where a lot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotState {
    /// Fewer than n checked and fewer than Re overturns so far.
    Open,
    /// n checked, at most Ac overturned.
    Accepted,
    /// Re or more overturns: send the reviewer's lot for full review. Decided as soon as the
    /// Re-th overturn is found, however many checks remain.
    Rejected,
}

impl LotState {
    pub fn as_str(self) -> &'static str {
        match self {
            LotState::Open => "open",
            LotState::Accepted => "accepted",
            LotState::Rejected => "rejected",
        }
    }
}

impl fmt::Display for LotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lot (one reviewer, one day) under its Z1.4 plan, as the screen and figures show it:
/// "checked 34/80, overturns 1/2 allowed, open".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotStatus {
    pub lot_size: u64,
    pub plan: SamplingPlan,
    /// Sampled decisions checked so far (counted up to the sample size).
    pub checked: u32,
    /// Overturns among the checked.
    pub overturns: u32,
    pub state: LotState,
}

impl LotStatus {
    /// `checked` and `overturns` count only decisions in the lot's sample ([`super::lot_sample`]
    /// of the day's final decisions). Overturns are checks too, so `checked` is at least
    /// `overturns`. An empty lot has nothing to check and is accepted.
    pub fn evaluate(lot_size: u64, aql: Aql, checked: u32, overturns: u32) -> LotStatus {
        let plan = sampling_plan(lot_size, aql);
        let checked = checked.max(overturns).min(plan.sample_size);
        let state = if overturns >= plan.reject {
            LotState::Rejected
        } else if checked >= plan.sample_size {
            LotState::Accepted
        } else {
            LotState::Open
        };
        LotStatus {
            lot_size,
            plan,
            checked,
            overturns,
            state,
        }
    }

    /// How many decisions the plan checks in all.
    pub fn to_check(&self) -> u32 {
        self.plan.sample_size
    }

    /// Checks still needed before the lot can be accepted.
    pub fn remaining(&self) -> u32 {
        self.plan.sample_size - self.checked
    }

    /// The most overturns the lot may have and be accepted (Ac).
    pub fn allowed(&self) -> u32 {
        self.plan.accept
    }
}
