//! What the rule book says of one match today, on a server: the same gates, loaded by the same
//! code as on SQLite (`store::gates` over `Sql`), judged by the same rules.

use super::PgStore;
use super::sql::Server;
use crate::domain::policy::{Refusal, ReleaseRow};
use crate::store::StoreResult;
use crate::store::export::preview;
use crate::store::gates::load_context;

impl PgStore {
    /// Exactly which fields would go out for one match, and what would stop it now.
    pub fn release_preview(&mut self, match_id: i64) -> StoreResult<(ReleaseRow, Vec<Refusal>)> {
        let policy = self.policy()?;
        // One snapshot for the gates and the release check.
        let mut tx = self.client.transaction()?;
        tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let loaded = load_context(&mut Server(&mut tx), match_id, None)?;
        let released: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM release_items WHERE match_id = $1)",
                &[&match_id],
            )?
            .get(0);
        tx.commit()?;
        Ok(preview(&loaded, &policy, released))
    }
}
