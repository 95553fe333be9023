//! The act of release, written once for both backends over `Sql` (see `export` for the order of
//! file, commit and rename, and why): every approved, unreleased match is checked against the
//! rule book again, a page at a time, and those that pass go into the file and are marked
//! released, with the release and its audit entry, in the caller's transaction.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::audit::{DONE, append_audit_in};
use super::export::{ExportFormat, ExportSummary, RELEASE_COLUMNS, Releasable, never_overwrites};
use super::export_file::TempExport;
use super::gates::Loaded;
use super::gates_batch::load_contexts;
use super::policy::load_policy_in;
use super::settle::{Stop, refused};
use super::sql::{Param, RowExt, Sql};
use super::{StoreError, StoreResult, now_utc};
use crate::domain::policy::{Policy, ReleaseRow, check_release};

/// Matches checked per page: one set of gate-loading queries per page.
const PAGE: usize = 500;

/// Calls `each` with every approved, not yet released match that passes every gate now, by id,
/// a page at a time (keyset on the id), so nothing grows with the number of approvals.
pub(crate) fn each_releasable_in(
    sql: &mut dyn Sql,
    each: &mut dyn FnMut(&mut dyn Sql, Releasable) -> StoreResult<()>,
) -> StoreResult<()> {
    let policy = load_policy_in(sql)?;
    let mut holds = HashMap::new();
    let mut after = 0i64;
    loop {
        let ids = sql.all(
            "SELECT m.id FROM matches m
              WHERE m.status = 'approved' AND m.id > ?1
                AND NOT EXISTS (SELECT 1 FROM release_items ri WHERE ri.match_id = m.id)
              ORDER BY m.id LIMIT ?2",
            &[&after, &(PAGE as i64)],
            |r| r.int_at(0),
        )?;
        let Some(last) = ids.last() else {
            return Ok(());
        };
        after = *last;
        let page = load_contexts(sql, &ids, &mut holds)?;
        let passes = passing(&page, &policy);
        for ((id, loaded), passes) in page.into_iter().zip(passes) {
            if passes {
                let row =
                    ReleaseRow::new(&loaded.batch, &loaded.ctx.request, &loaded.ctx.candidate);
                let item = Releasable {
                    match_id: id,
                    row,
                    approvers: loaded.ctx.approvals,
                    flags: loaded.flags,
                };
                each(sql, item)?;
            }
        }
        if ids.len() < PAGE {
            return Ok(());
        }
    }
}

/// Whether each match of a page passes every release rule, on two threads: the rules are pure,
/// and they are most of an export's time (perf, 100,000 approvals of the 1.28M set: the domain's
/// comparisons and their allocations about 60%, SQLite about 15%).
fn passing(page: &[(i64, Loaded)], policy: &Policy) -> Vec<bool> {
    let check = |part: &[(i64, Loaded)]| -> Vec<bool> {
        part.iter()
            .map(|(_, loaded)| check_release(&loaded.ctx, policy).is_empty())
            .collect()
    };
    let (first, second) = page.split_at(page.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| check(second));
        let mut passes = check(first);
        // A panic in the rules is a defect; it surfaces here as it would have on one thread.
        passes.extend(
            other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        passes
    })
}

pub(crate) fn release_values(
    release_id: Option<i64>,
    at: &str,
    row: &ReleaseRow,
) -> Vec<serde_json::Value> {
    use serde_json::Value::{Null, String as S};
    let mut v = vec![
        release_id.map_or(Null, |id| id.into()),
        if release_id.is_some() {
            S(at.to_string())
        } else {
            Null
        },
    ];
    v.extend(row.fields().into_iter().map(|(_, val)| S(val.to_string())));
    v
}

/// Release items written per pair of statements: on a server each statement is a round trip, so
/// two a chunk instead of two a match (the placeholders are built, never the values).
const CHUNK: usize = 250;

/// A released match's item: its id, its approvers (JSON) and its flags.
type Item = (i64, String, u32);

/// Writes the chunk's release items and marks its matches released; empties it.
fn record_items(
    sql: &mut dyn Sql,
    release_id: i64,
    now: &str,
    items: &mut Vec<Item>,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let rows = vec!["(?, ?, ?, ?)"; items.len()].join(", ");
    let mut params: Vec<&dyn Param> = Vec::with_capacity(items.len() * 4);
    for (match_id, approvers, flags) in items.iter() {
        params.extend([&release_id as &dyn Param, match_id, approvers, flags]);
    }
    sql.run(
        &format!(
            "INSERT INTO release_items (release_id, match_id, approvers, flags) VALUES {rows}"
        ),
        &params,
    )?;
    let ids = vec!["?"; items.len()].join(", ");
    let mut params: Vec<&dyn Param> = vec![&now];
    params.extend(items.iter().map(|(match_id, _, _)| match_id as &dyn Param));
    sql.run(
        &format!(
            "UPDATE matches SET status = 'released', updated_at = ? WHERE status = 'approved' AND id IN ({ids})"
        ),
        &params,
    )?;
    items.clear();
    Ok(())
}

/// Releases every releasable match into a synced temporary file for `out` and records it; the
/// caller commits, then publishes the file.
pub(crate) fn release_in(
    sql: &mut dyn Sql,
    who: &str,
    out: &Path,
    format: ExportFormat,
) -> Result<(ExportSummary, tempfile::NamedTempFile), Stop> {
    if out.exists() {
        return Err(refused(
            sql,
            who,
            "export",
            "release:none",
            never_overwrites(out),
        ));
    }
    let now = now_utc();
    // The release row comes first: its id is in every line of the file. It is removed again
    // when nothing turns out to be releasable.
    let target = out.display().to_string();
    let release_id = sql.insert_id(
        "INSERT INTO releases (released_by, released_at, file, format, item_count)
         VALUES (?, ?, ?, ?, 0)",
        &[&who, &now, &target, &format.as_str()],
    )?;
    let mut file = TempExport::create(out, format, &RELEASE_COLUMNS)?;
    let mut count = 0u64;
    // The audit entry names the release and a digest of its match ids (in id order), so a
    // changed `release_items` list shows without the entry holding a million ids.
    let mut digest = Sha256::new();
    let mut pending: Vec<Item> = Vec::with_capacity(CHUNK);
    each_releasable_in(sql, &mut |sql, item| {
        file.row(&release_values(Some(release_id), &now, &item.row))?;
        let approvers = serde_json::to_string(&item.approvers)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        digest.update(format!("{},", item.match_id).as_bytes());
        count += 1;
        pending.push((item.match_id, approvers, item.flags));
        if pending.len() == CHUNK {
            record_items(sql, release_id, &now, &mut pending)?;
        }
        Ok(())
    })?;
    record_items(sql, release_id, &now, &mut pending)?;
    let tmp = file.synced()?;
    let release_id = if count == 0 {
        sql.run("DELETE FROM releases WHERE id = ?", &[&release_id])?;
        None
    } else {
        sql.run(
            "UPDATE releases SET item_count = ? WHERE id = ?",
            &[&(count as i64), &release_id],
        )?;
        Some(release_id)
    };
    let detail = serde_json::json!({
        "file": target,
        "format": format.as_str(),
        "count": count,
        "match_ids_sha256": hex::encode(digest.finalize()),
    })
    .to_string();
    let object = release_id.map_or("release:none".to_string(), |id| format!("release:{id}"));
    append_audit_in(sql, who, "export", &object, DONE, &detail, None)?;
    let summary = ExportSummary {
        release_id,
        released_at: now,
        count,
    };
    Ok((summary, tmp))
}
