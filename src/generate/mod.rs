//! The synthetic data generator (being built).
