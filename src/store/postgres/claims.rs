//! Claims on the server: the same leases as on SQLite (`store::claims`), held in the name of the
//! connected role (row security refuses any other name) and kept by the server's clock, so
//! screens on hosts whose clocks differ agree on when a lease ends.
//!
//! A claim first locks the request's row with `FOR NO KEY UPDATE SKIP LOCKED`: a row someone is
//! claiming or deciding this instant is reported as held, never waited for. NO KEY: the share
//! locks that foreign keys take on the row (an import adding matches to it, a queue move
//! recorded) do not make it look held. A decision's `fence` takes the same lock, waiting.

use postgres::GenericClient;

use super::PgStore;
use crate::domain::claim::{ClaimOutcome, Claimant, LEASE};
use crate::store::StoreResult;

/// Now on the server's clock, in Unix milliseconds (see `SERVER_NOW_MS`).
pub(super) const NOW_MS: &str = crate::store::claims::SERVER_NOW_MS;

/// Now on the server's clock as every timestamp column stores it (RFC 3339, UTC, ms).
const NOW_TEXT: &str =
    "to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

/// Who a request is held by when its row is locked by a transaction not yet committed (someone
/// claiming it this instant) and no committed claim names anyone.
pub const BUSY_HOLDER: &str = "another reviewer";

fn lease_ms() -> i64 {
    LEASE.as_millis() as i64
}

/// The holder of a live claim on the request by another session than `session`.
fn live_holder(
    client: &mut impl GenericClient,
    request_id: i64,
    session: &str,
) -> StoreResult<Option<String>> {
    let sql = format!(
        "SELECT holder FROM claims WHERE request_id = $1 AND session <> $2 AND expires_ms > {NOW_MS}"
    );
    Ok(client
        .query_opt(&sql, &[&request_id, &session])?
        .map(|r| r.get(0)))
}

impl PgStore {
    /// Who is working through this connection, so queue pages and search skip what others hold
    /// and leave out what they already approved as the first of two. The reviewer is always the
    /// connected role, whatever name `claimant` gives: the server knows who connected.
    pub fn set_claimant(&mut self, claimant: Option<Claimant>) {
        self.claimant = claimant.map(|c| Claimant {
            reviewer: self.user.clone(),
            session: c.session,
        });
    }

    pub fn claimant(&self) -> Option<&Claimant> {
        self.claimant.as_ref()
    }

    /// Claims the request for this connection's claimant (releasing the session's previous
    /// claim): refused, changing nothing, while another session holds it or is claiming or
    /// deciding it right now.
    pub fn claim(&mut self, request_id: i64) -> StoreResult<ClaimOutcome> {
        let Some(me) = self.claimant.clone() else {
            return Ok(ClaimOutcome::Claimed);
        };
        let mut tx = self.client.transaction()?;
        let free = tx.query_opt(
            "SELECT id FROM requests WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED",
            &[&request_id],
        )?;
        // No row: locked by someone else's transaction, or no such request (then the insert
        // below fails on its foreign key, as on SQLite).
        let exists = "SELECT EXISTS (SELECT 1 FROM requests WHERE id = $1)";
        if free.is_none() && tx.query_one(exists, &[&request_id])?.get::<_, bool>(0) {
            let holder = live_holder(&mut tx, request_id, &me.session)?;
            return Ok(ClaimOutcome::HeldBy(
                holder.unwrap_or_else(|| BUSY_HOLDER.to_string()),
            ));
        }
        // Taken over only when the lease has ended or is this session's own. A row the WHERE
        // leaves alone stays locked by this statement, so its holder read next is current.
        let sql = format!(
            "INSERT INTO claims AS c (request_id, holder, session, claimed_at, expires_ms)
             VALUES ($1, current_user, $2, {NOW_TEXT}, {NOW_MS} + $3)
             ON CONFLICT (request_id) DO UPDATE
                SET holder = excluded.holder, session = excluded.session,
                    claimed_at = CASE WHEN c.session = excluded.session
                                      THEN c.claimed_at ELSE excluded.claimed_at END,
                    expires_ms = excluded.expires_ms
              WHERE c.expires_ms < {NOW_MS}
                 OR (c.session = excluded.session AND c.holder = current_user)
             RETURNING request_id"
        );
        let won = tx.query_opt(&sql, &[&request_id, &me.session, &lease_ms()])?;
        if won.is_none() {
            let holder: Option<String> = tx
                .query_opt(
                    "SELECT holder FROM claims WHERE request_id = $1",
                    &[&request_id],
                )?
                .map(|r| r.get(0));
            return Ok(ClaimOutcome::HeldBy(
                holder.unwrap_or_else(|| BUSY_HOLDER.to_string()),
            ));
        }
        tx.execute(
            "DELETE FROM claims WHERE session = $1 AND request_id <> $2",
            &[&me.session, &request_id],
        )?;
        tx.commit()?;
        Ok(ClaimOutcome::Claimed)
    }

    /// Extends this session's claims by another lease; returns how many it holds.
    pub fn renew_claims(&mut self) -> StoreResult<usize> {
        let Some(me) = self.claimant.clone() else {
            return Ok(0);
        };
        let sql = format!(
            "UPDATE claims SET expires_ms = {NOW_MS} + $1
              WHERE session = $2 AND holder = current_user"
        );
        Ok(self.client.execute(&sql, &[&lease_ms(), &me.session])? as usize)
    }

    /// Gives up this session's claims (on quit).
    pub fn release_claims(&mut self) -> StoreResult<usize> {
        let Some(me) = self.claimant.clone() else {
            return Ok(0);
        };
        let n = self.client.execute(
            "DELETE FROM claims WHERE session = $1 AND holder = current_user",
            &[&me.session],
        )?;
        Ok(n as usize)
    }

    /// Gives up this session's claim on one request (a second review the reviewer skipped), so
    /// another reviewer can take it at once.
    pub fn release_claim(&mut self, request_id: i64) -> StoreResult<()> {
        let Some(me) = self.claimant.clone() else {
            return Ok(());
        };
        self.client.execute(
            "DELETE FROM claims WHERE request_id = $1 AND session = $2 AND holder = current_user",
            &[&request_id, &me.session],
        )?;
        Ok(())
    }

    /// Takes over this reviewer's unexpired claims from an earlier session (one that crashed or
    /// lost its connection), newest first, so they come back to the same person.
    pub fn adopt_claims(&mut self) -> StoreResult<Vec<i64>> {
        let Some(me) = self.claimant.clone() else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "UPDATE claims SET session = $1, expires_ms = {NOW_MS} + $2
              WHERE holder = current_user AND session <> $1 AND expires_ms > {NOW_MS}
             RETURNING request_id, claimed_at"
        );
        let mut rows: Vec<(i64, String)> = self
            .client
            .query(&sql, &[&me.session, &lease_ms()])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1));
        Ok(rows.into_iter().map(|(id, _)| id).collect())
    }

    /// Every live claim: (request id, holder), for the queue list and tests.
    pub fn live_claims(&mut self) -> StoreResult<Vec<(i64, String)>> {
        let sql = format!(
            "SELECT request_id, holder FROM claims WHERE expires_ms > {NOW_MS} ORDER BY request_id"
        );
        let rows = self.client.query(&sql, &[])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Who holds the request against this connection's session, if anyone else does right now
    /// (a read: it locks nothing).
    pub fn held_by_other(&mut self, request_id: i64) -> StoreResult<Option<String>> {
        let session = self.session();
        live_holder(&mut self.client, request_id, &session)
    }

    /// The claimant's session ("" without one: then every live claim is another's).
    pub(super) fn session(&self) -> String {
        self.claimant
            .as_ref()
            .map(|c| c.session.clone())
            .unwrap_or_default()
    }
}
