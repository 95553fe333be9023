//! A server database's schema version, from the outside: one written by a newer matchgate is
//! refused by every command without a write; an older one is refused to reviewers' commands
//! until its owner runs `init`, which brings it forward; a `matchgate` schema someone else made
//! is refused as not ours.

mod support;

use support::pg::PgServer;
use support::{run, stderr, stdout};

fn version(server: &PgServer) -> String {
    server.psql(
        "team",
        "SELECT value FROM matchgate.matchgate_meta WHERE key = 'schema_version'",
    )
}

#[test]
fn older_versions_are_brought_forward_by_init_and_newer_ones_refused() {
    let Some(server) = PgServer::start("schema_versions") else {
        return;
    };
    let url = server.url("postgres", &server.create_database("team"));
    let out = run(&["init", "--db", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let current = version(&server);
    let now: i64 = current.parse().expect("a version");

    // As the first server schema was (5): opened by no command until upgraded.
    server.psql(
        "team",
        "UPDATE matchgate.matchgate_meta SET value = '5' WHERE key = 'schema_version'",
    );
    let out = run(&["stats", "--db", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stderr(&out);
    assert!(
        said.contains("version 5, older") && said.contains("matchgate init --db URL"),
        "{said}"
    );
    assert_eq!(version(&server), "5", "nothing was written");
    let out = run(&["init", "--db", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(version(&server), current);
    let out = run(&["stats", "--db", &url]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Older than any server schema: no path, nothing changed.
    server.psql(
        "team",
        "UPDATE matchgate.matchgate_meta SET value = '3' WHERE key = 'schema_version'",
    );
    let out = run(&["init", "--db", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no upgrade from schema version 3"),
        "{}",
        stderr(&out)
    );
    assert_eq!(version(&server), "3");

    // Newer: refused by init and by the rest alike.
    let newer = (now + 1).to_string();
    server.psql(
        "team",
        &format!(
            "UPDATE matchgate.matchgate_meta SET value = '{newer}' WHERE key = 'schema_version'"
        ),
    );
    for args in [["init", "--db", &url], ["stats", "--db", &url]] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("newer matchgate"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(version(&server), newer);
}

#[test]
fn a_matchgate_schema_someone_else_made_is_not_ours() {
    let Some(server) = PgServer::start("foreign_schema") else {
        return;
    };
    let url = server.url("postgres", &server.create_database("team"));
    server.psql(
        "team",
        "CREATE SCHEMA matchgate; CREATE TABLE matchgate.t (x int)",
    );
    for args in [["init", "--db", &url], ["stats", "--db", &url]] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("not made by matchgate"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        server.psql("team", "SELECT count(*) FROM matchgate.t"),
        "0",
        "left as it was"
    );
}
