//! Read-only counts for `matchgate stats`.

use std::collections::BTreeMap;

use super::imports::HIDDEN_MATCHES_FROM;
use super::{Store, StoreResult};
use crate::domain::MatchStatus;

/// How many matches a batch has in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStatusCount {
    pub batch: String,
    pub status: MatchStatus,
    pub count: u64,
}

/// Counts of matches over the whole database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub total: u64,
    pub by_status: BTreeMap<MatchStatus, u64>,
    pub by_batch: Vec<BatchStatusCount>,
}

impl Store {
    pub fn stats(&self) -> StoreResult<Stats> {
        // Counted per batch id on the covering (batch_id, status) index, then named: an import
        // still loading is left out by its match ids (see store/imports.rs).
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT b.name, per_batch.status, per_batch.n
               FROM (SELECT m.batch_id, m.status, count(*) AS n FROM matches m
                      WHERE +m.id < {HIDDEN_MATCHES_FROM} GROUP BY m.batch_id, m.status) per_batch
               JOIN batches b ON b.id = per_batch.batch_id
              ORDER BY b.name, per_batch.status"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        Stats::from_counts(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

impl Stats {
    /// The figures from (batch, status, count) rows ordered by batch name then status, as
    /// both backends count them.
    pub(crate) fn from_counts(
        rows: impl IntoIterator<Item = (String, String, i64)>,
    ) -> StoreResult<Stats> {
        let mut stats = Stats {
            by_status: MatchStatus::ALL.into_iter().map(|s| (s, 0)).collect(),
            ..Stats::default()
        };
        for (batch, status, count) in rows {
            let status: MatchStatus = status
                .parse()
                .map_err(|e| super::StoreError::Refused(format!("{e}")))?;
            let count = count as u64;
            stats.total += count;
            *stats.by_status.entry(status).or_default() += count;
            stats.by_batch.push(BatchStatusCount {
                batch,
                status,
                count,
            });
        }
        Ok(stats)
    }
}
