//! The database schema and its forward migrations. The schema is a public interface (README).

/// Marks a SQLite file as matchgate's (`PRAGMA application_id`, "MGAT").
pub const APPLICATION_ID: i64 = 0x4D47_4154;

/// Migrations in order; `PRAGMA user_version` counts how many have run.
pub const MIGRATIONS: &[&str] = &[V1];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = r#"
CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    requester    TEXT NOT NULL DEFAULT '',
    legal_basis  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);

-- The record as the requester sent it. source_id is the file's request_id.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batches(id),
    source_id       TEXT NOT NULL,
    given_name      TEXT,
    surname         TEXT,
    dob             TEXT,
    street_number   TEXT,
    street          TEXT,
    unit            TEXT,
    city            TEXT,
    state           TEXT,
    zip             TEXT,
    extra           TEXT NOT NULL DEFAULT '{}',
    top_score       REAL NOT NULL,
    candidate_count INTEGER NOT NULL,
    flags           INTEGER NOT NULL DEFAULT 0,
    queue_rank      INTEGER NOT NULL DEFAULT 0,
    imported_at     TEXT NOT NULL,
    UNIQUE (batch_id, source_id)
);
-- Keyset paging of the review queue, one index per (filter, order) the screen offers.
CREATE INDEX requests_by_score       ON requests (queue_rank, top_score, id);
CREATE INDEX requests_by_age         ON requests (queue_rank, id);
CREATE INDEX requests_by_batch       ON requests (queue_rank, batch_id, id);
CREATE INDEX requests_batch_by_score ON requests (batch_id, queue_rank, top_score, id);
CREATE INDEX requests_batch_by_age   ON requests (batch_id, queue_rank, id);

-- Full-text index over what a reviewer searches by (names, address, request id). Contentless:
-- it holds only the index; rowid is requests.id. Filled in bulk at the end of each import, which
-- is ten times cheaper than a row-by-row trigger.
CREATE VIRTUAL TABLE request_search USING fts5(
    text, content = '', tokenize = 'unicode61 remove_diacritics 2'
);

-- The protected record a matcher proposed. source_id is the file's candidate_id.
CREATE TABLE candidates (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches(id),
    source_id     TEXT NOT NULL,
    given_name    TEXT,
    surname       TEXT,
    dob           TEXT,
    street_number TEXT,
    street        TEXT,
    unit          TEXT,
    city          TEXT,
    state         TEXT,
    zip           TEXT,
    tin           TEXT,
    extra         TEXT NOT NULL DEFAULT '{}',
    UNIQUE (batch_id, source_id)
);

CREATE TABLE matches (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES batches(id),
    request_id   INTEGER NOT NULL REFERENCES requests(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    score        REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending','approved','rejected','deferred','escalated','released')),
    gold         TEXT CHECK (gold IN ('match','nonmatch')),
    gold_note    TEXT,
    imported_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (request_id, candidate_id)
);
CREATE INDEX matches_by_status       ON matches (status);
CREATE INDEX matches_by_batch_status ON matches (batch_id, status);

-- Append-only history: every decision, note and undo. Never updated or deleted.
CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    match_id      INTEGER NOT NULL REFERENCES matches(id),
    group_id      INTEGER NOT NULL,
    reviewer      TEXT NOT NULL,
    action        TEXT NOT NULL
                  CHECK (action IN ('approve','reject','defer','escalate','note','undo')),
    status_before TEXT NOT NULL,
    status_after  TEXT NOT NULL,
    reason_code   TEXT,
    note          TEXT,
    decided_at    TEXT NOT NULL,
    viewed_ms     INTEGER,
    undoes        INTEGER REFERENCES decisions(id),
    session       TEXT
);
CREATE INDEX decisions_by_match    ON decisions (match_id, id);
CREATE INDEX decisions_by_reviewer ON decisions (reviewer, decided_at);
CREATE INDEX decisions_by_group    ON decisions (group_id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"#;
