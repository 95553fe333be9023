//! One lot (a reviewer's checkable decisions on one day) put together: which of its decisions a
//! supervisor should check and why, and where the lot stands under the Z1.4 plan. Pure: the store
//! reads the lot's rows, this decides.

use super::policy::{AcceptancePlan, QualityPolicy};
use super::sampling::{DayEntry, lot_sample, top_up_to_minimum};
use super::z14::LotStatus;

/// A decision of the lot, with the check it has had so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotEntry {
    pub day: DayEntry,
    /// None: not checked yet; Some(true): overturned; Some(false): agreed with.
    pub overturned: Option<bool>,
}

/// Why a decision is in the supervisors' sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SampleReason {
    /// Its draw fell under its verdict's spot-check rate.
    Rate,
    /// The reviewer's day had fewer sampled decisions than `spot_check_min`.
    Minimum,
    /// The lot's Z1.4 sample.
    Lot,
}

impl SampleReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SampleReason::Rate => "spot-check rate",
            SampleReason::Minimum => "daily minimum",
            SampleReason::Lot => "Z1.4 lot sample",
        }
    }
}

/// What the lot asks of supervisors.
#[derive(Debug, Clone, PartialEq)]
pub struct LotPlan {
    /// Every sampled decision (checked or not), with the first reason it was sampled for.
    pub sample: Vec<(i64, SampleReason)>,
    /// Decisions in the lot.
    pub size: u64,
    /// Checks made on the lot's decisions (sampled or not), and how many overturned.
    pub checked: u32,
    pub overturns: u32,
    /// Under the Z1.4 plan: checked / to check, overturns / allowed, and the verdict.
    pub status: Option<LotStatus>,
}

impl LotPlan {
    /// Sampled decisions not checked yet, in sample order.
    pub fn to_check<'a>(
        &'a self,
        entries: &'a [LotEntry],
    ) -> impl Iterator<Item = (i64, SampleReason)> + 'a {
        self.sample.iter().copied().filter(move |(id, _)| {
            entries
                .iter()
                .any(|e| e.day.decision_id == *id && e.overturned.is_none())
        })
    }
}

/// Puts a lot's sample together: the rate sample, topped up to the daily minimum, plus (under
/// Z1.4) the lot sample; and evaluates the lot on the checks of its Z1.4 sample.
pub fn plan_lot(policy: &QualityPolicy, entries: &[LotEntry]) -> LotPlan {
    let days: Vec<DayEntry> = entries.iter().map(|e| e.day).collect();
    let mut sample: Vec<(i64, SampleReason)> = days
        .iter()
        .filter(|d| d.draw.below(policy.rate_for(d.stratum)))
        .map(|d| (d.decision_id, SampleReason::Rate))
        .collect();
    sample.sort_by_key(|(id, _)| *id);
    for id in top_up_to_minimum(policy, &days) {
        sample.push((id, SampleReason::Minimum));
    }
    let status = match (policy.acceptance_plan, policy.z14_aql()) {
        (AcceptancePlan::Z14, Some(aql)) => {
            let plan = super::z14::sampling_plan(days.len() as u64, aql);
            let lot = lot_sample(&days, plan.sample_size as usize);
            let (mut checked, mut overturns) = (0, 0);
            for id in &lot {
                if let Some(e) = entries.iter().find(|e| e.day.decision_id == *id)
                    && let Some(over) = e.overturned
                {
                    checked += 1;
                    overturns += u32::from(over);
                }
                if !sample.iter().any(|(s, _)| s == id) {
                    sample.push((*id, SampleReason::Lot));
                }
            }
            Some(LotStatus::evaluate(
                days.len() as u64,
                aql,
                checked,
                overturns,
            ))
        }
        _ => None,
    };
    let checked = entries.iter().filter(|e| e.overturned.is_some()).count() as u32;
    let overturns = entries
        .iter()
        .filter(|e| e.overturned == Some(true))
        .count() as u32;
    LotPlan {
        sample,
        size: days.len() as u64,
        checked,
        overturns,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quality::{Aql, Draw, LotState, Stratum};

    fn entry(id: i64, unit: f64, overturned: Option<bool>) -> LotEntry {
        LotEntry {
            day: DayEntry {
                decision_id: id,
                stratum: Stratum::Rejection,
                draw: Draw::from_stored(Draw::threshold(unit)).unwrap(),
            },
            overturned,
        }
    }

    #[test]
    fn rate_sample_then_minimum_then_lot() {
        let policy = QualityPolicy {
            spot_check_rate: 0.1,
            spot_check_min: 3,
            acceptance_plan: AcceptancePlan::Z14,
            aql: Aql::P1_0,
            ..QualityPolicy::default()
        };
        // 20 decisions: draws just over 0.05, 0.10, ..., 1.00; one under the 10% rate.
        let entries: Vec<LotEntry> = (1..=20)
            .map(|i| entry(i, i as f64 * 0.05 + 0.001, None))
            .collect();
        let plan = plan_lot(&policy, &entries);
        assert_eq!(plan.sample[0], (1, SampleReason::Rate));
        assert_eq!(
            plan.sample[1..3],
            [(2, SampleReason::Minimum), (3, SampleReason::Minimum)]
        );
        // The Z1.4 sample (the lowest draws) takes in the rate and minimum samples.
        let status = plan.status.expect("z14");
        assert_eq!(status.to_check(), status.plan.sample_size);
        assert_eq!(plan.sample.len(), status.to_check() as usize);
        assert_eq!(status.state, LotState::Open);
    }

    #[test]
    fn one_overturn_in_the_lot_sample_rejects_a_zero_acceptance_lot() {
        let policy = QualityPolicy {
            acceptance_plan: AcceptancePlan::Z14,
            aql: Aql::P1_0,
            ..QualityPolicy::default()
        };
        let mut entries: Vec<LotEntry> = (1..=20)
            .map(|i| entry(i, i as f64 * 0.05 - 0.001, None))
            .collect();
        entries[0].overturned = Some(true);
        let plan = plan_lot(&policy, &entries);
        let status = plan.status.unwrap();
        assert_eq!(status.plan.accept, 0);
        assert_eq!(status.state, LotState::Rejected);
        assert_eq!((plan.checked, plan.overturns), (1, 1));
    }

    #[test]
    fn without_a_plan_there_is_no_lot_verdict() {
        let entries: Vec<LotEntry> = (1..=4).map(|i| entry(i, 0.9, None)).collect();
        let plan = plan_lot(&QualityPolicy::default(), &entries);
        assert!(plan.status.is_none());
        // Fewer decisions than the minimum of 5: all of them.
        assert_eq!(plan.sample.len(), 4);
    }
}
