//! The supervisor's screen (`matchgate supervise`), Elm style like the review screen beside it:
//! its own [`state`], [`action`]s, pure [`update`] and [`view`], and a [`worker`] at the edge
//! that talks to the store off the UI thread. The request comparison is the review screen's
//! panel, reused.

pub mod action;
pub mod figures;
pub mod keys;
mod session;
pub mod state;
pub mod update;
pub mod view;
pub mod worker;

pub use session::{SuperviseOptions, SuperviseReport, supervise};

#[cfg(test)]
mod tests;
