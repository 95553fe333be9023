//! Reading the blind second reviews a reviewer may take: open ones (no verdict yet) on someone
//! else's standing decision, on requests no other session holds. Keyset pages over the partial
//! index `second_reviews_open (request_id) WHERE done_by IS NULL`, whose entries are ordered by
//! (request_id, decision_id), so a page is one range scan of the open reviews only.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreResult};

/// A decision drawn for a blind second review that is still waiting for its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondReview {
    /// The first decision's history row (what `record_second_verdict` takes).
    pub decision_id: i64,
    pub request_id: i64,
    pub match_id: i64,
    /// Who made the first decision (never shown on the second reviewer's screen).
    pub first_reviewer: String,
}

/// Where a page of second reviews continues: strictly after this (request id, decision id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondKey {
    pub request_id: i64,
    pub decision_id: i64,
}

impl SecondReview {
    pub fn key(&self) -> SecondKey {
        SecondKey {
            request_id: self.request_id,
            decision_id: self.decision_id,
        }
    }
}

/// The conditions a second review must meet to be offered to `?1` (the reviewer) in session `?2`
/// at `?3` (now, ms): open, not their own first decision, that decision not undone, and the
/// request not held by another session.
const OFFERED: &str = "s.done_by IS NULL AND s.first_reviewer != ?1
     AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = s.decision_id)
     AND NOT EXISTS (SELECT 1 FROM claims c
                      WHERE c.request_id = s.request_id AND c.session != ?2 AND c.expires_ms > ?3)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SecondReview> {
    Ok(SecondReview {
        decision_id: r.get(0)?,
        request_id: r.get(1)?,
        match_id: r.get(2)?,
        first_reviewer: r.get(3)?,
    })
}

impl Store {
    /// Up to `limit` second reviews `reviewer` may take, oldest request first, strictly after
    /// `after` when given. Requests held by another session than this store's claimant are left
    /// out (taking one still needs `claim`, which settles a race).
    pub fn second_reviews_page(
        &self,
        reviewer: &str,
        after: Option<SecondKey>,
        limit: usize,
    ) -> StoreResult<Vec<SecondReview>> {
        let (session, now) = self.session_and_now();
        let after = after.unwrap_or(SecondKey {
            request_id: i64::MIN,
            decision_id: i64::MIN,
        });
        let sql = format!(
            "SELECT s.decision_id, s.request_id, s.match_id, s.first_reviewer
               FROM second_reviews s INDEXED BY second_reviews_open
              WHERE {OFFERED} AND (s.request_id, s.decision_id) > (?4, ?5)
              ORDER BY s.request_id, s.decision_id LIMIT ?6"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                reviewer,
                session,
                now,
                after.request_id,
                after.decision_id,
                limit as i64
            ],
            from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The second review of `decision_id`, if `reviewer` may take it now (after an undo of their
    /// verdict, the screen goes back to that one).
    pub fn second_review(
        &self,
        reviewer: &str,
        decision_id: i64,
    ) -> StoreResult<Option<SecondReview>> {
        let (session, now) = self.session_and_now();
        let sql = format!(
            "SELECT s.decision_id, s.request_id, s.match_id, s.first_reviewer
               FROM second_reviews s WHERE s.decision_id = ?4 AND {OFFERED}"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![reviewer, session, now, decision_id], from_row)
            .optional()?)
    }

    /// How many second reviews `reviewer` may take now.
    pub fn second_reviews_waiting(&self, reviewer: &str) -> StoreResult<u64> {
        let (session, now) = self.session_and_now();
        let sql = format!(
            "SELECT count(*) FROM second_reviews s INDEXED BY second_reviews_open WHERE {OFFERED}"
        );
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![reviewer, session, now], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Gives up this session's claim on one request (a second review the reviewer skipped), so
    /// another reviewer can take it at once.
    pub fn release_claim(&mut self, request_id: i64) -> StoreResult<()> {
        let Some(me) = self.claimant.clone() else {
            return Ok(());
        };
        let tx = self.write()?;
        tx.prepare_cached("DELETE FROM claims WHERE request_id = ? AND session = ?")?
            .execute(params![request_id, me.session])?;
        tx.commit()?;
        Ok(())
    }

    fn session_and_now(&self) -> (String, i64) {
        (
            self.claimant
                .as_ref()
                .map(|c| c.session.clone())
                .unwrap_or_default(),
            super::claims::now_ms(),
        )
    }
}
