//! Read-only counts for `matchgate stats`.

use std::collections::BTreeMap;

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
        let mut stmt = self.conn.prepare(
            "SELECT b.name, m.status, count(*)
               FROM matches m JOIN batches b ON b.id = m.batch_id
              GROUP BY b.name, m.status
              ORDER BY b.name, m.status",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut stats = Stats {
            by_status: MatchStatus::ALL.into_iter().map(|s| (s, 0)).collect(),
            ..Stats::default()
        };
        for row in rows {
            let (batch, status, count) = row?;
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
