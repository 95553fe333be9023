//! Importing on a server: the rows stream through COPY into a temporary table (read, checked
//! and prepared on another thread, exactly as for SQLite), then a few set-based statements add
//! batches, requests, candidates and matches, all in one transaction. PostgreSQL's snapshots
//! keep every row invisible until it commits and its row locks block nobody meanwhile: new
//! rows lock nothing others write, and the requests that were already there are updated by the
//! last statement, moments before the commit.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;

use postgres::Transaction;

use super::{PgStore, copy_csv};
use crate::domain::roles::{Act, Role};
use crate::domain::{Field, ItemFlags, QueueState};
use crate::import::{ImportReport, ImportRow, OnBadRow, RowError};
use crate::store::import::{PARCELS_WAITING, Parcel, read_side};
use crate::store::import_rows::PreparedRow;
use crate::store::records::REQUEST_FIELDS;
use crate::store::{StoreError, StoreResult, now_utc};

const STAGING: &str = "
CREATE TEMP TABLE import_rows (
    seq bigint, batch text, requester text, legal_basis text,
    r_source text, r_given text, r_surname text, r_dob text, r_number text, r_street text,
    r_unit text, r_city text, r_state text, r_zip text, r_extra text,
    c_source text, c_given text, c_surname text, c_dob text, c_number text, c_street text,
    c_unit text, c_city text, c_state text, c_zip text, c_tin text, c_extra text,
    score double precision, gold text, gold_note text, pair_flags bigint
) ON COMMIT DROP;
CREATE TEMP TABLE new_requests (id bigint PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE new_matches (request_id bigint, batch_id bigint, score double precision,
                               pair_flags bigint) ON COMMIT DROP;";

/// The batches named in the file, created in file order with their first row's metadata.
const BATCHES: &str = "
INSERT INTO batches (name, requester, legal_basis, created_at)
SELECT batch, requester, legal_basis, $1
  FROM (SELECT DISTINCT ON (batch) batch, requester, legal_basis, seq
          FROM import_rows ORDER BY batch, seq) firsts
 ORDER BY seq
ON CONFLICT (name) DO NOTHING";

/// New requests with their first-seen values and their totals over the file's distinct
/// candidates of each (every pair of a new request is new): written once, never updated.
const REQUESTS: &str = "
WITH pairs AS (
    SELECT DISTINCT ON (batch, r_source, c_source) batch, r_source, score, pair_flags
      FROM import_rows ORDER BY batch, r_source, c_source, seq),
totals AS (
    SELECT batch, r_source, max(score) AS top, count(*) AS n, bit_or(pair_flags) AS flags
      FROM pairs GROUP BY batch, r_source),
firsts AS (
    SELECT DISTINCT ON (r.batch, r.r_source) b.id AS batch_id, r.*
      FROM import_rows r JOIN batches b ON b.name = r.batch
     ORDER BY r.batch, r.r_source, r.seq),
inserted AS (
    INSERT INTO requests (batch_id, source_id, given_name, surname, dob, street_number, street,
                          unit, city, state, zip, extra, top_score, candidate_count, flags,
                          queue_rank, imported_at)
    SELECT f.batch_id, f.r_source, f.r_given, f.r_surname, f.r_dob, f.r_number, f.r_street,
           f.r_unit, f.r_city, f.r_state, f.r_zip, f.r_extra, t.top, t.n,
           t.flags | CASE WHEN t.n > 1 THEN $3::bigint ELSE 0 END, $2, $1
      FROM firsts f JOIN totals t ON t.batch = f.batch AND t.r_source = f.r_source
     ORDER BY f.seq
    ON CONFLICT (batch_id, source_id) DO NOTHING
    RETURNING id)
INSERT INTO new_requests SELECT id FROM inserted";

/// The text `request_search` holds: the columns `search_text` joins on the SQLite side, as
/// its cleanup recomputes them (and `migrate` does).
const SEARCH: &str = "
INSERT INTO request_search (request_id, text)
SELECT q.id, concat_ws(' ', q.source_id, q.given_name, q.surname, q.street_number, q.street,
                       q.unit, q.city, q.state, q.zip)
  FROM new_requests n JOIN requests q ON q.id = n.id";

const CANDIDATES: &str = "
INSERT INTO candidates (batch_id, source_id, given_name, surname, dob, street_number, street,
                        unit, city, state, zip, tin, extra)
SELECT batch_id, c_source, c_given, c_surname, c_dob, c_number, c_street, c_unit, c_city,
       c_state, c_zip, c_tin, c_extra
  FROM (SELECT DISTINCT ON (r.batch, r.c_source) b.id AS batch_id, r.*
          FROM import_rows r JOIN batches b ON b.name = r.batch
         ORDER BY r.batch, r.c_source, r.seq) firsts
 ORDER BY seq
ON CONFLICT (batch_id, source_id) DO NOTHING";

/// One match per (request, candidate) pair, the first row's values; a pair already stored is
/// left as it is (re-importing is a no-op).
const MATCHES: &str = "
WITH pairs AS (
    SELECT DISTINCT ON (q.id, c.id) b.id AS batch_id, q.id AS request_id, c.id AS candidate_id,
           r.score, r.gold, r.gold_note, r.pair_flags, r.seq
      FROM import_rows r JOIN batches b ON b.name = r.batch
      JOIN requests q ON q.batch_id = b.id AND q.source_id = r.r_source
      JOIN candidates c ON c.batch_id = b.id AND c.source_id = r.c_source
     ORDER BY q.id, c.id, r.seq),
inserted AS (
    INSERT INTO matches (batch_id, request_id, candidate_id, score, status, gold, gold_note,
                         imported_at, updated_at)
    SELECT batch_id, request_id, candidate_id, score, 'pending', gold, gold_note, $1, $1
      FROM pairs ORDER BY seq
    ON CONFLICT (request_id, candidate_id) DO NOTHING
    RETURNING request_id, candidate_id, batch_id, score)
INSERT INTO new_matches
SELECT i.request_id, i.batch_id, i.score, p.pair_flags
  FROM inserted i JOIN pairs p ON p.request_id = i.request_id AND p.candidate_id = i.candidate_id";

/// The requests that were already there and gain candidates: their new totals (new pending
/// candidates reopen a request, whatever was decided before). Last, so its row locks on rows
/// others may be deciding last only until the commit.
const TOTALS: &str = "
UPDATE requests q
   SET top_score = greatest(q.top_score, g.top),
       candidate_count = q.candidate_count + g.n,
       queue_rank = $1,
       flags = q.flags | g.flags | CASE WHEN q.candidate_count + g.n > 1 THEN $2::bigint ELSE 0 END
  FROM (SELECT m.request_id, max(m.score) AS top, count(*) AS n, bit_or(m.pair_flags) AS flags
          FROM new_matches m
         WHERE NOT EXISTS (SELECT 1 FROM new_requests n WHERE n.id = m.request_id)
         GROUP BY m.request_id) g
 WHERE q.id = g.request_id";

impl PgStore {
    /// Imports the rows of `file` in one transaction: all or nothing, as on SQLite (see
    /// `Store::import_file` for the counting and `OnBadRow`). Needs the admin role.
    pub fn import_file<I, F>(
        &mut self,
        file: &str,
        rows: I,
        policy: OnBadRow,
        mut on_bad: F,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        I::IntoIter: Send,
        F: FnMut(RowError),
    {
        if self.own_role()? != Some(Role::Admin) && self.role_refusal(Act::ManageUsers)?.is_some() {
            return Err(StoreError::Refused(format!(
                "{} may not import: on a server, importing needs the admin role",
                crate::domain::text_safety::escape_for_display(&self.user)
            )));
        }
        let started = now_utc();
        let mut tx = self.client.transaction()?;
        tx.batch_execute(STAGING)?;
        let doomed = AtomicBool::new(false);
        let mut report = ImportReport::default();
        let rows = rows.into_iter();
        let (send, receive) = sync_channel::<Parcel>(PARCELS_WAITING);
        let copied = std::thread::scope(|scope| -> StoreResult<u64> {
            let doomed = &doomed;
            scope.spawn(move || read_side(rows, policy, doomed, send));
            let writer = tx.copy_in("COPY import_rows FROM STDIN WITH (FORMAT csv)")?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
            let mut seq = 0u64;
            for parcel in receive.iter() {
                match parcel {
                    Parcel::Groups(_) if doomed.load(Ordering::Relaxed) => {}
                    Parcel::Groups(groups) => {
                        for group in &groups {
                            for row in &group.rows {
                                seq += 1;
                                write_row(&mut out, seq, row, &group.request_extra).map_err(
                                    |e| {
                                        StoreError::Refused(format!(
                                            "streaming rows to the server: {e}"
                                        ))
                                    },
                                )?;
                            }
                        }
                    }
                    Parcel::Bad(err) => {
                        report.bad_rows += 1;
                        if err.fatal || policy == OnBadRow::Abort {
                            doomed.store(true, Ordering::Relaxed);
                        }
                        on_bad(err);
                    }
                    Parcel::Failed(e) => return Err(e),
                }
            }
            let writer = out
                .into_inner()
                .map_err(|e| StoreError::Refused(format!("streaming rows to the server: {e}")))?;
            writer.finish()?;
            Ok(seq)
        })?;
        if doomed.load(Ordering::Relaxed) {
            // Nothing was ever visible: the transaction simply ends.
            drop(tx);
            return Ok(ImportReport {
                bad_rows: report.bad_rows,
                committed: false,
                ..ImportReport::default()
            });
        }
        write_rows(&mut tx, &mut report, copied)?;
        record_import(&mut tx, file, &started, &report)?;
        tx.commit()?;
        report.committed = true;
        Ok(report)
    }
}

/// The set-based part: from the staged rows into the tables, counting as SQLite's import does.
fn write_rows(tx: &mut Transaction<'_>, report: &mut ImportReport, copied: u64) -> StoreResult<()> {
    let now = now_utc();
    let open = QueueState::Open.rank();
    // Every statement below joins the whole file against tables it has just grown, whose
    // statistics still describe them as they were: the planner would pick nested loops (hours
    // at a million rows). Hash joins are right for all of them.
    tx.batch_execute("ANALYZE import_rows; SET LOCAL enable_nestloop = off")?;
    report.new_batches = tx.execute(BATCHES, &[&now])?;
    let several = i64::from(ItemFlags::SEVERAL_CANDIDATES.0);
    report.new_requests = tx.execute(REQUESTS, &[&now, &open, &several])?;
    // Temporary tables have no statistics until analysed; without them the planner guesses a
    // few rows and picks nested loops over the whole file.
    tx.batch_execute("ANALYZE new_requests")?;
    tx.execute(SEARCH, &[])?;
    report.new_candidates = tx.execute(CANDIDATES, &[])?;
    report.inserted = tx.execute(MATCHES, &[&now])?;
    tx.batch_execute("ANALYZE new_matches")?;
    report.already_present = copied - report.inserted;
    report.batches = tx
        .query_one("SELECT count(DISTINCT batch_id) FROM new_matches", &[])?
        .get::<_, i64>(0) as u64;
    tx.execute(TOTALS, &[&open, &several])?;
    Ok(())
}

/// The import's row in `imports` (done at once: on a server there is no loading state others
/// could see).
fn record_import(
    tx: &mut Transaction<'_>,
    file: &str,
    started: &str,
    report: &ImportReport,
) -> StoreResult<()> {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    tx.execute(
        "INSERT INTO imports (state, file, started_at, finished_at, batches_from, requests_from,
                              candidates_from, matches_from, inserted, host, pid, heartbeat_at)
         VALUES ('done', $1, $2, $3, 0, 0, 0, 0, $4, $5, $6, $3)",
        &[
            &file,
            &started,
            &now_utc(),
            &(report.inserted as i64),
            &host,
            &i64::from(std::process::id()),
        ],
    )?;
    Ok(())
}

/// One staged row, in `STAGING`'s column order.
fn write_row(
    out: &mut impl Write,
    seq: u64,
    prepared: &PreparedRow,
    request_extra: &str,
) -> std::io::Result<()> {
    let row = &prepared.row;
    let m = &row.flagged;
    copy_csv::int(out, seq as i64)?;
    for value in [
        Some(m.batch.as_str()),
        Some(row.requester.as_str()),
        Some(row.legal_basis.as_str()),
        Some(m.request.id.as_str()),
    ] {
        copy_csv::sep(out)?;
        copy_csv::text(out, value)?;
    }
    for field in REQUEST_FIELDS {
        copy_csv::sep(out)?;
        copy_csv::text(out, m.request.get(field))?;
    }
    for value in [request_extra, m.candidate.id.as_str()] {
        copy_csv::sep(out)?;
        copy_csv::text(out, Some(value))?;
    }
    for field in Field::ALL {
        copy_csv::sep(out)?;
        copy_csv::text(out, m.candidate.get(field))?;
    }
    copy_csv::sep(out)?;
    copy_csv::text(out, Some(&prepared.candidate_extra))?;
    copy_csv::sep(out)?;
    copy_csv::real(out, m.score)?;
    copy_csv::sep(out)?;
    copy_csv::text(out, m.gold.map(|g| g.as_str()))?;
    copy_csv::sep(out)?;
    copy_csv::text(out, m.gold_note.as_deref())?;
    copy_csv::sep(out)?;
    copy_csv::int(out, i64::from(prepared.flags.0))?;
    copy_csv::end(out)
}
