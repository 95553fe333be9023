//! The life of one import in the `imports` table: begun (`loading`, its rows invisible), published
//! (`done`, in one tiny transaction) or cleaned up (`failed`, its rows deleted in short
//! transactions). Only imports insert batches, requests, candidates and matches, and one runs at
//! a time, so the rows of an unfinished import are exactly those from its `*_from` ids up; every
//! reader hides them with one rowid comparison (see [`HIDDEN_REQUESTS_FROM`]).

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::import_rows::Gain;
use super::{StoreResult, now_utc};
use crate::domain::{ItemFlags, QueueState};

/// The first request id an unfinished import may have written: readers show `r.id` below it.
/// A scalar subquery, run once per statement over a table of a few rows.
pub(super) const HIDDEN_REQUESTS_FROM: &str = "(SELECT coalesce(min(requests_from), \
     9223372036854775807) FROM imports WHERE state = 'loading')";
/// The same for matches (`m.id` below it is visible).
pub(super) const HIDDEN_MATCHES_FROM: &str = "(SELECT coalesce(min(matches_from), \
     9223372036854775807) FROM imports WHERE state = 'loading')";
/// The same for batches (a batch an unfinished import created is not listed).
pub(super) const HIDDEN_BATCHES_FROM: &str = "(SELECT coalesce(min(batches_from), \
     9223372036854775807) FROM imports WHERE state = 'loading')";

/// An import that has not written for this long is taken as dead (its process may live on
/// another host, where its pid cannot be checked).
pub const STALE_AFTER: Duration = Duration::from_secs(30);
/// Rows deleted per transaction when cleaning up.
const CLEANUP_CHUNK: i64 = 2000;

/// One import in progress.
#[derive(Debug, Clone)]
pub(super) struct ImportMark {
    pub id: i64,
    pub batches_from: i64,
    pub requests_from: i64,
    pub candidates_from: i64,
    pub matches_from: i64,
}

/// An unfinished import that was cleaned up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanedImport {
    pub id: i64,
    pub file: String,
    pub started_at: String,
    /// Matches it had written, now deleted.
    pub matches: u64,
}

/// This machine's name, to tell whether an import's pid can be checked here.
fn host() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
    }
    String::new()
}

/// Whether a process of this host is still running.
fn pid_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether an unfinished import is dead: its process is gone (same host) or silent too long.
fn is_stale(host_of: &str, pid: i64, heartbeat_at: &str) -> bool {
    if host_of == host() && !pid_alive(pid) {
        return true;
    }
    let Ok(beat) = chrono::DateTime::parse_from_rfc3339(heartbeat_at) else {
        return true;
    };
    let age = chrono::Utc::now().signed_duration_since(beat);
    age.to_std().map(|a| a > STALE_AFTER).unwrap_or(false)
}

/// Registers a new import, first cleaning up dead ones and waiting for a live one to finish.
/// `on_wait` is told once when another import is running.
pub(super) fn begin(
    conn: &Connection,
    file: &str,
    cleaned: &mut Vec<CleanedImport>,
    mut on_wait: impl FnMut(i64),
) -> StoreResult<ImportMark> {
    let mut told = false;
    loop {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = try_begin(conn, file);
        match result {
            Ok(Begun::Started(mark)) => {
                conn.execute_batch("COMMIT")?;
                return Ok(mark);
            }
            Ok(Begun::Stale(mark, file, started_at)) => {
                conn.execute_batch("COMMIT")?;
                let matches = clean_up(conn, &mark)?;
                cleaned.push(CleanedImport {
                    id: mark.id,
                    file,
                    started_at,
                    matches,
                });
            }
            Ok(Begun::Busy(id)) => {
                conn.execute_batch("ROLLBACK")?;
                if !told {
                    on_wait(id);
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
}

enum Begun {
    Started(ImportMark),
    Stale(ImportMark, String, String),
    Busy(i64),
}

fn try_begin(conn: &Connection, file: &str) -> StoreResult<Begun> {
    let loading: Option<(ImportMark, String, String, String, i64, String)> = conn
        .query_row(
            "SELECT id, batches_from, requests_from, candidates_from, matches_from, file,
                    started_at, host, pid, heartbeat_at
               FROM imports WHERE state = 'loading' ORDER BY id LIMIT 1",
            [],
            |r| {
                Ok((
                    ImportMark {
                        id: r.get(0)?,
                        batches_from: r.get(1)?,
                        requests_from: r.get(2)?,
                        candidates_from: r.get(3)?,
                        matches_from: r.get(4)?,
                    },
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            },
        )
        .optional()?;
    if let Some((mark, file, started_at, host_of, pid, beat)) = loading {
        return Ok(if is_stale(&host_of, pid, &beat) {
            Begun::Stale(mark, file, started_at)
        } else {
            Begun::Busy(mark.id)
        });
    }
    let next = |table: &str| -> StoreResult<i64> {
        Ok(conn.query_row(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    };
    let (batches_from, requests_from, candidates_from, matches_from) = (
        next("batches")?,
        next("requests")?,
        next("candidates")?,
        next("matches")?,
    );
    let now = now_utc();
    conn.execute(
        "INSERT INTO imports (state, file, started_at, batches_from, requests_from,
             candidates_from, matches_from, host, pid, heartbeat_at)
         VALUES ('loading', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?2)",
        params![
            file,
            now,
            batches_from,
            requests_from,
            candidates_from,
            matches_from,
            host(),
            i64::from(std::process::id())
        ],
    )?;
    Ok(Begun::Started(ImportMark {
        id: conn.last_insert_rowid(),
        batches_from,
        requests_from,
        candidates_from,
        matches_from,
    }))
}

/// Deletes an unfinished import's rows in short transactions, newest tables first (matches
/// before the requests and candidates they point at), then marks it failed. Returns how many
/// matches were deleted. Safe to interrupt: what is left stays hidden and the next import
/// finishes the job.
pub(super) fn clean_up(conn: &Connection, mark: &ImportMark) -> StoreResult<u64> {
    in_one(conn, |c| {
        c.execute("DELETE FROM import_staged WHERE import_id = ?1", [mark.id])?;
        Ok(())
    })?;
    let matches = chunked(conn, |c| {
        Ok(c.execute(
            "DELETE FROM matches WHERE id IN (SELECT id FROM matches WHERE id >= ?1
              ORDER BY id DESC LIMIT ?2)",
            params![mark.matches_from, CLEANUP_CHUNK],
        )?)
    })?;
    chunked(conn, |c| {
        // A contentless index forgets a row only when told its text again; the entries and
        // their requests go in one transaction.
        c.execute(
            "INSERT INTO request_search (request_search, rowid, text)
             SELECT 'delete', id, concat_ws(' ', source_id, given_name, surname, street_number,
                                           street, unit, city, state, zip)
               FROM requests WHERE id >= ?1 ORDER BY id DESC LIMIT ?2",
            params![mark.requests_from, CLEANUP_CHUNK],
        )?;
        Ok(c.execute(
            "DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE id >= ?1
              ORDER BY id DESC LIMIT ?2)",
            params![mark.requests_from, CLEANUP_CHUNK],
        )?)
    })?;
    chunked(conn, |c| {
        Ok(c.execute(
            "DELETE FROM candidates WHERE id IN (SELECT id FROM candidates WHERE id >= ?1
              ORDER BY id DESC LIMIT ?2)",
            params![mark.candidates_from, CLEANUP_CHUNK],
        )?)
    })?;
    in_one(conn, |c| {
        c.execute("DELETE FROM batches WHERE id >= ?1", [mark.batches_from])?;
        c.execute(
            "UPDATE imports SET state = 'failed', finished_at = ?2 WHERE id = ?1",
            params![mark.id, now_utc()],
        )?;
        Ok(())
    })?;
    Ok(matches)
}

/// Runs `step` in its own short write transaction.
fn in_one<T>(
    conn: &Connection,
    step: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match step(conn) {
        Ok(value) => {
            conn.execute_batch("COMMIT")?;
            Ok(value)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Repeats a deleting step, one short transaction each, until it deletes less than a chunk;
/// returns the total deleted.
fn chunked(
    conn: &Connection,
    mut step: impl FnMut(&Connection) -> StoreResult<usize>,
) -> StoreResult<u64> {
    let mut total = 0u64;
    loop {
        let n = in_one(conn, &mut step)?;
        total += n as u64;
        super::import_chunk::between_transactions(conn, true)?;
        if n < CLEANUP_CHUNK as usize {
            return Ok(total);
        }
    }
}

/// Records that the import is alive (inside the caller's chunk transaction).
pub(super) fn heartbeat(conn: &Connection, id: i64) -> StoreResult<()> {
    conn.prepare_cached("UPDATE imports SET heartbeat_at = ?2 WHERE id = ?1")?
        .execute(params![id, now_utc()])?;
    Ok(())
}

/// Makes the import visible in one short transaction: moves the staged candidates of requests
/// that were already published into `matches` (with their requests' new totals), then marks the
/// import done. The transaction's length grows only with those staged rows, not with the file.
pub(super) fn publish(conn: &Connection, mark: &ImportMark, inserted: u64) -> StoreResult<()> {
    in_one(conn, |c| {
        let now = now_utc();
        c.execute(
            "INSERT INTO matches (batch_id, request_id, candidate_id, score, status, gold,
                 gold_note, imported_at, updated_at)
             SELECT r.batch_id, s.request_id, s.candidate_id, s.score, 'pending', s.gold,
                    s.gold_note, ?2, ?2
               FROM import_staged s JOIN requests r ON r.id = s.request_id
              WHERE s.import_id = ?1
             ON CONFLICT (request_id, candidate_id) DO NOTHING",
            params![mark.id, now],
        )?;
        let mut gains: Vec<(i64, Gain)> = Vec::new();
        {
            let mut stmt = c.prepare(
                "SELECT request_id, score, flags FROM import_staged WHERE import_id = ?1
                  ORDER BY request_id",
            )?;
            let mut rows = stmt.query([mark.id])?;
            while let Some(row) = rows.next()? {
                let (request, score, flags): (i64, f64, i64) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                if gains.last().is_none_or(|(r, _)| *r != request) {
                    gains.push((request, Gain::default()));
                }
                if let Some((_, gain)) = gains.last_mut() {
                    gain.add(score, ItemFlags(flags as u32));
                }
            }
        }
        let mut update = c.prepare(
            "UPDATE requests
                SET top_score = max(top_score, ?2),
                    candidate_count = candidate_count + ?3,
                    queue_rank = ?4,
                    flags = flags | ?5 | CASE WHEN candidate_count + ?3 > 1 THEN ?6 ELSE 0 END
              WHERE id = ?1",
        )?;
        for (request, gain) in gains {
            update.execute(params![
                request,
                gain.top_score,
                gain.count,
                QueueState::Open.rank(),
                i64::from(gain.flags.0),
                i64::from(ItemFlags::SEVERAL_CANDIDATES.0),
            ])?;
        }
        c.execute("DELETE FROM import_staged WHERE import_id = ?1", [mark.id])?;
        c.execute(
            "UPDATE imports SET state = 'done', finished_at = ?2, inserted = ?3 WHERE id = ?1",
            params![mark.id, now, inserted as i64],
        )?;
        Ok(())
    })
}
