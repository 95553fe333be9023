//! Keys to commands. The default keymap is `assets/keymap.toml`; a user file may rebind any
//! command. The footer and help overlay are generated from the same bindings that handle keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Command};
use super::state::Mode;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Which set of bindings applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Browse,
    Popup,
    Input,
}

impl Context {
    pub const ALL: [Context; 3] = [Context::Browse, Context::Popup, Context::Input];

    pub fn of(mode: &Mode) -> Context {
        match mode {
            Mode::Browse => Context::Browse,
            Mode::TextInput { .. } | Mode::Search { .. } => Context::Input,
            _ => Context::Popup,
        }
    }

    fn section(self) -> &'static str {
        match self {
            Context::Browse => "browse",
            Context::Popup => "popup",
            Context::Input => "input",
        }
    }
}

/// A key as written in keymap files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let (ctrl, rest) = match text.strip_prefix("Ctrl-") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest {
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "BackTab" => KeyCode::BackTab,
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "PageUp" => KeyCode::PageUp,
                "PageDown" => KeyCode::PageDown,
                "Home" => KeyCode::Home,
                "End" => KeyCode::End,
                "Backspace" => KeyCode::Backspace,
                "Delete" => KeyCode::Delete,
                f if f.starts_with('F') => {
                    KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
                }
                _ => return None,
            },
        };
        Some(Key { code, ctrl })
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Key { code, ctrl }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("BackTab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("keymap {origin}: {problem}")]
pub struct KeymapError {
    origin: String,
    problem: String,
}

/// Bindings per context, in file order (the order hints are shown in).
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<(Key, Command)>>,
}

type KeymapFile = BTreeMap<String, toml::Table>;

impl Keymap {
    /// The built-in keymap.
    pub fn default_keymap() -> Keymap {
        // The embedded file is tested to parse, so this cannot fail at run time.
        Keymap::parse(DEFAULT_KEYMAP, "built-in").unwrap_or(Keymap {
            bindings: BTreeMap::new(),
        })
    }

    /// The built-in keymap with the user's file (if it exists) applied over it.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default_keymap();
        if let Some(path) = user_file.filter(|p| p.exists()) {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| KeymapError {
                origin: origin.clone(),
                problem: e.to_string(),
            })?;
            keymap.override_with(&Keymap::parse(&text, &origin)?);
        }
        Ok(keymap)
    }

    /// Where a user keymap is looked for.
    pub fn user_path() -> Option<std::path::PathBuf> {
        dirs::config_dir().map(|d| d.join("matchgate").join("keymap.toml"))
    }

    pub fn parse(text: &str, origin: &str) -> Result<Keymap, KeymapError> {
        let err = |problem: String| KeymapError {
            origin: origin.to_string(),
            problem,
        };
        let file: KeymapFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut bindings = BTreeMap::new();
        for (section, table) in file {
            let context = Context::ALL
                .into_iter()
                .find(|c| c.section() == section)
                .ok_or_else(|| {
                    err(format!(
                        "unknown section [{section}] (use browse, popup, input)"
                    ))
                })?;
            let mut list = Vec::new();
            for (key_text, value) in table {
                let key = Key::parse(&key_text)
                    .ok_or_else(|| err(format!("[{section}] unknown key {key_text:?}")))?;
                let command: Command = value.clone().try_into().map_err(|_| {
                    err(format!("[{section}] {key_text:?}: unknown command {value}"))
                })?;
                list.push((key, command));
            }
            bindings.insert(context, list);
        }
        Ok(Keymap { bindings })
    }

    /// Applies another keymap on top: each command it binds loses its keys here.
    fn override_with(&mut self, user: &Keymap) {
        for (context, list) in &user.bindings {
            let mine = self.bindings.entry(*context).or_default();
            mine.retain(|(key, command)| !list.iter().any(|(k, c)| c == command || k == key));
            mine.extend(list.iter().copied());
        }
    }

    pub fn command(&self, context: Context, key: Key) -> Option<Command> {
        self.bindings
            .get(&context)?
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| *c)
    }

    /// The keys bound to a command in a context, in file order.
    pub fn keys_for(&self, context: Context, command: Command) -> Vec<Key> {
        self.bindings
            .get(&context)
            .map(|list| {
                list.iter()
                    .filter(|(_, c)| *c == command)
                    .map(|(k, _)| *k)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every command of a context once, with all its keys, in the order `Command` declares them.
    pub fn commands(&self, context: Context) -> Vec<(Command, Vec<Key>)> {
        let mut out: Vec<(Command, Vec<Key>)> = Vec::new();
        for (key, command) in self.bindings.get(&context).into_iter().flatten() {
            match out.iter_mut().find(|(c, _)| c == command) {
                Some((_, keys)) => keys.push(*key),
                None => out.push((*command, vec![*key])),
            }
        }
        out.sort_by_key(|(command, _)| *command);
        // Plain letters first, then named keys, then Ctrl chords: the way people say them.
        for (_, keys) in &mut out {
            keys.sort_by_key(|k| (k.ctrl, !matches!(k.code, KeyCode::Char(_))));
        }
        out
    }

    /// The action a key press means in this mode, if any.
    pub fn action(&self, mode: &Mode, event: &KeyEvent) -> Option<Action> {
        let context = Context::of(mode);
        let key = Key::from_event(event);
        if let Some(command) = self.command(context, key) {
            return Some(Action::Command(command));
        }
        match (context, event.code) {
            (Context::Input, KeyCode::Backspace) => Some(Action::Backspace),
            (Context::Input, KeyCode::Char(c)) if !key.ctrl => Some(Action::Input(c)),
            (Context::Popup, KeyCode::Char(c))
                if matches!(mode, Mode::ReasonPicker) && c.is_ascii_digit() =>
            {
                Some(Action::Input(c))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_default_keymap_parses_and_binds_every_documented_key() {
        let keymap = Keymap::parse(DEFAULT_KEYMAP, "built-in").expect("default keymap parses");
        let browse =
            |c: char| keymap.command(Context::Browse, Key::parse(&c.to_string()).expect("key"));
        assert_eq!(browse('a'), Some(Command::Approve));
        assert_eq!(browse('r'), Some(Command::Reject));
        assert_eq!(browse('s'), Some(Command::Defer));
        assert_eq!(browse('e'), Some(Command::Escalate));
        assert_eq!(browse('m'), Some(Command::Note));
        assert_eq!(browse('u'), Some(Command::Undo));
        assert_eq!(browse('/'), Some(Command::Search));
        assert_eq!(browse('?'), Some(Command::Help));
        assert_eq!(browse('q'), Some(Command::Quit));
        assert_eq!(
            keymap.action(&Mode::Browse, &press(KeyCode::Tab)),
            Some(Action::Command(Command::NextCandidate))
        );
    }

    #[test]
    fn typing_in_inputs_is_text_and_digits_pick_reasons() {
        let keymap = Keymap::default_keymap();
        let search = Mode::Search {
            query: String::new(),
            hits: vec![],
            selected: 0,
        };
        assert_eq!(
            keymap.action(&search, &press(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        );
        assert_eq!(
            keymap.action(&search, &press(KeyCode::Esc)),
            Some(Action::Command(Command::Cancel))
        );
        assert_eq!(
            keymap.action(&Mode::ReasonPicker, &press(KeyCode::Char('3'))),
            Some(Action::Input('3'))
        );
        assert_eq!(
            keymap.action(&Mode::Browse, &press(KeyCode::Char('3'))),
            None
        );
    }

    #[test]
    fn a_user_binding_replaces_the_default_for_that_command() {
        let mut keymap = Keymap::default_keymap();
        let user = Keymap::parse("[browse]\ny = \"approve\"\n", "user").expect("parses");
        keymap.override_with(&user);
        let y = Key::parse("y").expect("key");
        let a = Key::parse("a").expect("key");
        assert_eq!(keymap.command(Context::Browse, y), Some(Command::Approve));
        assert_eq!(keymap.command(Context::Browse, a), None);
        assert_eq!(keymap.keys_for(Context::Browse, Command::Approve), vec![y]);
    }

    #[test]
    fn bad_files_are_refused_with_the_problem_named() {
        let err =
            Keymap::parse("[browse]\na = \"launch\"\n", "k.toml").expect_err("unknown command");
        assert!(err.to_string().contains("k.toml"), "{err}");
        assert!(err.to_string().contains("launch"), "{err}");
        let err = Keymap::parse("[browse]\nNope = \"quit\"\n", "k.toml").expect_err("unknown key");
        assert!(err.to_string().contains("Nope"), "{err}");
        assert!(Keymap::parse("[elsewhere]\na = \"quit\"\n", "k.toml").is_err());
    }

    #[test]
    fn ctrl_keys_parse_and_match_events() {
        let keymap = Keymap::default_keymap();
        let event = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.action(&Mode::Browse, &event),
            Some(Action::Command(Command::Quit))
        );
    }
}
