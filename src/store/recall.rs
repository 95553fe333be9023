//! Recall: listing what was released (to whom, when, by whose approval, under which flags) so a
//! disposal request can be sent, and recording recalls (audited).

use rusqlite::params;

use super::audit::{DONE, append_audit};
use super::{Store, StoreResult, now_utc};
use crate::domain::ItemFlags;
use crate::domain::policy::ReleaseRow;

/// Which releases to list. Times are compared as stored (RFC 3339 UTC text); `until` is
/// exclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecallFilter {
    pub batch: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    /// Only releases this person approved.
    pub reviewer: Option<String>,
    /// Only releases of requests carrying this flag.
    pub flag: Option<ItemFlags>,
    /// Only releases whose approval a supervisor has since overturned.
    pub overturned: bool,
}

/// One released match.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedMatch {
    pub match_id: i64,
    pub release_id: i64,
    pub released_at: String,
    pub released_by: String,
    /// Who received it (the batch's requester) and under which authority.
    pub requester: String,
    pub legal_basis: String,
    /// What went out.
    pub row: ReleaseRow,
    pub approvers: Vec<String>,
    pub flags: ItemFlags,
    /// When it was first recalled, if it was.
    pub recalled_at: Option<String>,
    /// The supervisor who overturned its approval after release, and when, if one did.
    pub overturned: Option<(String, String)>,
}

/// A released match's columns as either backend reads them, in the listing's SELECT order.
pub(crate) struct ReleasedColumns {
    pub match_id: i64,
    pub release_id: i64,
    pub released_at: String,
    pub released_by: String,
    pub batch: String,
    pub requester: String,
    pub legal_basis: String,
    /// A JSON array of names, as the release wrote it.
    pub approvers: String,
    pub flags: i64,
    pub recalled_at: Option<String>,
    pub request_id: String,
    /// street_number, street, unit, city, state, zip (NULL when the record had none).
    pub address: [Option<String>; 6],
    pub overturned_by: Option<String>,
    pub overturned_at: Option<String>,
}

impl ReleasedColumns {
    /// The columns of a recall listing's row, in its SELECT order (either backend).
    pub(crate) fn read(r: &dyn super::sql::Row) -> StoreResult<ReleasedColumns> {
        use super::sql::RowExt;
        Ok(ReleasedColumns {
            match_id: r.int_at(0)?,
            release_id: r.int_at(1)?,
            released_at: r.text_at(2)?,
            released_by: r.text_at(3)?,
            batch: r.text_at(4)?,
            requester: r.text_at(5)?,
            legal_basis: r.text_at(6)?,
            approvers: r.text_at(7)?,
            flags: r.int_at(8)?,
            recalled_at: r.text(9)?,
            request_id: r.text_at(10)?,
            address: [
                r.text(11)?,
                r.text(12)?,
                r.text(13)?,
                r.text(14)?,
                r.text(15)?,
                r.text(16)?,
            ],
            overturned_by: r.text(17)?,
            overturned_at: r.text(18)?,
        })
    }
}

impl From<ReleasedColumns> for ReleasedMatch {
    fn from(c: ReleasedColumns) -> ReleasedMatch {
        let [street_number, street, unit, city, state, zip] =
            c.address.map(Option::unwrap_or_default);
        ReleasedMatch {
            match_id: c.match_id,
            release_id: c.release_id,
            released_at: c.released_at,
            released_by: c.released_by,
            requester: c.requester,
            legal_basis: c.legal_basis,
            approvers: serde_json::from_str(&c.approvers).unwrap_or_else(|_| vec![c.approvers]),
            flags: ItemFlags(c.flags as u32),
            recalled_at: c.recalled_at,
            overturned: match (c.overturned_by, c.overturned_at) {
                (Some(who), Some(at)) => Some((who, at)),
                _ => None,
            },
            row: ReleaseRow {
                request_id: c.request_id,
                batch: c.batch,
                street_number,
                street,
                unit,
                city,
                state,
                zip,
            },
        }
    }
}

/// What a recall's audit entry records (its object is `match:<id>`).
pub(crate) fn recall_detail(
    release_id: i64,
    request_id: &str,
    batch: &str,
    reason: &str,
) -> String {
    serde_json::json!({
        "release_id": release_id,
        "request_id": request_id,
        "batch": batch,
        "reason": reason,
    })
    .to_string()
}

impl Store {
    /// The released matches matching the filter, by release then match.
    pub fn released(&self, filter: &RecallFilter) -> StoreResult<Vec<ReleasedMatch>> {
        let mut out = Vec::new();
        self.each_released(filter, |m| {
            out.push(m);
            Ok(())
        })?;
        Ok(out)
    }

    /// The released matches matching the filter, one at a time (streamed from one query: the
    /// reviewer and flag are filtered in SQL too).
    pub fn each_released(
        &self,
        filter: &RecallFilter,
        mut each: impl FnMut(ReleasedMatch) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let query = "SELECT ri.match_id, ri.release_id, rel.released_at, rel.released_by, b.name,
                    b.requester, b.legal_basis, ri.approvers, ri.flags,
                    (SELECT min(x.recalled_at) FROM recalls x WHERE x.match_id = ri.match_id),
                    r.source_id, c.street_number, c.street, c.unit, c.city, c.state, c.zip,
                    o.reviewer, o.decided_at
               FROM release_items ri
               JOIN releases rel ON rel.id = ri.release_id
               JOIN matches m ON m.id = ri.match_id
               JOIN requests r ON r.id = m.request_id
               JOIN candidates c ON c.id = m.candidate_id
               JOIN batches b ON b.id = m.batch_id
               LEFT JOIN decisions o ON o.id = (
                    SELECT max(x.id) FROM decisions x
                     WHERE x.match_id = ri.match_id AND x.action = 'overturn'
                       AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = x.id))
              WHERE (?1 IS NULL OR b.name = ?1)
                AND (?2 IS NULL OR rel.released_at >= ?2)
                AND (?3 IS NULL OR rel.released_at < ?3)
                AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(ri.approvers) a
                                            WHERE a.value = ?4))
                AND (?5 IS NULL OR (ri.flags & ?5) = ?5)
                AND (NOT ?6 OR o.id IS NOT NULL)
              ORDER BY ri.release_id, ri.match_id";
        let flag = filter.flag.map(|f| i64::from(f.0));
        let sql: &mut dyn super::sql::Sql = &mut super::sql_sqlite::Lite(&self.conn);
        sql.each(
            query,
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

    /// Records a recall of each listed match not recalled before; returns how many were newly
    /// recorded. One transaction, one audit entry per recall.
    pub fn mark_recalled(
        &mut self,
        matches: &[ReleasedMatch],
        who: &str,
        reason: &str,
    ) -> StoreResult<usize> {
        let tx = self.write()?;
        let now = now_utc();
        let mut n = 0;
        for m in matches {
            let already: i64 = tx.query_row(
                "SELECT count(*) FROM recalls WHERE match_id = ?",
                [m.match_id],
                |r| r.get(0),
            )?;
            if already > 0 {
                continue;
            }
            tx.execute(
                "INSERT INTO recalls (match_id, release_id, recalled_by, recalled_at, reason)
                 VALUES (?, ?, ?, ?, ?)",
                params![m.match_id, m.release_id, who, now, reason],
            )?;
            let detail = recall_detail(m.release_id, &m.row.request_id, &m.row.batch, reason);
            append_audit(
                &tx,
                who,
                "recall",
                &format!("match:{}", m.match_id),
                DONE,
                &detail,
                None,
            )?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }
}
