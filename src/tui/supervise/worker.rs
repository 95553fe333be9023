//! The edge of the supervisor's screen: performs its effects against the store on the worker
//! thread (claims, checks, decisions) and builds its queue: escalated requests, approvals waiting
//! for an override, disagreements of second reviews, then the spot-check sample, lot by lot.

use std::time::Instant;

use super::action::{Action, Effect};
use super::state::{Shown, Task, TaskKind};
use crate::domain::claim::{ClaimOutcome, Claimant, RENEW_EVERY};
use crate::domain::supervision::{Check, CheckVerdict};
use crate::domain::text_safety::escape_for_display;
use crate::domain::{Decision, QueueFilter, QueueSort, StateFilter, Verdict};
use crate::store::{PageFrom, StoreError, StoreResult, SuperviseStore};
use crate::tui::event_loop::Worker;

/// The most tasks of each kind the queue holds at once (it is reloaded as they are done).
pub const TASKS_PER_KIND: usize = 100;

pub struct SuperviseWorker<'a> {
    store: &'a mut dyn SuperviseStore,
    supervisor: String,
    session_id: String,
    /// Lots from this UTC day on are sampled (`YYYY-MM-DD`).
    since_day: String,
    shown_at: Instant,
    last_renew: Instant,
    data_version: i64,
    /// When the queue was last reported stale (reloads are throttled: a busy team commits
    /// several times a second, and the queue is rebuilt from the lots).
    last_notice: Instant,
}

/// The most often a running screen reloads its queue for others' commits.
pub const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

impl<'a> SuperviseWorker<'a> {
    pub fn new(store: &'a mut dyn SuperviseStore, supervisor: String, since_day: String) -> Self {
        let session_id = format!(
            "{}-{}-supervise",
            crate::store::now_utc(),
            std::process::id()
        );
        store.set_claimant(Some(Claimant {
            reviewer: supervisor.clone(),
            session: session_id.clone(),
        }));
        let data_version = store.data_version().unwrap_or(0);
        SuperviseWorker {
            store,
            supervisor,
            session_id,
            since_day,
            shown_at: Instant::now(),
            last_renew: Instant::now(),
            data_version,
            last_notice: Instant::now(),
        }
    }

    fn viewed_ms(&self) -> u64 {
        self.shown_at.elapsed().as_millis() as u64
    }

    /// The whole queue, in order, each kind bounded.
    pub fn tasks(&mut self) -> StoreResult<Vec<Task>> {
        let mut tasks = Vec::new();
        let filter = QueueFilter {
            state: StateFilter::Escalated,
            ..QueueFilter::default()
        };
        for entry in self.store.queue_page(
            &filter,
            QueueSort::default(),
            PageFrom::Start,
            TASKS_PER_KIND,
        )? {
            tasks.push(Task {
                kind: TaskKind::Escalated,
                request_id: entry.request_id,
                source_id: entry.source_id.clone(),
                match_id: None,
                decision_id: None,
                reviewer: None,
                why: "escalated by a reviewer".into(),
            });
        }
        for w in self.store.overrides_waiting(TASKS_PER_KIND)? {
            tasks.push(Task {
                kind: TaskKind::Override,
                request_id: w.request_id,
                source_id: self.source_id(w.request_id)?,
                match_id: Some(w.match_id),
                decision_id: None,
                reviewer: Some(w.reviewer.clone()),
                why: format!("approval refused by {}", w.rules),
            });
        }
        for id in self.store.disagreements(TASKS_PER_KIND)? {
            if let Some(task) =
                self.check_task(id, TaskKind::Disagreement, "second review disagreed")?
            {
                tasks.push(task);
            }
        }
        let mut spot = 0;
        'lots: for (reviewer, day) in self.store.lot_days(&self.since_day)? {
            if reviewer == self.supervisor {
                continue;
            }
            let lot = self.store.lot(&reviewer, &day)?;
            for (id, reason) in lot.plan.to_check(&lot.entries) {
                if spot >= TASKS_PER_KIND {
                    break 'lots;
                }
                let why = format!(
                    "{} · lot {} {}",
                    reason.as_str(),
                    escape_for_display(&reviewer),
                    day
                );
                if let Some(task) = self.check_task(id, TaskKind::SpotCheck, &why)? {
                    tasks.push(task);
                    spot += 1;
                }
            }
        }
        // A request appears once, at its first task; others' claims are skipped.
        let mut seen = std::collections::HashSet::new();
        tasks.retain(|t| seen.insert(t.request_id));
        let mut open = Vec::with_capacity(tasks.len());
        for task in tasks {
            if self.store.held_by_other(task.request_id)?.is_none() {
                open.push(task);
            }
        }
        Ok(open)
    }

    fn source_id(&mut self, request_id: i64) -> StoreResult<String> {
        Ok(self
            .store
            .queue_entry(request_id)?
            .map(|e| e.source_id)
            .unwrap_or_default())
    }

    fn check_task(
        &mut self,
        decision_id: i64,
        kind: TaskKind,
        why: &str,
    ) -> StoreResult<Option<Task>> {
        let Some(d) = self.store.decision_under_check(decision_id)? else {
            return Ok(None);
        };
        if d.reviewer == self.supervisor {
            return Ok(None);
        }
        Ok(Some(Task {
            kind,
            request_id: d.request_id,
            source_id: self.source_id(d.request_id)?,
            match_id: Some(d.match_id),
            decision_id: Some(d.decision_id),
            reviewer: Some(d.reviewer),
            why: why.to_string(),
        }))
    }

    fn load(&mut self, task: Task) -> StoreResult<Action> {
        if let ClaimOutcome::HeldBy(holder) = self.store.claim(task.request_id)? {
            return Ok(Action::HeldBy {
                request_id: task.request_id,
                holder: escape_for_display(&holder),
            });
        }
        let Some(item) = self.store.review_item(task.request_id)? else {
            return Err(StoreError::NotFound(format!("request {}", task.request_id)));
        };
        let under_check = match task.decision_id {
            Some(id) => self.store.decision_under_check(id)?,
            None => None,
        };
        let waiting = match task.kind {
            TaskKind::Override => self
                .store
                .overrides_waiting(TASKS_PER_KIND)?
                .into_iter()
                .find(|w| Some(w.match_id) == task.match_id),
            _ => None,
        };
        let lot = match &under_check {
            Some(d) => {
                let lot = self
                    .store
                    .lot(&d.reviewer, &d.decided_at[..10.min(d.decided_at.len())])?;
                Some(lot_line(&lot))
            }
            None => None,
        };
        let candidate = task
            .match_id
            .and_then(|m| item.candidates.iter().position(|c| c.match_id == m))
            .unwrap_or(0);
        let policy = self.store.policy()?;
        let holds = self.store.active_holds(item.batch_id)?;
        self.shown_at = Instant::now();
        Ok(Action::ItemLoaded(Box::new(Shown {
            task,
            item,
            candidate,
            under_check,
            waiting,
            lot,
            policy,
            holds,
        })))
    }
}

/// "lot ann 2026-12-02: 412 decisions, checked 3 (overturned 1); Z1.4 checked 3/50, overturns 1/1 allowed, open"
pub fn lot_line(lot: &crate::store::Lot) -> String {
    let mut line = format!(
        "lot {} {}: {} decisions, {} checked ({} overturned)",
        escape_for_display(&lot.reviewer),
        lot.day,
        lot.plan.size,
        lot.plan.checked,
        lot.plan.overturns
    );
    if let Some(status) = &lot.plan.status {
        line.push_str(&format!(
            "; Z1.4 checked {}/{}, overturns {}/{} allowed, {}",
            status.checked,
            status.to_check(),
            status.overturns,
            status.allowed(),
            status.state
        ));
    }
    line
}

fn failed(e: StoreError) -> Action {
    Action::Failed(e.to_string())
}

impl Worker for SuperviseWorker<'_> {
    type Action = Action;
    type Effect = Effect;

    fn perform(&mut self, effect: Effect) -> Vec<Action> {
        let session = self.session_id.clone();
        let action = match effect {
            Effect::Quit => {
                self.finish();
                return Vec::new();
            }
            Effect::LoadTasks => self.tasks().map_or_else(failed, Action::TasksLoaded),
            Effect::LoadItem(task) => self.load(task).unwrap_or_else(failed),
            Effect::Check {
                decision_id,
                verdict,
                note,
            } => {
                let check = Check {
                    decision_id,
                    supervisor: self.supervisor.clone(),
                    verdict,
                    note,
                    viewed_ms: self.viewed_ms(),
                };
                match self.store.record_check(&check, &session) {
                    Ok(done) => {
                        let overturned = matches!(verdict, CheckVerdict::Overturn(_));
                        let text = match done.effect {
                            Some(effect) => format!(
                                "saved: overturned decision {decision_id}: {}",
                                effect.describe()
                            ),
                            None => format!("saved: agreed with decision {decision_id}"),
                        };
                        Action::Saved {
                            text,
                            group_id: done.outcome.group_id,
                            check: Some((decision_id, overturned)),
                            settles: true,
                        }
                    }
                    Err(e) => failed(e),
                }
            }
            Effect::Decide {
                match_id,
                verdict,
                note,
            } => {
                let decision = Decision {
                    match_id,
                    reviewer: self.supervisor.clone(),
                    verdict,
                    note,
                    viewed_ms: self.viewed_ms(),
                };
                match self.store.record_decision(&decision, &session) {
                    Ok(done) => Action::Saved {
                        text: format!("saved: {} of match {match_id}", verdict.action()),
                        group_id: done.group_id,
                        check: None,
                        settles: verdict != Verdict::Note,
                    },
                    Err(e) => failed(e),
                }
            }
            Effect::Override {
                match_id,
                justification,
            } => match self.store.record_override(
                match_id,
                &self.supervisor,
                &justification,
                &session,
            ) {
                Ok(done) => Action::Saved {
                    text: format!("saved: override approval of match {match_id}"),
                    group_id: done.group_id,
                    check: None,
                    settles: true,
                },
                Err(e) => failed(e),
            },
            Effect::Undo { group_id } => {
                match self.store.undo_group(group_id, &self.supervisor, &session) {
                    Ok(_) => Action::Undone(format!("undone: your action {group_id}")),
                    Err(e) => failed(e),
                }
            }
            Effect::LoadFigures => match super::figures::load(self.store, &self.since_day) {
                Ok(view) => Action::FiguresLoaded(Box::new(view)),
                Err(e) => failed(e),
            },
        };
        vec![action]
    }

    fn tick(&mut self) -> Option<Vec<Action>> {
        if self.last_renew.elapsed() >= RENEW_EVERY && self.store.renew_claims().is_ok() {
            self.last_renew = Instant::now();
        }
        if self.last_notice.elapsed() < RELOAD_EVERY {
            return None;
        }
        let version = self.store.data_version().ok()?;
        if version == self.data_version {
            return None;
        }
        self.data_version = version;
        self.last_notice = Instant::now();
        Some(vec![Action::StoreChanged])
    }

    fn finish(&mut self) {
        // A failure here only delays the items' return until the leases end.
        let _ = self.store.release_claims();
    }
}
