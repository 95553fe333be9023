//! Per-field agreement between a requested and a candidate record (being built).
