//! Claims: while a request is on a reviewer's screen it is theirs, for a lease that the screen
//! renews. Nobody else is shown it, and a decision commits only while its session still holds it.

use std::time::Duration;

/// How long a claim lasts without renewal: long enough for a hard case, short enough that a
/// crashed session's item comes back to the team soon.
pub const LEASE: Duration = Duration::from_secs(300);

/// How often a running screen renews its claim (well inside the lease).
pub const RENEW_EVERY: Duration = Duration::from_secs(60);

/// Who is working, for the queue (skip what others hold) and the claim fence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    pub reviewer: String,
    /// One screen's session id: claims are held per session, not per person.
    pub session: String,
}

/// What trying to claim a request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// It is this session's now (for another lease).
    Claimed,
    /// Someone else's session holds it.
    HeldBy(String),
}
