//! Claims on requests: taking, renewing and releasing leases, and the fence a decision's
//! transaction checks. Each is one short write transaction.

use rusqlite::{Connection, params};

use super::{Store, StoreResult, now_utc};
use crate::domain::claim::{ClaimOutcome, Claimant, LEASE};
use crate::domain::text_safety::escape_for_display;

/// The clock claims are kept by: Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn lease_end() -> i64 {
    now_ms() + LEASE.as_millis() as i64
}

/// Who holds the request against `session`, if anyone else does right now.
pub(crate) fn fence(
    conn: &Connection,
    request_id: i64,
    session: &str,
) -> StoreResult<Option<String>> {
    fence_in(&mut super::sql_sqlite::Lite(conn), request_id, session)
}

/// Now in Unix milliseconds on a server's own clock (the statement's start: one value for every
/// row a statement reads); row security compares leases with the same clock.
pub(crate) const SERVER_NOW_MS: &str = "(extract(epoch FROM statement_timestamp()) * 1000)::bigint";

/// [`fence`] on either backend. A server keeps leases by its own clock (hosts' clocks differ),
/// as its claims do.
pub(crate) fn fence_in(
    sql: &mut dyn super::sql::Sql,
    request_id: i64,
    session: &str,
) -> StoreResult<Option<String>> {
    use super::sql::{Dialect, RowExt};
    match sql.dialect() {
        Dialect::Sqlite => sql.opt(
            "SELECT holder FROM claims WHERE request_id = ? AND session != ? AND expires_ms > ?",
            &[&request_id, &session, &now_ms()],
            |r| r.text_at(0),
        ),
        Dialect::Postgres => sql.opt(
            &format!(
                "SELECT holder FROM claims WHERE request_id = ? AND session != ?
                    AND expires_ms > {SERVER_NOW_MS}"
            ),
            &[&request_id, &session],
            |r| r.text_at(0),
        ),
    }
}

/// The refusal of a decision whose claim went to someone else.
pub(crate) fn lost_claim(request_id: i64, holder: &str) -> String {
    format!(
        "request {request_id} is now held by {} (your claim lapsed while it was open); nothing was saved, move on to the next item",
        escape_for_display(holder)
    )
}

impl Store {
    /// Who is working through this store, so queue pages and search skip what others hold and
    /// leave out what this reviewer already approved as the first of two.
    pub fn set_claimant(&mut self, claimant: Option<Claimant>) {
        self.claimant = claimant;
    }

    pub fn claimant(&self) -> Option<&Claimant> {
        self.claimant.as_ref()
    }

    /// Claims the request for this store's claimant (releasing the session's previous claim):
    /// refused, changing nothing, while another session holds it.
    pub fn claim(&mut self, request_id: i64) -> StoreResult<ClaimOutcome> {
        let Some(me) = self.claimant.clone() else {
            return Ok(ClaimOutcome::Claimed);
        };
        let tx = self.write()?;
        if let Some(holder) = fence(&tx, request_id, &me.session)? {
            return Ok(ClaimOutcome::HeldBy(holder));
        }
        tx.prepare_cached("DELETE FROM claims WHERE session = ? AND request_id != ?")?
            .execute(params![me.session, request_id])?;
        tx.prepare_cached(
            "INSERT INTO claims (request_id, holder, session, claimed_at, expires_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (request_id) DO UPDATE SET holder = ?2, session = ?3,
                 claimed_at = CASE WHEN session = ?3 THEN claimed_at ELSE ?4 END,
                 expires_ms = ?5",
        )?
        .execute(params![
            request_id,
            me.reviewer,
            me.session,
            now_utc(),
            lease_end()
        ])?;
        tx.commit()?;
        Ok(ClaimOutcome::Claimed)
    }

    /// Extends this session's claims by another lease; returns how many it holds.
    pub fn renew_claims(&mut self) -> StoreResult<usize> {
        let Some(me) = self.claimant.clone() else {
            return Ok(0);
        };
        let tx = self.write()?;
        let n = tx
            .prepare_cached("UPDATE claims SET expires_ms = ? WHERE session = ?")?
            .execute(params![lease_end(), me.session])?;
        tx.commit()?;
        Ok(n)
    }

    /// Gives up this session's claims (on quit).
    pub fn release_claims(&mut self) -> StoreResult<usize> {
        let Some(me) = self.claimant.clone() else {
            return Ok(0);
        };
        let tx = self.write()?;
        let n = tx
            .prepare_cached("DELETE FROM claims WHERE session = ?")?
            .execute([&me.session])?;
        tx.commit()?;
        Ok(n)
    }

    /// Takes over this reviewer's unexpired claims from an earlier session (one that crashed or
    /// lost its terminal), newest first, so they come back to the same person.
    pub fn adopt_claims(&mut self) -> StoreResult<Vec<i64>> {
        let Some(me) = self.claimant.clone() else {
            return Ok(Vec::new());
        };
        let tx = self.write()?;
        let ids: Vec<i64> = {
            let mut stmt = tx.prepare_cached(
                "UPDATE claims SET session = ?1, expires_ms = ?2
                  WHERE holder = ?3 AND session != ?1 AND expires_ms > ?4
                 RETURNING request_id, claimed_at",
            )?;
            let rows = stmt.query_map(
                params![me.session, lease_end(), me.reviewer, now_ms()],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )?;
            let mut rows: Vec<(i64, String)> = rows.collect::<Result<_, _>>()?;
            rows.sort_by(|a, b| b.1.cmp(&a.1));
            rows.into_iter().map(|(id, _)| id).collect()
        };
        tx.commit()?;
        Ok(ids)
    }

    /// Every live claim: (request id, holder), for the queue list and tests.
    pub fn live_claims(&self) -> StoreResult<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT request_id, holder FROM claims WHERE expires_ms > ? ORDER BY request_id",
        )?;
        let rows = stmt.query_map([now_ms()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
