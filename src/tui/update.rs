//! The one place the review state changes: `update(state, action) -> effects`. Pure: no clock,
//! no terminal, no database; effects say what the runtime should do next.

use crate::domain::training::{TrainingRecord, feedback};
use crate::domain::{
    ItemFlags, QueueEntry, QueueFilter, QueueSort, ReasonCode, ScoreBand, StateFilter, Verdict,
};
use crate::store::PageFrom;

use super::action::{Action, Command, Placement};
use super::effect::Effect;
use super::layout;
use super::state::{
    InFlight, InputPurpose, Mode, PAGE_SIZE, ReviewState, StatusKind, UndoEntry, WINDOW_MAX,
};

/// The longest note or search text accepted (characters).
pub const MAX_INPUT: usize = 500;

/// The effects that open the screen: batches are given, counts and the first page are loaded.
pub fn start(state: &ReviewState) -> Vec<Effect> {
    reload(state)
}

pub fn update(state: &mut ReviewState, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(command) => on_command(state, command),
        Action::Input(c) => on_input(state, c),
        Action::Backspace => {
            match &mut state.mode {
                Mode::TextInput { text, .. } => {
                    text.pop();
                }
                Mode::Search { query, .. } => {
                    query.pop();
                    return search(state);
                }
                _ => {}
            }
            vec![]
        }
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            vec![]
        }
        Action::PageLoaded { page, placement } => on_page(state, page, placement),
        Action::ContextLoaded { policy, holds } => {
            state.policy = policy;
            state.holds = holds;
            vec![]
        }
        Action::Revealed { match_id, value } => {
            match value {
                Some(value) => {
                    state.revealed = Some((match_id, value));
                    state.set_status(
                        StatusKind::Info,
                        "TIN revealed; the reveal is recorded in the audit log",
                    );
                }
                None => state.set_status(StatusKind::Info, "this candidate has no TIN to reveal"),
            }
            vec![]
        }
        Action::PreviewLoaded { row, refusals } => {
            state.mode = Mode::Preview { row, refusals };
            vec![]
        }
        Action::CountsLoaded(counts) => {
            state.counts = counts;
            vec![]
        }
        Action::ItemLoaded(item) => {
            let still_current = match (&item, state.window.current()) {
                (Some(item), Some(entry)) => item.request_id == entry.request_id,
                _ => false,
            };
            if still_current {
                state.revealed = None;
                state.item = item.map(|b| *b);
                state.shown = state.item.as_ref().map_or(0, |i| i.first_open_candidate());
            } else if item.is_none() {
                state.item = None;
            }
            vec![]
        }
        Action::DecisionSaved { outcome, viewed_ms } => on_saved(state, outcome, viewed_ms),
        Action::UndoSaved(outcome) => {
            let Some(undone) = state.undo.pop() else {
                return vec![];
            };
            // Undo always reverts the session's latest decision, which is the log's last entry.
            if state.session.training {
                state.training_log.pop();
            }
            state.counts = state
                .counts
                .moved(outcome.state_before, outcome.state_after);
            state.set_status(
                StatusKind::Saved,
                format!(
                    "undone: {} of request {} (saved)",
                    verdict_word(undone.verdict),
                    undone.entry.source_id
                ),
            );
            state.mode = Mode::Browse;
            let mut key = undone.entry.key();
            key.state = outcome.state_after;
            jump(state, PageFrom::At(key))
        }
        Action::NoteSaved => {
            state.set_status(StatusKind::Saved, "note saved");
            state.in_flight = None;
            vec![]
        }
        Action::StoreFailed(message) => {
            state.failed = state.in_flight.take();
            let retry = if state.failed.is_some() {
                " — press the key again to retry"
            } else {
                ""
            };
            state.set_status(StatusKind::Error, format!("NOT saved: {message}{retry}"));
            vec![]
        }
        Action::SearchResults { query, hits } => {
            if let Mode::Search {
                query: current,
                hits: shown,
                selected,
            } = &mut state.mode
                && *current == query
            {
                *shown = hits;
                *selected = 0;
            }
            vec![]
        }
    }
}

fn on_command(state: &mut ReviewState, command: Command) -> Vec<Effect> {
    if command == Command::Quit
        && matches!(state.mode, Mode::Browse | Mode::Help | Mode::Scoreboard)
    {
        // A training session ends on its scoreboard: the first q shows it, the next one quits.
        if state.session.training
            && state.mode != Mode::Scoreboard
            && !state.training_log.is_empty()
        {
            state.mode = Mode::Scoreboard;
            return vec![];
        }
        state.quit = true;
        return vec![Effect::Quit];
    }
    match state.mode.clone() {
        Mode::Browse => on_browse(state, command),
        Mode::ReasonPicker => {
            if command == Command::Cancel {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::TextInput { purpose, text } => match command {
            Command::Cancel => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Confirm => {
                state.mode = Mode::Browse;
                let note = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                match purpose {
                    InputPurpose::Escalate => decide(state, Verdict::Escalate, note),
                    InputPurpose::Note if note.is_some() => decide(state, Verdict::Note, note),
                    InputPurpose::Note => vec![],
                }
            }
            _ => vec![],
        },
        Mode::Search { hits, selected, .. } => match command {
            Command::Cancel => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Next | Command::Prev => {
                let selected = step(selected, hits.len(), command == Command::Next);
                if let Mode::Search { selected: s, .. } = &mut state.mode {
                    *s = selected;
                }
                vec![]
            }
            Command::Confirm => match hits.get(selected) {
                Some(hit) => {
                    state.mode = Mode::Browse;
                    jump(state, PageFrom::At(hit.key()))
                }
                None => vec![],
            },
            _ => vec![],
        },
        Mode::Filter { selected } => {
            let options = filter_options(state);
            match command {
                Command::Cancel | Command::Filter => {
                    state.mode = Mode::Browse;
                    vec![]
                }
                Command::Next | Command::Prev => {
                    let selected = step(selected, options.len(), command == Command::Next);
                    state.mode = Mode::Filter { selected };
                    vec![]
                }
                Command::Confirm => {
                    state.mode = Mode::Browse;
                    match options.get(selected) {
                        Some(option) => {
                            state.filter = option.apply(state.filter);
                            reload(state)
                        }
                        None => vec![],
                    }
                }
                _ => vec![],
            }
        }
        Mode::Sort { selected } => match command {
            Command::Cancel | Command::Sort => {
                state.mode = Mode::Browse;
                vec![]
            }
            Command::Next | Command::Prev => {
                let selected = step(selected, QueueSort::ALL.len(), command == Command::Next);
                state.mode = Mode::Sort { selected };
                vec![]
            }
            Command::Confirm => {
                state.mode = Mode::Browse;
                state.sort = QueueSort::ALL[selected.min(QueueSort::ALL.len() - 1)];
                reload(state)
            }
            _ => vec![],
        },
        Mode::Help => {
            if matches!(command, Command::Cancel | Command::Help | Command::Confirm) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::Detail => {
            if matches!(
                command,
                Command::Cancel | Command::Detail | Command::Confirm
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        Mode::Preview { .. } => {
            if matches!(
                command,
                Command::Cancel | Command::Confirm | Command::Preview
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
        // Any key continues after feedback; at the end of the queue the scoreboard follows.
        Mode::Feedback(_) => {
            state.mode = if queue_finished(state) {
                Mode::Scoreboard
            } else {
                Mode::Browse
            };
            vec![]
        }
        Mode::Scoreboard => {
            if matches!(
                command,
                Command::Cancel | Command::Confirm | Command::Scoreboard
            ) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
    }
}

/// Nothing is left in the queue (and no page is on its way).
fn queue_finished(state: &ReviewState) -> bool {
    state.window.entries.is_empty() && state.window.at_end
}

fn on_browse(state: &mut ReviewState, command: Command) -> Vec<Effect> {
    if command.is_decision()
        && let Some(refusal) = decision_refusal(state)
    {
        state.set_status(StatusKind::Error, refusal);
        return vec![];
    }
    match command {
        Command::Approve => decide(state, Verdict::Approve, None),
        Command::Reject => {
            state.mode = Mode::ReasonPicker;
            vec![]
        }
        Command::Defer => decide(state, Verdict::Defer, None),
        Command::Escalate => text_input(state, InputPurpose::Escalate),
        Command::Note => {
            if state.item.is_some() {
                text_input(state, InputPurpose::Note)
            } else {
                vec![]
            }
        }
        Command::Undo => match state.undo.last() {
            Some(last) => vec![Effect::Undo {
                group_id: last.group_id,
            }],
            None => {
                state.set_status(StatusKind::Info, "nothing to undo in this session");
                vec![]
            }
        },
        Command::Next => move_cursor(state, true),
        Command::Prev => move_cursor(state, false),
        Command::NextCandidate => {
            if let Some(item) = &state.item
                && !item.candidates.is_empty()
            {
                state.shown = (state.shown + 1) % item.candidates.len();
            }
            vec![]
        }
        Command::Search => {
            state.mode = Mode::Search {
                query: String::new(),
                hits: Vec::new(),
                selected: 0,
            };
            vec![]
        }
        Command::Filter => {
            state.mode = Mode::Filter { selected: 0 };
            vec![]
        }
        Command::Sort => {
            let selected = QueueSort::ALL
                .iter()
                .position(|s| *s == state.sort)
                .unwrap_or(0);
            state.mode = Mode::Sort { selected };
            vec![]
        }
        Command::Detail => {
            if state.item.is_some() {
                state.mode = Mode::Detail;
            }
            vec![]
        }
        Command::ToggleQueue => {
            state.show_queue = !state.show_queue;
            vec![]
        }
        Command::Help => {
            state.mode = Mode::Help;
            vec![]
        }
        Command::Reveal => match state.shown_candidate() {
            Some(c) => vec![Effect::Reveal {
                match_id: c.match_id,
            }],
            None => vec![],
        },
        Command::Preview => match state.shown_candidate() {
            Some(c) => vec![Effect::Preview {
                match_id: c.match_id,
            }],
            None => vec![],
        },
        Command::Scoreboard => {
            if state.session.training {
                state.mode = Mode::Scoreboard;
            }
            vec![]
        }
        Command::TourNext => {
            if let Some(step) = state.tour_step {
                state.tour_step = (step + 1 < super::tour::CAPTIONS.len()).then_some(step + 1);
            }
            vec![]
        }
        Command::Cancel => {
            state.tour_step = None;
            vec![]
        }
        Command::Confirm | Command::Quit => vec![],
    }
}

/// Why a decision key is not accepted right now, if it is not.
fn decision_refusal(state: &ReviewState) -> Option<String> {
    if state.in_flight.is_some() {
        return Some("still saving the previous decision".into());
    }
    let candidate = state.shown_candidate()?;
    let (need_w, need_h) = layout::required_size(state);
    if state.width < need_w || state.height < need_h {
        return Some(format!(
            "the record is not fully visible: enlarge the terminal to at least {need_w}x{need_h} to decide"
        ));
    }
    // Escalated items are a supervisor's to decide; the store checks the rules again.
    let supervisor_on_escalated = candidate.status == crate::domain::MatchStatus::Escalated
        && state.policy.is_supervisor(&state.session.reviewer);
    if !candidate.status.is_open() && !supervisor_on_escalated {
        return Some(format!(
            "this candidate is already {}; choose another with Tab or move on",
            candidate.status
        ));
    }
    None
}

fn text_input(state: &mut ReviewState, purpose: InputPurpose) -> Vec<Effect> {
    state.mode = Mode::TextInput {
        purpose,
        text: String::new(),
    };
    vec![]
}

fn on_input(state: &mut ReviewState, c: char) -> Vec<Effect> {
    match &mut state.mode {
        Mode::ReasonPicker => {
            let reason = c
                .to_digit(10)
                .and_then(|d| u8::try_from(d).ok())
                .and_then(ReasonCode::from_digit);
            match reason {
                Some(reason) => {
                    state.mode = Mode::Browse;
                    decide(state, Verdict::Reject(reason), None)
                }
                None => vec![],
            }
        }
        Mode::TextInput { text, .. } => {
            if !c.is_control() && text.chars().count() < MAX_INPUT {
                text.push(c);
            }
            vec![]
        }
        Mode::Search { query, .. } => {
            if !c.is_control() && query.chars().count() < MAX_INPUT {
                query.push(c);
                return search(state);
            }
            vec![]
        }
        _ => vec![],
    }
}

fn search(state: &ReviewState) -> Vec<Effect> {
    match &state.mode {
        Mode::Search { query, .. } if !query.trim().is_empty() => vec![Effect::Search {
            filter: state.filter,
            query: query.clone(),
        }],
        _ => vec![],
    }
}

/// Sends a decision on the shown candidate to the store.
fn decide(state: &mut ReviewState, verdict: Verdict, note: Option<String>) -> Vec<Effect> {
    let (Some(entry), Some(candidate)) = (state.window.current(), state.shown_candidate()) else {
        return vec![];
    };
    let match_id = candidate.match_id;
    state.in_flight = Some(InFlight {
        entry: entry.clone(),
        verdict,
        note: note.clone(),
        candidate_id: candidate.candidate.id.clone(),
        gold: candidate.gold,
        gold_note: candidate.gold_note.clone(),
    });
    state.failed = None;
    state.set_status(StatusKind::Info, "saving…");
    vec![Effect::Decide {
        match_id,
        verdict,
        note,
    }]
}

fn on_saved(
    state: &mut ReviewState,
    outcome: crate::store::DecisionOutcome,
    viewed_ms: u64,
) -> Vec<Effect> {
    let Some(done) = state.in_flight.take() else {
        return vec![];
    };
    if state.session.training {
        state.training_log.push(TrainingRecord {
            request_id: done.entry.source_id.clone(),
            candidate_id: done.candidate_id.clone(),
            verdict: done.verdict,
            gold: done.gold,
            gold_note: done.gold_note.clone(),
            seconds: viewed_ms as f64 / 1000.0,
        });
        if let Some(gold) = done.gold {
            state.mode = Mode::Feedback(feedback(&done.verdict, gold, done.gold_note.as_deref()));
        }
    }
    state.counts = state
        .counts
        .moved(outcome.state_before, outcome.state_after);
    // Under the two-person rule a first approval leaves the match pending: say so.
    let first_of_two = done.verdict == Verdict::Approve
        && outcome
            .changes
            .iter()
            .any(|(_, _, after)| *after == crate::domain::MatchStatus::Pending);
    let word = if first_of_two {
        "first approval recorded (a second reviewer must approve) for".to_string()
    } else {
        verdict_word(done.verdict)
    };
    state.set_status(
        StatusKind::Saved,
        format!("{word} request {} (saved)", done.entry.source_id),
    );
    state.undo.push(UndoEntry {
        group_id: outcome.group_id,
        entry: done.entry.clone(),
        verdict: done.verdict,
    });
    // Only a rejection of one of several candidates keeps the reviewer on the request (to judge
    // the others); a first approval under the two-person rule moves on to the next item.
    let stays = matches!(done.verdict, Verdict::Reject(_))
        && outcome.state_after == outcome.state_before
        && state.filter.state.states().contains(&outcome.state_after);
    if stays {
        // Still waiting here (another candidate is open): show it again, refreshed.
        return vec![Effect::LoadItem(outcome.request_id)];
    }
    // Auto-advance: the decided request leaves this place in the queue.
    if let Some(pos) = state
        .window
        .entries
        .iter()
        .position(|e| e.request_id == outcome.request_id)
    {
        state.window.entries.remove(pos);
        if pos < state.window.cursor {
            state.window.cursor -= 1;
        }
    }
    state.item = None;
    settle_cursor(state)
}

/// After the window shrank: load the entry under the cursor, or the next page when it ran out.
fn settle_cursor(state: &mut ReviewState) -> Vec<Effect> {
    let window = &mut state.window;
    if window.cursor >= window.entries.len() {
        if !window.at_end {
            return vec![load_after_last(state)];
        }
        window.cursor = window.entries.len().saturating_sub(1);
    }
    let mut effects = Vec::new();
    if let Some(entry) = state.window.current() {
        effects.push(Effect::LoadItem(entry.request_id));
    }
    if state
        .window
        .entries
        .len()
        .saturating_sub(state.window.cursor)
        < 5
        && !state.window.at_end
    {
        effects.push(load_after_last(state));
    }
    effects
}

fn load_after_last(state: &ReviewState) -> Effect {
    let from = match state.window.entries.last() {
        Some(last) => PageFrom::After(last.key()),
        None => PageFrom::Start,
    };
    Effect::LoadPage {
        filter: state.filter,
        sort: state.sort,
        from,
        placement: if state.window.entries.is_empty() {
            Placement::Head
        } else {
            Placement::Append
        },
    }
}

fn move_cursor(state: &mut ReviewState, forward: bool) -> Vec<Effect> {
    let window = &mut state.window;
    if forward {
        if window.cursor + 1 < window.entries.len() {
            window.cursor += 1;
        } else if !window.at_end && !window.entries.is_empty() {
            window.pending_move = 1;
            return vec![load_after_last(state)];
        } else {
            state.set_status(StatusKind::Info, "end of the queue");
            return vec![];
        }
    } else if window.cursor > 0 {
        window.cursor -= 1;
    } else if !window.at_start {
        let Some(first) = window.entries.first() else {
            return vec![];
        };
        window.pending_move = -1;
        return vec![Effect::LoadPage {
            filter: state.filter,
            sort: state.sort,
            from: PageFrom::Before(first.key()),
            placement: Placement::Prepend,
        }];
    } else {
        state.set_status(StatusKind::Info, "start of the queue");
        return vec![];
    }
    state.item = None;
    state
        .window
        .current()
        .map(|e| vec![Effect::LoadItem(e.request_id)])
        .unwrap_or_default()
}

fn on_page(state: &mut ReviewState, page: Vec<QueueEntry>, placement: Placement) -> Vec<Effect> {
    let full = page.len() >= PAGE_SIZE;
    let window = &mut state.window;
    match placement {
        Placement::Head | Placement::Replace => {
            window.entries = page;
            window.cursor = 0;
            window.at_end = !full;
            window.pending_move = 0;
            let head = placement == Placement::Head;
            window.at_start = head;
            window.offset = head.then_some(0);
        }
        Placement::Append => {
            window.at_end = !full;
            window.entries.extend(page);
            if window.pending_move > 0 && window.cursor + 1 < window.entries.len() {
                window.cursor += 1;
                state.item = None;
            }
            window.pending_move = 0;
            let excess = window.entries.len().saturating_sub(WINDOW_MAX);
            let excess = excess.min(window.cursor);
            if excess > 0 {
                window.entries.drain(..excess);
                window.cursor -= excess;
                window.offset = window.offset.map(|o| o + excess as u64);
                window.at_start = false;
            }
        }
        Placement::Prepend => {
            let added = page.len();
            window.at_start = !full;
            window.offset = window.offset.map(|o| o.saturating_sub(added as u64));
            window.entries.splice(0..0, page);
            window.cursor += added;
            if window.pending_move < 0 && window.cursor > 0 {
                window.cursor -= 1;
                state.item = None;
            }
            window.pending_move = 0;
            let keep = WINDOW_MAX.max(window.cursor + 1);
            if window.entries.len() > keep {
                window.entries.truncate(keep);
                window.at_end = false;
            }
        }
    }
    let needs_item = match (&state.item, state.window.current()) {
        (Some(item), Some(entry)) => item.request_id != entry.request_id,
        (None, Some(_)) => true,
        _ => false,
    };
    if state.window.entries.is_empty() {
        state.item = None;
        if state.session.training
            && state.window.at_end
            && state.mode == Mode::Browse
            && !state.training_log.is_empty()
        {
            state.mode = Mode::Scoreboard;
        }
    }
    match state.window.current() {
        Some(entry) if needs_item => vec![Effect::LoadItem(entry.request_id)],
        _ => vec![],
    }
}

/// Reloads counts and the queue from its head (after a filter or sort change).
fn reload(state: &ReviewState) -> Vec<Effect> {
    vec![
        Effect::LoadCounts(state.filter),
        Effect::LoadPage {
            filter: state.filter,
            sort: state.sort,
            from: PageFrom::Start,
            placement: Placement::Head,
        },
    ]
}

/// Opens the queue at a given key (search hit, undone item); its position is not known then.
fn jump(state: &mut ReviewState, from: PageFrom) -> Vec<Effect> {
    state.window = Default::default();
    state.window.at_start = false;
    state.item = None;
    vec![Effect::LoadPage {
        filter: state.filter,
        sort: state.sort,
        from,
        placement: Placement::Replace,
    }]
}

fn step(selected: usize, len: usize, forward: bool) -> usize {
    if len == 0 {
        0
    } else if forward {
        (selected + 1) % len
    } else {
        (selected + len - 1) % len
    }
}

fn verdict_word(verdict: Verdict) -> String {
    match verdict {
        Verdict::Approve => "approved".into(),
        Verdict::Reject(reason) => format!("rejected ({})", reason.code()),
        Verdict::Defer => "deferred".into(),
        Verdict::Escalate => "escalated".into(),
        Verdict::Note => "noted".into(),
    }
}

/// One line of the filter menu: a value for one part of the filter.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterOption {
    State(StateFilter),
    Batch(Option<i64>, String),
    Band(Option<ScoreBand>),
    Flag(Option<ItemFlags>),
}

impl FilterOption {
    pub fn apply(&self, filter: QueueFilter) -> QueueFilter {
        match self {
            FilterOption::State(s) => QueueFilter {
                state: *s,
                ..filter
            },
            FilterOption::Batch(b, _) => QueueFilter {
                batch_id: *b,
                ..filter
            },
            FilterOption::Band(b) => QueueFilter { band: *b, ..filter },
            FilterOption::Flag(f) => QueueFilter { flag: *f, ..filter },
        }
    }

    /// (group, label): the menu shows the group once above its options.
    pub fn label(&self) -> (&'static str, String) {
        match self {
            FilterOption::State(s) => ("status", s.label().to_string()),
            FilterOption::Batch(None, _) => ("batch", "all batches".into()),
            FilterOption::Batch(Some(_), name) => ("batch", name.clone()),
            FilterOption::Band(None) => ("score", "any score".into()),
            FilterOption::Band(Some(b)) => ("score", b.label().to_string()),
            FilterOption::Flag(None) => ("flag", "any flags".into()),
            FilterOption::Flag(Some(f)) => ("flag", f.names().join(", ")),
        }
    }

    pub fn is_active(&self, filter: &QueueFilter) -> bool {
        self.apply(*filter) == *filter
    }
}

/// Every choice the filter menu offers, in menu order.
pub fn filter_options(state: &ReviewState) -> Vec<FilterOption> {
    let mut options: Vec<FilterOption> = StateFilter::ALL
        .into_iter()
        .map(FilterOption::State)
        .collect();
    options.push(FilterOption::Batch(None, String::new()));
    options.extend(
        state
            .batches
            .iter()
            .map(|(id, b)| FilterOption::Batch(Some(*id), b.name.clone())),
    );
    options.push(FilterOption::Band(None));
    options.extend(
        ScoreBand::ALL
            .into_iter()
            .map(|b| FilterOption::Band(Some(b))),
    );
    options.push(FilterOption::Flag(None));
    options.extend(
        ItemFlags::NAMED
            .into_iter()
            .map(|(f, _)| FilterOption::Flag(Some(f))),
    );
    options
}
