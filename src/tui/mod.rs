//! The review screen, Elm style: [`state`] holds everything, [`action`] lists what can happen,
//! [`update`] is the only place state changes and returns [`effect`]s, [`view`] draws from state
//! alone, and [`runtime`] is the edge that talks to the terminal and the store.

pub mod action;
pub mod effect;
pub mod event_loop;
pub mod keymap;
pub mod layout;
pub mod runtime;
pub mod session;
pub mod signals;
pub mod state;
pub mod supervise;
pub mod tour;
pub mod update;
pub mod view;

#[cfg(test)]
mod test_fixtures;

#[cfg(test)]
mod update_tests;

#[cfg(test)]
mod update_team_tests;

#[cfg(test)]
mod update_second_tests;
