//! Writing imported flagged matches: one IMMEDIATE transaction around the whole file, a cached
//! statement per step, rows taken one at a time from the reader.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};

use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::{Field, ItemFlags, MatchStatus, QueueState, Record};
use crate::import::{ImportReport, ImportRow, OnBadRow, RowError};

/// Page cache for the import, in KiB (negative `cache_size` counts KiB): big enough to keep the
/// unique indexes probed for every row in memory at a million rows, small next to any machine.
const IMPORT_CACHE_KIB: i64 = -128 * 1024;

impl Store {
    /// Writes the rows in one transaction and counts what happened.
    ///
    /// A row whose (batch, request_id, candidate_id) is already stored, or came earlier in the
    /// same rows, is counted as already present and changes nothing. The first-seen values of a
    /// request or candidate are kept.
    ///
    /// Every bad row is handed to `on_bad` as it comes. With [`OnBadRow::Abort`] the first one
    /// dooms the transaction: later rows are still read, only to report their errors, and
    /// everything is rolled back. With [`OnBadRow::Skip`] bad rows are left out. A fatal row error
    /// (the file cannot be read further) rolls back in either mode. A store error returns at
    /// once, and dropping the transaction rolls it back.
    pub fn import_matches<I, F>(
        &mut self,
        rows: I,
        policy: OnBadRow,
        mut on_bad: F,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        F: FnMut(RowError),
    {
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        let now = now_utc();
        let tx = self.write()?;
        let mut report = ImportReport::default();
        let mut doomed = false;
        {
            let mut writer = Writer::new(&tx, &now)?;
            for item in rows {
                match item {
                    Ok(row) if !doomed => writer.add(&row, &mut report)?,
                    Ok(_) => {}
                    Err(err) => {
                        report.bad_rows += 1;
                        let fatal = err.fatal;
                        on_bad(err);
                        if fatal || policy == OnBadRow::Abort {
                            doomed = true;
                        }
                        if fatal {
                            break;
                        }
                    }
                }
            }
            report.batches = writer.batches_used.len() as u64;
        }
        if doomed {
            tx.rollback()?;
            return Ok(ImportReport {
                bad_rows: report.bad_rows,
                committed: false,
                ..ImportReport::default()
            });
        }
        tx.commit()?;
        report.committed = true;
        Ok(report)
    }
}

/// The prepared statements and lookups of one import.
struct Writer<'t> {
    now: &'t str,
    find_batch: CachedStatement<'t>,
    insert_batch: CachedStatement<'t>,
    find_request: CachedStatement<'t>,
    insert_request: CachedStatement<'t>,
    find_candidate: CachedStatement<'t>,
    insert_candidate: CachedStatement<'t>,
    insert_match: CachedStatement<'t>,
    update_request: CachedStatement<'t>,
    /// Batch ids by name: a file has few batches and every row names one.
    batch_ids: HashMap<String, i64>,
    batches_used: HashSet<i64>,
    /// The previous row's request: rows of one request usually come together, so this saves an
    /// index probe per candidate.
    last_request: Option<(i64, String, i64)>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t Transaction<'_>, now: &'t str) -> StoreResult<Self> {
        Ok(Writer {
            now,
            find_batch: tx.prepare_cached("SELECT id FROM batches WHERE name = ?1")?,
            insert_batch: tx.prepare_cached(
                "INSERT INTO batches (name, requester, legal_basis, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            find_request: tx
                .prepare_cached("SELECT id FROM requests WHERE batch_id = ?1 AND source_id = ?2")?,
            insert_request: tx.prepare_cached(
                "INSERT INTO requests (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, extra,
                     top_score, candidate_count, flags, queue_rank, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15, ?16)",
            )?,
            find_candidate: tx.prepare_cached(
                "SELECT id FROM candidates WHERE batch_id = ?1 AND source_id = ?2",
            )?,
            insert_candidate: tx.prepare_cached(
                "INSERT INTO candidates (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, tin, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            // DO NOTHING on the (request, candidate) key is what makes re-importing a no-op.
            insert_match: tx.prepare_cached(
                "INSERT INTO matches (batch_id, request_id, candidate_id, score, status,
                     gold, gold_note, imported_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (request_id, candidate_id) DO NOTHING",
            )?,
            // A new pending candidate reopens the request, whatever was decided before.
            update_request: tx.prepare_cached(
                "UPDATE requests
                    SET top_score = max(top_score, ?2),
                        candidate_count = candidate_count + 1,
                        queue_rank = ?3,
                        flags = flags | ?4
                              | CASE WHEN candidate_count + 1 > 1 THEN ?5 ELSE 0 END
                  WHERE id = ?1",
            )?,
            batch_ids: HashMap::new(),
            batches_used: HashSet::new(),
            last_request: None,
        })
    }

    fn add(&mut self, row: &ImportRow, report: &mut ImportReport) -> StoreResult<()> {
        let m = &row.flagged;
        let batch_id = self.batch_id(row, report)?;
        let flags = ItemFlags::of_record(&m.request).union(ItemFlags::of_record(&m.candidate));
        let (request_id, new_request) = self.request_id(batch_id, row, flags)?;
        let candidate_id = self.candidate_id(batch_id, &m.candidate, report)?;
        let inserted = self.insert_match.execute(params![
            batch_id,
            request_id,
            candidate_id,
            m.score,
            MatchStatus::Pending.as_str(),
            m.gold.map(|g| g.as_str()),
            m.gold_note,
            self.now,
        ])?;
        if inserted == 0 {
            report.already_present += 1;
            return Ok(());
        }
        report.inserted += 1;
        self.batches_used.insert(batch_id);
        if new_request {
            report.new_requests += 1;
        } else {
            self.update_request.execute(params![
                request_id,
                m.score,
                QueueState::Open.rank(),
                i64::from(flags.0),
                i64::from(ItemFlags::SEVERAL_CANDIDATES.0),
            ])?;
        }
        Ok(())
    }

    /// The batch's id, creating it with this row's metadata if it is new.
    fn batch_id(&mut self, row: &ImportRow, report: &mut ImportReport) -> StoreResult<i64> {
        let name = row.flagged.batch.as_str();
        if let Some(id) = self.batch_ids.get(name) {
            return Ok(*id);
        }
        let found = self
            .find_batch
            .query_row(params![name], |r| r.get::<_, i64>(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                report.new_batches += 1;
                self.insert_batch
                    .insert(params![name, row.requester, row.legal_basis, self.now])?
            }
        };
        self.batch_ids.insert(name.to_string(), id);
        Ok(id)
    }

    /// The request's id and whether this row created it (with this row's score and flags: its
    /// first candidate is then new too).
    fn request_id(
        &mut self,
        batch_id: i64,
        row: &ImportRow,
        flags: ItemFlags,
    ) -> StoreResult<(i64, bool)> {
        let request = &row.flagged.request;
        if let Some((last_batch, last_source, id)) = &self.last_request
            && *last_batch == batch_id
            && *last_source == request.id
        {
            return Ok((*id, false));
        }
        let found = self
            .find_request
            .query_row(params![batch_id, request.id], |r| r.get::<_, i64>(0))
            .optional()?;
        let (id, new) = match found {
            Some(id) => (id, false),
            None => {
                let [given, surname, dob, number, street, unit, city, state, zip] =
                    REQUEST_FIELDS.map(|f| request.get(f));
                let id = self.insert_request.insert(params![
                    batch_id,
                    request.id,
                    given,
                    surname,
                    dob,
                    number,
                    street,
                    unit,
                    city,
                    state,
                    zip,
                    extra_json(&request.extra)?,
                    row.flagged.score,
                    i64::from(flags.0),
                    QueueState::Open.rank(),
                    self.now,
                ])?;
                (id, true)
            }
        };
        self.last_request = Some((batch_id, request.id.clone(), id));
        Ok((id, new))
    }

    /// The candidate's id, creating it with these values if it is new.
    fn candidate_id(
        &mut self,
        batch_id: i64,
        candidate: &Record,
        report: &mut ImportReport,
    ) -> StoreResult<i64> {
        let found = self
            .find_candidate
            .query_row(params![batch_id, candidate.id], |r| r.get::<_, i64>(0))
            .optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
        let [
            given,
            surname,
            dob,
            number,
            street,
            unit,
            city,
            state,
            zip,
            tin,
        ] = Field::ALL.map(|f| candidate.get(f));
        let id = self.insert_candidate.insert(params![
            batch_id,
            candidate.id,
            given,
            surname,
            dob,
            number,
            street,
            unit,
            city,
            state,
            zip,
            tin,
            extra_json(&candidate.extra)?,
        ])?;
        report.new_candidates += 1;
        Ok(id)
    }
}

/// The canonical fields a request row has columns for, in column order (no TIN).
const REQUEST_FIELDS: [Field; 9] = [
    Field::GivenName,
    Field::Surname,
    Field::Dob,
    Field::StreetNumber,
    Field::Street,
    Field::Unit,
    Field::City,
    Field::State,
    Field::Zip,
];

/// The `extra` column: non-canonical fields as a JSON object keyed by suffix.
fn extra_json(extra: &BTreeMap<String, String>) -> StoreResult<String> {
    if extra.is_empty() {
        return Ok("{}".to_string());
    }
    serde_json::to_string(extra)
        .map_err(|e| StoreError::Refused(format!("cannot encode extra fields: {e}")))
}
