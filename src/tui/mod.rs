//! The review screen (being built).
