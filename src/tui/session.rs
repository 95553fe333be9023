//! Opening a review session in a real terminal: everything that can fail is checked before the
//! terminal is touched, and the terminal is restored on quit, on error and on panic.

use std::io::IsTerminal;

use anyhow::Context as _;

use super::keymap::Keymap;
use super::runtime::{Runtime, run};
use super::signals::StopSignals;
use super::state::{ReviewState, SessionInfo};
use crate::domain::training::TrainingRecord;
use crate::domain::{QueueFilter, StateFilter};
use crate::store::Store;

/// What a review session needs besides the store.
pub struct SessionOptions {
    pub reviewer: String,
    pub batch: Option<String>,
    pub training: bool,
    /// Shown in the header instead of the database path (e.g. "demo").
    pub db_label: Option<String>,
    /// Start the guided tour.
    pub tour: bool,
}

/// What a finished session leaves behind for the command to report.
pub struct SessionReport {
    /// Training: every decision checked against its gold answer.
    pub training_log: Vec<TrainingRecord>,
}

/// Runs the review screen on an open store until the reviewer quits.
pub fn review(store: &mut Store, options: SessionOptions) -> anyhow::Result<SessionReport> {
    let keymap = Keymap::load(Keymap::user_path().as_deref())?;
    let batches = store.batches()?;
    let batch_id = match &options.batch {
        None => None,
        Some(name) => Some(
            batches
                .iter()
                .find(|(_, b)| &b.name == name)
                .map(|(id, _)| *id)
                .with_context(|| {
                    let known: Vec<String> = batches
                        .iter()
                        .map(|(_, b)| crate::domain::text_safety::escape_for_display(&b.name))
                        .collect();
                    format!(
                        "no batch named {} in this database (batches: {})",
                        crate::domain::text_safety::escape_for_display(name),
                        known.join(", ")
                    )
                })?,
        ),
    };
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the review screen needs a terminal (standard output is not one)");
    }
    let session = SessionInfo {
        db_label: options
            .db_label
            .unwrap_or_else(|| store.path().display().to_string()),
        reviewer: options.reviewer.clone(),
        training: options.training,
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    let filter = QueueFilter {
        state: StateFilter::ToDo,
        batch_id,
        ..QueueFilter::default()
    };
    let mut state = ReviewState::new(session, batches, filter);
    state.tour_step = options.tour.then_some(0);
    let mut runtime = Runtime::new(store, options.reviewer);
    let signals = StopSignals::install()?;
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init()?;
    let result = run(&mut terminal, &mut state, &keymap, &mut runtime, || {
        let Some(event) = next_event(&signals)? else {
            return Ok(None);
        };
        // Lets the end-to-end tests prove the terminal is restored on a panic; debug builds only.
        if cfg!(debug_assertions) && std::env::var_os("MATCHGATE_TEST_PANIC_ON_KEY").is_some() {
            panic!("test panic requested by MATCHGATE_TEST_PANIC_ON_KEY");
        }
        Ok(Some(event))
    });
    ratatui::restore();
    if signals.stopped() {
        eprintln!("matchgate: review stopped by a signal; every decision shown as saved is saved");
    }
    result.map(|()| SessionReport {
        training_log: state.training_log,
    })
}

/// How often the event loop looks at the stop flag while no key comes.
const SIGNAL_CHECK: std::time::Duration = std::time::Duration::from_millis(100);

/// The next terminal event, or None once a stop signal arrived or the terminal hung up (the
/// normal quit path follows). crossterm is asked only when input is waiting on a live terminal:
/// on a hung-up one its reader spins on end-of-file forever.
fn next_event(signals: &StopSignals) -> std::io::Result<Option<crossterm::event::Event>> {
    use super::signals::{terminal_hung_up, wait_for_input};
    loop {
        if signals.stopped() || terminal_hung_up() {
            return Ok(None);
        }
        // Zero timeout: what crossterm already holds, including a resize it caught.
        match crossterm::event::poll(std::time::Duration::ZERO) {
            Ok(true) => match crossterm::event::read() {
                Ok(event) => return Ok(Some(event)),
                Err(_) if signals.stopped() => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            },
            Ok(false) => wait_for_input(SIGNAL_CHECK),
            Err(_) if signals.stopped() => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
