//! Writing imported flagged matches into the database (being built).
