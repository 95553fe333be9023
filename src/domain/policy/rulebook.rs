//! The rule book: every release rule once, with its name, what refuses, what satisfies it and who
//! may lift it. The gates ([`super::gates`]) refuse under these names, refusal messages and the
//! release preview print them, training feedback explains a gold note by the rules it cites, the
//! README's table lists them, and the generator's gold notes name them, so none can drift.

use crate::domain::ReasonCode;

pub const RULE_HOLD: &str = "legal-hold";
pub const RULE_SCORE: &str = "score-floor";
pub const RULE_ADDRESS: &str = "address-sufficiency";
pub const RULE_IMPLAUSIBLE: &str = "implausible-value";
pub const RULE_CURRENCY: &str = "address-currency";
pub const RULE_UNIT: &str = "unit-conflict";
pub const RULE_DOB: &str = "dob-conflict";
pub const RULE_TIN: &str = "tin-conflict";
pub const RULE_NAME: &str = "name-conflict";
pub const RULE_IDENTIFIERS: &str = "identifiers";
pub const RULE_AMBIGUITY: &str = "ambiguity";
pub const RULE_ESCALATION: &str = "escalation";
pub const RULE_TWO_PERSON: &str = "two-person";
pub const RULE_APPROVAL: &str = "approval";

/// Who or what may lift a rule for one match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lift {
    /// Only lifting the legal hold itself.
    LiftingTheHold,
    /// A supervisor's override with a written justification (if policy `allow_override`).
    SupervisorOverride,
    /// A supervisor deciding the request while it is escalated.
    SupervisorEscalation,
    /// A further approval by a different person.
    AnotherApprover,
    /// Nobody: the data (or the policy) has to change.
    Nobody,
}

impl Lift {
    pub fn describe(self) -> &'static str {
        match self {
            Lift::LiftingTheHold => "nobody: the hold must be lifted",
            Lift::SupervisorOverride => "a supervisor, with a written justification",
            Lift::SupervisorEscalation => "a supervisor, while the request is escalated",
            Lift::AnotherApprover => "another approver",
            Lift::Nobody => "nobody: the data or the policy must change",
        }
    }

    /// Whether this rule sends the match to a supervisor rather than stopping it outright.
    pub fn goes_to_supervisor(self) -> bool {
        matches!(self, Lift::SupervisorOverride | Lift::SupervisorEscalation)
    }
}

/// One release rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub refuses: &'static str,
    pub satisfied_by: &'static str,
    pub lifted_by: Lift,
    /// The reject reason a reviewer should pick when this rule is why a match must not go out.
    pub reason: ReasonCode,
}

/// Every rule, in the order the gates check them.
pub const RULES: [Rule; 14] = [
    Rule {
        name: RULE_HOLD,
        refuses: "an active legal hold covers the match's batch",
        satisfied_by: "lifting the hold (an override never lifts a hold)",
        lifted_by: Lift::LiftingTheHold,
        reason: ReasonCode::Other,
    },
    Rule {
        name: RULE_SCORE,
        refuses: "the matcher score is under `score_floor` (default 0, off: the score orders the queue, the evidence decides)",
        satisfied_by: "a score at or above the floor",
        lifted_by: Lift::Nobody,
        reason: ReasonCode::Other,
    },
    Rule {
        name: RULE_ADDRESS,
        refuses: "the request or candidate lacks a street number, street, city, a valid state (code or name, any case) or a 5-digit or ZIP+4 ZIP within that state's ranges; or is a PO box or general delivery; or the candidate lacks a unit the request has (a request omitting the candidate's unit does not refuse); or the candidate's address holds control, escape, bidi or invisible characters (not liftable)",
        satisfied_by: "a complete candidate address",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::InsufficientAddress,
    },
    Rule {
        name: RULE_IMPLAUSIBLE,
        refuses: "an address field holds a value no real address has: over 100 characters, or (from six characters) mostly filler: under half letters and digits, or one letter or mark making up over half",
        satisfied_by: "the real value, re-entered at the source",
        lifted_by: Lift::Nobody,
        reason: ReasonCode::InsufficientAddress,
    },
    Rule {
        name: RULE_CURRENCY,
        refuses: "the candidate's address was last confirmed (`address_updated`, or an alias such as `last_confirmed`) more than `max_address_age_days` (default 1095, about three years) before the review date, or that date is not a date or lies in the future; a candidate without the date is not refused",
        satisfied_by: "an address confirmed within `max_address_age_days`",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::StaleAddress,
    },
    Rule {
        name: RULE_UNIT,
        refuses: "both sides have a unit, they differ, and no agreeing TIN last four shows which one is current",
        satisfied_by: "the TIN last four agreeing, or the same unit",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::InsufficientAddress,
    },
    Rule {
        name: RULE_DOB,
        refuses: "the dates of birth clearly differ: not one wrong day, month or last year digit, not the day's digits transposed, not day and month swapped",
        satisfied_by: "the same date of birth, or one a plain typo away",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::DobConflict,
    },
    Rule {
        name: RULE_TIN,
        refuses: "the TIN last four the request gives differ from the candidate's",
        satisfied_by: "the same TIN last four",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::IdentifierConflict,
    },
    Rule {
        name: RULE_NAME,
        refuses: "a given name or surname conflicts: not equal or close, not one typo or transposition away, not a nickname or initial, not swapped, not a compound name containing the other, and no documented name change (`former_surname`, `maiden_name`, `previous_surname`, `birth_surname`, `alias`, `aka`)",
        satisfied_by: "names that agree allowing for those, or a documented name change",
        lifted_by: Lift::SupervisorOverride,
        reason: ReasonCode::DifferentPerson,
    },
    Rule {
        name: RULE_IDENTIFIERS,
        refuses: "fewer than `min_identifiers` (default 2) identifiers beyond the name agree exactly and validly: date of birth, street address (number and street), ZIP (counts only with the street address: a ZIP shared by a different street address identifies nobody), TIN last four when the request carries `req_tin`; none is a name-only match",
        satisfied_by: "more agreeing identifiers",
        lifted_by: Lift::Nobody,
        reason: ReasonCode::NameOnly,
    },
    Rule {
        name: RULE_AMBIGUITY,
        refuses: "another candidate of the request still in play, and not ruled out by conflicting date of birth, TIN or name or by a stale address, scores within `ambiguity_gap` (default 0.05) or points to a different address",
        satisfied_by: "escalation; a supervisor approves while it is escalated",
        lifted_by: Lift::SupervisorEscalation,
        reason: ReasonCode::Ambiguous,
    },
    Rule {
        name: RULE_ESCALATION,
        refuses: "the request is escalated and the approver is not a supervisor",
        satisfied_by: "a supervisor (the supervisor role; on a database without users, listed in policy `supervisors`)",
        lifted_by: Lift::SupervisorEscalation,
        reason: ReasonCode::Other,
    },
    Rule {
        name: RULE_TWO_PERSON,
        refuses: "with `approvals_required = 2`, the same person approves twice; at export, fewer than 2 different approvers",
        satisfied_by: "a second approval by a different person",
        lifted_by: Lift::AnotherApprover,
        reason: ReasonCode::Other,
    },
    Rule {
        name: RULE_APPROVAL,
        refuses: "at export, the match has no standing approval",
        satisfied_by: "an approval",
        lifted_by: Lift::AnotherApprover,
        reason: ReasonCode::Other,
    },
];

/// The rule of a name, if the rule book has it.
pub fn rule(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}

/// Whether a supervisor's override lifts the rule.
pub fn override_lifts(name: &str) -> bool {
    rule(name).is_some_and(|r| r.lifted_by == Lift::SupervisorOverride)
}

/// The rules an override lifts, comma-separated, for the audit log.
pub fn override_lifts_list() -> String {
    RULES
        .iter()
        .filter(|r| r.lifted_by == Lift::SupervisorOverride)
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The rule book's rules a text cites as `[name]` (as refusals and gold notes write them), in
/// rule book order.
pub fn cited_in(text: &str) -> Vec<&'static Rule> {
    RULES
        .iter()
        .filter(|r| text.contains(&format!("[{}]", r.name)))
        .collect()
}

/// One line for a rule: "dob-conflict: refuses when …; satisfied by …; lifted by …".
pub fn describe(rule: &Rule) -> String {
    format!(
        "{}: refuses when {}; satisfied by {}; lifted by {}",
        rule.name,
        rule.refuses,
        rule.satisfied_by,
        rule.lifted_by.describe()
    )
}

/// The README table, generated from the rule book (a test checks the README carries it).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| rule | refuses when | satisfied by | lifted by |\n| --- | --- | --- | --- |\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.name,
            r.refuses,
            r.satisfied_by,
            r.lifted_by.describe()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lookups_work() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|o| o.name != r.name),
                "{}",
                r.name
            );
            assert_eq!(rule(r.name), Some(r));
        }
        assert!(override_lifts(RULE_DOB) && override_lifts(RULE_ADDRESS));
        assert!(!override_lifts(RULE_HOLD) && !override_lifts(RULE_IMPLAUSIBLE));
        assert!(!override_lifts(RULE_IDENTIFIERS));
    }

    #[test]
    fn citations_are_bracketed_rule_names() {
        let names = |t: &str| cited_in(t).iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names("Do not release [dob-conflict]."), vec![RULE_DOB]);
        assert_eq!(
            names("[tin-conflict] [address-currency]"),
            vec![RULE_CURRENCY, RULE_TIN]
        );
        assert!(names("[dob-conflicts] identifiers").is_empty());
    }
}

#[cfg(test)]
mod readme {
    /// The README's rule table is the rule book's, word for word.
    #[test]
    fn readme_lists_every_rule_as_the_rule_book_says() {
        let readme = include_str!("../../../README.md");
        assert!(
            readme.contains(&super::markdown_table()),
            "README's release-rule table differs from the rule book; paste:\n{}",
            super::markdown_table()
        );
    }
}
