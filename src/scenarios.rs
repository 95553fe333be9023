//! The built-in training scenarios (being built).
