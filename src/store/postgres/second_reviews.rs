//! The blind second reviews a reviewer may take, on the server: the same offer and keyset pages
//! as on SQLite (`store::second_reviews`), over the partial index of open reviews.

use postgres::Row;

use super::PgStore;
use super::claims::NOW_MS;
use crate::store::{SecondKey, SecondReview, StoreResult};

/// The conditions a second review must meet to be offered to `$1` (the reviewer) in session
/// `$2`: open, not their own first decision, that decision not undone, and the request not held
/// by another session.
fn offered() -> String {
    format!(
        "s.done_by IS NULL AND s.first_reviewer <> $1
         AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = s.decision_id)
         AND NOT EXISTS (SELECT 1 FROM claims c
                          WHERE c.request_id = s.request_id AND c.session <> $2
                            AND c.expires_ms > {NOW_MS})"
    )
}

fn from_row(r: &Row) -> SecondReview {
    SecondReview {
        decision_id: r.get(0),
        request_id: r.get(1),
        match_id: r.get(2),
        first_reviewer: r.get(3),
    }
}

impl PgStore {
    /// Up to `limit` second reviews `reviewer` may take, oldest request first, strictly after
    /// `after` when given. Requests held by another session than this connection's claimant are
    /// left out (taking one still needs `claim`, which settles a race).
    pub fn second_reviews_page(
        &mut self,
        reviewer: &str,
        after: Option<SecondKey>,
        limit: usize,
    ) -> StoreResult<Vec<SecondReview>> {
        let session = self.session();
        let after = after.unwrap_or(SecondKey {
            request_id: i64::MIN,
            decision_id: i64::MIN,
        });
        let sql = format!(
            "SELECT s.decision_id, s.request_id, s.match_id, s.first_reviewer
               FROM second_reviews s
              WHERE {} AND (s.request_id, s.decision_id) > ($3, $4)
              ORDER BY s.request_id, s.decision_id LIMIT $5",
            offered()
        );
        let rows = self.client.query(
            &sql,
            &[
                &reviewer,
                &session,
                &after.request_id,
                &after.decision_id,
                &(limit as i64),
            ],
        )?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The second review of `decision_id`, if `reviewer` may take it now.
    pub fn second_review(
        &mut self,
        reviewer: &str,
        decision_id: i64,
    ) -> StoreResult<Option<SecondReview>> {
        let session = self.session();
        let sql = format!(
            "SELECT s.decision_id, s.request_id, s.match_id, s.first_reviewer
               FROM second_reviews s WHERE s.decision_id = $3 AND {}",
            offered()
        );
        Ok(self
            .client
            .query_opt(&sql, &[&reviewer, &session, &decision_id])?
            .as_ref()
            .map(from_row))
    }

    /// How many second reviews `reviewer` may take now.
    pub fn second_reviews_waiting(&mut self, reviewer: &str) -> StoreResult<u64> {
        let session = self.session();
        let sql = format!("SELECT count(*) FROM second_reviews s WHERE {}", offered());
        let n: i64 = self.client.query_one(&sql, &[&reviewer, &session])?.get(0);
        Ok(n as u64)
    }
}
