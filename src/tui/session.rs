//! Opening a review session in a real terminal: everything that can fail is checked before the
//! terminal is touched, and the terminal is restored on quit, on error and on panic.

use std::io::IsTerminal;

use anyhow::Context as _;

use super::keymap::Keymap;
use super::runtime::{Events, Runtime, run};
use super::state::{ReviewState, SessionInfo};
use crate::domain::training::TrainingRecord;
use crate::domain::{QueueFilter, StateFilter};
use crate::store::ReviewStore;

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
pub fn review(
    store: &mut dyn ReviewStore,
    options: SessionOptions,
) -> anyhow::Result<SessionReport> {
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
        db_label: options.db_label.unwrap_or_else(|| store.label()),
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
    let runtime = Runtime::new(store, options.reviewer);
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init()?;
    let result = run(
        &mut terminal,
        &mut state,
        &keymap,
        runtime,
        Events::Terminal,
    );
    ratatui::restore();
    result.map(|()| SessionReport {
        training_log: state.training_log,
    })
}
