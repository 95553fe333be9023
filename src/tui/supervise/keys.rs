//! The supervisor's keys: one table, from which keys are read and the help and footer are drawn,
//! so what the screen says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Command};
use super::state::Mode;

/// (key as shown, key, command, what it does)
pub const BINDINGS: [(&str, KeyCode, Command, &str); 14] = [
    (
        "y",
        KeyCode::Char('y'),
        Command::Agree,
        "agree with the decision under check",
    ),
    (
        "o",
        KeyCode::Char('o'),
        Command::Overturn,
        "overturn it (a reason digit, then a note)",
    ),
    (
        "m",
        KeyCode::Char('m'),
        Command::Note,
        "write a note on the match",
    ),
    (
        "a",
        KeyCode::Char('a'),
        Command::Approve,
        "approve an escalated request / override (with a justification)",
    ),
    (
        "r",
        KeyCode::Char('r'),
        Command::Reject,
        "reject an escalated request or a waiting override (a reason digit)",
    ),
    (
        "u",
        KeyCode::Char('u'),
        Command::Undo,
        "undo your own last action",
    ),
    ("j", KeyCode::Char('j'), Command::Next, "next item"),
    ("↓", KeyCode::Down, Command::Next, "next item"),
    ("k", KeyCode::Char('k'), Command::Previous, "previous item"),
    ("↑", KeyCode::Up, Command::Previous, "previous item"),
    (
        "Tab",
        KeyCode::Tab,
        Command::NextCandidate,
        "show the request's next candidate",
    ),
    (
        "f",
        KeyCode::Char('f'),
        Command::Figures,
        "reviewers' figures",
    ),
    ("?", KeyCode::Char('?'), Command::Help, "this help"),
    (
        "q",
        KeyCode::Char('q'),
        Command::Quit,
        "quit (your claims are released)",
    ),
];

/// The footer's hints, in order.
pub const HINTS: [Command; 9] = [
    Command::Agree,
    Command::Overturn,
    Command::Note,
    Command::Approve,
    Command::Reject,
    Command::Undo,
    Command::Figures,
    Command::Help,
    Command::Quit,
];

/// The key shown for a command (its first binding).
pub fn key_of(command: Command) -> &'static str {
    BINDINGS
        .iter()
        .find(|b| b.2 == command)
        .map(|b| b.0)
        .unwrap_or("?")
}

/// A short word for the footer.
pub fn word(command: Command) -> &'static str {
    match command {
        Command::Agree => "agree",
        Command::Overturn => "overturn",
        Command::Note => "note",
        Command::Approve => "approve",
        Command::Reject => "reject",
        Command::Undo => "undo",
        Command::Figures => "figures",
        Command::Help => "help",
        Command::Quit => "quit",
        Command::Next => "next",
        Command::Previous => "previous",
        Command::NextCandidate => "candidate",
    }
}

/// The action a key press stands for in the current mode.
pub fn action(mode: &Mode, key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Command(Command::Quit));
    }
    match mode {
        Mode::Browse => BINDINGS
            .iter()
            .find(|b| b.1 == key.code)
            .map(|b| Action::Command(b.2)),
        Mode::TextInput { .. } => match key.code {
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Char(c)),
            _ => None,
        },
        Mode::ReasonPicker(_) => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Char(c) if c.is_ascii_digit() => Some(Action::Char(c)),
            _ => None,
        },
        Mode::Help | Mode::Figures => match key.code {
            KeyCode::Char('q') => Some(Action::Command(Command::Quit)),
            _ => Some(Action::Cancel),
        },
    }
}
