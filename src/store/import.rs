//! Importing flagged matches on two threads: a reading thread parses, checks and prepares rows
//! (flags, JSON, search text, request totals); this thread only binds them, in short write
//! transactions (at most [`CHUNK_ROWS`] rows, and the write lock held about [`LOCK_HOLD`] each,
//! commit included; then a pause so a waiting reviewer gets the lock, see `import_chunk`). The rows stay invisible to every reader until one tiny
//! transaction publishes the import, so from a reader's point of view an import is still all or
//! nothing; a failed import deletes its rows, and a killed one is cleaned up by the next.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rusqlite::Connection;

pub use super::import_chunk::{CHUNK_ROWS, LOCK_HOLD};
use super::import_chunk::{Chunk, unwatch_wal, watch_wal};
use super::import_rows::{Group, Grouper};
use super::import_writer::Writer;
pub use super::imports::CleanedImport;
use super::imports::{ImportMark, begin, clean_up, heartbeat, publish};
use super::{Store, StoreResult};
use crate::import::{ImportReport, ImportRow, OnBadRow, RowError};

/// Page cache for the import, in KiB (negative `cache_size` counts KiB): enough to keep the
/// indexes probed for every row in memory at a million rows, within the import's 100 MB. The
/// connection's own setting is restored afterwards.
const IMPORT_CACHE_KIB: i64 = -32 * 1024;
/// Rows the reading thread sends at a time, and how many such parcels may wait: a bounded
/// queue keeps memory flat when the writer is the slower side.
const PARCEL_ROWS: usize = 512;
pub(super) const PARCELS_WAITING: usize = 16;

/// What an import tells its caller besides bad rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportNotice {
    /// Another import (this id) is loading into the database; this one waits for it.
    Waiting(i64),
    /// An unfinished import (killed or failed) was cleaned up before this one began.
    CleanedUp(CleanedImport),
}

pub(super) enum Parcel {
    Groups(Vec<Group>),
    Bad(RowError),
    Failed(super::StoreError),
}

impl Store {
    /// Writes the rows and counts what happened (see [`Store::import_file`]).
    pub fn import_matches<I, F>(
        &mut self,
        rows: I,
        policy: OnBadRow,
        on_bad: F,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        I::IntoIter: Send,
        F: FnMut(RowError),
    {
        self.import_file("", rows, policy, on_bad, |_| {})
    }

    /// Imports the rows of `file`, counting what happened.
    ///
    /// A row whose (batch, request_id, candidate_id) is already stored, or came earlier in the
    /// same rows, is counted as already present and changes nothing. The first-seen values of a
    /// request or candidate are kept.
    ///
    /// Every bad row is handed to `on_bad` as it comes. With [`OnBadRow::Abort`] the first one
    /// dooms the import: later rows are still read, only to report their errors, and what was
    /// written is deleted (it was never visible). With [`OnBadRow::Skip`] bad rows are left out.
    /// A fatal row error (the file cannot be read further) dooms it in either mode. A store
    /// error returns at once after deleting what was written where it can.
    pub fn import_file<I, F, N>(
        &mut self,
        file: &str,
        rows: I,
        policy: OnBadRow,
        on_bad: F,
        mut notice: N,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        I::IntoIter: Send,
        F: FnMut(RowError),
        N: FnMut(ImportNotice),
    {
        let cache_before: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // Foreign-key enforcement costs three parent lookups per match, a fifth of the import's
        // time. Every id bound here was read or written moments before by this connection, so
        // no check could fail. The setting belongs to this connection only (a crash cannot
        // leave it off).
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // Each short transaction is synced as it commits (`synchronous` stays FULL): left
        // unsynced, its pages would be flushed by the next reviewer's commit, which syncs the
        // whole WAL file (measured: one such reviewer commit took 172 ms).
        // The import checkpoints itself, between its transactions (see `import_chunk`).
        let wal_frames = Arc::new(AtomicI64::new(0));
        watch_wal(&mut self.conn, wal_frames.clone())?;
        let result = self.import_chunked(file, rows, policy, on_bad, &mut notice, wal_frames);
        let unwatched = unwatch_wal(&mut self.conn);
        let restored = self
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .and_then(|()| self.conn.pragma_update(None, "cache_size", cache_before));
        let report = result?;
        unwatched?;
        restored?;
        Ok(report)
    }

    fn import_chunked<I, F, N>(
        &mut self,
        file: &str,
        rows: I,
        policy: OnBadRow,
        on_bad: F,
        notice: &mut N,
        wal_frames: Arc<AtomicI64>,
    ) -> StoreResult<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRow, RowError>>,
        I::IntoIter: Send,
        F: FnMut(RowError),
        N: FnMut(ImportNotice),
    {
        let conn = &self.conn;
        let mut cleaned = Vec::new();
        let mark = begin(conn, file, &mut cleaned, |id| {
            notice(ImportNotice::Waiting(id))
        })?;
        for c in cleaned {
            notice(ImportNotice::CleanedUp(c));
        }
        let doomed = AtomicBool::new(false);
        let rows = rows.into_iter();
        let (send, receive) = sync_channel::<Parcel>(PARCELS_WAITING);
        let written = std::thread::scope(|scope| {
            let doomed = &doomed;
            scope.spawn(move || read_side(rows, policy, doomed, send));
            write_side(conn, &mark, receive, policy, doomed, on_bad, wal_frames)
        });
        let report = match written {
            Ok(report) if !doomed.load(Ordering::Relaxed) => report,
            Ok(report) => {
                clean_up(conn, &mark)?;
                return Ok(ImportReport {
                    bad_rows: report.bad_rows,
                    committed: false,
                    ..ImportReport::default()
                });
            }
            Err(e) => {
                // Best effort: what is left stays hidden and the next import removes it.
                let _ = clean_up(conn, &mark);
                return Err(e);
            }
        };
        publish(&self.conn, &mark, report.inserted)?;
        Ok(ImportReport {
            committed: true,
            ..report
        })
    }
}

/// The reading thread: parses and prepares rows, sends them in parcels. Stops preparing good
/// rows once the import is doomed, and stops altogether when the writer hangs up.
pub(super) fn read_side<I>(rows: I, policy: OnBadRow, doomed: &AtomicBool, send: SyncSender<Parcel>)
where
    I: Iterator<Item = Result<ImportRow, RowError>>,
{
    let mut grouper = Grouper::default();
    let mut parcel: Vec<Group> = Vec::new();
    let mut parcel_rows = 0usize;
    let flush = |parcel: &mut Vec<Group>, parcel_rows: &mut usize| {
        *parcel_rows = 0;
        send.send(Parcel::Groups(std::mem::take(parcel))).is_ok()
    };
    for item in rows {
        match item {
            Ok(_) if doomed.load(Ordering::Relaxed) => {}
            Ok(row) => match grouper.push(row) {
                Ok(Some(group)) => {
                    parcel_rows += group.rows.len();
                    parcel.push(group);
                    if parcel_rows >= PARCEL_ROWS && !flush(&mut parcel, &mut parcel_rows) {
                        return;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = send.send(Parcel::Failed(e));
                    return;
                }
            },
            Err(err) => {
                let fatal = err.fatal;
                if fatal || policy == OnBadRow::Abort {
                    doomed.store(true, Ordering::Relaxed);
                }
                if send.send(Parcel::Bad(err)).is_err() || fatal {
                    return;
                }
            }
        }
    }
    match grouper.finish() {
        Ok(Some(group)) => parcel.push(group),
        Ok(None) => {}
        Err(e) => {
            let _ = send.send(Parcel::Failed(e));
            return;
        }
    }
    if !parcel.is_empty() && !doomed.load(Ordering::Relaxed) {
        flush(&mut parcel, &mut parcel_rows);
    }
}

/// This thread: binds the prepared groups in short transactions.
fn write_side<F: FnMut(RowError)>(
    conn: &Connection,
    mark: &ImportMark,
    receive: Receiver<Parcel>,
    policy: OnBadRow,
    doomed: &AtomicBool,
    mut on_bad: F,
    wal_frames: Arc<AtomicI64>,
) -> StoreResult<ImportReport> {
    let mut report = ImportReport::default();
    let mut writer = Writer::new(conn, mark.clone())?;
    let mut chunk = Chunk::new(wal_frames);
    let result = (|| -> StoreResult<()> {
        for parcel in receive.iter() {
            match parcel {
                Parcel::Groups(_) if doomed.load(Ordering::Relaxed) => {}
                Parcel::Groups(groups) => {
                    for group in &groups {
                        if !chunk.is_open() {
                            conn.execute_batch("BEGIN IMMEDIATE")?;
                            chunk.opened();
                        }
                        writer.write(group, &mut report)?;
                        chunk.add(group.rows.len());
                        if chunk.is_full() {
                            commit(conn, mark, &mut chunk)?;
                        }
                    }
                }
                Parcel::Bad(err) => {
                    report.bad_rows += 1;
                    if err.fatal || policy == OnBadRow::Abort {
                        doomed.store(true, Ordering::Relaxed);
                    }
                    on_bad(err);
                }
                Parcel::Failed(e) => return Err(e),
            }
        }
        if chunk.is_open() && !doomed.load(Ordering::Relaxed) {
            commit(conn, mark, &mut chunk)?;
        }
        Ok(())
    })();
    if chunk.is_open() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result?;
    report.batches = writer.batches_used.len() as u64;
    Ok(report)
}

/// Ends one short transaction, then pauses so a waiting reviewer's commit goes first.
fn commit(conn: &Connection, mark: &ImportMark, chunk: &mut Chunk) -> StoreResult<()> {
    heartbeat(conn, mark.id)?;
    chunk.commit(conn)
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
