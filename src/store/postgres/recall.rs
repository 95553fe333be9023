//! Recall on the server: the released matches listed with the same filters, columns and order as
//! on SQLite (`store::recall`), streamed from one query; and recalls recorded as the connected
//! role (a supervisor), a page at a time, each with its audit entry.

use super::PgStore;
use super::audit::{append_audit, refuse};
use super::sql::Server;
use crate::domain::roles::Act;
use crate::store::audit::DONE;
use crate::store::recall::{ReleasedColumns, recall_detail};
use crate::store::sql::Sql;
use crate::store::{RecallFilter, ReleasedMatch, StoreResult, now_utc};

/// The released matches the filter selects ($1 batch, $2 since, $3 until, $4 reviewer, $5 flag,
/// $6 overturned only), each with the latest standing overturn of its approval (`o`), if any.
/// Times are fixed-format RFC 3339 text, compared bytewise as SQLite compares them.
const RELEASED_FROM: &str = "
      FROM release_items ri
      JOIN releases rel ON rel.id = ri.release_id
      JOIN matches m ON m.id = ri.match_id
      JOIN requests r ON r.id = m.request_id
      JOIN candidates c ON c.id = m.candidate_id
      JOIN batches b ON b.id = m.batch_id
      LEFT JOIN LATERAL (
           SELECT x.reviewer, x.decided_at FROM decisions x
            WHERE x.match_id = ri.match_id AND x.action = 'overturn'
              AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = x.id)
            ORDER BY x.id DESC LIMIT 1) o ON true
     WHERE ($1::text IS NULL OR b.name = $1)
       AND ($2::text IS NULL OR rel.released_at COLLATE \"C\" >= $2)
       AND ($3::text IS NULL OR rel.released_at COLLATE \"C\" < $3)
       AND ($4::text IS NULL OR EXISTS (
            SELECT 1 FROM jsonb_array_elements_text(ri.approvers::jsonb) a WHERE a = $4))
       AND ($5::bigint IS NULL OR (ri.flags & $5) = $5)
       AND (NOT $6::bool OR o.reviewer IS NOT NULL)";

/// Recalls recorded per statement.
const PAGE: i64 = 500;

/// The advisory lock that serialises recording recalls ("MGRE" "CALL"), so "not recalled
/// before" still holds when the insert lands.
const RECALL_LOCK: i64 = 0x4D47_5245_4341_4C4C;

impl PgStore {
    /// The released matches matching the filter, by release then match.
    pub fn released(&mut self, filter: &RecallFilter) -> StoreResult<Vec<ReleasedMatch>> {
        let mut out = Vec::new();
        self.each_released(filter, |m| {
            out.push(m);
            Ok(())
        })?;
        Ok(out)
    }

    /// The released matches matching the filter, one at a time as the server sends them (the
    /// reviewer and flag are filtered in SQL too).
    pub fn each_released(
        &mut self,
        filter: &RecallFilter,
        mut each: impl FnMut(ReleasedMatch) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let sql = format!(
            "SELECT ri.match_id, ri.release_id, rel.released_at, rel.released_by, b.name,
                    b.requester, b.legal_basis, ri.approvers, ri.flags,
                    (SELECT min(x.recalled_at COLLATE \"C\") FROM recalls x
                      WHERE x.match_id = ri.match_id),
                    r.source_id, c.street_number, c.street, c.unit, c.city, c.state, c.zip,
                    o.reviewer, o.decided_at
             {RELEASED_FROM}
              ORDER BY ri.release_id, ri.match_id"
        );
        let flag = filter.flag.map(|f| i64::from(f.0));
        let server: &mut dyn Sql = &mut Server(&mut self.client);
        server.each(
            &sql,
            &[
                &filter.batch,
                &filter.since,
                &filter.until,
                &filter.reviewer,
                &flag,
                &filter.overturned,
            ],
            &mut |r| each(ReleasedColumns::read(r)?.into()),
        )?;
        Ok(())
    }

    /// Records, as the connected role, a recall of each match the filter selects that was not
    /// recalled before; returns how many were newly recorded. One transaction; each page of
    /// matches is inserted by one statement, then given its audit entries (the chain is one
    /// entry at a time), in the listing's order.
    ///
    /// The filter is applied again here (the listing streamed and kept nothing), so a release
    /// made between a listing and its `--mark` that the filter selects is recorded too.
    pub fn mark_recalled(&mut self, filter: &RecallFilter, reason: &str) -> StoreResult<usize> {
        let refusal = self.role_refusal(Act::Recall)?;
        let me = self.user.clone();
        let mut tx = self.client.transaction()?;
        if let Some(message) = refusal {
            return Err(refuse(tx, &me, Act::Recall.as_str(), "recalls", message));
        }
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&RECALL_LOCK])?;
        let page_sql = format!(
            "WITH page AS (
                  SELECT ri.match_id, ri.release_id, r.source_id, b.name
                  {RELEASED_FROM}
                    AND NOT EXISTS (SELECT 1 FROM recalls x WHERE x.match_id = ri.match_id)
                    AND (ri.release_id, ri.match_id) > ($7, $8)
                  ORDER BY ri.release_id, ri.match_id LIMIT {PAGE}),
              recorded AS (
                  INSERT INTO recalls (match_id, release_id, recalled_by, recalled_at, reason)
                  SELECT match_id, release_id, $9, $10, $11 FROM page)
             SELECT match_id, release_id, source_id, name FROM page
              ORDER BY release_id, match_id"
        );
        let now = now_utc();
        let flag = filter.flag.map(|f| i64::from(f.0));
        let (mut after_release, mut after_match) = (0i64, 0i64);
        let mut n = 0;
        loop {
            let page = tx.query(
                &page_sql,
                &[
                    &filter.batch,
                    &filter.since,
                    &filter.until,
                    &filter.reviewer,
                    &flag,
                    &filter.overturned,
                    &after_release,
                    &after_match,
                    &me,
                    &now,
                    &reason,
                ],
            )?;
            for r in &page {
                let (match_id, release_id): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                let request_id: String = r.try_get(2)?;
                let batch: String = r.try_get(3)?;
                let detail = recall_detail(release_id, &request_id, &batch, reason);
                let object = format!("match:{match_id}");
                append_audit(&mut tx, &me, "recall", &object, DONE, &detail, None)?;
                (after_release, after_match) = (release_id, match_id);
                n += 1;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}
