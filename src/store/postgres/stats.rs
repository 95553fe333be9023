//! `matchgate stats` on the server: the same counts as on SQLite (`store::stats`), aggregated
//! by the server over the (batch_id, status) index. An import still loading is invisible here
//! without being filtered: its rows are not committed yet.

use super::PgStore;
use crate::store::{Stats, StoreResult};

impl PgStore {
    pub fn stats(&mut self) -> StoreResult<Stats> {
        // Ordered bytewise, as SQLite orders the same names (the database's collation may not).
        let rows = self.client.query(
            "SELECT b.name, per_batch.status, per_batch.n
               FROM (SELECT batch_id, status, count(*) AS n FROM matches
                      GROUP BY batch_id, status) per_batch
               JOIN batches b ON b.id = per_batch.batch_id
              ORDER BY b.name COLLATE \"C\", per_batch.status COLLATE \"C\"",
            &[],
        )?;
        Stats::from_counts(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))))
    }
}
