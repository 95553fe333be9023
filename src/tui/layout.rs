//! How much room the screen needs, computed from state alone so `update` (which refuses
//! decisions on a record that is not fully visible) and the renderer agree.

use super::state::ReviewState;
use crate::domain::{Field, Record, ReviewItem};

/// The smallest terminal the screen draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// From this width on the queue list stands beside the comparison.
pub const QUEUE_LIST_MIN_WIDTH: u16 = 110;
pub const QUEUE_LIST_WIDTH: u16 = 34;

/// Lines the header takes: title and batch lines, plus a banner line when anything blocks.
pub fn header_height(state: &ReviewState) -> u16 {
    2 + u16::from(!banners(state).is_empty())
}

pub const FOOTER_HEIGHT: u16 = 2;
/// The matcher-score explanation under the table.
pub const EXPLANATION_HEIGHT: u16 = 2;

/// Lines the candidate strip takes (only for requests with several candidates).
pub fn candidate_strip_height(item: &ReviewItem) -> u16 {
    if item.candidates.len() > 1 {
        1 + item.candidates.len() as u16
    } else {
        0
    }
}

/// One row per field present on either side: canonical fields, the TIN row when the candidate
/// or the request carries one, then the union of extra fields.
pub fn comparison_rows(request: &Record, candidate: &Record) -> u16 {
    let canonical = Field::ALL
        .into_iter()
        .filter(|f| match f {
            Field::Tin => candidate.get(*f).is_some() || request.extra.contains_key("tin"),
            _ => request.get(*f).is_some() || candidate.get(*f).is_some(),
        })
        .count();
    let mut extras: Vec<&String> = request
        .extra
        .keys()
        .chain(candidate.extra.keys())
        .filter(|k| k.as_str() != "tin")
        .collect();
    extras.sort();
    extras.dedup();
    (canonical + extras.len()) as u16
}

/// The (width, height) needed to show the current item whole; at least the minimum size.
pub fn required_size(state: &ReviewState) -> (u16, u16) {
    let body = match (state.shown_item(), state.shown_candidate()) {
        (Some(item), Some(shown)) => {
            // Title line and column-header line above the rows.
            candidate_strip_height(item)
                + 2
                + comparison_rows(&item.request, &shown.candidate)
                + EXPLANATION_HEIGHT
        }
        _ => 0,
    };
    let height = header_height(state) + body + FOOTER_HEIGHT;
    (MIN_WIDTH, height.max(MIN_HEIGHT))
}

/// Whether the queue list gets a column beside the comparison.
/// Never beside a second review: the list shows scores, and the review is not a queue place.
pub fn queue_list_visible(state: &ReviewState) -> bool {
    state.show_queue && state.width >= QUEUE_LIST_MIN_WIDTH && state.second_shown().is_none()
}

/// Warnings that block or qualify release of the current item, for the header banner.
pub fn banners(state: &ReviewState) -> Vec<String> {
    let mut out = Vec::new();
    for hold in &state.holds {
        out.push(format!("LEGAL HOLD on this batch: {}", hold.reason));
    }
    if let Some(item) = state.shown_item()
        && item.flags.contains(crate::domain::ItemFlags::HOSTILE_TEXT)
    {
        out.push("record contains control or invisible characters (shown escaped)".into());
    }
    let refusals = state.refusals();
    if !refusals.is_empty() && state.shown_candidate().is_some_and(|c| c.status.is_open()) {
        let mut rules: Vec<&str> = refusals.iter().map(|r| r.rule).collect();
        rules.dedup();
        out.push(format!(
            "approval blocked by {} (p shows why)",
            rules.join(", ")
        ));
    }
    out
}
