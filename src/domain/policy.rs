//! Release policy: the gates an approval and an export must pass (being built).
