//! Loading what the release gates look at for many matches at once: the same context as
//! [`load_context`](super::gates::load_context) with no decider, gathered by a handful of
//! set-based queries per page of matches instead of seven queries per match. The gates
//! themselves (`check_release`) run unchanged on each context.

use std::collections::HashMap;

use rusqlite::Connection;

use super::gates::Loaded;
use super::holds::active_holds;
use super::records::{REQUEST_FIELDS, columns, record_from_row};
use super::{StoreError, StoreResult};
use crate::domain::policy::{Hold, ReleaseContext, Sibling};
use crate::domain::{Field, MatchStatus};

/// The ids as a JSON array, bound to `json_each(?)`: one statement whatever their number.
fn id_list(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// Gate contexts of the given matches for an export check, in the order given. `holds` caches
/// each batch's active holds across pages.
pub(crate) fn load_contexts(
    conn: &Connection,
    ids: &[i64],
    holds: &mut HashMap<i64, Vec<Hold>>,
) -> StoreResult<Vec<(i64, Loaded)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let sql = format!(
        "SELECT m.id, m.request_id, m.score, m.status, m.batch_id, b.name, r.flags, {}, {}
           FROM matches m JOIN batches b ON b.id = m.batch_id
           JOIN requests r ON r.id = m.request_id JOIN candidates c ON c.id = m.candidate_id
          WHERE m.id IN (SELECT value FROM json_each(?1)) ORDER BY m.id",
        columns("r", &REQUEST_FIELDS),
        columns("c", &Field::ALL)
    );
    let cand_at = 7 + REQUEST_FIELDS.len() + 2;
    let mut heads = Vec::with_capacity(ids.len());
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let status: String = r.get(3)?;
            heads.push((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, f64>(2)?,
                status,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                record_from_row(r, 7, &REQUEST_FIELDS)?,
                record_from_row(r, cand_at, &Field::ALL)?,
            ));
        }
    }
    let request_ids: Vec<i64> = heads.iter().map(|h| h.1).collect();
    let mut siblings = siblings_of(conn, &request_ids)?;
    let mut standing = standing_of(conn, &list)?;
    let overrides = overrides_of(conn, &list)?;
    let mut out = Vec::with_capacity(heads.len());
    for (id, request_id, score, status, batch_id, batch, flags, request, candidate) in heads {
        let status: MatchStatus = status
            .parse()
            .map_err(|e| StoreError::Refused(format!("corrupt match status: {e}")))?;
        let standing = standing.remove(&id).unwrap_or_default();
        let escalated = !standing.is_empty()
            && standing
                .iter()
                .all(|(_, before)| before == MatchStatus::Escalated.as_str());
        if let std::collections::hash_map::Entry::Vacant(e) = holds.entry(batch_id) {
            e.insert(active_holds(&mut super::sql_sqlite::Lite(conn), batch_id)?);
        }
        let ctx = ReleaseContext {
            request,
            candidate,
            score,
            siblings: siblings
                .get_mut(&request_id)
                .map(|all| all.iter().filter(|s| s.match_id != id).cloned().collect())
                .unwrap_or_default(),
            approvals: standing.into_iter().map(|(r, _)| r).collect(),
            decider: None,
            escalated,
            holds: holds.get(&batch_id).cloned().unwrap_or_default(),
            override_by: overrides.get(&id).cloned(),
            today: chrono::Utc::now().date_naive(),
        };
        out.push((
            id,
            Loaded {
                ctx,
                batch,
                status,
                flags: flags as u32,
            },
        ));
    }
    Ok(out)
}

/// Every candidate of the requests, by request (a match's siblings are the others).
fn siblings_of(conn: &Connection, request_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Sibling>>> {
    let sql = format!(
        "SELECT m.request_id, m.id, m.score, m.status,
                (SELECT d.reason_code FROM decisions d WHERE d.match_id = m.id ORDER BY d.id DESC LIMIT 1),
                {}
           FROM matches m JOIN candidates c ON c.id = m.candidate_id
          WHERE m.request_id IN (SELECT value FROM json_each(?1)) ORDER BY m.request_id, m.id",
        columns("c", &Field::ALL)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id_list(request_ids)])?;
    let mut out: HashMap<i64, Vec<Sibling>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let status: String = r.get(3)?;
        let reason: Option<String> = r.get(4)?;
        out.entry(r.get(0)?).or_default().push(Sibling {
            match_id: r.get(1)?,
            score: r.get(2)?,
            in_play: status != MatchStatus::Rejected.as_str()
                || reason.as_deref() == Some("not_chosen"),
            candidate: record_from_row(r, 5, &Field::ALL)?,
        });
    }
    Ok(out)
}

/// (reviewer, status before) of the standing approvals of each match, in order.
fn standing_of(conn: &Connection, list: &str) -> StoreResult<HashMap<i64, Vec<(String, String)>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.match_id, d.reviewer, d.status_before FROM decisions d
          WHERE d.match_id IN (SELECT value FROM json_each(?1)) AND d.action = 'approve'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)
            AND NOT EXISTS (SELECT 1 FROM decisions o
                             WHERE o.checks = d.id AND o.action = 'overturn'
                               AND NOT EXISTS (SELECT 1 FROM decisions ou WHERE ou.undoes = o.id))
          ORDER BY d.match_id, d.id",
    )?;
    let mut rows = stmt.query([list])?;
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.get(2)?));
    }
    Ok(out)
}

/// The supervisor of each match's latest address override.
fn overrides_of(conn: &Connection, list: &str) -> StoreResult<HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.match_id, o.supervisor FROM overrides o
          WHERE o.match_id IN (SELECT value FROM json_each(?1)) ORDER BY o.match_id, o.id",
    )?;
    let mut rows = stmt.query([list])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        // Later rows (higher ids) replace earlier ones: the latest override wins.
        out.insert(r.get::<_, i64>(0)?, r.get::<_, String>(1)?);
    }
    Ok(out)
}
