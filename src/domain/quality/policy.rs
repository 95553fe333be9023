//! The supervisors' quality settings: how much of each reviewer's work is spot-checked, how much
//! goes to a blind second review, and which acceptance-sampling plan judges a reviewer's day.
//! Stored as text (key, value) pairs beside the release policy; parsing and validation live here
//! so the CLI, the store and the tests agree.

use std::fmt;

use super::z14::Aql;
use crate::domain::DecisionAction;
use crate::domain::policy::settings::parse_unit;

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
            | DecisionAction::Undo
            | DecisionAction::Agree
            | DecisionAction::Overturn
            | DecisionAction::SecondApprove
            | DecisionAction::SecondReject => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stratum::Approval => "approval",
            Stratum::Rejection => "rejection",
        }
    }

    /// The byte that names the stratum inside the hashed message.
    pub(super) fn tag(self) -> u8 {
        match self {
            Stratum::Approval => b'A',
            Stratum::Rejection => b'R',
        }
    }
}

/// Which acceptance-sampling plan judges a lot (one reviewer's decisions on one day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AcceptancePlan {
    /// Spot-check by rate only; lots are not accepted or rejected.
    #[default]
    None,
    /// ANSI/ASQ Z1.4 single sampling, normal inspection, level II, at [`QualityPolicy::aql`].
    Z14,
}

impl AcceptancePlan {
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptancePlan::None => "none",
            AcceptancePlan::Z14 => "z14",
        }
    }
}

/// The quality settings. `QualityPolicy::default()` is what a new database uses.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityPolicy {
    /// Fraction of decisions spot-checked (rejections and other non-approvals).
    pub spot_check_rate: f64,
    /// At least this many of each reviewer's decisions per day are spot-checked (all of them when
    /// the reviewer made fewer), so a light day is still looked at.
    pub spot_check_min: u32,
    /// Approvals release addresses, the costly error: they are sampled at this multiple of the
    /// rate (capped at every approval).
    pub spot_check_approvals_weight: f64,
    /// Fraction of decided items sent, blind, to a second reviewer (where agreement figures come
    /// from). Drawn independently of the spot-check sample.
    pub double_review_rate: f64,
    /// Whether a reviewer's day is judged by Z1.4.
    pub acceptance_plan: AcceptancePlan,
    /// The AQL the Z1.4 plan uses (kept when the plan is `none`, so switching back restores it).
    pub aql: Aql,
}

impl Default for QualityPolicy {
    fn default() -> Self {
        QualityPolicy {
            spot_check_rate: 0.05,
            spot_check_min: 5,
            spot_check_approvals_weight: 4.0,
            double_review_rate: 0.0,
            acceptance_plan: AcceptancePlan::None,
            aql: Aql::P1_0,
        }
    }
}

/// A bad key or value for a quality setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualityPolicyError {
    #[error("unknown quality policy key {0:?}; known keys: {keys}", keys = QualityPolicy::KEYS.join(", "))]
    UnknownKey(String),
    #[error("bad value {value:?} for {key}: expected {expected}")]
    BadValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Upper bound of the approvals weight: beyond it the rate is already 1 for any useful rate, and
/// a typo like 400 should not pass silently.
const MAX_WEIGHT: f64 = 100.0;
/// Upper bound of the per-day minimum, for the same reason.
const MAX_MIN: u32 = 10_000;

impl QualityPolicy {
    /// Every key, in the order `policy show` prints them.
    pub const KEYS: [&'static str; 6] = [
        "spot_check_rate",
        "spot_check_min",
        "spot_check_approvals_weight",
        "double_review_rate",
        "acceptance_plan",
        "aql",
    ];

    /// Whether a stored key belongs to this policy (the store keeps these beside the release
    /// policy's keys and routes each pair to its owner).
    pub fn is_key(key: &str) -> bool {
        Self::KEYS.contains(&key)
    }

    /// The spot-check rate for a verdict stratum.
    pub fn rate_for(&self, stratum: Stratum) -> f64 {
        match stratum {
            Stratum::Approval => (self.spot_check_rate * self.spot_check_approvals_weight).min(1.0),
            Stratum::Rejection => self.spot_check_rate,
        }
    }

    /// The Z1.4 AQL when the plan is in force.
    pub fn z14_aql(&self) -> Option<Aql> {
        match self.acceptance_plan {
            AcceptancePlan::None => None,
            AcceptancePlan::Z14 => Some(self.aql),
        }
    }

    /// The value of a key as stored and shown. Rates print in full (0.005 stays 0.005).
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "spot_check_rate" => self.spot_check_rate.to_string(),
            "spot_check_min" => self.spot_check_min.to_string(),
            "spot_check_approvals_weight" => self.spot_check_approvals_weight.to_string(),
            "double_review_rate" => self.double_review_rate.to_string(),
            "acceptance_plan" => self.acceptance_plan.as_str().to_string(),
            "aql" => self.aql.as_str().to_string(),
            _ => return None,
        })
    }

    /// Every (key, value), in [`QualityPolicy::KEYS`] order.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        Self::KEYS
            .iter()
            .map(|k| (*k, self.get(k).unwrap_or_default()))
            .collect()
    }

    /// Sets one key from text, validating it. On error the policy is unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), QualityPolicyError> {
        let v = value.trim();
        let bad = |key: &'static str, expected: &'static str| QualityPolicyError::BadValue {
            key,
            value: value.to_string(),
            expected,
        };
        match key {
            "spot_check_rate" => {
                self.spot_check_rate = parse_unit(v)
                    .ok_or_else(|| bad("spot_check_rate", "a number from 0 to 1 (e.g. 0.05)"))?
            }
            "spot_check_min" => {
                self.spot_check_min = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= MAX_MIN)
                    .ok_or_else(|| bad("spot_check_min", "a whole number from 0 to 10000"))?
            }
            "spot_check_approvals_weight" => {
                self.spot_check_approvals_weight = v
                    .parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite() && *w >= 1.0 && *w <= MAX_WEIGHT)
                    .ok_or_else(|| {
                        bad(
                            "spot_check_approvals_weight",
                            "a number from 1 to 100 (approvals are sampled at least as often)",
                        )
                    })?
            }
            "double_review_rate" => {
                self.double_review_rate = parse_unit(v)
                    .ok_or_else(|| bad("double_review_rate", "a number from 0 to 1 (e.g. 0.02)"))?
            }
            "acceptance_plan" => {
                self.acceptance_plan = match v.to_ascii_lowercase().as_str() {
                    "none" => AcceptancePlan::None,
                    "z14" | "z1.4" => AcceptancePlan::Z14,
                    _ => return Err(bad("acceptance_plan", "none or z14")),
                }
            }
            "aql" => {
                self.aql = v.parse::<Aql>().map_err(|_| {
                    bad(
                        "aql",
                        "one of 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0, 6.5",
                    )
                })?
            }
            _ => return Err(QualityPolicyError::UnknownKey(key.to_string())),
        }
        Ok(())
    }

    /// Builds a policy from stored (key, value) pairs over the defaults. Unknown keys and bad
    /// values are errors: a setting that cannot be read must not silently check less.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<QualityPolicy, QualityPolicyError> {
        let mut policy = QualityPolicy::default();
        for (k, v) in entries {
            policy.set(k, v)?;
        }
        Ok(policy)
    }
}

impl fmt::Display for QualityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self.entries() {
            writeln!(f, "{k} = {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_issue_s_and_round_trip_through_entries() {
        let p = QualityPolicy::default();
        assert_eq!(p.spot_check_rate, 0.05);
        assert_eq!(p.spot_check_min, 5);
        assert_eq!(p.spot_check_approvals_weight, 4.0);
        assert_eq!(p.double_review_rate, 0.0);
        assert_eq!(p.z14_aql(), None);
        let entries = p.entries();
        let again = QualityPolicy::from_entries(entries.iter().map(|(k, v)| (*k, v.as_str())))
            .expect("parse");
        assert_eq!(again, p);
    }

    #[test]
    fn rates_per_stratum_weight_approvals_and_cap_at_one() {
        let mut p = QualityPolicy::default();
        assert!((p.rate_for(Stratum::Approval) - 0.20).abs() < 1e-12);
        assert_eq!(p.rate_for(Stratum::Rejection), 0.05);
        p.set("spot_check_rate", "0.4").expect("set");
        assert_eq!(p.rate_for(Stratum::Approval), 1.0);
        assert_eq!(p.rate_for(Stratum::Rejection), 0.4);
    }

    #[test]
    fn values_parse_and_print_back_in_full() {
        let mut p = QualityPolicy::default();
        p.set("spot_check_rate", " 0.005 ").expect("set");
        p.set("spot_check_min", "0").expect("set");
        p.set("spot_check_approvals_weight", "2.5").expect("set");
        p.set("double_review_rate", "0.02").expect("set");
        p.set("acceptance_plan", "Z1.4").expect("set");
        p.set("aql", "2.5%").expect("set");
        assert_eq!(p.get("spot_check_rate").as_deref(), Some("0.005"));
        assert_eq!(p.get("spot_check_approvals_weight").as_deref(), Some("2.5"));
        assert_eq!(p.get("acceptance_plan").as_deref(), Some("z14"));
        assert_eq!(p.get("aql").as_deref(), Some("2.5"));
        assert_eq!(p.z14_aql(), Some(Aql::P2_5));
        assert!(p.to_string().contains("spot_check_min = 0\n"));
        let again = QualityPolicy::from_entries(p.entries().iter().map(|(k, v)| (*k, v.as_str())))
            .expect("parse");
        assert_eq!(again, p);
    }

    #[test]
    fn bad_keys_and_values_are_refused_and_leave_the_policy_alone() {
        let mut p = QualityPolicy::default();
        assert!(matches!(
            p.set("score_floor", "0.8"),
            Err(QualityPolicyError::UnknownKey(_))
        ));
        for (k, v) in [
            ("spot_check_rate", "1.5"),
            ("spot_check_rate", "-0.1"),
            ("spot_check_rate", "NaN"),
            ("spot_check_rate", "5%"),
            ("spot_check_min", "-1"),
            ("spot_check_min", "10001"),
            ("spot_check_min", "2.5"),
            ("spot_check_approvals_weight", "0.5"),
            ("spot_check_approvals_weight", "inf"),
            ("spot_check_approvals_weight", "400"),
            ("double_review_rate", "2"),
            ("acceptance_plan", "z15"),
            ("aql", "3.0"),
            ("aql", "0.010"),
            ("aql", "one"),
        ] {
            let err = p
                .set(k, v)
                .expect_err(&format!("{k}={v} should be refused"));
            let message = err.to_string();
            assert!(message.contains(k) && message.contains(v), "{message}");
        }
        assert_eq!(p, QualityPolicy::default());
    }

    #[test]
    fn keys_are_recognised_for_routing() {
        assert!(QualityPolicy::KEYS.iter().all(|k| QualityPolicy::is_key(k)));
        assert!(!QualityPolicy::is_key("score_floor"));
        assert!(QualityPolicy::from_entries([("aql", "4.0"), ("nope", "1")]).is_err());
    }

    #[test]
    fn the_readme_lists_every_quality_key_with_its_default() {
        let readme = include_str!("../../../README.md");
        for (key, default) in QualityPolicy::default().entries() {
            let row = format!("| `{key}` | {default} |");
            let row_code = format!("| `{key}` | `{default}` |");
            assert!(
                readme.contains(&row) || readme.contains(&row_code),
                "README's supervisors section lacks {row}"
            );
        }
    }
}
