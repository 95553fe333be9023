//! How long an import holds the write lock at a time, and what it does between its short
//! transactions so a reviewer's commit never waits long: each transaction's writing stops early
//! enough that its commit (which writes every page it changed into the WAL, and grows with them)
//! still ends within [`LOCK_HOLD`]. The importer copies the WAL into the database itself (a
//! passive checkpoint, which needs no write lock) once it holds [`IMPORT_CHECKPOINT_FRAMES`],
//! well before any other connection's automatic checkpoint would start
//! ([`super::WAL_CHECKPOINT_FRAMES`]): a reviewer's commit never pays for copying the import's
//! pages, and a reviewer waiting for the lock takes it while the importer copies.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::StoreResult;

/// WAL frames after which the importer checkpoints: a few of its transactions' worth, a quarter
/// of what starts an automatic checkpoint on any connection. Small, so each copy (and the fsync
/// that ends it) is short: 2,000 measured a longest reviewer commit of 140 ms, 1,000 of 64 ms.
pub const IMPORT_CHECKPOINT_FRAMES: i64 = super::WAL_CHECKPOINT_FRAMES / 4;

/// Most rows written in one transaction.
pub const CHUNK_ROWS: usize = 16_384;
/// Longest one transaction is meant to hold the write lock, its commit included: what a
/// reviewer's commit may wait. 25 ms measured waits up to 75 ms at 1.28M rows, 15 ms up to 63 ms
/// (`cargo bench --bench scale`); shorter costs import throughput.
pub const LOCK_HOLD: Duration = Duration::from_millis(15);
/// The least writing time a transaction gets, however slow commits are.
const MIN_WRITING: Duration = Duration::from_millis(4);
/// The least time the write lock stays free after a commit, so a reviewer's waiting commit
/// (polling every fraction of a millisecond, see `polling_wait`) gets it before the importer
/// takes it again. A checkpoint, when there is one, usually lasts longer than this by itself.
pub const YIELD_GAP: Duration = Duration::from_millis(2);

/// Bounds one short transaction: by rows and by time, whichever comes first.
pub(super) struct Chunk {
    started: Option<Instant>,
    rows: usize,
    /// The share of [`LOCK_HOLD`] spent writing rows rather than committing, from the
    /// transactions so far (a commit's length follows the pages its transaction changed).
    writing_share: f64,
    /// Frames in the WAL after the last commit, as SQLite reports them (see [`watch_wal`]).
    wal_frames: Arc<AtomicI64>,
}

impl Chunk {
    pub fn new(wal_frames: Arc<AtomicI64>) -> Self {
        Chunk {
            started: None,
            rows: 0,
            writing_share: 0.6,
            wal_frames,
        }
    }

    /// Whether a transaction is open.
    pub fn is_open(&self) -> bool {
        self.started.is_some()
    }

    pub fn opened(&mut self) {
        self.started = Some(Instant::now());
        self.rows = 0;
    }

    pub fn add(&mut self, rows: usize) {
        self.rows += rows;
    }

    /// How long the open transaction may write before it commits.
    fn writing_time(&self) -> Duration {
        LOCK_HOLD.mul_f64(self.writing_share).max(MIN_WRITING)
    }

    /// Whether the open transaction should commit now.
    pub fn is_full(&self) -> bool {
        self.started
            .is_some_and(|t| self.rows >= CHUNK_ROWS || t.elapsed() >= self.writing_time())
    }

    /// Commits the open transaction (left open if the commit fails, for the caller to roll
    /// back), learning from how long the commit took, then leaves the lock free for a moment and
    /// checkpoints when the WAL has grown (see the module's comment).
    pub fn commit(&mut self, conn: &Connection) -> StoreResult<()> {
        let Some(started) = self.started else {
            return Ok(());
        };
        let writing = started.elapsed();
        let committing = Instant::now();
        conn.execute_batch("COMMIT")?;
        self.started = None;
        let commit = committing.elapsed();
        let share = writing.as_secs_f64() / (writing + commit).as_secs_f64().max(1e-9);
        // Smoothed: one slow commit (another process's I/O) does not halve the next chunk.
        self.writing_share = (self.writing_share + share) / 2.0;
        let full = self.wal_frames.load(Ordering::Relaxed) >= IMPORT_CHECKPOINT_FRAMES;
        between_transactions(conn, full)
    }
}

/// Registers a WAL hook on the importer's connection that keeps `frames` up to date after each
/// commit (the hook replaces the automatic checkpoint: the importer checkpoints itself).
pub(super) fn watch_wal(conn: &mut Connection, frames: Arc<AtomicI64>) -> StoreResult<()> {
    conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages| {
        frames.store(i64::from(pages), Ordering::Relaxed);
        Ok(())
    }))?;
    Ok(())
}

/// Removes the hook of [`watch_wal`] and gives the connection back its automatic checkpoint.
pub(super) fn unwatch_wal(conn: &mut Connection) -> StoreResult<()> {
    conn.wal_hook(None::<fn(&mut rusqlite::hooks::Wal, i32) -> rusqlite::Result<()>>)?;
    conn.pragma_update(None, "wal_autocheckpoint", super::WAL_CHECKPOINT_FRAMES)?;
    Ok(())
}

/// What an importer does after each of its commits: leaves the lock free for at least
/// [`YIELD_GAP`]; when `checkpoint_now`, copies the WAL into the database meanwhile, and again
/// after the pause, for what a reviewer committed in it. SQLite starts the WAL file over only
/// when a writer begins with every frame already copied; without the second copy a reviewer
/// committing in most pauses would keep the WAL growing for the whole import (hundreds of
/// megabytes, measured).
pub(super) fn between_transactions(conn: &Connection, checkpoint_now: bool) -> StoreResult<()> {
    let free_since = Instant::now();
    if checkpoint_now {
        checkpoint(conn)?;
    }
    give_way(free_since + YIELD_GAP);
    if checkpoint_now {
        checkpoint(conn)?;
    }
    Ok(())
}

/// A passive checkpoint: copies what it can without waiting for anyone. A reviewer committing
/// at the same time finds the checkpoint lock taken and skips its own automatic checkpoint.
fn checkpoint(conn: &Connection) -> StoreResult<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    Ok(())
}

/// Yields the processor until `until` rather than sleeping: on a busy machine a 2 ms sleep can
/// last ten times longer, and the import would crawl.
fn give_way(until: Instant) {
    while Instant::now() < until {
        std::thread::yield_now();
    }
}
