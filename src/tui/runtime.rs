//! The edge of the review screen: performs effects against the store and turns terminal events
//! into actions. The store's work runs on a worker thread, so keys, redraws and resizes never
//! wait for a query or a commit; results come back as actions on the same queue as key presses.
//! Everything else in `tui` is pure.

use std::time::{Duration, Instant};

use super::action::Action;
use super::effect::Effect;
use super::state::SecondShown;
use crate::domain::claim::{ClaimOutcome, Claimant, RENEW_EVERY};
use crate::domain::{Decision, Field, Verdict};
use crate::store::{ReviewStore, SecondReview, StoreError};

pub use super::event_loop::{Events, run};

/// How many search hits the search popup lists.
pub const SEARCH_HITS: usize = 20;

/// How often the worker looks for other sessions' commits when idle (live updates).
pub const WATCH_EVERY: Duration = Duration::from_millis(250);

/// Performs effects for one reviewer's session; lives on the worker thread.
pub struct Runtime<'a> {
    store: &'a mut dyn ReviewStore,
    reviewer: String,
    session_id: String,
    /// When the current item appeared, to record how long the reviewer looked.
    shown_at: Instant,
    last_renew: Instant,
    /// `PRAGMA data_version` when last looked, and the newest queue move already applied.
    data_version: i64,
    last_move: i64,
}

impl<'a> Runtime<'a> {
    pub fn new(store: &'a mut dyn ReviewStore, reviewer: String) -> Self {
        let session_id = format!("{}-{}", crate::store::now_utc(), std::process::id());
        store.set_claimant(Some(Claimant {
            reviewer: reviewer.clone(),
            session: session_id.clone(),
        }));
        let data_version = store.data_version().unwrap_or(0);
        let last_move = store.last_move_id().unwrap_or(0);
        Runtime {
            store,
            reviewer,
            session_id,
            shown_at: Instant::now(),
            last_renew: Instant::now(),
            data_version,
            last_move,
        }
    }

    /// Does what the effect says and reports the outcomes as actions.
    pub fn perform(&mut self, effect: Effect) -> Vec<Action> {
        let failed = |e: StoreError| Action::StoreFailed(e.to_string());
        let action = match effect {
            Effect::Quit => {
                self.finish();
                return Vec::new();
            }
            Effect::Resume => match self.resume() {
                Ok(entry) => Action::Resumed(entry),
                Err(e) => failed(e),
            },
            Effect::LoadPage {
                filter,
                sort,
                from,
                placement,
            } => match self
                .store
                .queue_page(&filter, sort, from, super::state::PAGE_SIZE)
            {
                Ok(page) => Action::PageLoaded { page, placement },
                Err(e) => failed(e),
            },
            Effect::RefreshWindow {
                filter,
                sort,
                from,
                limit,
            } => match self.store.queue_page(&filter, sort, from, limit) {
                Ok(page) => Action::WindowRefreshed(page),
                Err(e) => failed(e),
            },
            Effect::LoadCounts(filter) => match self.store.queue_counts(&filter) {
                Ok(counts) => Action::CountsLoaded(counts),
                Err(e) => failed(e),
            },
            Effect::LoadItem(request_id) => {
                // Someone else's screen has it: skip it rather than show it twice. A claim that
                // fails for want of the lock still shows the item; the decision's fence decides.
                if let Ok(ClaimOutcome::HeldBy(holder)) = self.store.claim(request_id) {
                    return vec![Action::ItemHeld { request_id, holder }];
                }
                self.last_renew = Instant::now();
                match self.load_item(request_id) {
                    Ok((context, item)) => {
                        self.shown_at = Instant::now();
                        return vec![context, Action::ItemLoaded(item)];
                    }
                    Err(e) => failed(e),
                }
            }
            Effect::RefreshItem(request_id) => match self.load_item(request_id) {
                Ok((context, item)) => return vec![context, Action::ItemRefreshed(item)],
                Err(e) => failed(e),
            },
            Effect::Reveal { match_id } => {
                match self
                    .store
                    .record_reveal(match_id, Field::Tin, &self.reviewer)
                {
                    Ok(value) => Action::Revealed { match_id, value },
                    Err(e) => failed(e),
                }
            }
            Effect::Preview { match_id } => match self.store.release_preview(match_id) {
                Ok((row, refusals)) => Action::PreviewLoaded { row, refusals },
                Err(e) => failed(e),
            },
            Effect::Decide {
                match_id,
                verdict,
                note,
            } => {
                let viewed_ms = self.shown_at.elapsed().as_millis() as u64;
                let decision = Decision {
                    match_id,
                    reviewer: self.reviewer.clone(),
                    verdict,
                    note,
                    viewed_ms,
                };
                match self.store.record_decision(&decision, &self.session_id) {
                    Ok(_) if verdict == Verdict::Note => Action::NoteSaved,
                    Ok(outcome) => Action::DecisionSaved { outcome, viewed_ms },
                    Err(e) => failed(e),
                }
            }
            Effect::Undo { group_id } => {
                match self
                    .store
                    .undo_group(group_id, &self.reviewer, &self.session_id)
                {
                    Ok(outcome) => Action::UndoSaved(outcome),
                    Err(e) => failed(e),
                }
            }
            Effect::FindSecond {
                prefer,
                skip,
                release,
            } => match self.find_second(prefer, &skip, release) {
                Ok(found) => match (
                    self.store.policy(),
                    self.store.second_reviews_waiting(&self.reviewer),
                ) {
                    (Ok(policy), Ok(waiting)) => Action::SecondFound {
                        found,
                        waiting,
                        policy: Box::new(policy),
                    },
                    (Err(e), _) | (_, Err(e)) => failed(e),
                },
                Err(e) => failed(e),
            },
            Effect::CountSecond => match self.store.second_reviews_waiting(&self.reviewer) {
                Ok(n) => Action::SecondWaiting(n),
                Err(e) => failed(e),
            },
            Effect::SecondVerdict {
                decision_id,
                verdict,
            } => {
                let viewed_ms = self.shown_at.elapsed().as_millis() as u64;
                match self.store.record_second_verdict(
                    decision_id,
                    &self.reviewer,
                    verdict,
                    None,
                    viewed_ms,
                    &self.session_id,
                ) {
                    Ok(outcome) => Action::SecondVerdictSaved(outcome),
                    Err(e) => failed(e),
                }
            }
            Effect::Search { filter, query } => {
                match self.store.search_queue(&filter, &query, SEARCH_HITS) {
                    Ok(hits) => Action::SearchResults { query, hits },
                    Err(e) => failed(e),
                }
            }
        };
        vec![action]
    }

    /// Idle work: renew the claim on time, and report other sessions' commits.
    pub fn tick(&mut self) -> Option<Vec<Action>> {
        if self.last_renew.elapsed() >= RENEW_EVERY && self.store.renew_claims().is_ok() {
            self.last_renew = Instant::now();
        }
        let version = self.store.data_version().ok()?;
        if version == self.data_version {
            return None;
        }
        let since = self
            .store
            .moves_since(self.last_move, &self.session_id)
            .ok()?;
        let batches = self.store.batches().ok()?;
        self.data_version = version;
        self.last_move = since.last_id;
        Some(vec![Action::StoreChanged {
            moves: since.moves,
            truncated: since.truncated,
            batches,
        }])
    }

    /// Gives the session's claims back so the team sees the item at once.
    pub fn finish(&mut self) {
        // A failure here only delays the item's return until the lease ends.
        let _ = self.store.release_claims();
    }

    /// The newest request this reviewer still holds from an earlier session, if any.
    fn resume(&mut self) -> Result<Option<crate::domain::QueueEntry>, StoreError> {
        for request_id in self.store.adopt_claims()? {
            // A session killed right after a decision leaves its claim on a request already
            // done; returning there would show an empty queue (found by tests/kill.rs).
            if let Some(entry) = self.store.queue_entry(request_id)?
                && entry.state != crate::domain::QueueState::Done
            {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    /// Claims and loads the first open second review this reviewer may take: `prefer` first,
    /// then keyset pages in order, skipping `skip` and any another screen claimed meanwhile.
    fn find_second(
        &mut self,
        prefer: Option<i64>,
        skip: &[i64],
        release: Option<i64>,
    ) -> Result<Option<Box<SecondShown>>, StoreError> {
        /// Second reviews read per page while looking.
        const PAGE: usize = 20;
        if let Some(request_id) = release {
            self.store.release_claim(request_id)?;
        }
        if let Some(decision_id) = prefer
            && let Some(review) = self.store.second_review(&self.reviewer, decision_id)?
            && let Some(found) = self.take_second(review)?
        {
            return Ok(Some(found));
        }
        let mut after = None;
        loop {
            let page = self
                .store
                .second_reviews_page(&self.reviewer, after, PAGE)?;
            let Some(last) = page.last() else {
                return Ok(None);
            };
            after = Some(last.key());
            for review in page {
                if skip.contains(&review.decision_id) {
                    continue;
                }
                if let Some(found) = self.take_second(review)? {
                    return Ok(Some(found));
                }
            }
        }
    }

    /// Claims the second review's request and loads it blind; None if another screen holds it
    /// (or its match is gone).
    fn take_second(
        &mut self,
        review: SecondReview,
    ) -> Result<Option<Box<SecondShown>>, StoreError> {
        if let ClaimOutcome::HeldBy(_) = self.store.claim(review.request_id)? {
            return Ok(None);
        }
        self.last_renew = Instant::now();
        let (Some(item), Some(entry)) = (
            self.store.review_item(review.request_id)?,
            self.store.queue_entry(review.request_id)?,
        ) else {
            return Ok(None);
        };
        let Some(shown) = SecondShown::blind(review, entry, item) else {
            return Ok(None);
        };
        self.shown_at = Instant::now();
        Ok(Some(Box::new(shown)))
    }

    /// The item with the policy and the holds on its batch, which decide what may be released.
    fn load_item(
        &mut self,
        request_id: i64,
    ) -> Result<(Action, Option<Box<crate::domain::ReviewItem>>), StoreError> {
        let item = self.store.review_item(request_id)?;
        let policy = self.store.policy()?;
        let holds = match &item {
            Some(item) => self.store.active_holds(item.batch_id)?,
            None => Vec::new(),
        };
        Ok((Action::ContextLoaded { policy, holds }, item.map(Box::new)))
    }
}
