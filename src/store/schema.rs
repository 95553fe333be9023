//! The database schema and its forward migrations. The schema is a public interface (README).

/// Marks a SQLite file as matchgate's (`PRAGMA application_id`, "MGAT").
pub const APPLICATION_ID: i64 = 0x4D47_4154;

/// Migrations in order; `PRAGMA user_version` counts how many have run.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, IMPORTS, SUPERVISION, SEARCH_PREFIXES];

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

/// Release safeguards: policy, legal holds, supervisor overrides, releases and recalls, and the
/// hash-chained audit log.
const V2: &str = r#"
-- The release policy, one row per key set away from its default (see `matchgate policy show`).
CREATE TABLE policy (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Legal holds on a batch. Lifting fills the lifted_* columns; a hold is never deleted.
CREATE TABLE holds (
    id          INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    scope       TEXT NOT NULL CHECK (scope IN ('residential','all')),
    reason      TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    lifted_by   TEXT,
    lifted_at   TEXT,
    lift_reason TEXT
);
CREATE INDEX holds_by_batch ON holds (batch_id, lifted_at);
CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds
BEGIN SELECT RAISE(ABORT, 'holds are never deleted; lift them'); END;

-- A supervisor's override of the address-sufficiency gate for one match.
CREATE TABLE overrides (
    id            INTEGER PRIMARY KEY,
    match_id      INTEGER NOT NULL REFERENCES matches(id),
    supervisor    TEXT NOT NULL,
    justification TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX overrides_by_match ON overrides (match_id);

-- One export run that released something.
CREATE TABLE releases (
    id          INTEGER PRIMARY KEY,
    released_by TEXT NOT NULL,
    released_at TEXT NOT NULL,
    file        TEXT NOT NULL,
    format      TEXT NOT NULL,
    item_count  INTEGER NOT NULL
);

-- What each release handed over: one row per match, never two (UNIQUE match_id).
CREATE TABLE release_items (
    release_id  INTEGER NOT NULL REFERENCES releases(id),
    match_id    INTEGER NOT NULL UNIQUE REFERENCES matches(id),
    approvers   TEXT NOT NULL,
    flags       INTEGER NOT NULL,
    PRIMARY KEY (release_id, match_id)
);

-- A recall (disposal request) of a released match.
CREATE TABLE recalls (
    id          INTEGER PRIMARY KEY,
    match_id    INTEGER NOT NULL REFERENCES matches(id),
    release_id  INTEGER NOT NULL REFERENCES releases(id),
    recalled_by TEXT NOT NULL,
    recalled_at TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX recalls_by_match ON recalls (match_id);
CREATE TRIGGER release_items_no_update BEFORE UPDATE ON release_items
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;
CREATE TRIGGER release_items_no_delete BEFORE DELETE ON release_items
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;
CREATE TRIGGER recalls_no_update BEFORE UPDATE ON recalls
BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
CREATE TRIGGER recalls_no_delete BEFORE DELETE ON recalls
BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;

-- The audit log: every event, hash-chained. hash = SHA-256(prev_hash || canonical content).
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('done','refused')),
    detail      TEXT NOT NULL,
    decision_id INTEGER UNIQUE REFERENCES decisions(id),
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// A team on one database: registered people with roles, and claims (leases) on requests so two
/// reviewers are never shown the same one.
const V3: &str = r#"
-- People allowed to work on this database. While the table is empty the database is in
-- single-user mode (no checks). A person is never deleted: disabling keeps their history legible.
CREATE TABLE users (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('reviewer','supervisor','admin')),
    disabled_at TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users are never deleted; disable them'); END;

-- Who is looking at a request now. One row per claimed request; a lease ends at expires_ms
-- (Unix milliseconds) unless renewed. session fences decisions: a decision commits only while
-- its session holds the request (or nobody does).
CREATE TABLE claims (
    request_id  INTEGER PRIMARY KEY REFERENCES requests(id),
    holder      TEXT NOT NULL,
    session     TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL
);
CREATE INDEX claims_by_session ON claims (session);
CREATE INDEX claims_by_holder  ON claims (holder, expires_ms);

-- Every change of a request's queue state, appended in the transaction that made it, so running
-- screens keep their counts and lists current by reading what changed instead of rescanning.
CREATE TABLE queue_moves (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    rank_before INTEGER NOT NULL,
    rank_after  INTEGER NOT NULL,
    session     TEXT NOT NULL
);

-- Whether an approval still stands is asked per match (release gates, a first approver's queue);
-- without this every such question scanned the whole history.
CREATE INDEX decisions_by_undoes ON decisions (undoes) WHERE undoes IS NOT NULL;
"#;

/// Imports in short transactions: an import's rows are written in many small transactions while
/// the rows stay invisible to every reader until one tiny transaction publishes them. Only
/// imports insert batches, requests, candidates and matches, and imports run one at a time, so
/// an unfinished import's rows are exactly those with ids from its `*_from` marks up: readers
/// hide `id >= min(requests_from)` of the imports still `loading` (a rowid comparison, which
/// every index carries, so no index loses its use).
const IMPORTS: &str = r#"
CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('loading','done','failed')),
    file            TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    -- The first row id this import could write in each table (max(id) + 1 when it began).
    batches_from    INTEGER NOT NULL,
    requests_from   INTEGER NOT NULL,
    candidates_from INTEGER NOT NULL,
    matches_from    INTEGER NOT NULL,
    -- Matches it added (set when it is published).
    inserted        INTEGER NOT NULL DEFAULT 0,
    -- Who is loading it, and when it last wrote: an import whose process is gone (same host)
    -- or that has not written for a while is unfinished, and the next import cleans it up.
    host            TEXT NOT NULL,
    pid             INTEGER NOT NULL,
    heartbeat_at    TEXT NOT NULL
);
CREATE INDEX imports_by_state ON imports (state);

-- New candidates of requests that were already in the database: held here while the import
-- loads (a visible request must not change under a reviewer) and moved into matches, with the
-- requests' totals, by the transaction that publishes the import.
CREATE TABLE import_staged (
    import_id    INTEGER NOT NULL REFERENCES imports(id),
    request_id   INTEGER NOT NULL REFERENCES requests(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    score        REAL NOT NULL,
    gold         TEXT,
    gold_note    TEXT,
    flags        INTEGER NOT NULL,
    PRIMARY KEY (import_id, request_id, candidate_id)
) WITHOUT ROWID;

-- Recall by release time.
CREATE INDEX releases_by_time ON releases (released_at);
"#;

/// Supervision: supervisors' checks of decisions (agree, overturn) and second reviewers' blind
/// verdicts are rows of the decision history; each sampleable decision carries its sample draws
/// (so the sample is a range scan, never a rehash of the history); the database's sampling seed;
/// second reviews waiting; approvals waiting for a supervisor's override.
///
/// A CHECK constraint cannot be altered in place, so `decisions` is rebuilt with the same rows,
/// ids, indexes and append-only triggers (foreign keys are off while migrations run).
const SUPERVISION: &str = r#"
CREATE TABLE decisions_v5 (
    id            INTEGER PRIMARY KEY,
    match_id      INTEGER NOT NULL REFERENCES matches(id),
    group_id      INTEGER NOT NULL,
    reviewer      TEXT NOT NULL,
    action        TEXT NOT NULL
                  CHECK (action IN ('approve','reject','defer','escalate','note','undo',
                                    'agree','overturn','second_approve','second_reject')),
    status_before TEXT NOT NULL,
    status_after  TEXT NOT NULL,
    reason_code   TEXT,
    note          TEXT,
    decided_at    TEXT NOT NULL,
    viewed_ms     INTEGER,
    undoes        INTEGER REFERENCES decisions(id),
    session       TEXT,
    -- The decision a supervisor's agree/overturn or a second reviewer's verdict is about.
    checks        INTEGER REFERENCES decisions(id),
    -- Sample draws (uniform in [0, 2^53), keyed by the database's seed) of a decision that can be
    -- checked: the first row of an approve or reject group. NULL on every other row.
    spot_draw     INTEGER,
    second_draw   INTEGER
);
INSERT INTO decisions_v5 (id, match_id, group_id, reviewer, action, status_before, status_after,
                          reason_code, note, decided_at, viewed_ms, undoes, session)
     SELECT id, match_id, group_id, reviewer, action, status_before, status_after,
            reason_code, note, decided_at, viewed_ms, undoes, session
       FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_v5 RENAME TO decisions;
CREATE INDEX decisions_by_match    ON decisions (match_id, id);
CREATE INDEX decisions_by_reviewer ON decisions (reviewer, decided_at);
CREATE INDEX decisions_by_group    ON decisions (group_id);
CREATE INDEX decisions_by_undoes   ON decisions (undoes) WHERE undoes IS NOT NULL;
CREATE INDEX decisions_by_checks   ON decisions (checks) WHERE checks IS NOT NULL;
-- Lots (one reviewer's checkable decisions on one day) and their draws, without the table.
CREATE INDEX decisions_lots ON decisions (decided_at, reviewer, action, spot_draw)
    WHERE spot_draw IS NOT NULL;
-- Figures per reviewer from the index alone: counts by verdict and active hours (a covering
-- scan per reviewer) and the exact median time looked (read in order, by OFFSET).
CREATE INDEX decisions_figures ON decisions (reviewer, viewed_ms, action, decided_at, spot_draw)
    WHERE spot_draw IS NOT NULL;
-- The everyone-median, read in order the same way.
CREATE INDEX decisions_viewed ON decisions (viewed_ms, action, decided_at, spot_draw)
    WHERE spot_draw IS NOT NULL;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

-- The key of the sample draws: random per database, set once. Changing it would redraw every
-- sample, so it cannot be changed.
CREATE TABLE quality_seed (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seed        BLOB NOT NULL CHECK (length(seed) >= 16),
    created_at  TEXT NOT NULL
);
INSERT INTO quality_seed (id, seed, created_at)
     VALUES (1, randomblob(32), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE TRIGGER quality_seed_no_update BEFORE UPDATE ON quality_seed
BEGIN SELECT RAISE(ABORT, 'the sampling seed is set once'); END;
CREATE TRIGGER quality_seed_no_delete BEFORE DELETE ON quality_seed
BEGIN SELECT RAISE(ABORT, 'the sampling seed is set once'); END;

-- A decided request drawn for a blind second review: open until a second reviewer's verdict
-- (a `second_*` history row) names it in done_by.
CREATE TABLE second_reviews (
    decision_id    INTEGER PRIMARY KEY REFERENCES decisions(id),
    request_id     INTEGER NOT NULL REFERENCES requests(id),
    match_id       INTEGER NOT NULL REFERENCES matches(id),
    first_reviewer TEXT NOT NULL,
    drawn_at       TEXT NOT NULL,
    done_by        INTEGER REFERENCES decisions(id)
);
CREATE INDEX second_reviews_open ON second_reviews (request_id) WHERE done_by IS NULL;

-- An approval refused only by a rule a supervisor may override (address sufficiency): the
-- reviewer's request for an override, with their note, waiting in the supervisors' queue.
CREATE TABLE override_requests (
    id          INTEGER PRIMARY KEY,
    match_id    INTEGER NOT NULL REFERENCES matches(id),
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    reviewer    TEXT NOT NULL,
    note        TEXT,
    rules       TEXT NOT NULL,
    asked_at    TEXT NOT NULL
);
CREATE INDEX override_requests_by_match ON override_requests (match_id);
"#;

/// Search as one types: one- and two-letter prefixes ("m", "ma") get their own index entries, so
/// the first keys of a search no longer scan every word that starts with them (measured on a
/// copy of the 1.28M-row set: "m" 52 ms to 0.4 ms, "margaret r" 201 ms to 1.6 ms, for about
/// 60 MB more index). The index is contentless, so it is rebuilt from the requests: the same
/// text the importer indexes (a few seconds at a million requests, once).
const SEARCH_PREFIXES: &str = r#"
DROP TABLE request_search;
CREATE VIRTUAL TABLE request_search USING fts5(
    text, content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
INSERT INTO request_search (rowid, text)
     SELECT id, concat_ws(' ', source_id, given_name, surname, street_number, street, unit, city,
                          state, zip)
       FROM requests;
"#;
