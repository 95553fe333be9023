//! Release policy: the settings stored in the database, legal holds, the gates an approval and an
//! export must pass, and what a release hands over. Pure: no SQL, no terminal.

pub mod evidence_gates;
pub mod gates;
pub mod hold;
pub mod release;
pub mod rulebook;
pub mod settings;
#[cfg(test)]
mod tests;

pub use gates::{
    Refusal, ReleaseContext, ReviewVisibility, Sibling, check_release, describe_refusals,
    identifiers_agreeing, release_check, review_visibility,
};
pub use hold::{Hold, HoldScope};
pub use release::{RELEASE_FIELDS, ReleaseRow};
pub use rulebook::{Lift, RULES, Rule};
pub use settings::{DEFAULT_MAX_ADDRESS_AGE_DAYS, IdentityMode, Policy, PolicyError};
