//! Which decisions a supervisor looks at again, decided so that anyone with the database's seed
//! can re-derive and audit the sample, a reviewer cannot predict it, and no query scans all
//! decisions.
//!
//! Each decision gets a *draw*: HMAC-SHA-256 keyed by the per-database seed over the decision's
//! id, reviewer and verdict stratum, read as a uniform number in [0, 1). The store computes it
//! once, when the decision is written, and keeps it as an integer beside the decision; then
//! "is it sampled" is `draw < threshold(rate)`, an indexable comparison. Each purpose has its own
//! key domain, so the spot-check and double-review samples are independent.
//!
//! Stratification: the rate depends on the verdict stratum (approvals weighted), and the
//! per-day minimum is applied per reviewer, so every reviewer and verdict is represented.

use std::cmp::Ordering;

use super::keyed_hash::HmacSha256;
use super::policy::QualityPolicy;
use crate::domain::DecisionAction;

/// The verdict strata sampled at their own rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stratum {
    /// Approvals release an address: the costly error, sampled at the weighted rate.
    Approval,
    /// Rejections: sampled at the base rate.
    Rejection,
}

impl Stratum {
    pub const ALL: [Stratum; 2] = [Stratum::Approval, Stratum::Rejection];

    /// The stratum of a history event, or None for events that are not a verdict on the match
    /// (defer, note, undo) or that already go to a supervisor (escalate).
    pub fn of(action: DecisionAction) -> Option<Stratum> {
        match action {
            DecisionAction::Approve => Some(Stratum::Approval),
            DecisionAction::Reject => Some(Stratum::Rejection),
            DecisionAction::Defer
            | DecisionAction::Escalate
            | DecisionAction::Note
            | DecisionAction::Undo => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stratum::Approval => "approval",
            Stratum::Rejection => "rejection",
        }
    }

    /// The byte that names the stratum inside the hashed message.
    fn tag(self) -> u8 {
        match self {
            Stratum::Approval => b'A',
            Stratum::Rejection => b'R',
        }
    }
}

/// What a draw is computed over: the decision row's id, who decided, and the verdict stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionKey<'a> {
    pub decision_id: i64,
    pub reviewer: &'a str,
    pub stratum: Stratum,
}

/// A uniform draw in [0, 1), held exactly as a 53-bit integer (`value / 2^53`), so the store can
/// keep it in an INTEGER column and compare it with [`Draw::threshold`] in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Draw(u64);

/// 2^53: the number of distinct draws.
const SCALE: u64 = 1 << 53;

impl Draw {
    /// A stored draw; None when out of range (a corrupt value must not be sampled by accident).
    pub fn from_stored(value: i64) -> Option<Draw> {
        u64::try_from(value).ok().filter(|v| *v < SCALE).map(Draw)
    }

    /// The value to store (always fits in SQLite's INTEGER).
    pub fn stored(self) -> i64 {
        self.0 as i64
    }

    /// The draw as a number in [0, 1).
    pub fn unit(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// The smallest stored value that is *not* sampled at `rate`: a decision is sampled exactly
    /// when `draw < threshold(rate)`, i.e. when `unit() < rate`. Rates outside [0, 1] clamp.
    pub fn threshold(rate: f64) -> i64 {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        // rate * 2^53 is exact (a power-of-two scaling), so the ceiling is the exact cut.
        (rate * SCALE as f64).ceil() as i64
    }

    /// Whether this draw falls in a sample taken at `rate`.
    pub fn below(self, rate: f64) -> bool {
        self.stored() < Draw::threshold(rate)
    }
}

/// The seed is too short to keep the sample unpredictable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sampling seed has {0} bytes; at least {min} are needed", min = Sampler::MIN_SEED_LEN)]
pub struct SeedError(pub usize);

/// Key domains: each purpose hashes under its own label, so its draws are independent of the
/// others' (and a version, so a future change of encoding cannot silently reuse old draws).
const SPOT_CHECK_DOMAIN: &[u8] = b"matchgate/spot-check/v1\0";
const DOUBLE_REVIEW_DOMAIN: &[u8] = b"matchgate/double-review/v1\0";

/// Computes draws for one database's seed.
#[derive(Clone)]
pub struct Sampler {
    key: HmacSha256,
}

impl Sampler {
    /// Shorter seeds could be guessed by a reviewer who wants to know what will be checked.
    pub const MIN_SEED_LEN: usize = 16;

    pub fn new(seed: &[u8]) -> Result<Sampler, SeedError> {
        if seed.len() < Self::MIN_SEED_LEN {
            return Err(SeedError(seed.len()));
        }
        Ok(Sampler {
            key: HmacSha256::new(seed),
        })
    }

    fn draw(&self, domain: &[u8], key: &DecisionKey<'_>) -> Draw {
        // Fixed-width fields first and the reviewer length-prefixed: no two keys share a message.
        let reviewer_len = (key.reviewer.len() as u64).to_be_bytes();
        let mac = self.key.mac(&[
            domain,
            &key.decision_id.to_be_bytes(),
            &[key.stratum.tag()],
            &reviewer_len,
            key.reviewer.as_bytes(),
        ]);
        let mut first = [0u8; 8];
        first.copy_from_slice(&mac[..8]);
        Draw(u64::from_be_bytes(first) >> 11)
    }

    /// The draw deciding the spot-check sample (and the Z1.4 lot sample).
    pub fn spot_check_draw(&self, key: &DecisionKey<'_>) -> Draw {
        self.draw(SPOT_CHECK_DOMAIN, key)
    }

    /// The draw deciding the double-review sample, independent of the spot-check draw.
    pub fn double_review_draw(&self, key: &DecisionKey<'_>) -> Draw {
        self.draw(DOUBLE_REVIEW_DOMAIN, key)
    }

    /// Whether the decision is in the spot-check sample by rate (before the per-day minimum).
    pub fn is_spot_checked(&self, policy: &QualityPolicy, key: &DecisionKey<'_>) -> bool {
        self.spot_check_draw(key)
            .below(policy.rate_for(key.stratum))
    }

    /// Whether the decided item goes, blind, to a second reviewer.
    pub fn is_double_reviewed(&self, policy: &QualityPolicy, key: &DecisionKey<'_>) -> bool {
        self.double_review_draw(key)
            .below(policy.double_review_rate)
    }
}

/// One decision of a reviewer's day, as the store reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayEntry {
    pub decision_id: i64,
    pub stratum: Stratum,
    /// The stored spot-check draw.
    pub draw: Draw,
}

/// How far a decision is from being sampled: its draw as a fraction of its stratum's rate. A
/// top-up takes the lowest first, which is the same as raising every stratum's rate for that
/// reviewer-day by one common factor until the minimum is met, so approvals keep their weight.
fn closeness(policy: &QualityPolicy, entry: &DayEntry) -> f64 {
    let rate = policy.rate_for(entry.stratum);
    if rate > 0.0 {
        entry.draw.unit() / rate
    } else {
        // Rates are both zero (the weight is at least 1): only the minimum samples; by draw.
        entry.draw.unit()
    }
}

fn by_closeness(policy: &QualityPolicy) -> impl Fn(&DayEntry, &DayEntry) -> Ordering + '_ {
    move |a, b| {
        closeness(policy, a)
            .total_cmp(&closeness(policy, b))
            .then(a.draw.cmp(&b.draw))
            .then(a.decision_id.cmp(&b.decision_id))
    }
}

/// The per-reviewer per-day minimum: the decision ids to add to the rate sample so at least
/// `spot_check_min` of the day's decisions are sampled (all of them on a day with fewer).
///
/// `day` is every sampleable decision one reviewer made that day, in any order; the answer does
/// not depend on the order, so it can be re-derived. Ids come back closest-first. As the day
/// grows a later decision can displace an earlier top-up, so a screen should treat top-ups of
/// the current day as provisional and count checks already made.
pub fn top_up_to_minimum(policy: &QualityPolicy, day: &[DayEntry]) -> Vec<i64> {
    let min = policy.spot_check_min as usize;
    let (sampled, mut rest): (Vec<&DayEntry>, Vec<&DayEntry>) = day
        .iter()
        .partition(|e| e.draw.below(policy.rate_for(e.stratum)));
    let missing = min.saturating_sub(sampled.len());
    if missing == 0 {
        return Vec::new();
    }
    let order = by_closeness(policy);
    rest.sort_by(|a, b| order(a, b));
    rest.into_iter()
        .take(missing)
        .map(|e| e.decision_id)
        .collect()
}

/// The Z1.4 sample of a lot: the `n` decisions with the lowest spot-check draws (the whole lot
/// when it has no more than `n`). The draws are independent uniforms, so this is the simple
/// random sample Z1.4 assumes, unweighted by verdict; and it overlaps the rate sample heavily,
/// which saves supervisors' work. Order-independent; ids come back lowest draw first.
pub fn lot_sample(day: &[DayEntry], n: usize) -> Vec<i64> {
    let mut all: Vec<&DayEntry> = day.iter().collect();
    all.sort_by(|a, b| a.draw.cmp(&b.draw).then(a.decision_id.cmp(&b.decision_id)));
    all.into_iter().take(n).map(|e| e.decision_id).collect()
}
