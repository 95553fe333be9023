//! Loading what the release gates look at for many matches at once: the same context as
//! [`load_context`](super::gates::load_context) with no decider, gathered by a handful of
//! set-based queries per page of matches instead of seven queries per match. The gates
//! themselves (`check_release`) run unchanged on each context.

use std::collections::HashMap;

use super::gates::Loaded;
use super::holds::active_holds;
use super::records::{REQUEST_FIELDS, columns, record_from};
use super::sql::{Dialect, RowExt, Sql};
use super::{StoreError, StoreResult};
use crate::domain::policy::{Hold, ReleaseContext, Sibling};
use crate::domain::{Field, MatchStatus};

/// The ids as a JSON array, bound as one parameter: one statement whatever their number.
fn id_list(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// The set of ids in a JSON array parameter, in each dialect.
fn id_set(sql: &dyn Sql) -> &'static str {
    match sql.dialect() {
        Dialect::Sqlite => "SELECT value FROM json_each(?1)",
        Dialect::Postgres => "SELECT json_array_elements_text(?1::json)::bigint",
    }
}

/// Gate contexts of the given matches for an export check, in the order given. `holds` caches
/// each batch's active holds across pages.
pub(crate) fn load_contexts(
    sql: &mut dyn Sql,
    ids: &[i64],
    holds: &mut HashMap<i64, Vec<Hold>>,
) -> StoreResult<Vec<(i64, Loaded)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let query = format!(
        "SELECT m.id, m.request_id, m.score, m.status, m.batch_id, b.name, r.flags, {}, {}
           FROM matches m JOIN batches b ON b.id = m.batch_id
           JOIN requests r ON r.id = m.request_id JOIN candidates c ON c.id = m.candidate_id
          WHERE m.id IN ({}) ORDER BY m.id",
        columns("r", &REQUEST_FIELDS),
        columns("c", &Field::ALL),
        id_set(sql)
    );
    let cand_at = 7 + REQUEST_FIELDS.len() + 2;
    let heads = sql.all(&query, &[&list], |r| {
        Ok((
            r.int_at(0)?,
            r.int_at(1)?,
            r.real_at(2)?,
            r.text_at(3)?,
            r.int_at(4)?,
            r.text_at(5)?,
            r.int_at(6)?,
            record_from(r, 7, &REQUEST_FIELDS)?,
            record_from(r, cand_at, &Field::ALL)?,
        ))
    })?;
    let request_ids: Vec<i64> = heads.iter().map(|h| h.1).collect();
    let mut siblings = siblings_of(sql, &request_ids)?;
    let mut standing = standing_of(sql, &list)?;
    let overrides = overrides_of(sql, &list)?;
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
            e.insert(active_holds(sql, batch_id)?);
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
fn siblings_of(sql: &mut dyn Sql, request_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Sibling>>> {
    let query = format!(
        "SELECT m.request_id, m.id, m.score, m.status,
                (SELECT d.reason_code FROM decisions d WHERE d.match_id = m.id ORDER BY d.id DESC LIMIT 1),
                {}
           FROM matches m JOIN candidates c ON c.id = m.candidate_id
          WHERE m.request_id IN ({}) ORDER BY m.request_id, m.id",
        columns("c", &Field::ALL),
        id_set(sql)
    );
    let mut out: HashMap<i64, Vec<Sibling>> = HashMap::new();
    sql.each(&query, &[&id_list(request_ids)], &mut |r| {
        let status = r.text_at(3)?;
        let reason = r.text(4)?;
        out.entry(r.int_at(0)?).or_default().push(Sibling {
            match_id: r.int_at(1)?,
            score: r.real_at(2)?,
            in_play: status != MatchStatus::Rejected.as_str()
                || reason.as_deref() == Some("not_chosen"),
            candidate: record_from(r, 5, &Field::ALL)?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// (reviewer, status before) of the standing approvals of each match, in order.
fn standing_of(sql: &mut dyn Sql, list: &str) -> StoreResult<HashMap<i64, Vec<(String, String)>>> {
    let query = format!(
        "SELECT d.match_id, d.reviewer, d.status_before FROM decisions d
          WHERE d.match_id IN ({}) AND d.action = 'approve'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)
            AND NOT EXISTS (SELECT 1 FROM decisions o
                             WHERE o.checks = d.id AND o.action = 'overturn'
                               AND NOT EXISTS (SELECT 1 FROM decisions ou WHERE ou.undoes = o.id))
          ORDER BY d.match_id, d.id",
        id_set(sql)
    );
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    sql.each(&query, &[&list], &mut |r| {
        out.entry(r.int_at(0)?)
            .or_default()
            .push((r.text_at(1)?, r.text_at(2)?));
        Ok(())
    })?;
    Ok(out)
}

/// The supervisor of each match's latest address override.
fn overrides_of(sql: &mut dyn Sql, list: &str) -> StoreResult<HashMap<i64, String>> {
    let query = format!(
        "SELECT o.match_id, o.supervisor FROM overrides o
          WHERE o.match_id IN ({}) ORDER BY o.match_id, o.id",
        id_set(sql)
    );
    let mut out = HashMap::new();
    sql.each(&query, &[&list], &mut |r| {
        // Later rows (higher ids) replace earlier ones: the latest override wins.
        out.insert(r.int_at(0)?, r.text_at(1)?);
        Ok(())
    })?;
    Ok(out)
}
