//! matchgate: a human gate between an automated record matcher and the release of addresses.
//!
//! - [`domain`]: records, field comparison, decisions, release policy; no terminal, no SQL.
//! - [`store`]: every SQL statement (SQLite, and PostgreSQL in `store::postgres`), migrations,
//!   typed errors.
//! - [`login`]: the operating system's name for who runs this process.
//! - [`import`]: reading CSV / JSON Lines files of flagged matches into domain types.
//! - [`generate`]: the synthetic data generator (demo and benchmark data with right answers).
//! - [`scenarios`]: the built-in training scenarios (hand-checked data in `assets/scenarios/`).
//! - [`tui`]: the review screen, Elm style: state, `Action`, pure `update`, render, effects.
//! - [`commands`]: one function per CLI subcommand, gluing the parts together.
//! - [`cli`]: the clap definitions.

pub mod cli;
pub mod commands;
pub mod domain;
pub mod generate;
pub mod import;
pub mod login;
pub mod scenarios;
pub mod store;
pub mod tui;

use std::process::ExitCode;

/// Runs one CLI command.
pub fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    commands::dispatch(cli.command)
}
