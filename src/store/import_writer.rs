//! The writing side of an import: cached statements binding prepared groups. Runs inside the
//! short transactions the caller opens and closes; every row it writes is hidden until the
//! import is published (see `imports`).

use std::collections::{HashMap, HashSet};

use rusqlite::{CachedStatement, Connection, OptionalExtension, params};

use super::import_rows::{Gain, Group};
use super::imports::ImportMark;
use super::records::REQUEST_FIELDS;
use super::{StoreResult, now_utc};
use crate::domain::{Field, ItemFlags, MatchStatus, QueueState, Record};
use crate::import::ImportReport;

/// Where a group's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    /// Created by this group: it holds the group's totals already.
    New,
    /// Created earlier by this import (its rows were not consecutive): still hidden, updated
    /// in place.
    Ours,
    /// In the database before this import, maybe on a reviewer's screen: its new candidates are
    /// staged and applied when the import is published.
    Published,
}

/// The prepared statements and lookups of one import.
pub(super) struct Writer<'c> {
    conn: &'c Connection,
    mark: ImportMark,
    now: String,
    find_batch: CachedStatement<'c>,
    insert_batch: CachedStatement<'c>,
    find_request: CachedStatement<'c>,
    insert_request: CachedStatement<'c>,
    index_request: CachedStatement<'c>,
    find_candidate: CachedStatement<'c>,
    insert_candidate: CachedStatement<'c>,
    insert_match: CachedStatement<'c>,
    find_match: CachedStatement<'c>,
    stage_match: CachedStatement<'c>,
    update_request: CachedStatement<'c>,
    /// Batch ids by name: a file has few batches and every row names one.
    batch_ids: HashMap<String, i64>,
    pub batches_used: HashSet<i64>,
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Connection, mark: ImportMark) -> StoreResult<Self> {
        Ok(Writer {
            conn,
            mark,
            now: now_utc(),
            find_batch: conn.prepare_cached("SELECT id FROM batches WHERE name = ?1")?,
            insert_batch: conn.prepare_cached(
                "INSERT INTO batches (name, requester, legal_basis, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            find_request: conn
                .prepare_cached("SELECT id FROM requests WHERE batch_id = ?1 AND source_id = ?2")?,
            // Tried as an insert first: nearly every request of an import is new, and a
            // conflict costs no more than the lookup it replaces.
            insert_request: conn.prepare_cached(
                "INSERT INTO requests (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, extra,
                     top_score, candidate_count, flags, queue_rank, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT (batch_id, source_id) DO NOTHING",
            )?,
            index_request: conn
                .prepare_cached("INSERT INTO request_search (rowid, text) VALUES (?1, ?2)")?,
            find_candidate: conn.prepare_cached(
                "SELECT id FROM candidates WHERE batch_id = ?1 AND source_id = ?2",
            )?,
            insert_candidate: conn.prepare_cached(
                "INSERT INTO candidates (batch_id, source_id, given_name, surname, dob,
                     street_number, street, unit, city, state, zip, tin, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (batch_id, source_id) DO NOTHING",
            )?,
            // DO NOTHING on the (request, candidate) key is what makes re-importing a no-op.
            insert_match: conn.prepare_cached(
                "INSERT INTO matches (batch_id, request_id, candidate_id, score, status,
                     gold, gold_note, imported_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (request_id, candidate_id) DO NOTHING",
            )?,
            find_match: conn.prepare_cached(
                "SELECT 1 FROM matches WHERE request_id = ?1 AND candidate_id = ?2",
            )?,
            stage_match: conn.prepare_cached(
                "INSERT INTO import_staged (import_id, request_id, candidate_id, score, gold,
                     gold_note, flags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO NOTHING",
            )?,
            // New pending candidates reopen the request, whatever was decided before.
            update_request: conn.prepare_cached(
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
        })
    }

    /// Writes one group of rows of a request.
    pub fn write(&mut self, group: &Group, report: &mut ImportReport) -> StoreResult<()> {
        let first = group.first();
        let batch_id = self.batch_id(first, report)?;
        let (request_id, kind) = self.request(batch_id, group, report)?;
        let mut gain = Gain::default();
        for prepared in &group.rows {
            let m = &prepared.row.flagged;
            let candidate_id =
                self.candidate_id(batch_id, &m.candidate, &prepared.candidate_extra, report)?;
            let gold = m.gold.map(|g| g.as_str());
            let inserted = match kind {
                RequestKind::New | RequestKind::Ours => self.insert_match.execute(params![
                    batch_id,
                    request_id,
                    candidate_id,
                    m.score,
                    MatchStatus::Pending.as_str(),
                    gold,
                    m.gold_note,
                    self.now,
                ])?,
                RequestKind::Published => {
                    let present = self
                        .find_match
                        .query_row(params![request_id, candidate_id], |_| Ok(()))
                        .optional()?
                        .is_some();
                    if present {
                        0
                    } else {
                        self.stage_match.execute(params![
                            self.mark.id,
                            request_id,
                            candidate_id,
                            m.score,
                            gold,
                            m.gold_note,
                            i64::from(prepared.flags.0),
                        ])?
                    }
                }
            };
            if inserted == 0 {
                report.already_present += 1;
                continue;
            }
            report.inserted += 1;
            self.batches_used.insert(batch_id);
            if kind == RequestKind::Ours {
                gain.add(m.score, prepared.flags);
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
        Ok(())
    }

    /// The group's request: created with the group's totals, or found.
    fn request(
        &mut self,
        batch_id: i64,
        group: &Group,
        report: &mut ImportReport,
    ) -> StoreResult<(i64, RequestKind)> {
        let request = &group.first().flagged.request;
        let [given, surname, dob, number, street, unit, city, state, zip] =
            REQUEST_FIELDS.map(|f| request.get(f));
        let inserted = self.insert_request.execute(params![
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
            group.request_extra,
            group.gain.top_score,
            group.gain.count,
            i64::from(group.gain.request_flags().0),
            QueueState::Open.rank(),
            self.now,
        ])?;
        if inserted == 1 {
            let id = self.conn.last_insert_rowid();
            self.index_request.execute(params![id, group.search_text])?;
            report.new_requests += 1;
            return Ok((id, RequestKind::New));
        }
        let id: i64 = self
            .find_request
            .query_row(params![batch_id, request.id], |r| r.get(0))?;
        let kind = if id >= self.mark.requests_from {
            RequestKind::Ours
        } else {
            RequestKind::Published
        };
        Ok((id, kind))
    }

    /// The batch's id, creating it with this row's metadata if it is new.
    fn batch_id(
        &mut self,
        row: &crate::import::ImportRow,
        report: &mut ImportReport,
    ) -> StoreResult<i64> {
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

    /// The candidate's id, creating it with these values if it is new.
    fn candidate_id(
        &mut self,
        batch_id: i64,
        candidate: &Record,
        extra: &str,
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
            extra,
        ])?;
        if inserted == 1 {
            report.new_candidates += 1;
            return Ok(self.conn.last_insert_rowid());
        }
        Ok(self
            .find_candidate
            .query_row(params![batch_id, candidate.id], |r| r.get::<_, i64>(0))?)
    }
}
