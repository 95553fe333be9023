//! One backend under test: a SQLite file, or a database on the throwaway server. Each side
//! names itself for `--db` as a person would, runs its floors through the database's own shell
//! (`sqlite3`, `psql`), and opens people's connections through the screens' interface.

use std::path::PathBuf;
use std::process::Command;

use matchgate::store::postgres::{PgStore, PgTarget};
use matchgate::store::{Store, SuperviseStore};

use super::pg::PgServer;

pub const BIN: &str = env!("CARGO_BIN_EXE_matchgate");

pub enum Side<'a> {
    File(PathBuf),
    Server { server: &'a PgServer, db: String },
}

impl<'a> Side<'a> {
    pub fn name(&self) -> &'static str {
        match self {
            Side::File(_) => "SQLite",
            Side::Server { .. } => "PostgreSQL",
        }
    }

    /// What `--db` names for `who`: the file, or the server's database as `who`'s own login
    /// (the owner's when `who` is "postgres").
    pub fn db_for(&self, who: &str) -> String {
        match self {
            Side::File(path) => path.to_str().expect("path").to_string(),
            Side::Server { server, db } => server.url(who, db),
        }
    }

    /// `matchgate` as `who`, on this database: `--by who` on a file (a server's login says who).
    pub fn cli_as(&self, who: &str, args: &[&str]) -> String {
        let db = self.db_for(who);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--db", &db]);
        if let Side::File(_) = self {
            all.extend(["--by", who]);
        }
        run(BIN, &all)
    }

    /// `matchgate` without naming anyone on a file (reads), as `who`'s login on a server.
    pub fn cli_reading(&self, who: &str, args: &[&str]) -> String {
        let db = self.db_for(who);
        run(BIN, &[args, &["--db", &db]].concat())
    }

    /// Runs `sql` through the database's own shell (`sqlite3 -csv`; `psql` as the superuser over
    /// its socket, the tables found through `search_path`); its output is read and dropped.
    pub fn shell(&self, sqlite: &str, postgres: &str) -> String {
        match self {
            Side::File(path) => run("sqlite3", &["-csv", path.to_str().expect("path"), sqlite]),
            Side::Server { server, db } => {
                let out = server.psql(db, &format!("SET search_path = matchgate; {postgres}"));
                // psql prints each statement's result: the SET's tag first.
                out.strip_prefix("SET")
                    .unwrap_or(&out)
                    .trim_start()
                    .to_string()
            }
        }
    }

    /// Integers the first column of `sql` holds, read as the owner.
    pub fn ints(&self, sql: &str) -> Vec<i64> {
        self.shell(sql, sql)
            .lines()
            .map(|l| l.trim().parse().expect("an integer"))
            .collect()
    }

    /// `who`'s own connection, as a screen or a command opens it.
    pub fn open(&self, who: &str) -> Box<dyn SuperviseStore> {
        match self {
            Side::File(path) => Box::new(Store::open(path).expect("open the file")),
            Side::Server { server, db } => {
                let target = PgTarget::parse(&server.url(who, db)).expect("url");
                Box::new(PgStore::open(&target).expect("open the server"))
            }
        }
    }

    /// A copy of the database as it stands, named `name`: the file copied after a checkpoint;
    /// on the server, a new database from it as a template (nobody may be connected to it).
    pub fn copy(&self, name: &str) -> Side<'a> {
        match self {
            Side::File(path) => {
                rusqlite::Connection::open(path)
                    .and_then(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"))
                    .expect("checkpoint");
                let copy = path.with_file_name(format!("{name}.db"));
                std::fs::copy(path, &copy).expect("copy the file");
                Side::File(copy)
            }
            Side::Server { server, db } => {
                server.psql("postgres", &format!("CREATE DATABASE {name} TEMPLATE {db}"));
                Side::Server {
                    server,
                    db: name.to_string(),
                }
            }
        }
    }

    /// Removes a copy.
    pub fn remove(self) {
        match self {
            Side::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Side::Server { server, db } => {
                server.psql("postgres", &format!("DROP DATABASE {db}"));
            }
        }
    }
}

/// Runs a program to success; its standard output.
pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
