//! Many property cases, one server: starting a server takes seconds, so a property run on a server
//! starts one, builds a template database through the real commands once (`init`, `import`, each
//! person's login and `user add`, as `Backend` does) and gives each case a copy of it
//! (`CREATE DATABASE … TEMPLATE`, a file-level copy, dropped after the case). On a file each case
//! is a new `Backend`. A case's database offers what the tests need of `Backend`.

use std::cell::{Cell, RefCell};

use matchgate::domain::claim::Claimant;
use matchgate::domain::roles::Role;
use matchgate::store::postgres::{PgStore, PgTarget};

use super::backend::{Backend, Handle, Kind};
use super::pg::PgServer;

const TEMPLATE: &str = "case_template";

pub struct Cases {
    kind: Kind,
    test: String,
    csv: String,
    people: Vec<(String, Role)>,
    server: Option<PgServer>,
    made: Cell<u32>,
}

/// One case's database.
pub enum CaseDb<'a> {
    File(Backend),
    Copy {
        server: &'a PgServer,
        name: String,
        /// The owner's connection for the whole case (boxed: a client is large).
        owner: Box<RefCell<postgres::Client>>,
    },
}

impl Cases {
    /// None when the server is skipped (no PostgreSQL, said loudly).
    pub fn new(kind: Kind, test: &str, csv: &str, people: &[(&str, Role)]) -> Option<Cases> {
        let server = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => Some(template(PgServer::start(test)?, csv, people)),
        };
        Some(Cases {
            kind,
            test: test.to_string(),
            csv: csv.to_string(),
            people: people.iter().map(|(n, r)| (n.to_string(), *r)).collect(),
            server,
            made: Cell::new(0),
        })
    }

    /// A new case: a new file, or a new copy of the template.
    pub fn case(&self) -> CaseDb<'_> {
        let Some(server) = &self.server else {
            let people: Vec<(&str, Role)> =
                self.people.iter().map(|(n, r)| (n.as_str(), *r)).collect();
            let team = Backend::new(self.kind, &self.test, &self.csv, &people);
            return CaseDb::File(team.expect("a file is never skipped"));
        };
        self.made.set(self.made.get() + 1);
        let name = format!("case_{}", self.made.get());
        admin(server, "postgres")
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
            .expect("copy the template");
        let owner = Box::new(RefCell::new(admin(server, &name)));
        CaseDb::Copy {
            server,
            name,
            owner,
        }
    }
}

/// The server with its template database, built as `Backend::new` builds a team's.
fn template(server: PgServer, csv: &str, people: &[(&str, Role)]) -> PgServer {
    server.create_database(TEMPLATE);
    let url = server.url("postgres", TEMPLATE);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("matches.csv");
    std::fs::write(&file, csv).expect("write csv");
    cli(&["init", "--db", &url]);
    cli(&["import", "--db", &url, file.to_str().expect("path")]);
    for (name, role) in people {
        server.add_login(name, &format!("{name}-pw"));
        cli(&["user", "add", name, "--role", role.as_str(), "--db", &url]);
    }
    server
}

fn cli(args: &[&str]) -> String {
    let out = super::run(args);
    assert!(out.status.success(), "{args:?}: {}", super::stderr(&out));
    super::stdout(&out)
}

/// The superuser (the databases' owner) on `db`, over the private socket.
fn admin(server: &PgServer, db: &str) -> postgres::Client {
    try_admin(server, db).expect("owner connects")
}

fn try_admin(server: &PgServer, db: &str) -> Result<postgres::Client, postgres::Error> {
    postgres::Config::new()
        .host_path(server.dir())
        .port(server.port())
        .user("postgres")
        .dbname(db)
        .options("-c search_path=matchgate")
        .connect(postgres::NoTls)
}

impl CaseDb<'_> {
    /// See `Backend::db`.
    pub fn db(&self) -> String {
        match self {
            CaseDb::File(team) => team.db(),
            CaseDb::Copy { server, name, .. } => server.url("postgres", name),
        }
    }

    /// See `Backend::screen`.
    pub fn screen(&self, who: &str, session: &str) -> Handle {
        let (server, name) = match self {
            CaseDb::File(team) => return team.screen(who, session),
            CaseDb::Copy { server, name, .. } => (server, name),
        };
        let target = PgTarget::parse(&server.url(who, name)).expect("url");
        let mut store = PgStore::open(&target).expect("open as a person");
        store.set_claimant(Some(Claimant {
            reviewer: who.into(),
            session: session.into(),
        }));
        Box::new(store)
    }

    /// See `Backend::rows` (on a copy, one owner's connection for the whole case).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let owner = match self {
            CaseDb::File(team) => return team.rows(sql),
            CaseDb::Copy { owner, .. } => owner,
        };
        let messages = owner.borrow_mut().simple_query(sql).expect("query");
        messages
            .into_iter()
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

    /// See `Backend::cli_as`.
    pub fn cli_as(&self, who: &str, args: &[&str]) -> String {
        match self {
            CaseDb::File(team) => team.cli_as(who, args),
            CaseDb::Copy { server, name, .. } => {
                cli(&[args, &["--db", &server.url(who, name)]].concat())
            }
        }
    }

    /// See `Backend::set_policy`.
    pub fn set_policy(&self, key: &str, value: &str) {
        match self {
            CaseDb::File(team) => team.set_policy(key, value),
            CaseDb::Copy { .. } => {
                cli(&["policy", "set", key, value, "--db", &self.db()]);
            }
        }
    }
}

impl Drop for CaseDb<'_> {
    /// A copy goes with its case (its people's connections too).
    fn drop(&mut self) {
        if let CaseDb::Copy { server, name, .. } = self {
            // Never a panic while dropping: a copy left behind goes with the server.
            if let Ok(mut admin) = try_admin(server, "postgres") {
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = admin.batch_execute(&drop);
            }
        }
    }
}
