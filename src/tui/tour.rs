//! The guided tour for live demos: captions that explain each part of the screen, one at a time
//! (`n` shows the next, `Esc` leaves the tour; every other key works as usual).

/// (part of the screen, what to say about it)
pub const CAPTIONS: [(&str, &str); 9] = [
    (
        "Header",
        "Who is reviewing which database, and progress: decided / total with a gauge. The second line names the batch, who asked for it and under which law.",
    ),
    (
        "Queue position",
        "[n/total] is where you are in the queue: open items first by matcher score, deferred ones after. From 110 columns a list of nearby items stands on the left.",
    ),
    (
        "Comparison",
        "One row per field: what the requester sent, what the protected record holds, and how well they agree. = exact, ~ close, ! differs, ? missing; differing characters are underlined.",
    ),
    (
        "Why flagged",
        "The matcher's score and which fields agree, conflict or are missing. A high score is not an answer: check the address is complete and the identifiers agree.",
    ),
    (
        "Several candidates",
        "When the matcher proposed several records, all are listed; Tab shows the next. Approving releases only the one shown; the others are closed as not chosen.",
    ),
    (
        "Deciding",
        "a approves the release, r rejects with a reason (1-9), s defers, e escalates to a supervisor. Each decision is saved before the screen says so, then the next item appears.",
    ),
    (
        "Undo and notes",
        "u reverts your last decision (the history keeps both), m adds a note. Nothing is ever deleted.",
    ),
    (
        "Finding things",
        "/ searches names and addresses, f filters (status, batch, score, flags), o changes the order, d shows every value in full.",
    ),
    (
        "Training",
        "In training each decision is checked against the right answer at once; b shows the scoreboard. ? lists every key. Esc leaves this tour.",
    ),
];
