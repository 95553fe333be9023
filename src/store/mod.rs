//! The store owns every SQL statement: opening and migrating the database, import, the review
//! queue, decisions and the read-only reports. It returns domain types and typed errors.

mod audit;
mod checks;
mod claims;
mod copy;
mod deciding;
mod decisions;
mod error;
mod export;
pub mod export_file;
mod figures;
mod figures_report;
mod gates;
mod gates_batch;
mod history;
mod holds;
mod import;
mod import_chunk;
mod import_rows;
mod import_writer;
mod imports;
mod inspect;
mod integrity;
mod live;
mod paging;
pub mod permissions;
mod policy;
pub mod postgres;
mod queue;
mod recall;
mod records;
mod release;
mod review_store;
pub mod schema;
mod search;
mod second_reviews;
mod settle;
pub(crate) mod sql;
mod sql_sqlite;
mod stats;
mod supervise_store;
mod supervision;
mod users;

pub use audit::AuditVerdict;
pub use checks::CheckOutcome;
pub use decisions::DecisionOutcome;
pub use error::{StoreError, StoreResult};
pub use export::{ExportFormat, ExportSummary, Releasable};
pub use figures_report::{
    Agreement, BatchFigures, Bounds, Figures, FiguresReport, PairAgreement, ReviewerFigures,
};
pub use import::{CHUNK_ROWS, CleanedImport, ImportNotice, LOCK_HOLD};
pub use live::{MOVES_PER_REFRESH, MovesSince};
pub use paging::PageFrom;
pub use recall::{RecallFilter, ReleasedMatch};
pub use review_store::ReviewStore;
pub use second_reviews::{SecondKey, SecondReview};
pub use stats::{BatchStatusCount, Stats};
pub use supervise_store::SuperviseStore;
pub use supervision::{DecisionUnderCheck, Lot, OverrideWaiting};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use inspect::{Found, inspect};

/// How long a statement waits for another process's lock before reporting the database locked.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// WAL frames (pages) after which a commit checkpoints automatically (SQLite's default is 1000).
/// Four times the default so an import can keep the WAL below it by checkpointing itself, and a
/// reviewer's commit never copies the import's pages (see `import_chunk`).
pub const WAL_CHECKPOINT_FRAMES: i64 = 4000;

/// An open, migrated matchgate database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Who works through this store (the review screen sets it); None for commands.
    claimant: Option<crate::domain::claim::Claimant>,
    /// Time spent waiting for other connections' locks, in nanoseconds (see [`polling_wait`]).
    lock_waited: Arc<AtomicU64>,
}

/// What `Store::create` found at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// A new database was made.
    New,
    /// A matchgate database was already there (migrated forward if it was older).
    Existing,
}

impl Store {
    /// Opens an existing matchgate database; refuses a missing path, a foreign file or a newer
    /// schema without writing anything.
    pub fn open(path: &Path) -> StoreResult<Store> {
        Store::open_checked(path, false).map(|(store, _)| store)
    }

    /// Opens a database even when its schema was altered, returning how: for `audit verify` and
    /// `audit head`, which must still read the evidence of tampering. Everything else refuses.
    pub fn open_forensic(path: &Path) -> StoreResult<(Store, Vec<String>)> {
        Store::open_checked(path, true)
    }

    /// An altered schema is refused before anything is written, unless `allow_altered`.
    fn open_checked(path: &Path, allow_altered: bool) -> StoreResult<(Store, Vec<String>)> {
        on_server_not_yet(path)?;
        if !path.exists() {
            return Err(StoreError::NoDatabase {
                path: path.to_path_buf(),
            });
        }
        match inspect(path)? {
            Found::Matchgate(altered) if !allow_altered && !altered.is_empty() => {
                Err(altered_error(path, &altered))
            }
            Found::Matchgate(altered) => Ok((Store::open_rw(path)?, altered)),
            Found::EmptySqlite => Err(StoreError::NotMatchgate {
                path: path.to_path_buf(),
                detail: "it is empty; run `matchgate init` on it".into(),
            }),
        }
    }

    /// Opens the database at `path`, creating it when there is none (or when the file is empty).
    pub fn create(path: &Path) -> StoreResult<(Store, Created)> {
        on_server_not_yet(path)?;
        let created = if path.exists() {
            match inspect(path)? {
                Found::Matchgate(altered) if !altered.is_empty() => {
                    return Err(altered_error(path, &altered));
                }
                Found::Matchgate(_) => Created::Existing,
                Found::EmptySqlite => {
                    // The file is about to hold confidential records.
                    permissions::restrict(path, &permissions::Access::Owner)
                        .map_err(io_error(path))?;
                    Created::New
                }
            }
        } else {
            // Owner-only before SQLite first opens it: SQLite gives -wal/-shm the same mode.
            permissions::create_private(path).map_err(io_error(path))?;
            Created::New
        };
        Ok((Store::open_rw(path)?, created))
    }

    fn open_rw(path: &Path) -> StoreResult<Store> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Polls every millisecond rather than SQLite's backing-off sleeps (up to 100 ms each), so
        // a commit waiting behind an import's short transaction gets the lock in the pause after it.
        let lock_waited = Arc::new(AtomicU64::new(0));
        conn.busy_handler(Some(polling_wait(BUSY_TIMEOUT, lock_waited.clone())))?;
        // WAL lets the review screen read while another process writes; FULL makes every
        // committed decision survive a power cut, not just a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_FRAMES)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            claimant: None,
            lock_waited,
        };
        store.migrate()?;
        store.warn_if_exposed();
        Ok(store)
    }

    /// Who besides the owner may read this database's files, from the policy's `team_group`
    /// (owner only when unset, or when the group is unknown here: never wider by mistake).
    pub fn file_access(&self) -> permissions::Access {
        let policy = policy::load_policy(&self.conn).ok();
        let team = policy.as_ref().and_then(|p| p.team_group.as_deref());
        permissions::Access::from_team_group(team).unwrap_or(permissions::Access::Owner)
    }

    fn warn_if_exposed(&self) {
        permissions::warn_if_exposed(&self.path, &self.file_access());
    }

    fn migrate(&mut self) -> StoreResult<()> {
        // A migration may rebuild a table others refer to; SQLite's procedure for that runs
        // with foreign keys off (they cannot change inside a transaction) and checks them after.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let migrated = self.migrate_tables();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        if !migrated? {
            return Ok(());
        }
        let broken: Option<String> = self
            .conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        match broken {
            Some(table) => Err(StoreError::Refused(format!(
                "after migrating, table {table} refers to rows that do not exist"
            ))),
            None => Ok(()),
        }
    }

    /// Runs the migrations this file has not had; true when there were some.
    fn migrate_tables(&mut self) -> StoreResult<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::current_version() {
            return Err(StoreError::NewerVersion {
                path: self.path.clone(),
                found: version,
                supported: schema::current_version(),
            });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
        }
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        tx.commit()?;
        Ok(version < schema::current_version())
    }

    /// How long to wait for another process's lock before reporting the database locked
    /// (SQLite's own backing-off wait instead of the millisecond polling).
    pub fn set_busy_timeout(&self, timeout: Duration) -> StoreResult<()> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    /// How long this store has waited, in all, for other connections' locks: what a commit
    /// spent queueing rather than writing (the benchmarks split a commit's wait with it).
    pub fn lock_waited(&self) -> Duration {
        Duration::from_nanos(self.lock_waited.load(Ordering::Relaxed))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A write transaction that takes the write lock at once, so it cannot fail half-way for
    /// want of a lock.
    fn write(&mut self) -> StoreResult<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// The commands that reach this store run on SQLite only so far: a server URL is refused with
/// what does work there, instead of being taken for a missing file.
fn on_server_not_yet(path: &Path) -> StoreResult<()> {
    match path.to_str() {
        Some(db) if postgres::connect::is_postgres_url(db) => Err(StoreError::Refused(
            "this command does not run on a PostgreSQL server yet; on a server, `init`, `user`, `policy`, `hold`, `import`, `stats` (with --reviewers too), `recall`, `export` (release, dry run and --decisions), `override`, `audit`, `migrate`, `demo --keep URL` and the review and supervise screens work (see README: one machine or many)".into(),
        )),
        _ => Ok(()),
    }
}

fn altered_error(path: &Path, altered: &[String]) -> StoreError {
    StoreError::Altered {
        path: path.to_path_buf(),
        detail: altered.join("; "),
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// How often a waiting connection tries for the lock again.
const POLL_EVERY: Duration = Duration::from_micros(200);

/// The busy handler of every connection: retry each millisecond until `timeout` has passed
/// since this wait began (`count` is 0 on a wait's first call), adding the time slept to
/// `waited`.
fn polling_wait(
    timeout: Duration,
    waited: Arc<AtomicU64>,
) -> impl FnMut(i32) -> bool + Send + 'static {
    let mut started = std::time::Instant::now();
    move |count| {
        if count == 0 {
            started = std::time::Instant::now();
        }
        if started.elapsed() >= timeout {
            return false;
        }
        let slept = std::time::Instant::now();
        std::thread::sleep(POLL_EVERY);
        waited.fetch_add(slept.elapsed().as_nanos() as u64, Ordering::Relaxed);
        true
    }
}

/// The current time as stored in every timestamp column: RFC 3339, UTC, milliseconds.
pub fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
#[path = "plans_tests.rs"]
mod plans_tests;

#[cfg(test)]
#[path = "plans_review_tests.rs"]
mod plans_review_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_then_open_is_idempotent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.db");
        let (_, created) = Store::create(&path).expect("create");
        assert_eq!(created, Created::New);
        let (store, created) = Store::create(&path).expect("create again");
        assert_eq!(created, Created::Existing);
        assert_eq!(
            store.schema_version().expect("version"),
            schema::current_version()
        );
    }

    #[test]
    fn refuses_missing_foreign_and_newer_files_without_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("none.db");
        assert!(matches!(
            Store::open(&missing),
            Err(StoreError::NoDatabase { .. })
        ));
        assert!(!missing.exists());

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello, this is not sqlite at all, just some text").expect("write");
        let before = std::fs::read(&text).expect("read");
        assert!(matches!(
            Store::open(&text),
            Err(StoreError::NotMatchgate { .. })
        ));
        assert!(matches!(
            Store::create(&text),
            Err(StoreError::NotMatchgate { .. })
        ));
        assert_eq!(std::fs::read(&text).expect("read"), before);

        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x)"))
            .expect("foreign db");
        assert!(matches!(
            Store::create(&foreign),
            Err(StoreError::NotMatchgate { .. })
        ));

        let newer = dir.path().join("newer.db");
        drop(Store::create(&newer).expect("create"));
        Connection::open(&newer)
            .and_then(|c| c.pragma_update(None, "user_version", 999))
            .expect("bump");
        assert!(matches!(
            Store::open(&newer),
            Err(StoreError::NewerVersion { found: 999, .. })
        ));
    }
}
