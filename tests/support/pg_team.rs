//! A team on a throwaway server for the review screen's tests: a generated file imported, six
//! reviewers who log in with their own passwords, and their screens' connections.

use matchgate::domain::claim::Claimant;
use matchgate::store::postgres::{PgStore, PgTarget};

use super::pg::PgServer;
use super::{run, stderr};

pub const PEOPLE: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];

/// A server whose database holds an imported file and six reviewers; the file, for SQLite.
pub struct Team {
    pub server: PgServer,
    pub dir: tempfile::TempDir,
    pub csv: std::path::PathBuf,
}

pub fn team(test: &str) -> Option<Team> {
    let server = PgServer::start(test)?;
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("g.csv");
    let path = csv.to_str().expect("path");
    let out = run(&[
        "generate",
        "--rows",
        "300",
        "--seed",
        "5",
        "--batches",
        "2",
        "--out",
        path,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = server.url("postgres", &server.create_database("team"));
    for args in [
        vec!["init", "--db", &url],
        vec!["import", "--db", &url, path],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    for who in PEOPLE {
        server.add_login(who, &format!("{who}-pw"));
        let out = run(&["user", "add", who, "--role", "reviewer", "--db", &url]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    Some(Team { server, dir, csv })
}

impl Team {
    /// `who`'s screen: their own connection, with a claimant.
    pub fn screen(&self, who: &str, session: &str) -> PgStore {
        let target = PgTarget::parse(&self.server.url(who, "team")).expect("url");
        let mut store = PgStore::open(&target).expect("open as a person");
        store.set_claimant(Some(Claimant {
            reviewer: who.into(),
            session: session.into(),
        }));
        store
    }

    /// SQL as the owner; tables are named with their schema, `matchgate.`.
    pub fn owner_sql(&self, sql: &str) -> String {
        self.server.psql("team", sql)
    }

    /// The owner's own connection (over the private socket).
    pub fn owner(&self) -> postgres::Client {
        postgres::Config::new()
            .host_path(self.server.dir())
            .port(self.server.port())
            .user("postgres")
            .dbname("team")
            .options("-c search_path=matchgate")
            .connect(postgres::NoTls)
            .expect("owner connects")
    }
}
