//! What `update` asks the outside world to do. The runtime performs effects against the store
//! and feeds the results back as actions.

use crate::domain::{QueueFilter, QueueSort, Verdict};
use crate::store::PageFrom;

use super::action::Placement;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadPage {
        filter: QueueFilter,
        sort: QueueSort,
        from: PageFrom,
        placement: Placement,
    },
    LoadCounts(QueueFilter),
    /// Claim the request, then load it (or report who holds it).
    LoadItem(i64),
    /// Load the shown request again, without claiming (something changed elsewhere).
    RefreshItem(i64),
    /// Reload the entries the window holds, from its first one (something changed elsewhere).
    RefreshWindow {
        filter: QueueFilter,
        sort: QueueSort,
        from: PageFrom,
        limit: usize,
    },
    /// Take back this reviewer's claims from an earlier session, and start from the newest.
    Resume,
    /// Commit a decision; `shown_for_ms` is filled by the runtime from when the item appeared.
    Decide {
        match_id: i64,
        verdict: Verdict,
        note: Option<String>,
    },
    Undo {
        group_id: i64,
    },
    /// Find, claim and load the first open second review this reviewer may take (`prefer`'s
    /// first, when it is still open), leaving out `skip`; first give up the claim on `release`.
    FindSecond {
        prefer: Option<i64>,
        skip: Vec<i64>,
        release: Option<i64>,
    },
    /// Count the second reviews this reviewer may take.
    CountSecond,
    /// Commit a blind second verdict (approve or reject) on the first decision `decision_id`.
    SecondVerdict {
        decision_id: i64,
        verdict: Verdict,
    },
    /// Reveal the masked identifier of a match (audited before the value is shown).
    Reveal {
        match_id: i64,
    },
    /// Build the release preview of a match.
    Preview {
        match_id: i64,
    },
    Search {
        filter: QueueFilter,
        query: String,
    },
    /// Release the session's claims and stop.
    Quit,
}
