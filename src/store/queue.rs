//! The review queue on SQLite: keyset pages (see `paging` for the order and keys both backends
//! share), counts, and one item in full.

use rusqlite::{Row, params_from_iter, types::Value};

use super::paging::{
    ENTRY_COLUMNS, KeyValue, PageFrom, PageOrder, entry_name, page_across_states, state_of,
};
use super::records::{REQUEST_FIELDS, columns, record_from_row};
use super::{Store, StoreResult};
use crate::domain::claim::Claimant;
use crate::domain::{
    BatchInfo, CandidateMatch, Field, Gold, ItemFlags, MatchStatus, QueueCounts, QueueEntry,
    QueueFilter, QueueKey, QueueSort, QueueState, ReviewItem,
};

impl Store {
    /// The request with this id in its file (the oldest, when several batches share it).
    pub fn request_by_source(&self, source_id: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT min(id) FROM requests WHERE source_id = ?")?
            .query_row([source_id], |r| r.get(0))?)
    }

    /// Up to `limit` queue entries from `from`, in queue order.
    pub fn queue_page(
        &self,
        filter: &QueueFilter,
        sort: QueueSort,
        from: PageFrom,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>> {
        page_across_states(filter, from, limit, |state, key, backward, limit| {
            self.page_in_state(filter, sort, state, key, backward, limit)
        })
    }

    fn page_in_state(
        &self,
        filter: &QueueFilter,
        sort: QueueSort,
        state: QueueState,
        key: Option<(QueueKey, PageFrom)>,
        backward: bool,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM requests r WHERE r.queue_rank = ?");
        let mut args: Vec<Value> = vec![Value::Integer(state.rank())];
        push_filter(&mut sql, &mut args, filter);
        push_claimant(&mut sql, &mut args, self.claimant.as_ref());
        let order = PageOrder::new(sort, filter, backward);
        if let Some((k, from)) = key {
            let values = order.key_values(k);
            let marks = vec!["?"; values.len()].join(", ");
            sql.push_str(&format!(
                " AND ({}) {} ({marks})",
                order.cols,
                order.key_op(from)
            ));
            args.extend(values.into_iter().map(|v| match v {
                KeyValue::Int(i) => Value::Integer(i),
                KeyValue::Real(r) => Value::Real(r),
            }));
        }
        sql.push_str(&order.order_by());
        sql.push_str(" LIMIT ?");
        args.push(Value::Integer(limit as i64));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One request as a queue entry (to return to it, e.g. a claim from an earlier session).
    pub fn queue_entry(&self, request_id: i64) -> StoreResult<Option<QueueEntry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM requests r WHERE r.id = ?");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query_map([request_id], entry_from_row)?;
        Ok(rows.next().transpose()?)
    }

    /// How many requests stand in each queue state under the filter's batch, band and flag.
    pub fn queue_counts(&self, filter: &QueueFilter) -> StoreResult<QueueCounts> {
        let mut sql = "SELECT r.queue_rank, count(*) FROM requests r WHERE 1".to_string();
        let mut args = Vec::new();
        push_filter(&mut sql, &mut args, filter);
        sql.push_str(" GROUP BY r.queue_rank");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut counts = QueueCounts::default();
        while let Some(row) = rows.next()? {
            if let Some(state) = QueueState::from_rank(row.get(0)?) {
                counts.set(state, row.get::<_, i64>(1)? as u64);
            }
        }
        Ok(counts)
    }

    /// A request with its batch and every candidate, best score first.
    pub fn review_item(&self, request_id: i64) -> StoreResult<Option<ReviewItem>> {
        let sql = format!(
            "SELECT r.id, r.batch_id, r.queue_rank, r.flags, b.name, b.requester, b.legal_basis, {}
               FROM requests r JOIN batches b ON b.id = r.batch_id WHERE r.id = ?",
            columns("r", &REQUEST_FIELDS)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([request_id])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let mut item = ReviewItem {
            request_id: row.get(0)?,
            batch_id: row.get(1)?,
            state: state_of(row.get(2)?),
            flags: ItemFlags(row.get::<_, i64>(3)? as u32),
            batch: BatchInfo {
                name: row.get(4)?,
                requester: row.get(5)?,
                legal_basis: row.get(6)?,
            },
            request: record_from_row(row, 7, &REQUEST_FIELDS)?,
            candidates: Vec::new(),
        };
        item.candidates = self.candidates_of(request_id)?;
        Ok(Some(item))
    }

    fn candidates_of(&self, request_id: i64) -> StoreResult<Vec<CandidateMatch>> {
        let sql = format!(
            "SELECT m.id, m.score, m.status, m.gold, m.gold_note, {}
               FROM matches m JOIN candidates c ON c.id = m.candidate_id
              WHERE m.request_id = ? ORDER BY m.score DESC, m.id",
            columns("c", &Field::ALL)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([request_id], |row| {
            let status: String = row.get(2)?;
            Ok(CandidateMatch {
                match_id: row.get(0)?,
                score: row.get(1)?,
                status: status.parse().unwrap_or(MatchStatus::Pending),
                gold: row
                    .get::<_, Option<String>>(3)?
                    .as_deref()
                    .and_then(Gold::parse),
                gold_note: row.get(4)?,
                candidate: record_from_row(row, 5, &Field::ALL)?,
                approvals: Vec::new(),
                override_by: None,
            })
        })?;
        let mut out: Vec<CandidateMatch> = rows.collect::<Result<_, _>>()?;
        for c in &mut out {
            c.approvals = super::gates::standing_approvals(
                &mut super::sql_sqlite::Lite(&self.conn),
                c.match_id,
            )?;
            c.override_by =
                super::gates::override_by(&mut super::sql_sqlite::Lite(&self.conn), c.match_id)?;
        }
        Ok(out)
    }

    /// Every batch with its row id, by name.
    pub fn batches(&self) -> StoreResult<Vec<(i64, BatchInfo)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, name, requester, legal_basis FROM batches WHERE id < {} ORDER BY name",
            super::imports::HIDDEN_BATCHES_FROM
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                BatchInfo {
                    name: r.get(1)?,
                    requester: r.get(2)?,
                    legal_basis: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Adds the batch, score band and flag parts of a filter (fixed SQL text, bound values).
pub(super) fn push_filter(sql: &mut String, args: &mut Vec<Value>, filter: &QueueFilter) {
    // An import still loading is invisible (see store/imports.rs). The unary `+` keeps the
    // planner from ranging an id index on it in place of the index that serves the order.
    sql.push_str(" AND +r.id < ");
    sql.push_str(super::imports::HIDDEN_REQUESTS_FROM);
    if let Some(batch) = filter.batch_id {
        sql.push_str(" AND r.batch_id = ?");
        args.push(Value::Integer(batch));
    }
    if let Some(band) = filter.band {
        let (lo, hi) = band.range();
        sql.push_str(" AND r.top_score >= ? AND r.top_score < ?");
        args.extend([Value::Real(lo), Value::Real(hi)]);
    }
    if let Some(flag) = filter.flag {
        sql.push_str(" AND (r.flags & ?) != 0");
        args.push(Value::Integer(i64::from(flag.0)));
    }
}

/// Leaves out, for the reviewer working, what another session holds and what they already
/// approved as the first of two (a second approval must come from someone else). The unary `+`
/// keeps the planner on the entry's matches and their decisions: ranging the reviewer's index
/// instead read every decision the reviewer ever made, for each entry of a page or a search.
pub(super) fn push_claimant(sql: &mut String, args: &mut Vec<Value>, claimant: Option<&Claimant>) {
    let Some(me) = claimant else {
        return;
    };
    sql.push_str(
        " AND NOT EXISTS (SELECT 1 FROM claims c
                           WHERE c.request_id = r.id AND c.session != ? AND c.expires_ms > ?)
          AND NOT EXISTS (SELECT 1 FROM matches m JOIN decisions d ON d.match_id = m.id
                           WHERE m.request_id = r.id AND m.status = 'pending'
                             AND d.action = 'approve' AND +d.reviewer = ?
                             AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id))",
    );
    args.extend([
        Value::Text(me.session.clone()),
        Value::Integer(super::claims::now_ms()),
        Value::Text(me.reviewer.clone()),
    ]);
}

pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<QueueEntry> {
    Ok(QueueEntry {
        request_id: row.get(0)?,
        source_id: row.get(1)?,
        batch_id: row.get(2)?,
        name: entry_name(row.get(3)?, row.get(4)?),
        top_score: row.get(5)?,
        state: state_of(row.get(6)?),
        candidate_count: row.get::<_, i64>(7)? as u32,
        flags: ItemFlags(row.get::<_, i64>(8)? as u32),
    })
}
