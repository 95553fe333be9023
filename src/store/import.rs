//! Writing imported flagged matches: one IMMEDIATE transaction around the whole file, a cached
//! statement per step, rows taken from the reader as it yields them and written a request at a
//! time.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};

use super::records::REQUEST_FIELDS;
use super::{Store, StoreError, StoreResult, now_utc};
use crate::domain::{Field, ItemFlags, MatchStatus, QueueState, Record};
use crate::import::{ImportReport, ImportRow, OnBadRow, RowError};

/// Page cache for the import, in KiB (negative `cache_size` counts KiB): big enough to keep the
/// indexes probed for every row in memory at a million rows, small next to any machine. The
/// connection's own setting is restored afterwards.
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
        on_bad: F,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        F: FnMut(RowError),
    {
        let cache_before: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // Foreign-key enforcement costs three parent lookups per match, a fifth of the import's
        // time. Every id bound here was read or written moments before in the same transaction,
        // so no check could fail. The setting belongs to this connection only (a crash cannot
        // leave it off) and SQLite ignores it inside a transaction, hence before `write()`.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.import_in_transaction(rows, policy, on_bad);
        let restored = self
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .and_then(|()| self.conn.pragma_update(None, "cache_size", cache_before));
        let report = result?;
        restored?;
        Ok(report)
    }

    fn import_in_transaction<I, F>(
        &mut self,
        rows: I,
        policy: OnBadRow,
        mut on_bad: F,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        F: FnMut(RowError),
    {
        let now = now_utc();
        let tx = self.write()?;
        let indexed_up_to: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM requests", [], |r| {
                r.get(0)
            })?;
        let mut report = ImportReport::default();
        let mut doomed = false;
        {
            let mut writer = Writer::new(&tx, &now)?;
            for item in rows {
                match item {
                    Ok(row) if !doomed => writer.add(row, &mut report)?,
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
            if !doomed {
                writer.flush(&mut report)?;
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
        index_for_search(&tx, indexed_up_to)?;
        tx.commit()?;
        report.committed = true;
        Ok(report)
    }
}

/// Adds the requests created by this import (ids above `after`) to the search index in one
/// statement.
fn index_for_search(tx: &Transaction<'_>, after: i64) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO request_search (rowid, text)
         SELECT id, concat_ws(' ', source_id, given_name, surname, street_number, street, unit,
                              city, state, zip)
           FROM requests WHERE id > ?",
        [after],
    )?;
    Ok(())
}

/// The most rows of one request held back before they are written: rows of a request usually
/// come together, and writing them as a group sets the request's aggregates once instead of once
/// per candidate. The cap bounds memory for a file with a giant request; its later rows simply
/// find the request already written.
const MAX_GROUP_ROWS: usize = 1024;

/// The prepared statements and lookups of one import.
struct Writer<'t> {
    tx: &'t Transaction<'t>,
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
    /// Consecutive rows of one request (same batch id), not yet written.
    group: Vec<ImportRow>,
    group_batch: i64,
}

/// What a request gains from its new matches.
#[derive(Debug, Clone, Copy, Default)]
struct Gain {
    top_score: f64,
    count: i64,
    flags: ItemFlags,
}

impl Gain {
    fn add(&mut self, row: &ImportRow) {
        let m = &row.flagged;
        self.top_score = if self.count == 0 {
            m.score
        } else {
            self.top_score.max(m.score)
        };
        self.count += 1;
        self.flags = self
            .flags
            .union(ItemFlags::of_pair(&m.request, &m.candidate));
    }
}

impl<'t> Writer<'t> {
    fn new(tx: &'t Transaction<'t>, now: &'t str) -> StoreResult<Self> {
        Ok(Writer {
            tx,
            now,
            find_batch: tx.prepare_cached("SELECT id FROM batches WHERE name = ?1")?,
            insert_batch: tx.prepare_cached(
                "INSERT INTO batches (name, requester, legal_basis, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            find_request: tx.prepare_cached(
                "SELECT id FROM requests WHERE batch_id = ?1 AND source_id = ?2",
            )?,
            insert_request: tx.prepare_cached(
                "INSERT INTO requests (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, extra,
                     top_score, candidate_count, flags, queue_rank, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?,
            find_candidate: tx.prepare_cached(
                "SELECT id FROM candidates WHERE batch_id = ?1 AND source_id = ?2",
            )?,
            // Tried as an insert first: most candidates of an import are new, and a conflict
            // costs no more than the lookup it replaces.
            insert_candidate: tx.prepare_cached(
                "INSERT INTO candidates (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, tin, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (batch_id, source_id) DO NOTHING",
            )?,
            // DO NOTHING on the (request, candidate) key is what makes re-importing a no-op.
            insert_match: tx.prepare_cached(
                "INSERT INTO matches (batch_id, request_id, candidate_id, score, status,
                     gold, gold_note, imported_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (request_id, candidate_id) DO NOTHING",
            )?,
            // New pending candidates reopen the request, whatever was decided before.
            update_request: tx.prepare_cached(
                "UPDATE requests
                    SET top_score = max(top_score, ?2),
                        candidate_count = candidate_count + ?3,
                        queue_rank = ?4,
                        flags = flags | ?5
                              | CASE WHEN candidate_count + ?3 > 1 THEN ?6 ELSE 0 END
                  WHERE id = ?1",
            )?,
            batch_ids: HashMap::new(),
            batches_used: HashSet::new(),
            group: Vec::new(),
            group_batch: 0,
        })
    }

    /// Takes one good row; it is written with the rest of its request's consecutive rows.
    fn add(&mut self, row: ImportRow, report: &mut ImportReport) -> StoreResult<()> {
        let batch_id = self.batch_id(&row, report)?;
        let same_request = self.group.first().is_some_and(|first| {
            self.group_batch == batch_id && first.flagged.request.id == row.flagged.request.id
        });
        if !same_request || self.group.len() >= MAX_GROUP_ROWS {
            self.flush(report)?;
            self.group_batch = batch_id;
        }
        self.group.push(row);
        Ok(())
    }

    /// Writes the held-back rows of one request.
    fn flush(&mut self, report: &mut ImportReport) -> StoreResult<()> {
        let Some(first) = self.group.first() else {
            return Ok(());
        };
        let batch_id = self.group_batch;
        let request = &first.flagged.request;
        let existing = self
            .find_request
            .query_row(params![batch_id, request.id], |r| r.get::<_, i64>(0))
            .optional()?;
        let mut group = std::mem::take(&mut self.group);
        let mut candidate_ids = Vec::with_capacity(group.len());
        for row in &group {
            candidate_ids.push(self.candidate_id(batch_id, &row.flagged.candidate, report)?);
        }
        let request_id = match existing {
            Some(id) => id,
            None => {
                // A new request is written with its final aggregates: every row of the group is
                // a new match except a repeat of a candidate within the group.
                let mut seen = HashSet::with_capacity(candidate_ids.len());
                let mut gain = Gain::default();
                for (row, candidate_id) in group.iter().zip(&candidate_ids) {
                    if seen.insert(*candidate_id) {
                        gain.add(row);
                    }
                }
                report.new_requests += 1;
                self.insert_request(batch_id, &group[0], gain)?
            }
        };
        let mut gain = Gain::default();
        for (row, candidate_id) in group.iter().zip(&candidate_ids) {
            let m = &row.flagged;
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
                continue;
            }
            report.inserted += 1;
            self.batches_used.insert(batch_id);
            // A new request already holds what its matches bring; only an existing one gains.
            if existing.is_some() {
                gain.add(row);
            }
        }
        if gain.count > 0 {
            self.update_request.execute(params![
                request_id,
                gain.top_score,
                gain.count,
                QueueState::Open.rank(),
                i64::from(gain.flags.0),
                i64::from(ItemFlags::SEVERAL_CANDIDATES.0),
            ])?;
        }
        // The emptied vector goes back to be refilled, keeping its allocation.
        group.clear();
        self.group = group;
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

    /// Creates a request from its first row, with what all its new matches bring.
    fn insert_request(&mut self, batch_id: i64, row: &ImportRow, gain: Gain) -> StoreResult<i64> {
        let request = &row.flagged.request;
        let flags = if gain.count > 1 {
            gain.flags.union(ItemFlags::SEVERAL_CANDIDATES)
        } else {
            gain.flags
        };
        let [given, surname, dob, number, street, unit, city, state, zip] =
            REQUEST_FIELDS.map(|f| request.get(f));
        Ok(self.insert_request.insert(params![
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
            gain.top_score,
            gain.count,
            i64::from(flags.0),
            QueueState::Open.rank(),
            self.now,
        ])?)
    }

    /// The candidate's id, creating it with these values if it is new.
    fn candidate_id(
        &mut self,
        batch_id: i64,
        candidate: &Record,
        report: &mut ImportReport,
    ) -> StoreResult<i64> {
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
        let inserted = self.insert_candidate.execute(params![
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
        if inserted == 1 {
            report.new_candidates += 1;
            return Ok(self.tx.last_insert_rowid());
        }
        Ok(self
            .find_candidate
            .query_row(params![batch_id, candidate.id], |r| r.get::<_, i64>(0))?)
    }
}

/// The `extra` column: non-canonical fields as a JSON object keyed by suffix.
fn extra_json(extra: &BTreeMap<String, String>) -> StoreResult<String> {
    if extra.is_empty() {
        return Ok("{}".to_string());
    }
    serde_json::to_string(extra)
        .map_err(|e| StoreError::Refused(format!("cannot encode extra fields: {e}")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::FlaggedMatch;

    fn row(line: u64, request: &str, candidate: &str, score: f64) -> Result<ImportRow, RowError> {
        Ok(ImportRow {
            line,
            flagged: FlaggedMatch {
                batch: "b".into(),
                request: Record::new(request),
                candidate: Record::new(candidate),
                score,
                gold: None,
                gold_note: None,
            },
            requester: String::new(),
            legal_basis: String::new(),
        })
    }

    fn bad(line: u64) -> Result<ImportRow, RowError> {
        Err(RowError::new(&Arc::from("f.csv"), line, "bad"))
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, _) = Store::create(&dir.path().join("m.db")).expect("create");
        (dir, store)
    }

    fn matches(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM matches", [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn foreign_keys_are_enforced_again_after_an_import() {
        let (_dir, mut store) = store();
        let report = store
            .import_matches([row(2, "r", "c", 0.5)], OnBadRow::Abort, |_| {})
            .expect("import");
        assert!(report.committed);
        let on: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(on, 1);
        let cache: i64 = store
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .expect("pragma");
        assert_ne!(
            cache, IMPORT_CACHE_KIB,
            "the import's cache size is not left behind"
        );
    }

    #[test]
    fn a_bad_row_rolls_everything_back_unless_skipping() {
        let rows = || [row(2, "r1", "c1", 0.5), bad(3), row(4, "r2", "c2", 0.6)];
        let (_dir, mut store) = store();
        let mut seen = Vec::new();
        let report = store
            .import_matches(rows(), OnBadRow::Abort, |e| seen.push(e.line))
            .expect("import");
        assert_eq!(seen, vec![3]);
        assert_eq!(
            report,
            ImportReport {
                bad_rows: 1,
                committed: false,
                ..ImportReport::default()
            }
        );
        assert_eq!(matches(&store), 0);

        let report = store
            .import_matches(rows(), OnBadRow::Skip, |_| {})
            .expect("import");
        assert!(report.committed);
        assert_eq!((report.inserted, report.bad_rows), (2, 1));
        assert_eq!((report.new_requests, report.new_candidates), (2, 2));
        assert_eq!((report.batches, report.new_batches), (1, 1));
        assert_eq!(matches(&store), 2);
    }

    #[test]
    fn an_unreadable_file_rolls_back_even_when_skipping() {
        let (_dir, mut store) = store();
        let fatal = Err(RowError::new(&Arc::from("f.csv"), 9, "I/O").fatal());
        let report = store
            .import_matches(
                [row(2, "r1", "c1", 0.5), fatal, row(10, "r2", "c2", 0.6)],
                OnBadRow::Skip,
                |_| {},
            )
            .expect("import");
        assert!(!report.committed);
        assert_eq!(matches(&store), 0);
    }

    #[test]
    fn a_giant_request_is_written_in_groups_with_the_same_totals() {
        let (_dir, mut store) = store();
        let n = MAX_GROUP_ROWS * 2 + 5;
        let rows = (0..n).map(|i| {
            let score = if i == MAX_GROUP_ROWS + 1 { 0.99 } else { 0.1 };
            row(i as u64 + 2, "r", &format!("c{i}"), score)
        });
        let report = store
            .import_matches(rows, OnBadRow::Abort, |_| {})
            .expect("import");
        assert_eq!(report.inserted, n as u64);
        assert_eq!(report.new_requests, 1);
        let (count, top, flags): (i64, f64, i64) = store
            .conn
            .query_row(
                "SELECT candidate_count, top_score, flags FROM requests",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("request");
        assert_eq!(count, n as i64);
        assert_eq!(top, 0.99);
        // The test rows carry no address, so the pair is also flagged as insufficient.
        let expected = ItemFlags::SEVERAL_CANDIDATES.union(ItemFlags::INSUFFICIENT_ADDRESS);
        assert_eq!(flags, i64::from(expected.0));
    }
}
