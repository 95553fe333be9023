//! The release policy settings: one value per key, stored in the database and shared by every
//! reviewer. Parsing and validation live here so the CLI, the store and the tests agree.

use std::fmt;

use chrono::NaiveDate;

use crate::domain::Field;
use crate::domain::quality::{QualityPolicy, QualityPolicyError};

/// About three years: an address confirmed longer ago may no longer be where the person lives.
pub const DEFAULT_MAX_ADDRESS_AGE_DAYS: u32 = 3 * 365;

/// The release policy. `Policy::default()` is what a new database enforces.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// How many different people must approve a release (1 or 2).
    pub approvals_required: u8,
    /// With two approvals required, the second reviewer does not see the matcher score either.
    pub blind: bool,
    /// How many independent identifiers beyond the name must agree (DOB, street address, ZIP,
    /// TIN last four when the request carries one).
    pub min_identifiers: u8,
    /// Matches scored under this cannot be approved. 0 (the default) turns it off: evidence that
    /// satisfies the rule book is not refused for the matcher's score alone, which orders the
    /// queue instead.
    pub score_floor: f64,
    /// Candidates of one request whose scores are this close (or closer) make it ambiguous.
    pub ambiguity_gap: f64,
    /// Whether a supervisor may override the address-sufficiency gate.
    pub allow_override: bool,
    /// Fields masked on screen.
    pub masked_fields: Vec<Field>,
    /// Who counts as a supervisor (for escalated and ambiguous matches and overrides). Once the
    /// database has registered users, the store fills this from their roles instead.
    pub supervisors: Vec<String>,
    /// The group whose members may read the database and exports (mode 0660); None: owner only.
    pub team_group: Option<String>,
    /// Whether a person may name themselves (`declared`) or must be their OS login (`login`).
    pub identity: IdentityMode,
    /// A candidate address last confirmed longer ago than this is stale.
    pub max_address_age_days: u32,
    /// The day address ages are measured on; None means today. Training sets pin the day their
    /// right answers were set for.
    pub review_date: Option<NaiveDate>,
    /// How supervisors check reviewers' work (spot checks, second reviews, lot acceptance).
    pub quality: QualityPolicy,
}

/// How matchgate decides who is working (policy `identity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityMode {
    /// `--reviewer NAME` is taken as given (else the login name).
    #[default]
    Declared,
    /// The name must be the OS login name of the process (from the user id, not `$USER`).
    Login,
}

impl IdentityMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityMode::Declared => "declared",
            IdentityMode::Login => "login",
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            approvals_required: 1,
            blind: false,
            min_identifiers: 2,
            score_floor: 0.0,
            ambiguity_gap: 0.05,
            allow_override: true,
            masked_fields: vec![Field::Tin],
            supervisors: Vec::new(),
            team_group: None,
            identity: IdentityMode::Declared,
            max_address_age_days: DEFAULT_MAX_ADDRESS_AGE_DAYS,
            review_date: None,
            quality: QualityPolicy::default(),
        }
    }
}

/// A bad key or value for `policy set`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown policy key {0:?}; known keys: {keys}, {quality}", keys = Policy::KEYS.join(", "), quality = QualityPolicy::KEYS.join(", "))]
    UnknownKey(String),
    #[error("bad value {value:?} for {key}: expected {expected}")]
    BadValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl Policy {
    /// Every key, in the order `policy show` prints them.
    pub const KEYS: [&'static str; 12] = [
        "approvals_required",
        "blind",
        "min_identifiers",
        "score_floor",
        "ambiguity_gap",
        "allow_override",
        "masked_fields",
        "supervisors",
        "team_group",
        "identity",
        "max_address_age_days",
        "review_date",
    ];

    /// The value of a key as stored and shown.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "approvals_required" => self.approvals_required.to_string(),
            "blind" => self.blind.to_string(),
            "min_identifiers" => self.min_identifiers.to_string(),
            "score_floor" => format_f64(self.score_floor),
            "ambiguity_gap" => format_f64(self.ambiguity_gap),
            "allow_override" => self.allow_override.to_string(),
            "masked_fields" => self
                .masked_fields
                .iter()
                .map(|f| f.key())
                .collect::<Vec<_>>()
                .join(","),
            "supervisors" => self.supervisors.join(","),
            "team_group" => self.team_group.clone().unwrap_or_default(),
            "identity" => self.identity.as_str().to_string(),
            "max_address_age_days" => self.max_address_age_days.to_string(),
            "review_date" => self.review_date.map(|d| d.to_string()).unwrap_or_default(),
            _ => return self.quality.get(key),
        })
    }

    /// Every (key, value), in [`Policy::KEYS`] order, then the quality keys.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let mut entries: Vec<_> = Policy::KEYS
            .iter()
            .map(|k| (*k, self.get(k).unwrap_or_default()))
            .collect();
        entries.extend(self.quality.entries());
        entries
    }

    /// Sets one key from text, validating it. On error the policy is unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), PolicyError> {
        let v = value.trim();
        let bad = |key: &'static str, expected: &'static str| PolicyError::BadValue {
            key,
            value: value.to_string(),
            expected,
        };
        if QualityPolicy::is_key(key) {
            return self.quality.set(key, value).map_err(|e| match e {
                QualityPolicyError::UnknownKey(k) => PolicyError::UnknownKey(k),
                QualityPolicyError::BadValue {
                    key,
                    value,
                    expected,
                } => PolicyError::BadValue {
                    key,
                    value,
                    expected,
                },
            });
        }
        match key {
            "approvals_required" => {
                self.approvals_required = match v {
                    "1" => 1,
                    "2" => 2,
                    _ => return Err(bad("approvals_required", "1 or 2")),
                }
            }
            "blind" => self.blind = parse_bool(v).ok_or_else(|| bad("blind", "true or false"))?,
            "min_identifiers" => {
                self.min_identifiers = v
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or_else(|| bad("min_identifiers", "a whole number from 1 to 4"))?
            }
            "score_floor" => {
                self.score_floor = parse_unit(v)
                    .ok_or_else(|| bad("score_floor", "a number from 0 to 1 (e.g. 0.80)"))?
            }
            "ambiguity_gap" => {
                self.ambiguity_gap = parse_unit(v)
                    .ok_or_else(|| bad("ambiguity_gap", "a number from 0 to 1 (e.g. 0.05)"))?
            }
            "allow_override" => {
                self.allow_override =
                    parse_bool(v).ok_or_else(|| bad("allow_override", "true or false"))?
            }
            "masked_fields" => {
                let mut fields = Vec::new();
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let field = Field::from_key(&part.to_ascii_lowercase()).ok_or_else(|| {
                        bad(
                            "masked_fields",
                            "a comma-separated list of field keys (e.g. tin,dob)",
                        )
                    })?;
                    if !fields.contains(&field) {
                        fields.push(field);
                    }
                }
                // The TIN is always masked: policy may add fields, never expose the TIN.
                if !fields.contains(&Field::Tin) {
                    return Err(bad("masked_fields", "a list that includes tin"));
                }
                self.masked_fields = fields;
            }
            "supervisors" => {
                let mut names: Vec<String> = v
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
                // A name with control or bidi characters could pass for another on screen.
                if names
                    .iter()
                    .any(|n| crate::domain::text_safety::contains_unsafe(n))
                {
                    return Err(bad(
                        "supervisors",
                        "names without control or invisible characters",
                    ));
                }
                names.sort();
                names.dedup();
                self.supervisors = names;
            }
            "team_group" => {
                let ok = v.len() <= 32
                    && !v.starts_with('-')
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
                if !ok {
                    return Err(bad(
                        "team_group",
                        "a group name (letters, digits, _ . -) or empty for owner-only files",
                    ));
                }
                self.team_group = (!v.is_empty()).then(|| v.to_string());
            }
            "identity" => {
                self.identity = match v {
                    "declared" => IdentityMode::Declared,
                    "login" => IdentityMode::Login,
                    _ => return Err(bad("identity", "declared or login")),
                }
            }
            "max_address_age_days" => {
                self.max_address_age_days = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=36_500).contains(n))
                    .ok_or_else(|| {
                        bad(
                            "max_address_age_days",
                            "a whole number of days from 1 to 36500",
                        )
                    })?
            }
            "review_date" => {
                self.review_date = match v {
                    "" | "today" => None,
                    _ => Some(NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                        bad("review_date", "a date as YYYY-MM-DD, or empty for today")
                    })?),
                }
            }
            _ => return Err(PolicyError::UnknownKey(key.to_string())),
        }
        Ok(())
    }

    /// Builds a policy from stored (key, value) pairs over the defaults. Unknown keys and bad
    /// values are errors: a policy that cannot be read must not be silently loosened.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Policy, PolicyError> {
        let mut policy = Policy::default();
        for (k, v) in entries {
            policy.set(k, v)?;
        }
        Ok(policy)
    }

    /// The day address ages are measured on: `review_date`, else `today`.
    pub fn as_of(&self, today: NaiveDate) -> NaiveDate {
        self.review_date.unwrap_or(today)
    }

    pub fn is_supervisor(&self, name: &str) -> bool {
        self.supervisors.iter().any(|s| s == name)
    }

    pub fn is_masked(&self, field: Field) -> bool {
        field == Field::Tin || self.masked_fields.contains(&field)
    }

    /// The value as a screen may show it: masked (`***-**-1234`) when policy masks the field.
    /// Revealing the full value goes through `Store::record_reveal`, which audits it.
    pub fn display_value(&self, field: Field, value: &str) -> String {
        if self.is_masked(field) {
            crate::domain::masking::mask(value)
        } else {
            value.to_string()
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self.entries() {
            writeln!(f, "{k} = {v}")?;
        }
        Ok(())
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A number from 0 to 1 (rates and fractions in every policy).
pub(crate) fn parse_unit(v: &str) -> Option<f64> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (0.0..=1.0).contains(x))
}

fn format_f64(x: f64) -> String {
    format!("{x:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_entries() {
        let p = Policy::default();
        let entries = p.entries();
        let again =
            Policy::from_entries(entries.iter().map(|(k, v)| (*k, v.as_str()))).expect("parse");
        assert_eq!(again, p);
        assert_eq!(p.get("score_floor").as_deref(), Some("0.00"));
        assert_eq!(p.get("max_address_age_days").as_deref(), Some("1095"));
        assert_eq!(p.get("review_date").as_deref(), Some(""));
    }

    #[test]
    fn bad_keys_and_values_are_refused_and_leave_the_policy_alone() {
        let mut p = Policy::default();
        assert!(matches!(
            p.set("colour", "red"),
            Err(PolicyError::UnknownKey(_))
        ));
        for (k, v) in [
            ("approvals_required", "3"),
            ("approvals_required", "0"),
            ("blind", "maybe"),
            ("min_identifiers", "0"),
            ("min_identifiers", "5"),
            ("score_floor", "1.5"),
            ("score_floor", "NaN"),
            ("ambiguity_gap", "-0.1"),
            ("masked_fields", "nickname"),
            ("masked_fields", "dob"),
            ("max_address_age_days", "0"),
            ("max_address_age_days", "three years"),
            ("review_date", "2026-02-30"),
            ("review_date", "11/01/2026"),
        ] {
            assert!(p.set(k, v).is_err(), "{k}={v} should be refused");
        }
        assert_eq!(p, Policy::default());
    }

    #[test]
    fn values_parse() {
        let mut p = Policy::default();
        p.set("approvals_required", "2").expect("set");
        p.set("blind", "TRUE").expect("set");
        p.set("score_floor", "0.9").expect("set");
        p.set("masked_fields", "tin, DOB").expect("set");
        p.set("supervisors", "sam, sue").expect("set");
        p.set("max_address_age_days", "730").expect("set");
        p.set("review_date", "2026-11-01").expect("set");
        assert_eq!(p.max_address_age_days, 730);
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        assert_eq!(p.as_of(NaiveDate::MIN), day);
        p.set("review_date", "").expect("set");
        assert_eq!(p.as_of(day), day);
        assert_eq!(p.approvals_required, 2);
        assert!(p.blind);
        assert_eq!(p.masked_fields, vec![Field::Tin, Field::Dob]);
        assert!(p.is_supervisor("sue") && !p.is_supervisor("bob"));
        assert!(p.is_masked(Field::Dob));
        assert_eq!(p.display_value(Field::Dob, "1970-01-01"), "****-01-01");
        assert_eq!(p.display_value(Field::Tin, "912-34-5678"), "***-**-5678");
        assert_eq!(p.display_value(Field::City, "Springfield"), "Springfield");
    }
}
