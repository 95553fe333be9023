//! Snapshot tests of whole screens drawn from hand-built state (ratatui's TestBackend).

use ratatui::{Terminal, backend::TestBackend};

use super::render;
use crate::domain::{Field, ItemFlags};
use crate::tui::keymap::Keymap;
use crate::tui::state::{InputPurpose, Mode, ReviewState, StatusKind};
use crate::tui::test_fixtures::{cand, item, state};

fn draw(state: &mut ReviewState, width: u16, height: u16) -> Terminal<TestBackend> {
    state.width = width;
    state.height = height;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let keymap = Keymap::default_keymap();
    terminal
        .draw(|frame| render(frame, state, &keymap))
        .expect("draw");
    terminal
}

#[test]
fn main_screen_80x24() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    insta::assert_snapshot!(draw(&mut s, 80, 24).backend());
}

#[test]
fn main_screen_160x48_with_queue_list() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.set_status(StatusKind::Saved, "approved request R000041 (saved)");
    insta::assert_snapshot!(draw(&mut s, 160, 48).backend());
}

#[test]
fn several_candidates_show_the_one_chosen_with_tab() {
    let mut second = cand(8, "C0007719", 0.88);
    second.candidate.set(Field::Dob, "1961-09-04");
    second.candidate.set(Field::Street, "N Clark St");
    let mut s = state(item(vec![cand(7, "C0000913", 0.91), second]));
    s.shown = 1;
    insta::assert_snapshot!(draw(&mut s, 100, 30).backend());
}

#[test]
fn reason_picker() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.mode = Mode::ReasonPicker;
    insta::assert_snapshot!(draw(&mut s, 80, 24).backend());
}

#[test]
fn help_overlay_lists_every_key() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.mode = Mode::Help;
    let terminal = draw(&mut s, 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn escalation_note_input() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.mode = Mode::TextInput {
        purpose: InputPurpose::Escalate,
        text: "two people at this address?".into(),
    };
    insta::assert_snapshot!(draw(&mut s, 80, 24).backend());
}

#[test]
fn too_small_screen_says_how_much_room_it_needs() {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    insta::assert_snapshot!(draw(&mut s, 60, 20).backend());
}

#[test]
fn hostile_record_is_shown_escaped_and_flagged() {
    let mut it = item(vec![cand(7, "C0000913", 0.93)]);
    it.request
        .set(Field::Surname, "Kowal\u{1b}[2J\u{1b}]0;pwned\u{7}ski");
    it.request.set(Field::City, "Chi\u{202e}ogacic");
    it.request
        .set(Field::Street, "W Diversey\r\nPkwy\t\u{200b}");
    it.request.set_extra("note", "東京都 🙂 ok");
    it.flags = ItemFlags::HOSTILE_TEXT;
    let mut s = state(it);
    let terminal = draw(&mut s, 100, 30);
    let screen = terminal.backend().to_string();
    assert!(!screen.contains('\u{1b}'), "raw ESC reached the screen");
    assert!(
        !screen.contains('\u{202e}'),
        "raw bidi override reached the screen"
    );
    insta::assert_snapshot!(terminal.backend());
}

fn training_state() -> ReviewState {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.session.training = true;
    s
}

#[test]
fn training_feedback_after_a_false_release() {
    use crate::domain::training::feedback;
    use crate::domain::{Gold, Verdict};
    let mut s = training_state();
    s.mode = Mode::Feedback(feedback(
        &Verdict::Approve,
        Gold::Nonmatch,
        Some("Namesake: same name, but the DOB differs by 11 years and the TIN last four differ."),
    ));
    insta::assert_snapshot!(draw(&mut s, 80, 24).backend());
}

#[test]
fn training_scoreboard() {
    use crate::domain::training::TrainingRecord;
    use crate::domain::{Gold, ReasonCode, Verdict};
    let mut s = training_state();
    let record = |r: &str, verdict, gold, seconds| TrainingRecord {
        request_id: r.into(),
        candidate_id: format!("C-{r}"),
        verdict,
        gold: Some(gold),
        gold_note: Some(format!("why {r} is {}", gold.as_str())),
        seconds,
    };
    s.training_log = vec![
        record("R1", Verdict::Approve, Gold::Match, 12.0),
        record("R2", Verdict::Approve, Gold::Nonmatch, 8.0),
        record(
            "R3",
            Verdict::Reject(ReasonCode::DifferentPerson),
            Gold::Nonmatch,
            20.0,
        ),
        record(
            "R4",
            Verdict::Reject(ReasonCode::NameOnly),
            Gold::Match,
            15.0,
        ),
        record("R5", Verdict::Defer, Gold::Match, 3.0),
    ];
    s.mode = Mode::Scoreboard;
    insta::assert_snapshot!(draw(&mut s, 100, 30).backend());
}

#[test]
fn tour_caption_over_the_screen() {
    let mut s = training_state();
    s.tour_step = Some(2);
    insta::assert_snapshot!(draw(&mut s, 100, 30).backend());
}

#[test]
fn release_preview_popup() {
    use crate::domain::policy::{Refusal, ReleaseRow};
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.mode = Mode::Preview {
        row: ReleaseRow {
            request_id: "R000042".into(),
            batch: "2026-11-hhs-locate".into(),
            street_number: "1432".into(),
            street: "West Diversey Parkway".into(),
            unit: String::new(),
            city: "Chicago".into(),
            state: "IL".into(),
            zip: "60641".into(),
        },
        refusals: vec![Refusal {
            rule: "address-sufficiency",
            reason: "Candidate: no unit, though the other side has one".into(),
            remedy: "the unit on both sides".into(),
        }],
    };
    insta::assert_snapshot!(draw(&mut s, 80, 24).backend());
}

#[test]
fn held_batch_and_blind_second_review() {
    use crate::domain::policy::{Hold, HoldScope};
    let mut first = cand(7, "C0000913", 0.93);
    first.approvals = vec!["bob".into()];
    let mut s = state(item(vec![first]));
    s.policy.approvals_required = 2;
    s.policy.blind = true;
    s.holds = vec![Hold {
        id: 1,
        batch_id: 1,
        batch: "2026-11-hhs-locate".into(),
        scope: HoldScope::All,
        reason: "court order 26-cv-0412".into(),
        added_by: "sup".into(),
        added_at: "2026-11-24T10:00:00.000Z".into(),
        lifted: None,
    }];
    let terminal = draw(&mut s, 120, 32);
    let screen = terminal.backend().to_string();
    assert!(
        !screen.contains("0.93"),
        "a blind second reviewer must not see the score:\n{screen}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn blind_second_review_shows_no_score_status_or_earlier_decision() {
    let mut s = state(item(vec![cand(9, "C0000100", 0.97)]));
    s.second = crate::tui::state::SecondSlot::Showing(Box::new(
        crate::tui::test_fixtures::second_review(),
    ));
    s.second_waiting = 2;
    let terminal = draw(&mut s, 120, 30);
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("second review (blind)"));
    assert!(screen.contains("SECOND REVIEW (blind)"));
    for leak in ["0.93", "approved", "ann", "C0007719", "pending", "[1/"] {
        assert!(!screen.contains(leak), "{leak:?} shows:\n{screen}");
    }
    insta::assert_snapshot!(terminal.backend());
}
