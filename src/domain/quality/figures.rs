//! The statistics behind the supervisors' figures: an interval for an overturn rate, agreement
//! between two reviewers, and medians. The store aggregates counts in SQL; these turn counts into
//! numbers, exactly and with the edge cases (no data, all or nothing) spelled out.

/// z for a two-sided 95% interval (the 0.975 quantile of the standard normal).
pub const WILSON_Z95: f64 = 1.959964;

/// A closed interval of proportions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

/// The 95% Wilson score interval for `successes` out of `trials` (Wilson 1927; method 3 of
/// Newcombe 1998). Chosen over the textbook Wald interval because overturn counts are small and
/// often zero, where Wald collapses to a width of 0. None for 0/0: no checks, no estimate.
pub fn wilson_interval(successes: u64, trials: u64) -> Option<Interval> {
    wilson_interval_z(successes, trials, WILSON_Z95)
}

/// The Wilson score interval at a given z.
pub fn wilson_interval_z(successes: u64, trials: u64, z: f64) -> Option<Interval> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0/n and n/n one bound is exactly 0 or 1; rounding must not put it a hair outside.
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some(Interval { lower, upper })
}

/// A k×k table of two raters' categories for the same items: `count(a, b)` items the first rater
/// put in category a and the second in b. For decisions k = 2 (approve, reject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementTable {
    k: usize,
    counts: Vec<u64>,
}

impl AgreementTable {
    /// An empty table over `k` categories.
    pub fn new(k: usize) -> AgreementTable {
        AgreementTable {
            k,
            counts: vec![0; k * k],
        }
    }

    /// A table from its rows (first rater) and columns (second rater); None unless square.
    pub fn from_rows(rows: &[&[u64]]) -> Option<AgreementTable> {
        let k = rows.len();
        if rows.iter().any(|r| r.len() != k) {
            return None;
        }
        Some(AgreementTable {
            k,
            counts: rows.iter().flat_map(|r| r.iter().copied()).collect(),
        })
    }

    pub fn categories(&self) -> usize {
        self.k
    }

    pub fn count(&self, a: usize, b: usize) -> u64 {
        self.counts[a * self.k + b]
    }

    /// Adds `n` items the first rater put in `a` and the second in `b`.
    pub fn add(&mut self, a: usize, b: usize, n: u64) {
        self.counts[a * self.k + b] += n;
    }

    /// Adds another table cell by cell (same k), for pooling.
    pub fn merge(&mut self, other: &AgreementTable) {
        assert_eq!(
            self.k, other.k,
            "agreement tables over different categories"
        );
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Items both raters put in the same category.
    pub fn agreements(&self) -> u64 {
        (0..self.k).map(|i| self.count(i, i)).sum()
    }

    /// Observed agreement p_o = agreements / total; None for an empty table.
    pub fn percent_agreement(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.agreements() as f64 / n as f64)
    }

    /// Agreement expected by chance from the two raters' marginals:
    /// p_e = Σ_i (row_i / n)(col_i / n).
    pub fn chance_agreement(&self) -> Option<f64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let n = n as f64;
        Some(
            (0..self.k)
                .map(|i| {
                    let row: u64 = (0..self.k).map(|j| self.count(i, j)).sum();
                    let col: u64 = (0..self.k).map(|j| self.count(j, i)).sum();
                    (row as f64 / n) * (col as f64 / n)
                })
                .sum(),
        )
    }

    /// Cohen's kappa (Cohen 1960): κ = (p_o − p_e) / (1 − p_e), agreement beyond chance as a
    /// fraction of the agreement possible beyond chance. None for an empty table and when p_e = 1
    /// (both raters used one and the same category for every item: chance explains everything and
    /// κ is undefined; percent agreement is then 1).
    pub fn kappa(&self) -> Option<f64> {
        let po = self.percent_agreement()?;
        let pe = self.chance_agreement()?;
        let room = 1.0 - pe;
        (room > 1e-12).then(|| (po - pe) / room)
    }
}

/// Pooled kappa over reviewer pairs, defined as the kappa of the summed table: every
/// double-reviewed item counts once, whichever pair decided it, so busy pairs weigh more. (Not
/// the mean of the pairs' kappas, which would let a pair with three items count like one with
/// three thousand.) None when there are no items, the tables' categories differ, or kappa is
/// undefined for the sum.
pub fn pooled_kappa(tables: &[AgreementTable]) -> Option<f64> {
    let first = tables.first()?;
    if tables.iter().any(|t| t.categories() != first.categories()) {
        return None;
    }
    let mut sum = AgreementTable::new(first.categories());
    for t in tables {
        sum.merge(t);
    }
    sum.kappa()
}

/// The median (the mean of the two middle values for an even count); None for no values. NaNs
/// are not expected (seconds per decision); they sort last rather than panic.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}
