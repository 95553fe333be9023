//! Training feedback and the scoreboard: decisions checked against gold answers (being built).
