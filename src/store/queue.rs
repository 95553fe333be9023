//! The review queue: keyset pages over indexed columns, counts, and one item in full.
//!
//! Each queue state is paged separately (`queue_rank = ?` then a row-value comparison on the
//! sort columns), so every query is one range scan of an index whatever the queue's size.

use rusqlite::{Row, params_from_iter, types::Value};

use super::records::{REQUEST_FIELDS, columns, record_from_row};
use super::{Store, StoreResult};
use crate::domain::claim::Claimant;
use crate::domain::{
    BatchInfo, CandidateMatch, Field, Gold, ItemFlags, MatchStatus, QueueCounts, QueueEntry,
    QueueFilter, QueueKey, QueueSort, QueueState, ReviewItem,
};

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageFrom {
    /// The head of the queue.
    Start,
    /// Strictly after this key, in queue order.
    After(QueueKey),
    /// This key itself (if it still qualifies) and what follows.
    At(QueueKey),
    /// Strictly before this key; the page comes back in queue order.
    Before(QueueKey),
}

const ENTRY_COLUMNS: &str = "r.id, r.source_id, r.batch_id, r.given_name, r.surname, \
     r.top_score, r.queue_rank, r.candidate_count, r.flags";

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
        let backward = matches!(from, PageFrom::Before(_));
        let anchor = match from {
            PageFrom::Start => None,
            PageFrom::After(k) | PageFrom::At(k) | PageFrom::Before(k) => Some(k),
        };
        let mut states: Vec<QueueState> = filter.state.states().to_vec();
        if backward {
            states.reverse();
        }
        let mut out = Vec::new();
        for state in states {
            if out.len() >= limit {
                break;
            }
            // States before the anchor's (in the paging direction) are skipped; the anchor's
            // own state continues from the key; later states start from their beginning.
            let key_condition = match anchor {
                Some(k) if (!backward && state < k.state) || (backward && state > k.state) => {
                    continue;
                }
                Some(k) if state == k.state => Some((k, from)),
                _ => None,
            };
            let page = self.page_in_state(
                filter,
                sort,
                state,
                key_condition,
                backward,
                limit - out.len(),
            )?;
            out.extend(page);
        }
        if backward {
            out.reverse();
        }
        Ok(out)
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
        // Queue order within a state, as (columns, true when the columns ascend).
        let (order_cols, ascending) = match (sort, filter.batch_id) {
            (QueueSort::Score, _) => ("r.top_score, r.id", false),
            (QueueSort::Age, _) | (QueueSort::Batch, Some(_)) => ("r.id", true),
            (QueueSort::Batch, None) => ("r.batch_id, r.id", true),
        };
        if let Some((k, from)) = key {
            let key_values: Vec<Value> = match order_cols {
                "r.id" => vec![Value::Integer(k.request_id)],
                "r.batch_id, r.id" => {
                    vec![Value::Integer(k.batch_id), Value::Integer(k.request_id)]
                }
                _ => vec![Value::Real(k.score), Value::Integer(k.request_id)],
            };
            // "Later in queue order" is greater when the order ascends, smaller when it descends.
            let later = if ascending { ">" } else { "<" };
            let earlier = if ascending { "<" } else { ">" };
            let op = match from {
                PageFrom::After(_) => later.to_string(),
                PageFrom::At(_) => format!("{later}="),
                _ => earlier.to_string(),
            };
            let marks = vec!["?"; key_values.len()].join(", ");
            sql.push_str(&format!(" AND ({order_cols}) {op} ({marks})"));
            args.extend(key_values);
        }
        let descending = ascending == backward;
        let dir = if descending { "DESC" } else { "ASC" };
        let order: Vec<String> = order_cols
            .split(", ")
            .map(|c| format!("{c} {dir}"))
            .collect();
        sql.push_str(&format!(" ORDER BY {} LIMIT ?", order.join(", ")));
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
            state: QueueState::from_rank(row.get(2)?).unwrap_or(QueueState::Open),
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

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<QueueEntry> {
    let given: Option<String> = row.get(3)?;
    let surname: Option<String> = row.get(4)?;
    let name = [given, surname]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(QueueEntry {
        request_id: row.get(0)?,
        source_id: row.get(1)?,
        batch_id: row.get(2)?,
        name,
        top_score: row.get(5)?,
        state: QueueState::from_rank(row.get(6)?).unwrap_or(QueueState::Open),
        candidate_count: row.get::<_, i64>(7)? as u32,
        flags: ItemFlags(row.get::<_, i64>(8)? as u32),
    })
}
