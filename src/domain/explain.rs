//! Why the matcher flagged a pair: which fields agree, conflict or are missing (being built).
