//! `update` for team work: items other screens hold, other sessions' commits, a return to an
//! earlier session's claim, and ending on a signal.

use super::action::{Action, Placement};
use super::effect::Effect;
use super::state::{ReviewState, StatusKind};
use super::test_fixtures::{cand, entries, item, state};
use super::update::{start, update};
use crate::domain::{ItemFlags, MatchStatus, QueueMove, QueueState};
use crate::store::PageFrom;

fn ready() -> ReviewState {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.width = 100;
    s.height = 40;
    s
}

#[test]
fn a_session_starts_by_taking_back_its_claims() {
    assert_eq!(start(), vec![Effect::Resume]);
    let mut s = ready();
    s.window = Default::default();
    let effects = update(&mut s, Action::Resumed(None));
    assert!(matches!(
        effects[1],
        Effect::LoadPage {
            from: PageFrom::Start,
            placement: Placement::Head,
            ..
        }
    ));
    let mut done = entries()[3].clone();
    done.state = QueueState::Done;
    let effects = update(&mut s, Action::Resumed(Some(done)));
    assert!(
        matches!(
            effects[1],
            Effect::LoadPage {
                from: PageFrom::Start,
                ..
            }
        ),
        "a claim on a decided request is not where to start: {effects:?}"
    );
    let held = entries()[4].clone();
    let effects = update(&mut s, Action::Resumed(Some(held.clone())));
    assert_eq!(effects[0], Effect::LoadCounts(s.filter));
    assert!(
        matches!(&effects[1], Effect::LoadPage { from: PageFrom::At(k), placement: Placement::Replace, .. } if k.request_id == held.request_id),
        "{effects:?}"
    );
    assert!(s.status.expect("status").text.contains("still yours"));
}

#[test]
fn an_item_held_elsewhere_is_skipped_with_a_word_why() {
    let mut s = ready();
    let current = s.window.current().expect("entry").clone();
    let effects = update(
        &mut s,
        Action::ItemHeld {
            request_id: current.request_id,
            holder: "bob".into(),
        },
    );
    assert_ne!(
        s.window.current().expect("next").request_id,
        current.request_id
    );
    assert_eq!(effects, vec![Effect::LoadItem(current.request_id + 1)]);
    let status = s.status.clone().expect("status");
    assert!(status.text.contains("on bob's screen") && status.text.contains(&current.source_id));
    // One held further down the window just leaves it, quietly.
    let later = s.window.entries[3].request_id;
    assert_eq!(
        update(
            &mut s,
            Action::ItemHeld {
                request_id: later,
                holder: "cy".into()
            }
        ),
        vec![]
    );
    assert!(s.window.entries.iter().all(|e| e.request_id != later));
}

#[test]
fn other_sessions_moves_change_counts_and_reload_window_and_item() {
    let mut s = ready();
    let before = s.counts;
    let batches = s.batches.clone();
    let moves = vec![QueueMove {
        request_id: 60,
        batch_id: 1,
        top_score: 0.9,
        flags: ItemFlags::default(),
        before: QueueState::Open,
        after: QueueState::Done,
    }];
    let effects = update(
        &mut s,
        Action::StoreChanged {
            moves,
            truncated: false,
            batches,
        },
    );
    assert_eq!(
        (s.counts.open, s.counts.done),
        (before.open - 1, before.done + 1)
    );
    let first = s.window.entries[0].key();
    assert_eq!(
        effects,
        vec![
            Effect::RefreshWindow {
                filter: s.filter,
                sort: s.sort,
                from: PageFrom::At(first),
                limit: 30
            },
            Effect::RefreshItem(42),
        ]
    );
    // Too many moves to apply, or a new batch: the counts are reloaded instead.
    let mut more = s.batches.clone();
    more.push((2, s.batches[0].1.clone()));
    let effects = update(
        &mut s,
        Action::StoreChanged {
            moves: vec![],
            truncated: false,
            batches: more,
        },
    );
    assert_eq!(effects[0], Effect::LoadCounts(s.filter));
    assert_eq!(s.batches.len(), 2);
}

#[test]
fn a_refreshed_window_keeps_the_cursor_on_its_request() {
    let mut s = ready();
    s.window.cursor = 2;
    let mut page = entries();
    page.remove(0); // decided elsewhere
    assert_eq!(update(&mut s, Action::WindowRefreshed(page)), vec![]);
    assert_eq!(s.window.cursor, 1);
    assert_eq!(s.window.current().expect("entry").request_id, 44);
    // The shown request itself left the queue: the next one is loaded in its place.
    let page: Vec<_> = entries()
        .into_iter()
        .filter(|e| e.request_id != 42 && e.request_id != 44)
        .collect();
    let effects = update(&mut s, Action::WindowRefreshed(page));
    assert_eq!(effects, vec![Effect::LoadItem(45)]);
}

#[test]
fn an_item_decided_in_another_session_says_so_and_moves_on() {
    let mut s = ready();
    let mut decided = item(vec![cand(7, "C0000913", 0.93)]);
    decided.candidates[0].status = MatchStatus::Rejected;
    let effects = update(&mut s, Action::ItemRefreshed(Some(Box::new(decided))));
    assert_eq!(effects, vec![Effect::LoadItem(43)]);
    let status = s.status.clone().expect("status");
    assert_eq!(status.kind, StatusKind::Info);
    assert!(
        status.text.contains("decided in another session"),
        "{}",
        status.text
    );
    // A refresh that changes nothing important just replaces the item.
    let mut s = ready();
    let mut same = item(vec![cand(7, "C0000913", 0.93)]);
    same.candidates[0].approvals = vec!["bob".into()];
    assert_eq!(
        update(&mut s, Action::ItemRefreshed(Some(Box::new(same)))),
        vec![]
    );
    assert_eq!(
        s.item.expect("item").candidates[0].approvals,
        vec!["bob".to_string()]
    );
}

#[test]
fn terminate_quits_at_once_even_in_training() {
    let mut s = ready();
    s.session.training = true;
    assert_eq!(update(&mut s, Action::Terminate), vec![Effect::Quit]);
    assert!(s.quit);
}
