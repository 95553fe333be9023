//! One store test, both backends, as SQLPage's CI runs the same tests against every database
//! URL: a `Backend` is a SQLite file or a throwaway PostgreSQL server (database `team`) holding
//! the same imported CSV and the same people. Tests open people's connections through the
//! screens' interface (`SuperviseStore`, whose supertrait is `ReviewStore`) and read or write
//! the truth with plain SQL as the database's owner. `on_both!` writes a test once and runs it
//! as two: `name::sqlite` and `name::postgres`.
//!
//! On a server each person logs in as their own role with their own password, as a team does;
//! on a file the name is the one given.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;

use matchgate::domain::claim::Claimant;
use matchgate::domain::roles::Role;
use matchgate::store::postgres::{PgStore, PgTarget};
use matchgate::store::{Store, SuperviseStore};

use super::pg::PgServer;
use super::{run, stderr};

/// The file's first admin, who adds the others (a server's is its owner).
pub const ADMIN: &str = "root";

/// A person's connection, whichever backend holds the database.
pub type Handle = Box<dyn SuperviseStore>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub struct Backend {
    pub kind: Kind,
    dir: tempfile::TempDir,
    /// The server, shared by a template and its copies (see `copy`).
    server: Option<Arc<PgServer>>,
    /// The database on the server.
    database: String,
    /// A copy goes with its test (a template or a team's own database with its server).
    copy: bool,
    /// The owner's connection, opened on first use and kept (property tests ask often).
    owner: RefCell<Option<postgres::Client>>,
}

/// Writes each named test body (`fn name(kind: Kind)`) as a module of two tests, one per backend.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(super::support::backend::Kind::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name(super::support::backend::Kind::Postgres)
                }
            }
        )*
    };
}

impl Backend {
    /// A database of `kind` holding `csv` imported (`matchgate import`, as a team would) and
    /// `people` with their roles; None when the test is skipped (no PostgreSQL, said loudly).
    pub fn new(kind: Kind, test: &str, csv: &str, people: &[(&str, Role)]) -> Option<Backend> {
        let server = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => Some(Arc::new(PgServer::start(test)?)),
        };
        Some(Backend::on(kind, server, "team", csv, people))
    }

    /// The same, as database `database` of a server started already (a template for copies).
    pub fn on_server(
        server: Arc<PgServer>,
        database: &str,
        csv: &str,
        people: &[(&str, Role)],
    ) -> Backend {
        Backend::on(Kind::Postgres, Some(server), database, csv, people)
    }

    fn on(
        kind: Kind,
        server: Option<Arc<PgServer>>,
        database: &str,
        csv: &str,
        people: &[(&str, Role)],
    ) -> Backend {
        let backend = Backend {
            kind,
            dir: tempfile::tempdir().expect("tempdir"),
            server,
            database: database.to_string(),
            copy: false,
            owner: RefCell::new(None),
        };
        let file = backend.dir.path().join("matches.csv");
        std::fs::write(&file, csv).expect("write csv");
        let db = backend.db();
        if let Some(server) = &backend.server {
            server.create_database(database);
            backend.cli(&["init", "--db", &db]);
        }
        backend.cli(&["import", "--db", &db, file.to_str().expect("path")]);
        if backend.server.is_none() && !people.is_empty() {
            // A file checks roles once it has an admin; the server's owner is that admin there.
            backend.add_people(&[(ADMIN, Role::Admin)]);
        }
        backend.add_people(people);
        backend
    }

    /// A copy of this server database, named `name`, for one test case (`CREATE DATABASE …
    /// TEMPLATE`: a file-level copy, made in a moment); dropped with the copy.
    pub fn copy(&self, name: &str) -> Backend {
        let server = self
            .server
            .clone()
            .expect("copies are of a server's database");
        // No connection may be open on a template while it is copied.
        self.owner.borrow_mut().take();
        server.psql(
            "postgres",
            &format!("CREATE DATABASE {name} TEMPLATE {}", self.database),
        );
        Backend {
            kind: Kind::Postgres,
            dir: tempfile::tempdir().expect("tempdir"),
            server: Some(server),
            database: name.to_string(),
            copy: true,
            owner: RefCell::new(None),
        }
    }

    /// A generated file of `rows` rows (`matchgate generate`), as CSV text.
    pub fn generated(rows: u64, seed: u64, batches: u32) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("g.csv");
        let o = out.to_str().expect("path");
        let (rows, seed, batches) = (rows.to_string(), seed.to_string(), batches.to_string());
        let args = ["generate", "--rows", &rows, "--seed", &seed];
        let done = run(&[&args[..], &["--batches", &batches, "--out", o]].concat());
        assert!(done.status.success(), "{}", stderr(&done));
        std::fs::read_to_string(out).expect("generated csv")
    }

    /// What `--db` names: the file, or the server's database as its owner.
    pub fn db(&self) -> String {
        self.db_as("postgres")
    }

    /// What `--db` names for `who`: the file, or the server's database logged in as `who`.
    pub fn db_as(&self, who: &str) -> String {
        match &self.server {
            Some(server) => server.url(who, &self.database),
            None => self.file().to_str().expect("path").to_string(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("team.db")
    }

    /// Runs the real binary; panics with its message if it fails.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        super::stdout(&out)
    }

    /// Gives each person their role: on a file, users added by the first admin; on a server,
    /// login roles with passwords (in the passfile) granted by `matchgate user add`.
    pub fn add_people(&self, people: &[(&str, Role)]) {
        match &self.server {
            None => {
                let mut store = Store::open(&self.file()).expect("open");
                for (name, role) in people {
                    store.add_user(name, *role, ADMIN).expect("add user");
                }
            }
            Some(server) => {
                for (name, role) in people {
                    server.add_login(name, &format!("{name}-pw"));
                    let role = role.as_str();
                    self.cli(&["user", "add", name, "--role", role, "--db", &self.db()]);
                }
            }
        }
    }

    /// `matchgate policy set`, by the file's admin or the server's owner.
    pub fn set_policy(&self, key: &str, value: &str) {
        let db = self.db();
        let by = match self.kind {
            Kind::Sqlite => vec!["--by", ADMIN],
            Kind::Postgres => vec![],
        };
        self.cli(&[&["policy", "set", key, value, "--db", &db][..], &by].concat());
    }

    /// The real binary run by `who`: on a file with `--by who`, on a server logged in as `who`.
    pub fn cli_as(&self, who: &str, args: &[&str]) -> String {
        match &self.server {
            None => self.cli(&[args, &["--db", &self.db(), "--by", who]].concat()),
            Some(_) => self.cli(&[args, &["--db", &self.db_as(who)]].concat()),
        }
    }

    /// `who`'s own connection, as their screen opens it, with a claimant for `session`.
    pub fn screen(&self, who: &str, session: &str) -> Handle {
        let mut store = self.connect(who);
        store.set_claimant(Some(Claimant {
            reviewer: who.into(),
            session: session.into(),
        }));
        store
    }

    /// `who`'s own connection with no claimant (a command-line tool's).
    pub fn connect(&self, who: &str) -> Handle {
        match &self.server {
            None => Box::new(Store::open(&self.file()).expect("open")),
            Some(_) => {
                let target = PgTarget::parse(&self.db_as(who)).expect("url");
                Box::new(PgStore::open(&target).expect("open as a person"))
            }
        }
    }

    /// Rows of a query run as the owner, every value as text (NULL as "NULL"); tables are
    /// named as in the schema, without the server's `matchgate.` prefix.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.server {
            None => {
                let conn = rusqlite::Connection::open(self.file()).expect("open");
                let mut stmt = conn.prepare(sql).expect("prepare");
                let width = stmt.column_count();
                stmt.query_map([], |r| (0..width).map(|i| r.get(i).map(text)).collect())
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("rows")
            }
            Some(_) => {
                let rows = self.owner(|owner| owner.simple_query(sql)).expect("query");
                rows.into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).unwrap_or("NULL").to_string())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    /// One integer, e.g. a count.
    pub fn int(&self, sql: &str) -> i64 {
        self.rows(sql)[0][0].parse().expect("an integer")
    }

    /// Statements run as the owner (setting up a state a test starts from).
    pub fn execute(&self, sql: &str) {
        match &self.server {
            None => rusqlite::Connection::open(self.file())
                .and_then(|c| c.execute_batch(sql))
                .expect("execute"),
            Some(_) => self
                .owner(|owner| owner.batch_execute(sql))
                .expect("execute"),
        }
    }

    /// The same, giving the database's refusal instead of panicking.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        match &self.server {
            None => rusqlite::Connection::open(self.file())
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Some(_) => self.owner(|owner| owner.batch_execute(sql)).map_err(|e| {
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |db| db.message().to_string())
            }),
        }
    }

    /// Runs `work` on the owner's connection (over the private socket), opened once.
    fn owner<T>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, postgres::Error> {
        let server = self.server.as_ref().expect("a server");
        let mut owner = self.owner.borrow_mut();
        if owner.is_none() {
            let client = postgres::Config::new()
                .host_path(server.dir())
                .port(server.port())
                .user("postgres")
                .dbname(&self.database)
                .options("-c search_path=matchgate")
                .connect(postgres::NoTls)?;
            *owner = Some(client);
        }
        work(owner.as_mut().expect("just opened"))
    }
}

fn text(value: rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => t,
        Value::Blob(b) => format!("{b:?}"),
    }
}

impl Drop for Backend {
    /// A copy goes with its case (its people's connections too); never a panic while dropping.
    fn drop(&mut self) {
        self.owner.get_mut().take();
        if let (true, Some(server)) = (self.copy, &self.server) {
            server.try_psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database),
            );
        }
    }
}
