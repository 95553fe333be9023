//! The review screen's real loop (keymap → update → effects → store → render) driven with scripted
//! key presses on a TestBackend, checked against the database: on a SQLite file and on a
//! PostgreSQL server alike (the same keys, the same screen, the same rows), then a file's lock.

mod support;

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use matchgate::domain::roles::Role;
use matchgate::domain::{MatchStatus, QueueFilter};
use matchgate::store::{ReviewStore, Store};
use matchgate::tui::keymap::Keymap;
use matchgate::tui::runtime::{Events, Runtime, run};
use matchgate::tui::state::{ReviewState, SessionInfo, StatusKind};
use ratatui::{Terminal, backend::TestBackend};
use support::backend::{Backend, Kind};

/// The reviewer at the keys (on a server, the role they log in as).
const WHO: &str = "lou";

/// Complete, agreeing records, so every release gate passes; R3's first candidate is a namesake
/// at the same address (a different date of birth).
const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,900-11-1111
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,900-22-2222
R3,C3a,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1948-07-30,3,Pine Rd,Springfield,IL,62703,900-33-3333
R3,C3b,0.85,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cyrus,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,900-33-4444
";

/// The fixture on a backend of `kind`, with the reviewer; None when skipped.
fn team(kind: Kind, test: &str) -> Option<Backend> {
    Backend::new(kind, test, FIXTURE, &[(WHO, Role::Reviewer)])
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn state(store: &mut dyn ReviewStore) -> ReviewState {
    let session = SessionInfo {
        db_label: "r.db".into(),
        reviewer: WHO.into(),
        training: false,
        no_color: true,
    };
    ReviewState::new(
        session,
        store.batches().expect("batches"),
        QueueFilter::default(),
    )
}

fn status_of(backend: &Backend, candidate: &str) -> MatchStatus {
    let rows = backend.rows(&format!(
        "SELECT m.status FROM matches m JOIN candidates c ON c.id = m.candidate_id
          WHERE c.source_id = '{candidate}'"
    ));
    rows[0][0].parse().expect("status")
}

/// Runs the loop over the scripted events (then stops as if the terminal closed).
fn drive(
    store: &mut dyn ReviewStore,
    state: &mut ReviewState,
    events: Vec<Event>,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(100, 32)).expect("terminal");
    let mut events: VecDeque<Event> = events.into();
    let keymap = Keymap::default_keymap();
    let runtime = Runtime::new(store, WHO.into());
    let mut next = || events.pop_front();
    run(
        &mut terminal,
        state,
        &keymap,
        runtime,
        Events::Scripted(&mut next),
    )
    .expect("run");
    terminal
}

on_both!(
    keys_decide_and_the_screen_moves_on,
    too_small_a_terminal_takes_no_decision
);

fn keys_decide_and_the_screen_moves_on(kind: Kind) {
    let Some(backend) = team(kind, "keys_decide") else {
        return;
    };
    let mut store = backend.screen(WHO, "loop-1");
    let mut s = state(&mut *store);
    // Approve R1, reject R2 as "different person", Tab to R3's second candidate and approve it.
    let terminal = drive(
        &mut *store,
        &mut s,
        vec![
            key('a'),
            key('r'),
            key('4'),
            Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
            key('a'),
        ],
    );
    let screen = terminal.backend().to_string();
    assert_eq!(status_of(&backend, "C1"), MatchStatus::Approved, "{screen}");
    assert_eq!(status_of(&backend, "C2"), MatchStatus::Rejected, "{screen}");
    assert_eq!(status_of(&backend, "C3b"), MatchStatus::Approved);
    assert_eq!(
        status_of(&backend, "C3a"),
        MatchStatus::Rejected,
        "the sibling is closed as not chosen"
    );
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Nothing left in this queue"), "{screen}");
    assert!(screen.contains("approved request R3 (saved)"), "{screen}");
}

#[test]
fn a_locked_database_shows_not_saved_and_the_same_key_retries() {
    let Some(backend) = team(Kind::Sqlite, "locked") else {
        return;
    };
    let path = backend.db();
    let mut store = Store::open(std::path::Path::new(&path)).expect("open");
    store
        .set_busy_timeout(Duration::from_millis(50))
        .expect("timeout");
    let locker = rusqlite::Connection::open(&path).expect("open");
    locker.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let mut s = state(&mut store);
    let terminal = drive(&mut store, &mut s, vec![key('a')]);
    let status = s.status.clone().expect("status");
    assert_eq!(status.kind, StatusKind::Error);
    assert!(
        status.text.contains("NOT saved") && status.text.contains("locked"),
        "{}",
        status.text
    );
    assert!(terminal.backend().to_string().contains("NOT saved"));
    assert_eq!(status_of(&backend, "C1"), MatchStatus::Pending);
    locker.execute_batch("ROLLBACK").expect("unlock");
    drive(&mut store, &mut s, vec![key('a')]);
    assert_eq!(
        status_of(&backend, "C1"),
        MatchStatus::Approved,
        "retried after the lock went away"
    );
}

fn too_small_a_terminal_takes_no_decision(kind: Kind) {
    let Some(backend) = team(kind, "too_small") else {
        return;
    };
    let mut store = backend.screen(WHO, "loop-1");
    let mut s = state(&mut *store);
    let events = vec![
        Event::Resize(60, 20),
        key('a'),
        key('s'),
        Event::Resize(100, 32),
    ];
    let terminal = drive(&mut *store, &mut s, events);
    assert_eq!(status_of(&backend, "C1"), MatchStatus::Pending);
    assert!(s.status.expect("status").text.contains("enlarge"));
    assert!(
        !terminal.backend().to_string().contains("needs more room"),
        "redrawn once large enough"
    );
}
