//! The release gates: pure functions deciding whether an approval (or an export) may go ahead.
//!
//! [`check_release`] is called by the store inside the approval's and the export's transaction
//! and by the review screen (through [`release_check`]) to show banners before a key is pressed.
//! Every refusal names its rule, what is wrong and what would satisfy it.
//!
//! Decisions made here, deliberately:
//! - Identifier agreement counts **exact** agreement only (after the comparison's
//!   normalisation: case, abbreviations, ZIP+4 ignored). A date of birth with day and month
//!   swapped or one digit off is "close": a good reason to look, not independent evidence.
//!   A ZIP whose five digits agree but whose +4 differs counts (it is the same ZIP). The street
//!   address counts when both the street number and the street agree.
//! - A supervisor override lifts the rules the [`super::rulebook`] marks as lifted by an override
//!   (address sufficiency, currency, unit, DOB, TIN and name conflicts). It never lifts a legal
//!   hold, implausible or unsafe address text, the score floor, identifier agreement, ambiguity
//!   or the two-person rule.
//! - A ZIP counts as an identifier only together with an agreeing street address: a ZIP shared
//!   by a different street address identifies a neighbourhood, not a person.
//! - Ambiguity is satisfied only by approvals from supervisors made while the request is
//!   escalated.

use std::fmt;

use chrono::NaiveDate;

use super::evidence_gates::{currency_refusal, identity_conflicts, unit_conflict};
use super::hold::Hold;
pub use super::rulebook::{
    RULE_ADDRESS, RULE_AMBIGUITY, RULE_APPROVAL, RULE_ESCALATION, RULE_HOLD, RULE_IDENTIFIERS,
    RULE_IMPLAUSIBLE, RULE_SCORE, RULE_TWO_PERSON,
};
use super::rulebook::{override_lifts, rule};
use super::settings::Policy;
use crate::domain::address::{AddressProblem, check_pair};
use crate::domain::agreement::{
    AgreementClass, AgreementNote, FieldKey, compare_field, compare_records,
};
use crate::domain::{Field, MatchStatus, Record, ReviewItem};

/// Why an approval or a release is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A stable, short rule name.
    pub rule: &'static str,
    /// What is wrong.
    pub reason: String,
    /// What would satisfy the rule.
    pub remedy: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}; needs {}", self.rule, self.reason, self.remedy)
    }
}

/// Joins refusals into one message for an error.
pub fn describe_refusals(refusals: &[Refusal]) -> String {
    refusals
        .iter()
        .map(Refusal::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Another candidate of the same request.
#[derive(Debug, Clone, PartialEq)]
pub struct Sibling {
    pub match_id: i64,
    pub score: f64,
    pub candidate: Record,
    /// Still a contender: open, escalated, approved, or closed only because another candidate
    /// was approved ("not chosen"). A sibling a reviewer rejected on its merits is not.
    pub in_play: bool,
}

/// Everything the gates look at for one match.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseContext {
    pub request: Record,
    pub candidate: Record,
    pub score: f64,
    pub siblings: Vec<Sibling>,
    /// Who has approved this match so far (standing approvals, not undone), in order.
    pub approvals: Vec<String>,
    /// The person approving now; `None` when checking an export.
    pub decider: Option<String>,
    /// The request is escalated now (approval) or the standing approvals were given while it
    /// was escalated (export).
    pub escalated: bool,
    /// Active holds on the match's batch.
    pub holds: Vec<Hold>,
    /// The supervisor whose override (with a written justification) lifts the rules the rule
    /// book lets an override lift, if any.
    pub override_by: Option<String>,
    /// The day it is checked (address ages are measured on policy `review_date`, else this).
    pub today: NaiveDate,
}

/// Every gate, in a fixed order. Empty means the approval (decider set) may be recorded, or the
/// match (decider `None`) may be released.
pub fn check_release(ctx: &ReleaseContext, policy: &Policy) -> Vec<Refusal> {
    let mut out = Vec::new();
    for hold in ctx.holds.iter().filter(|h| h.is_active()) {
        if hold.scope.covers(&ctx.candidate) {
            out.push(Refusal {
                rule: RULE_HOLD,
                reason: format!(
                    "legal hold #{} ({}) is active on batch {}: {}",
                    hold.id, hold.scope, hold.batch, hold.reason
                ),
                remedy: format!(
                    "the hold to be lifted (`matchgate hold lift --id {} --reason TEXT`)",
                    hold.id
                ),
            });
        }
    }
    if ctx.score < policy.score_floor {
        out.push(Refusal {
            rule: RULE_SCORE,
            reason: format!(
                "matcher score {:.2} is under the floor {:.2}",
                ctx.score, policy.score_floor
            ),
            remedy: format!("a matcher score of at least {:.2}", policy.score_floor),
        });
    }
    let mut liftable = address_refusals(ctx);
    liftable.extend(currency_refusal(&ctx.candidate, policy, ctx.today));
    liftable.extend(unit_conflict(&ctx.request, &ctx.candidate));
    liftable.extend(identity_conflicts(&ctx.request, &ctx.candidate));
    out.extend(lift_by_override(ctx, policy, liftable));
    if let Some(r) = identifier_refusal(&ctx.request, &ctx.candidate, policy) {
        out.push(r);
    }
    if let Some(r) = ambiguity_refusal(ctx, policy) {
        out.push(r);
    }
    if let Some(decider) = &ctx.decider
        && ctx.escalated
        && !policy.is_supervisor(decider)
    {
        out.push(Refusal {
            rule: RULE_ESCALATION,
            reason: format!("the request is escalated and {decider} is not a supervisor"),
            remedy: "a supervisor (policy `supervisors`) to decide it".into(),
        });
    }
    out.extend(approval_refusal(ctx, policy));
    out
}

/// Address problems as refusals: unsafe or implausible text under rules no override lifts,
/// the rest under address sufficiency.
fn address_refusals(ctx: &ReleaseContext) -> Vec<Refusal> {
    check_pair(&ctx.request, &ctx.candidate)
        .iter()
        .map(|p| {
            let (name, remedy) = match p.problem {
                AddressProblem::UnsafeText(_) => (
                    RULE_ADDRESS,
                    format!("{} (an override cannot lift this)", p.remedy()),
                ),
                AddressProblem::Implausible(_) => (RULE_IMPLAUSIBLE, p.remedy().to_string()),
                _ => (RULE_ADDRESS, p.remedy().to_string()),
            };
            Refusal {
                rule: name,
                reason: format!("{} [{}]", p.describe(), p.rule()),
                remedy,
            }
        })
        .collect()
}

/// Drops what a standing supervisor override lifts, and says in the others' remedies whether an
/// override could lift them. Unsafe address text is never lifted: what the supervisor saw
/// (escaped) is not what the file would carry.
fn lift_by_override(ctx: &ReleaseContext, policy: &Policy, refusals: Vec<Refusal>) -> Vec<Refusal> {
    let liftable = |r: &Refusal| override_lifts(r.rule) && !r.reason.ends_with("[unsafe-text]");
    let overridden = ctx.override_by.is_some() && policy.allow_override;
    refusals
        .into_iter()
        .filter(|r| !(overridden && liftable(r)))
        .map(|mut r| {
            if liftable(&r) {
                r.remedy.push_str(if policy.allow_override {
                    " (or a supervisor override with a written justification)"
                } else {
                    " (overrides are forbidden by policy)"
                });
            }
            r
        })
        .collect()
}

/// The identifiers beyond the name that agree exactly: date of birth, street address (number
/// and street), ZIP (five digits), and the TIN's last four when the request carries them.
pub fn identifiers_agreeing(request: &Record, candidate: &Record) -> Vec<Field> {
    let rows = compare_records(request, candidate);
    let class = |f: Field| {
        rows.iter()
            .find(|r| r.key == FieldKey::Canonical(f))
            .map(|r| (r.class, r.note))
    };
    let exact = |f: Field| matches!(class(f), Some((AgreementClass::Exact, _)));
    let mut out = Vec::new();
    if exact(Field::Dob) {
        out.push(Field::Dob);
    }
    if exact(Field::StreetNumber) && exact(Field::Street) {
        out.push(Field::Street);
    }
    // A ZIP identifies only with the street address it belongs to.
    if out.contains(&Field::Street)
        && matches!(
            class(Field::Zip),
            Some((AgreementClass::Exact, _))
                | Some((AgreementClass::Close, Some(AgreementNote::ZipPlus4Differs)))
        )
    {
        out.push(Field::Zip);
    }
    if exact(Field::Tin) {
        out.push(Field::Tin);
    }
    out
}

fn identifier_refusal(request: &Record, candidate: &Record, policy: &Policy) -> Option<Refusal> {
    let agreeing = identifiers_agreeing(request, candidate);
    let need = usize::from(policy.min_identifiers);
    if agreeing.len() >= need {
        return None;
    }
    let carries_tin = request
        .extra
        .get("tin")
        .is_some_and(|t| !t.trim().is_empty());
    let possible = if carries_tin {
        "date of birth, street address, ZIP (with the street address), TIN last four"
    } else {
        "date of birth, street address, ZIP (with the street address)"
    };
    let reason = if agreeing.is_empty() {
        "name-only match: no identifier beyond the name agrees".to_string()
    } else {
        let names: Vec<&str> = agreeing.iter().map(|f| identifier_label(*f)).collect();
        format!(
            "only {} of {need} required identifiers agree ({})",
            agreeing.len(),
            names.join(", ")
        )
    };
    Some(Refusal {
        rule: RULE_IDENTIFIERS,
        reason,
        remedy: format!(
            "at least {need} exactly and validly agreeing identifiers among: {possible}"
        ),
    })
}

fn identifier_label(f: Field) -> &'static str {
    match f {
        Field::Dob => "date of birth",
        Field::Street => "street address",
        Field::Zip => "ZIP",
        Field::Tin => "TIN last four",
        _ => "other",
    }
}

/// Why the request is ambiguous, if it is: another contender scores within the gap or points to
/// a different address. A sibling whose date of birth, TIN or name conflicts with the request is
/// not a contender: it is someone else, and the reviewer sees it beside this one. Nor is one
/// whose address is stale: it is superseded, and could not be released anyway.
pub fn ambiguity(ctx: &ReleaseContext, policy: &Policy) -> Option<String> {
    let mut reasons = Vec::new();
    for s in ctx.siblings.iter().filter(|s| {
        s.in_play
            && identity_conflicts(&ctx.request, &s.candidate).is_empty()
            && currency_refusal(&s.candidate, policy, ctx.today).is_none()
    }) {
        if (ctx.score - s.score).abs() <= policy.ambiguity_gap + 1e-9 {
            reasons.push(format!(
                "candidate {} scores {:.2}, within {:.2} of {:.2}",
                s.candidate.id, s.score, policy.ambiguity_gap, ctx.score
            ));
        } else if different_address(&ctx.candidate, &s.candidate) {
            reasons.push(format!(
                "candidate {} points to a different address",
                s.candidate.id
            ));
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

fn different_address(a: &Record, b: &Record) -> bool {
    [
        Field::StreetNumber,
        Field::Street,
        Field::Unit,
        Field::City,
        Field::Zip,
    ]
    .into_iter()
    .any(|f| {
        let row = compare_field(FieldKey::Canonical(f), a.get(f), b.get(f));
        match row.class {
            AgreementClass::Different => true,
            // A unit on one side only is a different dwelling; other one-sided gaps are
            // the address gate's business.
            AgreementClass::Missing => {
                f == Field::Unit && (a.get(f).is_some() || b.get(f).is_some())
            }
            _ => false,
        }
    })
}

fn ambiguity_refusal(ctx: &ReleaseContext, policy: &Policy) -> Option<Refusal> {
    let why = ambiguity(ctx, policy)?;
    let approvers: Vec<&str> = ctx
        .approvals
        .iter()
        .map(String::as_str)
        .chain(ctx.decider.as_deref())
        .collect();
    let by_supervisors = !approvers.is_empty() && approvers.iter().all(|a| policy.is_supervisor(a));
    if ctx.escalated && by_supervisors {
        return None;
    }
    Some(Refusal {
        rule: RULE_AMBIGUITY,
        reason: format!("the request is ambiguous: {why}"),
        remedy: rule(RULE_AMBIGUITY).map_or("", |r| r.satisfied_by).into(),
    })
}

fn approval_refusal(ctx: &ReleaseContext, policy: &Policy) -> Option<Refusal> {
    let required = usize::from(policy.approvals_required);
    let mut distinct: Vec<&str> = Vec::new();
    for a in &ctx.approvals {
        if !distinct.contains(&a.as_str()) {
            distinct.push(a);
        }
    }
    match &ctx.decider {
        Some(decider) => distinct.contains(&decider.as_str()).then(|| Refusal {
            rule: RULE_TWO_PERSON,
            reason: format!("{decider} has already approved this match"),
            remedy: "the other approval to come from a different person".into(),
        }),
        None if distinct.len() >= required => None,
        None => Some(Refusal {
            rule: if required == 2 {
                RULE_TWO_PERSON
            } else {
                RULE_APPROVAL
            },
            reason: format!("{} of {required} approvals", distinct.len()),
            remedy: if required == 2 {
                "approvals by two different people".into()
            } else {
                "an approval".into()
            },
        }),
    }
}

/// What a reviewer may see of earlier decisions on a match under the two-person rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewVisibility {
    /// Hide earlier decisions (the first approval) from this viewer.
    pub hide_prior_decisions: bool,
    /// Hide the matcher score (policy `blind`).
    pub hide_score: bool,
    /// (approvals so far, approvals required) when two are required, for "1 of 2".
    pub progress: Option<(usize, u8)>,
    /// Hide the match's status: on a blind second review it is the first verdict.
    pub hide_status: bool,
}

impl ReviewVisibility {
    /// A blind second review: no score, no earlier decision, no status, no approval count.
    pub fn second_review() -> ReviewVisibility {
        ReviewVisibility {
            hide_prior_decisions: true,
            hide_score: true,
            progress: None,
            hide_status: true,
        }
    }
}

/// The second reviewer sees neither the first decision nor (when blind) the score until they
/// have decided; the first approver sees their own approval.
pub fn review_visibility(policy: &Policy, approvals: &[String], viewer: &str) -> ReviewVisibility {
    let two = policy.approvals_required >= 2;
    let second = two && !approvals.is_empty() && !approvals.iter().any(|a| a == viewer);
    ReviewVisibility {
        hide_prior_decisions: second,
        hide_score: second && policy.blind,
        progress: two.then_some((approvals.len(), policy.approvals_required)),
        hide_status: false,
    }
}

/// The gates for `reviewer` approving candidate `index` of the item on screen, with the policy
/// and the batch's active holds. The store re-checks in its transaction; this is for banners.
pub fn release_check(
    item: &ReviewItem,
    index: usize,
    reviewer: &str,
    policy: &Policy,
    holds: &[Hold],
) -> Vec<Refusal> {
    let Some(cm) = item.candidates.get(index) else {
        return Vec::new();
    };
    let ctx = ReleaseContext {
        request: item.request.clone(),
        candidate: cm.candidate.clone(),
        score: cm.score,
        siblings: item
            .candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, s)| Sibling {
                match_id: s.match_id,
                score: s.score,
                candidate: s.candidate.clone(),
                in_play: s.status != MatchStatus::Rejected,
            })
            .collect(),
        approvals: cm.approvals.clone(),
        decider: Some(reviewer.to_string()),
        escalated: cm.status == MatchStatus::Escalated,
        holds: holds
            .iter()
            .filter(|h| h.batch_id == item.batch_id && h.is_active())
            .cloned()
            .collect(),
        override_by: cm.override_by.clone(),
        // The screen's banner is the one place the domain reads the clock; the store passes
        // the day explicitly.
        today: chrono::Utc::now().date_naive(),
    };
    check_release(&ctx, policy)
}
