//! `update` for every key and every store outcome, on hand-built state (no terminal, no store).

use super::action::{Action, Command, Placement};
use super::effect::Effect;
use super::state::{InputPurpose, Mode, PAGE_SIZE, ReviewState, StatusKind};
use super::test_fixtures::{cand, entries, item, state};
use super::update::{filter_options, update};
use crate::domain::{MatchStatus, QueueState, ReasonCode, StateFilter, Verdict};
use crate::store::{DecisionOutcome, PageFrom};

fn ready() -> ReviewState {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.width = 100;
    s.height = 40;
    s
}

fn cmd(s: &mut ReviewState, command: Command) -> Vec<Effect> {
    update(s, Action::Command(command))
}

fn typed(s: &mut ReviewState, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(s, Action::Input(c)))
        .collect()
}

fn outcome(
    group_id: i64,
    request_id: i64,
    before: QueueState,
    after: QueueState,
) -> DecisionOutcome {
    DecisionOutcome {
        group_id,
        request_id,
        state_before: before,
        state_after: after,
        changes: vec![],
    }
}

fn decide(verdict: Verdict, note: Option<&str>) -> Vec<Effect> {
    vec![Effect::Decide {
        match_id: 7,
        verdict,
        note: note.map(str::to_string),
    }]
}

#[test]
fn a_approves_the_shown_candidate() {
    let mut s = ready();
    assert_eq!(
        cmd(&mut s, Command::Approve),
        decide(Verdict::Approve, None)
    );
    assert!(s.in_flight.is_some());
    // A second key while saving is refused, not queued twice.
    assert_eq!(cmd(&mut s, Command::Approve), vec![]);
}

#[test]
fn r_opens_the_reason_picker_and_a_digit_completes_the_rejection() {
    let mut s = ready();
    assert_eq!(cmd(&mut s, Command::Reject), vec![]);
    assert_eq!(s.mode, Mode::ReasonPicker);
    assert_eq!(typed(&mut s, "x"), vec![], "non-digits do nothing");
    assert_eq!(typed(&mut s, "0"), vec![], "0 is not a reason");
    assert_eq!(
        typed(&mut s, "4"),
        decide(Verdict::Reject(ReasonCode::DifferentPerson), None)
    );
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn esc_cancels_the_reason_picker_without_deciding() {
    let mut s = ready();
    cmd(&mut s, Command::Reject);
    assert_eq!(cmd(&mut s, Command::Cancel), vec![]);
    assert_eq!(s.mode, Mode::Browse);
    assert!(s.in_flight.is_none());
}

#[test]
fn s_defers() {
    let mut s = ready();
    assert_eq!(cmd(&mut s, Command::Defer), decide(Verdict::Defer, None));
}

#[test]
fn e_escalates_with_an_optional_note() {
    let mut s = ready();
    assert_eq!(cmd(&mut s, Command::Escalate), vec![]);
    assert!(matches!(
        s.mode,
        Mode::TextInput {
            purpose: InputPurpose::Escalate,
            ..
        }
    ));
    typed(&mut s, "two people?");
    update(&mut s, Action::Backspace);
    assert_eq!(
        cmd(&mut s, Command::Confirm),
        decide(Verdict::Escalate, Some("two people"))
    );

    let mut s = ready();
    cmd(&mut s, Command::Escalate);
    assert_eq!(
        cmd(&mut s, Command::Confirm),
        decide(Verdict::Escalate, None)
    );
}

#[test]
fn m_adds_a_note_and_an_empty_note_saves_nothing() {
    let mut s = ready();
    cmd(&mut s, Command::Note);
    typed(&mut s, "called the requester");
    assert_eq!(
        cmd(&mut s, Command::Confirm),
        decide(Verdict::Note, Some("called the requester"))
    );
    let mut s = ready();
    cmd(&mut s, Command::Note);
    typed(&mut s, "   ");
    assert_eq!(cmd(&mut s, Command::Confirm), vec![]);
}

#[test]
fn decisions_are_refused_while_the_record_is_not_fully_visible() {
    let mut s = ready();
    s.width = 70;
    for command in [
        Command::Approve,
        Command::Reject,
        Command::Defer,
        Command::Escalate,
    ] {
        assert_eq!(cmd(&mut s, command), vec![], "{command:?}");
        assert_eq!(s.mode, Mode::Browse);
    }
    let status = s.status.clone().expect("a status says why");
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("enlarge"), "{}", status.text);
}

#[test]
fn a_decided_candidate_cannot_be_decided_again() {
    let mut s = ready();
    if let Some(item) = &mut s.item {
        item.candidates[0].status = MatchStatus::Approved;
    }
    assert_eq!(cmd(&mut s, Command::Approve), vec![]);
    assert!(s.status.expect("status").text.contains("already approved"));
}

#[test]
fn a_saved_decision_advances_to_the_next_item_and_can_be_undone() {
    let mut s = ready();
    cmd(&mut s, Command::Approve);
    let effects = update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(11, 42, QueueState::Open, QueueState::Done),
            viewed_ms: 1500,
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadItem(43)],
        "auto-advance to the next request"
    );
    assert_eq!(s.window.current().map(|e| e.request_id), Some(43));
    assert_eq!(s.counts.open, 269);
    assert_eq!(s.counts.done, 28);
    assert_eq!(s.status.as_ref().map(|st| st.kind), Some(StatusKind::Saved));
    assert!(s.in_flight.is_none());

    assert_eq!(
        cmd(&mut s, Command::Undo),
        vec![Effect::Undo { group_id: 11 }]
    );
    let effects = update(
        &mut s,
        Action::UndoSaved(outcome(12, 42, QueueState::Done, QueueState::Open)),
    );
    assert!(s.undo.is_empty());
    assert_eq!(s.counts.open, 270);
    match effects.as_slice() {
        [
            Effect::LoadPage {
                from: PageFrom::At(key),
                placement: Placement::Replace,
                ..
            },
        ] => {
            assert_eq!(key.request_id, 42);
            assert_eq!(key.state, QueueState::Open);
        }
        other => panic!("undo should return to the item, got {other:?}"),
    }
}

#[test]
fn u_with_nothing_to_undo_says_so() {
    let mut s = ready();
    assert_eq!(cmd(&mut s, Command::Undo), vec![]);
    assert!(s.status.expect("status").text.contains("nothing to undo"));
}

#[test]
fn rejecting_one_of_several_candidates_stays_on_the_request() {
    let mut s = state(item(vec![cand(7, "C1", 0.9), cand(8, "C2", 0.8)]));
    s.width = 100;
    s.height = 40;
    cmd(&mut s, Command::Reject);
    typed(&mut s, "4");
    let effects = update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(5, 42, QueueState::Open, QueueState::Open),
            viewed_ms: 1500,
        },
    );
    assert_eq!(effects, vec![Effect::LoadItem(42)]);
    assert_eq!(s.window.current().map(|e| e.request_id), Some(42));
}

#[test]
fn a_failed_save_is_reported_as_not_saved_and_keeps_the_item() {
    let mut s = ready();
    cmd(&mut s, Command::Approve);
    update(&mut s, Action::StoreFailed("the database is locked".into()));
    let status = s.status.clone().expect("status");
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.starts_with("NOT saved"), "{}", status.text);
    assert!(s.item.is_some());
    assert!(s.undo.is_empty());
    assert!(s.failed.is_some());
    // The same key retries.
    assert_eq!(
        cmd(&mut s, Command::Approve),
        decide(Verdict::Approve, None)
    );
}

#[test]
fn j_and_k_move_through_the_queue_and_page_at_the_edges() {
    let mut s = ready();
    assert_eq!(cmd(&mut s, Command::Next), vec![Effect::LoadItem(43)]);
    assert_eq!(cmd(&mut s, Command::Prev), vec![Effect::LoadItem(42)]);
    // At the very start of the queue nothing is before.
    s.window.at_start = true;
    assert_eq!(cmd(&mut s, Command::Prev), vec![]);
    // At the end of the window (but not the queue) the next page is loaded, then the cursor moves.
    s.window.cursor = s.window.entries.len() - 1;
    let effects = cmd(&mut s, Command::Next);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadPage {
            from: PageFrom::After(_),
            placement: Placement::Append,
            ..
        }]
    ));
    let mut more = entries();
    for (i, e) in more.iter_mut().enumerate() {
        e.request_id = 100 + i as i64;
    }
    let effects = update(
        &mut s,
        Action::PageLoaded {
            page: more,
            placement: Placement::Append,
        },
    );
    assert_eq!(effects, vec![Effect::LoadItem(100)]);
    assert!(s.window.at_end, "a short page means the end");
}

#[test]
fn the_window_stays_bounded_however_far_the_reviewer_goes() {
    let mut s = ready();
    for round in 0..20 {
        s.window.cursor = s.window.entries.len() - 1;
        s.window.at_end = false;
        cmd(&mut s, Command::Next);
        let page: Vec<_> = entries()
            .into_iter()
            .cycle()
            .take(PAGE_SIZE)
            .enumerate()
            .map(|(i, mut e)| {
                e.request_id = 1000 * (round + 1) + i as i64;
                e
            })
            .collect();
        update(
            &mut s,
            Action::PageLoaded {
                page,
                placement: Placement::Append,
            },
        );
    }
    assert!(s.window.entries.len() <= super::state::WINDOW_MAX + 1);
    assert!(s.window.offset.expect("offset") > 0);
}

#[test]
fn tab_cycles_the_shown_candidate() {
    let mut s = state(item(vec![
        cand(7, "C1", 0.9),
        cand(8, "C2", 0.8),
        cand(9, "C3", 0.7),
    ]));
    cmd(&mut s, Command::NextCandidate);
    assert_eq!(s.shown, 1);
    cmd(&mut s, Command::NextCandidate);
    cmd(&mut s, Command::NextCandidate);
    assert_eq!(s.shown, 0);
}

#[test]
fn slash_searches_as_you_type_and_enter_jumps() {
    let mut s = ready();
    cmd(&mut s, Command::Search);
    let effects = typed(&mut s, "lo");
    assert_eq!(effects.len(), 2);
    assert!(matches!(&effects[1], Effect::Search { query, .. } if query == "lo"));
    let hits = entries()[1..3].to_vec();
    update(
        &mut s,
        Action::SearchResults {
            query: "l".into(),
            hits: hits.clone(),
        },
    );
    assert!(
        matches!(&s.mode, Mode::Search { hits, .. } if hits.is_empty()),
        "stale results are dropped"
    );
    update(
        &mut s,
        Action::SearchResults {
            query: "lo".into(),
            hits: hits.clone(),
        },
    );
    cmd(&mut s, Command::Next);
    let effects = cmd(&mut s, Command::Confirm);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadPage { from: PageFrom::At(key), .. }] if key.request_id == hits[1].request_id
    ));
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn esc_leaves_search() {
    let mut s = ready();
    cmd(&mut s, Command::Search);
    typed(&mut s, "q");
    assert_eq!(cmd(&mut s, Command::Cancel), vec![]);
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn f_filters_and_reloads_from_the_head() {
    let mut s = ready();
    cmd(&mut s, Command::Filter);
    let options = filter_options(&s);
    let escalated = options
        .iter()
        .position(|o| o.label().1 == "escalated")
        .expect("escalated option");
    for _ in 0..escalated {
        cmd(&mut s, Command::Next);
    }
    let effects = cmd(&mut s, Command::Confirm);
    assert_eq!(s.filter.state, StateFilter::Escalated);
    assert!(matches!(
        effects.as_slice(),
        [
            Effect::LoadCounts(_),
            Effect::LoadPage {
                from: PageFrom::Start,
                ..
            }
        ]
    ));
}

#[test]
fn o_changes_the_order() {
    let mut s = ready();
    cmd(&mut s, Command::Sort);
    cmd(&mut s, Command::Next);
    let effects = cmd(&mut s, Command::Confirm);
    assert_eq!(s.sort, crate::domain::QueueSort::Age);
    assert_eq!(effects.len(), 2);
}

#[test]
fn help_detail_and_queue_toggle() {
    let mut s = ready();
    cmd(&mut s, Command::Help);
    assert_eq!(s.mode, Mode::Help);
    cmd(&mut s, Command::Cancel);
    cmd(&mut s, Command::Detail);
    assert_eq!(s.mode, Mode::Detail);
    cmd(&mut s, Command::Cancel);
    assert_eq!(s.mode, Mode::Browse);
    let before = s.show_queue;
    cmd(&mut s, Command::ToggleQueue);
    assert_ne!(s.show_queue, before);
}

#[test]
fn q_quits_but_not_while_typing() {
    let mut s = ready();
    cmd(&mut s, Command::Note);
    assert_eq!(typed(&mut s, "q"), vec![]);
    assert!(!s.quit);
    cmd(&mut s, Command::Cancel);
    assert_eq!(cmd(&mut s, Command::Quit), vec![Effect::Quit]);
    assert!(s.quit);
}

#[test]
fn resize_is_tracked() {
    let mut s = ready();
    update(
        &mut s,
        Action::Resize {
            width: 132,
            height: 50,
        },
    );
    assert_eq!((s.width, s.height), (132, 50));
}

#[test]
fn an_empty_queue_shows_nothing_and_decides_nothing() {
    let mut s = ready();
    update(
        &mut s,
        Action::PageLoaded {
            page: vec![],
            placement: Placement::Replace,
        },
    );
    assert!(s.item.is_none());
    assert_eq!(cmd(&mut s, Command::Approve), vec![]);
}

#[test]
fn the_head_of_the_queue_is_position_one_and_a_jump_is_unknown() {
    let mut s = ready();
    update(
        &mut s,
        Action::PageLoaded {
            page: entries(),
            placement: Placement::Head,
        },
    );
    assert_eq!(s.window.position(), Some(1));
    assert!(s.window.at_start);
    update(
        &mut s,
        Action::PageLoaded {
            page: entries(),
            placement: Placement::Replace,
        },
    );
    assert_eq!(s.window.position(), None);
    assert!(!s.window.at_start);
}

fn training() -> ReviewState {
    let mut s = ready();
    s.session.training = true;
    if let Some(item) = &mut s.item {
        item.candidates[0].gold = Some(crate::domain::Gold::Nonmatch);
        item.candidates[0].gold_note = Some("a namesake".into());
    }
    s
}

#[test]
fn training_shows_feedback_after_each_decision_and_any_key_continues() {
    use crate::domain::training::Outcome;
    let mut s = training();
    cmd(&mut s, Command::Approve);
    let effects = update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(1, 42, QueueState::Open, QueueState::Done),
            viewed_ms: 4000,
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadItem(43)],
        "the next item loads behind the feedback"
    );
    match &s.mode {
        Mode::Feedback(f) => {
            assert_eq!(f.outcome, Outcome::FalseRelease);
            assert_eq!(f.gold_note.as_deref(), Some("a namesake"));
        }
        other => panic!("expected feedback, got {other:?}"),
    }
    assert_eq!(s.training_log.len(), 1);
    assert_eq!(s.training_log[0].seconds, 4.0);
    cmd(&mut s, Command::Approve); // any key continues; it does not decide
    assert_eq!(s.mode, Mode::Browse);
    assert!(s.in_flight.is_none());
}

#[test]
fn training_undo_removes_the_decision_from_the_scoreboard() {
    let mut s = training();
    cmd(&mut s, Command::Approve);
    update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(1, 42, QueueState::Open, QueueState::Done),
            viewed_ms: 10,
        },
    );
    cmd(&mut s, Command::Confirm);
    cmd(&mut s, Command::Undo);
    update(
        &mut s,
        Action::UndoSaved(outcome(2, 42, QueueState::Done, QueueState::Open)),
    );
    assert!(s.training_log.is_empty());
}

#[test]
fn training_quit_shows_the_scoreboard_first_and_b_shows_it_any_time() {
    let mut s = training();
    cmd(&mut s, Command::Scoreboard);
    assert_eq!(s.mode, Mode::Scoreboard);
    cmd(&mut s, Command::Cancel);
    cmd(&mut s, Command::Approve);
    update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(1, 42, QueueState::Open, QueueState::Done),
            viewed_ms: 10,
        },
    );
    cmd(&mut s, Command::Confirm);
    assert_eq!(cmd(&mut s, Command::Quit), vec![]);
    assert_eq!(s.mode, Mode::Scoreboard);
    assert_eq!(cmd(&mut s, Command::Quit), vec![Effect::Quit]);
    // Outside training, b does nothing and q quits at once.
    let mut plain = ready();
    cmd(&mut plain, Command::Scoreboard);
    assert_eq!(plain.mode, Mode::Browse);
    assert_eq!(cmd(&mut plain, Command::Quit), vec![Effect::Quit]);
}

#[test]
fn training_ends_on_the_scoreboard_when_the_queue_runs_out() {
    let mut s = training();
    s.window.entries.truncate(1);
    s.window.at_end = true;
    cmd(&mut s, Command::Approve);
    update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(1, 42, QueueState::Open, QueueState::Done),
            viewed_ms: 10,
        },
    );
    assert!(matches!(s.mode, Mode::Feedback(_)));
    cmd(&mut s, Command::Confirm);
    assert_eq!(s.mode, Mode::Scoreboard);
}

#[test]
fn the_tour_advances_with_n_and_esc_leaves_it() {
    let mut s = ready();
    s.tour_step = Some(0);
    cmd(&mut s, Command::TourNext);
    assert_eq!(s.tour_step, Some(1));
    cmd(&mut s, Command::Cancel);
    assert_eq!(s.tour_step, None);
    s.tour_step = Some(super::tour::CAPTIONS.len() - 1);
    cmd(&mut s, Command::TourNext);
    assert_eq!(s.tour_step, None, "the last caption ends the tour");
}

#[test]
fn v_reveals_through_the_store_and_a_new_item_masks_again() {
    let mut s = ready();
    assert_eq!(
        cmd(&mut s, Command::Reveal),
        vec![Effect::Reveal { match_id: 7 }]
    );
    update(
        &mut s,
        Action::Revealed {
            match_id: 7,
            value: Some("912-34-5678".into()),
        },
    );
    assert_eq!(
        s.display_value(7, crate::domain::Field::Tin, "912-34-5678"),
        "912-34-5678"
    );
    assert_eq!(
        s.display_value(8, crate::domain::Field::Tin, "912-34-5678"),
        "***-**-5678"
    );
    assert!(
        s.status
            .as_ref()
            .expect("status")
            .text
            .contains("audit log")
    );
    let next = s.item.clone().map(Box::new);
    update(&mut s, Action::ItemLoaded(next));
    assert_eq!(
        s.display_value(7, crate::domain::Field::Tin, "912-34-5678"),
        "***-**-5678"
    );
}

#[test]
fn p_opens_the_release_preview_and_esc_closes_it() {
    use crate::domain::policy::ReleaseRow;
    let mut s = ready();
    assert_eq!(
        cmd(&mut s, Command::Preview),
        vec![Effect::Preview { match_id: 7 }]
    );
    let row = ReleaseRow {
        request_id: "R000042".into(),
        batch: "b".into(),
        street_number: "1".into(),
        street: "Main St".into(),
        unit: String::new(),
        city: "Springfield".into(),
        state: "IL".into(),
        zip: "62701".into(),
    };
    update(
        &mut s,
        Action::PreviewLoaded {
            row,
            refusals: vec![],
        },
    );
    assert!(matches!(s.mode, Mode::Preview { .. }));
    cmd(&mut s, Command::Cancel);
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn a_first_approval_of_two_moves_on_instead_of_staying() {
    let mut s = ready();
    cmd(&mut s, Command::Approve);
    // Two approvals required: the match stays pending, so the request stays open.
    let effects = update(
        &mut s,
        Action::DecisionSaved {
            outcome: outcome(3, 42, QueueState::Open, QueueState::Open),
            viewed_ms: 10,
        },
    );
    assert_eq!(effects, vec![Effect::LoadItem(43)]);
}

#[test]
fn a_supervisor_can_decide_an_escalated_item_and_a_reviewer_cannot() {
    let mut s = ready();
    if let Some(item) = &mut s.item {
        item.candidates[0].status = MatchStatus::Escalated;
    }
    assert_eq!(
        cmd(&mut s, Command::Approve),
        vec![],
        "alice is not a supervisor"
    );
    s.policy.supervisors = vec!["alice".into()];
    assert_eq!(
        cmd(&mut s, Command::Approve),
        decide(Verdict::Approve, None)
    );
}
