//! Opening the supervisor's screen in a real terminal (or on scripted events, for tests): the
//! terminal is restored on quit, on error and on panic.

use std::io::IsTerminal;

use crossterm::event::{Event, KeyEventKind};
use ratatui::{Frame, Terminal, backend::Backend};

use super::action::{Action, Effect};
use super::state::{CheckMade, SuperviseState};
use super::update::{start, update};
use super::worker::SuperviseWorker;
use crate::store::SuperviseStore;
use crate::tui::event_loop::{Events, Screen, run_screen};

pub struct SuperviseOptions {
    pub supervisor: String,
    /// Lots (reviewer-days) from this UTC day on are sampled, `YYYY-MM-DD`.
    pub since_day: String,
    pub db_label: String,
}

/// What the session leaves behind: the checks made (the training scoreboard reads them).
pub struct SuperviseReport {
    pub checks: Vec<CheckMade>,
}

struct SuperviseScreen<'s> {
    state: &'s mut SuperviseState,
}

impl Screen for SuperviseScreen<'_> {
    type Action = Action;
    type Effect = Effect;

    fn start(&mut self, width: u16, height: u16) -> Vec<Effect> {
        let mut first = update(self.state, Action::Resize { width, height });
        first.extend(start());
        first
    }

    fn update(&mut self, action: Action) -> Vec<Effect> {
        update(self.state, action)
    }

    fn render(&self, frame: &mut Frame<'_>) {
        super::view::render(frame, self.state);
    }

    fn input(&self, event: Event) -> Option<Action> {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                super::keys::action(&self.state.mode, &key)
            }
            Event::Resize(width, height) => Some(Action::Resize { width, height }),
            _ => None,
        }
    }

    fn terminate(&self) -> Action {
        Action::Terminate
    }

    fn quit() -> Effect {
        Effect::Quit
    }

    fn is_quit(effect: &Effect) -> bool {
        matches!(effect, Effect::Quit)
    }
}

/// Runs the screen on a given terminal and events until the supervisor quits.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    store: &mut dyn SuperviseStore,
    options: SuperviseOptions,
    events: Events<'_>,
) -> anyhow::Result<SuperviseReport>
where
    B::Error: Send + Sync + 'static,
{
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut state = SuperviseState::new(options.supervisor.clone(), options.db_label, no_color);
    let worker = SuperviseWorker::new(store, options.supervisor, options.since_day);
    run_screen(
        terminal,
        &mut SuperviseScreen { state: &mut state },
        worker,
        events,
    )?;
    Ok(SuperviseReport {
        checks: state.checks,
    })
}

/// Runs the supervisor's screen in this process's terminal.
pub fn supervise(
    store: &mut dyn SuperviseStore,
    options: SuperviseOptions,
) -> anyhow::Result<SuperviseReport> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the supervisor's screen needs a terminal (standard output is not one)");
    }
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init()?;
    let result = run(&mut terminal, store, options, Events::Terminal);
    ratatui::restore();
    result
}
