//! Reading CSV / JSON Lines files of flagged matches (being built).
