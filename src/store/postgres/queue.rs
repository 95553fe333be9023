//! The review queue on the server: the same keyset pages, counts and items as on SQLite
//! (`store::queue`, with the order and keys of `store::paging`). An import still loading needs
//! no hiding here: its rows are not committed, so no snapshot sees them.

use postgres::Row;
use postgres::types::ToSql;

use super::PgStore;
use super::claims::NOW_MS;
use crate::domain::claim::Claimant;
use crate::domain::{
    BatchInfo, CandidateMatch, Field, Gold, ItemFlags, MatchStatus, QueueCounts, QueueEntry,
    QueueFilter, QueueKey, QueueSort, QueueState, Record, ReviewItem,
};
use crate::store::StoreResult;
use crate::store::paging::{
    ENTRY_COLUMNS, KeyValue, PageFrom, PageOrder, entry_name, page_across_states, state_of,
};
use crate::store::records::{REQUEST_FIELDS, columns, record_from_values};

/// A statement and its values, built together: every value is a bound parameter.
#[derive(Default)]
pub(super) struct Query {
    pub sql: String,
    args: Vec<Box<dyn ToSql + Sync>>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Query {
        Query {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// Binds a value; returns its placeholder.
    pub fn bind(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args.iter().map(|a| a.as_ref()).collect()
    }
}

/// The reviewers whose approvals of match `m` stand (not undone, not overturned by a check that
/// stands), in order: as `gates::standing_approvals` on SQLite.
const STANDING_APPROVALS: &str = "ARRAY(SELECT d.reviewer FROM decisions d
     WHERE d.match_id = m.id AND d.action = 'approve'
       AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)
       AND NOT EXISTS (SELECT 1 FROM decisions o
                        WHERE o.checks = d.id AND o.action = 'overturn'
                          AND NOT EXISTS (SELECT 1 FROM decisions ou WHERE ou.undoes = o.id))
     ORDER BY d.id)";

/// A record read from `columns(alias, fields)` starting at column `first`.
fn record_at(row: &Row, first: usize, fields: &[Field]) -> Record {
    let values = (0..fields.len())
        .map(|offset| row.get(first + 1 + offset))
        .collect();
    record_from_values(
        row.get(first),
        fields,
        values,
        row.get(first + 1 + fields.len()),
    )
}

/// A queue entry read from `ENTRY_COLUMNS`.
pub(super) fn entry_from_row(row: &Row) -> QueueEntry {
    QueueEntry {
        request_id: row.get(0),
        source_id: row.get(1),
        batch_id: row.get(2),
        name: entry_name(row.get(3), row.get(4)),
        top_score: row.get(5),
        state: state_of(row.get(6)),
        candidate_count: row.get::<_, i64>(7) as u32,
        flags: ItemFlags(row.get::<_, i64>(8) as u32),
    }
}

impl PgStore {
    /// The request with this id in its file (the oldest, when several batches share it).
    pub fn request_by_source(&mut self, source_id: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .client
            .query_one(
                "SELECT min(id) FROM requests WHERE source_id = $1",
                &[&source_id],
            )?
            .get(0))
    }

    /// Up to `limit` queue entries from `from`, in queue order.
    pub fn queue_page(
        &mut self,
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
        &mut self,
        filter: &QueueFilter,
        sort: QueueSort,
        state: QueueState,
        key: Option<(QueueKey, PageFrom)>,
        backward: bool,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>> {
        let mut q = Query::new(format!("SELECT {ENTRY_COLUMNS} FROM requests r WHERE "));
        let rank = q.bind(state.rank());
        q.sql.push_str(&format!("r.queue_rank = {rank}"));
        push_filter(&mut q, filter);
        push_claimant(&mut q, self.claimant.as_ref());
        let order = PageOrder::new(sort, filter, backward);
        if let Some((k, from)) = key {
            let marks: Vec<String> = order
                .key_values(k)
                .into_iter()
                .map(|v| match v {
                    KeyValue::Int(i) => q.bind(i),
                    KeyValue::Real(r) => q.bind(r),
                })
                .collect();
            let op = order.key_op(from);
            q.sql.push_str(&format!(
                " AND ({}) {op} ({})",
                order.cols,
                marks.join(", ")
            ));
        }
        q.sql.push_str(&order.order_by());
        let limit = q.bind(limit as i64);
        q.sql.push_str(&format!(" LIMIT {limit}"));
        let rows = self.client.query(&q.sql, &q.params())?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    /// One request as a queue entry (to return to it, e.g. a claim from an earlier session).
    pub fn queue_entry(&mut self, request_id: i64) -> StoreResult<Option<QueueEntry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM requests r WHERE r.id = $1");
        Ok(self
            .client
            .query_opt(&sql, &[&request_id])?
            .as_ref()
            .map(entry_from_row))
    }

    /// How many requests stand in each queue state under the filter's batch, band and flag.
    pub fn queue_counts(&mut self, filter: &QueueFilter) -> StoreResult<QueueCounts> {
        let mut q = Query::new("SELECT r.queue_rank, count(*) FROM requests r WHERE true");
        push_filter(&mut q, filter);
        q.sql.push_str(" GROUP BY r.queue_rank");
        let mut counts = QueueCounts::default();
        for row in self.client.query(&q.sql, &q.params())? {
            if let Some(state) = QueueState::from_rank(row.get(0)) {
                counts.set(state, row.get::<_, i64>(1) as u64);
            }
        }
        Ok(counts)
    }

    /// A request with its batch and every candidate, best score first.
    pub fn review_item(&mut self, request_id: i64) -> StoreResult<Option<ReviewItem>> {
        let sql = format!(
            "SELECT r.id, r.batch_id, r.queue_rank, r.flags, b.name, b.requester, b.legal_basis, {}
               FROM requests r JOIN batches b ON b.id = r.batch_id WHERE r.id = $1",
            columns("r", &REQUEST_FIELDS)
        );
        let Some(row) = self.client.query_opt(&sql, &[&request_id])? else {
            return Ok(None);
        };
        Ok(Some(ReviewItem {
            request_id: row.get(0),
            batch_id: row.get(1),
            state: state_of(row.get(2)),
            flags: ItemFlags(row.get::<_, i64>(3) as u32),
            batch: BatchInfo {
                name: row.get(4),
                requester: row.get(5),
                legal_basis: row.get(6),
            },
            request: record_at(&row, 7, &REQUEST_FIELDS),
            candidates: self.candidates_of(request_id)?,
        }))
    }

    /// Every candidate with its standing approvals and override, in one statement.
    fn candidates_of(&mut self, request_id: i64) -> StoreResult<Vec<CandidateMatch>> {
        let sql = format!(
            "SELECT m.id, m.score, m.status, m.gold, m.gold_note, {STANDING_APPROVALS},
                    (SELECT o.supervisor FROM overrides o WHERE o.match_id = m.id
                      ORDER BY o.id DESC LIMIT 1),
                    {}
               FROM matches m JOIN candidates c ON c.id = m.candidate_id
              WHERE m.request_id = $1 ORDER BY m.score DESC, m.id",
            columns("c", &Field::ALL)
        );
        let rows = self.client.query(&sql, &[&request_id])?;
        Ok(rows
            .iter()
            .map(|row| CandidateMatch {
                match_id: row.get(0),
                score: row.get(1),
                status: row
                    .get::<_, String>(2)
                    .parse()
                    .unwrap_or(MatchStatus::Pending),
                gold: row
                    .get::<_, Option<String>>(3)
                    .as_deref()
                    .and_then(Gold::parse),
                gold_note: row.get(4),
                approvals: row.get(5),
                override_by: row.get(6),
                candidate: record_at(row, 7, &Field::ALL),
            })
            .collect())
    }

    /// Every batch with its row id, by name (bytewise, as SQLite orders the same names).
    pub fn batches(&mut self) -> StoreResult<Vec<(i64, BatchInfo)>> {
        let rows = self.client.query(
            "SELECT id, name, requester, legal_basis FROM batches ORDER BY name COLLATE \"C\"",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let info = BatchInfo {
                    name: r.get(1),
                    requester: r.get(2),
                    legal_basis: r.get(3),
                };
                (r.get(0), info)
            })
            .collect())
    }
}

/// Adds the batch, score band and flag parts of a filter (fixed SQL text, bound values).
pub(super) fn push_filter(q: &mut Query, filter: &QueueFilter) {
    if let Some(batch) = filter.batch_id {
        let batch = q.bind(batch);
        q.sql.push_str(&format!(" AND r.batch_id = {batch}"));
    }
    if let Some(band) = filter.band {
        let (lo, hi) = band.range();
        let (lo, hi) = (q.bind(lo), q.bind(hi));
        q.sql
            .push_str(&format!(" AND r.top_score >= {lo} AND r.top_score < {hi}"));
    }
    if let Some(flag) = filter.flag {
        let flag = q.bind(i64::from(flag.0));
        q.sql.push_str(&format!(" AND (r.flags & {flag}) <> 0"));
    }
}

/// Leaves out, for the reviewer working, what another session holds and what they already
/// approved as the first of two (a second approval must come from someone else).
pub(super) fn push_claimant(q: &mut Query, claimant: Option<&Claimant>) {
    let Some(me) = claimant else {
        return;
    };
    let session = q.bind(me.session.clone());
    let reviewer = q.bind(me.reviewer.clone());
    q.sql.push_str(&format!(
        " AND NOT EXISTS (SELECT 1 FROM claims c
                           WHERE c.request_id = r.id AND c.session <> {session}
                             AND c.expires_ms > {NOW_MS})
          AND NOT EXISTS (SELECT 1 FROM matches m JOIN decisions d ON d.match_id = m.id
                           WHERE m.request_id = r.id AND m.status = 'pending'
                             AND d.action = 'approve' AND d.reviewer = {reviewer}
                             AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id))"
    ));
}
