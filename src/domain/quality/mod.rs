//! Supervisors' quality control, the pure part: which decisions are spot-checked or sent for a
//! second review, the ANSI/ASQ Z1.4 acceptance-sampling plan for a reviewer's day, and the
//! figures (Wilson intervals, Cohen's kappa, medians) the screen and `stats` report. No SQL and
//! no terminal: the store feeds these functions counts and stored draws.

pub mod figures;
pub mod keyed_hash;
pub mod lot;
pub mod policy;
pub mod sampling;
pub mod z14;

#[cfg(test)]
mod figures_tests;
#[cfg(test)]
mod sampling_tests;
#[cfg(test)]
mod sampling_unit_tests;
#[cfg(test)]
mod z14_tests;

pub use figures::{AgreementTable, Interval, WILSON_Z95, median, pooled_kappa, wilson_interval};
pub use lot::{LotEntry, LotPlan, SampleReason, plan_lot};
pub use policy::{AcceptancePlan, QualityPolicy, QualityPolicyError};
pub use sampling::{
    DayEntry, DecisionKey, Draw, Sampler, SeedError, Stratum, lot_sample, top_up_to_minimum,
};
pub use z14::{Aql, CodeLetter, LotState, LotStatus, SamplingPlan, code_letter, sampling_plan};
