//! The real binary against a throwaway PostgreSQL server: `init` and `user` with a
//! `postgres://` URL (password from the passfile the URL names), identity from the server, and
//! clear refusals for what does not run there yet.

mod support;

use support::pg::PgServer;
use support::{run, stderr, stdout};

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        !out.status.success(),
        "{args:?} succeeded: {}",
        stdout(&out)
    );
    stderr(&out)
}

#[test]
fn init_and_people_on_a_server() {
    let Some(server) = PgServer::start("init_and_people_on_a_server") else {
        return;
    };
    let db = server.create_database("team");
    let owner = server.url("postgres", &db);
    let said = ok(&["init", "--db", &owner]);
    assert!(said.contains("created matchgate's schema"), "{said}");
    let said = ok(&["init", "--db", &owner]);
    assert!(
        said.contains("already holds a matchgate database"),
        "{said}"
    );

    server.add_login("alice", "alice-pw");
    server.add_login("bob", "bob-pw");
    ok(&["user", "add", "alice", "--role", "admin", "--db", &owner]);
    let alice = server.url("alice", &db);
    ok(&["user", "add", "bob", "--role", "reviewer", "--db", &alice]);
    assert_eq!(
        server.psql(
            &db,
            "SELECT pg_has_role('bob', 'matchgate_reviewer', 'MEMBER')"
        ),
        "t"
    );
    // A new person without a login yet gets one, and is told about the password.
    let said = ok(&[
        "user",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--db",
        &alice,
    ]);
    assert!(said.contains("no password yet"), "{said}");

    let bob = server.url("bob", &db);
    let err = fails(&["user", "add", "eve", "--role", "admin", "--db", &bob]);
    assert!(err.contains("may not"), "{err}");
    let err = fails(&[
        "user", "add", "eve", "--role", "reviewer", "--by", "mallory", "--db", &alice,
    ]);
    assert!(err.contains("you act as the role you connect as"), "{err}");

    let listed = stdout(
        &support::bin()
            .args(["user", "list"])
            .env("MATCHGATE_DB", &alice)
            .output()
            .expect("run"),
    );
    for name in ["alice", "bob", "carol"] {
        assert!(listed.contains(name), "{listed}");
    }

    let printed = ok(&[
        "user",
        "add",
        "dave",
        "--role",
        "reviewer",
        "--print-sql",
        "--db",
        &alice,
    ]);
    assert!(printed.contains("CREATE ROLE \"dave\" LOGIN;"), "{printed}");
    assert!(
        printed.contains("GRANT matchgate_reviewer TO \"dave\";"),
        "{printed}"
    );
    assert_eq!(
        server.psql(&db, "SELECT count(*) FROM pg_roles WHERE rolname = 'dave'"),
        "0"
    );
    let audited = server.psql(
        &db,
        "SELECT string_agg(actor || ' ' || action || ' ' || outcome, ', ' ORDER BY id) FROM matchgate.audit",
    );
    assert!(audited.contains("alice user-add done"), "{audited}");
    assert!(audited.contains("bob user-add refused"), "{audited}");
}

#[test]
fn passwords_stay_off_the_command_line_and_unported_commands_say_so() {
    let Some(server) = PgServer::start("passwords_stay_off_the_command_line") else {
        return;
    };
    let db = server.create_database("m");
    let url = format!(
        "postgres://postgres:hunter2@127.0.0.1:{}/{db}",
        server.port()
    );
    let err = fails(&["init", "--db", &url]);
    assert!(err.contains("pgpass"), "{err}");
    assert!(!err.contains("hunter2"), "the password is echoed: {err}");

    let owner = server.url("postgres", &db);
    ok(&["init", "--db", &owner]);
    // The review and supervise screens run on a server (the owner, a superuser, has every
    // role), and here stop only for want of a terminal.
    let err = fails(&["review", "--db", &owner]);
    assert!(err.contains("needs a terminal"), "{err}");
    let err = fails(&["review", "--db", &owner, "--reviewer", "alice"]);
    assert!(err.contains("you act as the role you connect as"), "{err}");
    let err = fails(&["supervise", "--db", &owner, "--supervisor", "postgres"]);
    assert!(
        err.contains("supervisor's screen needs a terminal"),
        "{err}"
    );
    let err = fails(&["supervise", "--db", &owner, "--supervisor", "alice"]);
    assert!(err.contains("you act as the role you connect as"), "{err}");
    // The demo set, kept on a server: built in a private file, then moved there whole.
    let demo_db = server.create_database("demo");
    let out = support::run(&[
        "demo",
        "--no-ui",
        "--keep",
        &server.url("postgres", &demo_db),
    ]);
    assert!(out.status.success(), "demo --keep URL: {}", stderr(&out));
    assert!(
        stderr(&out).contains("the demo database is kept on"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        server.psql(&demo_db, "SELECT count(*) FROM matchgate.matches"),
        "300"
    );
    assert_eq!(
        server.psql(
            &demo_db,
            "SELECT value FROM matchgate.policy WHERE key = 'review_date'"
        ),
        matchgate::generate::scenario::REFERENCE_DATE.to_string()
    );
    // Kept twice on the same database: refused, as every move into a used database is.
    let out = support::run(&[
        "demo",
        "--no-ui",
        "--keep",
        &server.url("postgres", &demo_db),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
}
