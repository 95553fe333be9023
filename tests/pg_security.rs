//! The server keeps matchgate's promises itself, whatever program connects: on a throwaway
//! PostgreSQL server, `init` creates the schema, roles and grants; people are server roles;
//! a reviewer's connection cannot change history, decide as someone else, or touch policy and
//! holds; the audit chain stays one chain under several writers.

mod support;

use matchgate::domain::roles::Role;
use matchgate::store::postgres::PgStore;
use matchgate::store::postgres::users::RoleChanges;
use matchgate::store::{AuditVerdict, Created, StoreError};
use support::pg::PgServer;

/// The superuser over the private socket (trust), as a DBA would run `init`.
fn as_owner(server: &PgServer, db: &str) -> postgres::Client {
    postgres::Config::new()
        .host_path(server.dir())
        .port(server.port())
        .user("postgres")
        .dbname(db)
        .connect(postgres::NoTls)
        .expect("owner connects")
}

/// A person over TCP with their password.
fn as_person(server: &PgServer, db: &str, who: &str) -> postgres::Client {
    postgres::Config::new()
        .host("127.0.0.1")
        .port(server.port())
        .user(who)
        .password(format!("{who}-pw"))
        .dbname(db)
        .connect(postgres::NoTls)
        .expect("person connects")
}

/// A server with matchgate's schema, an admin, a supervisor and a reviewer, and one match.
fn team(test: &str) -> Option<(PgServer, String)> {
    let server = PgServer::start(test)?;
    let db = server.create_database("team");
    let (mut owner, created) =
        PgStore::create_on(as_owner(&server, &db), "test server").expect("init");
    assert_eq!(created, Created::New);
    for (who, role) in [
        ("alice", Role::Admin),
        ("carol", Role::Supervisor),
        ("bob", Role::Reviewer),
    ] {
        server.add_login(who, &format!("{who}-pw"));
        owner
            .add_user(who, role, RoleChanges::Run)
            .expect("user add");
    }
    server.psql(
        &db,
        "SET search_path = matchgate;
         INSERT INTO batches (name, created_at) VALUES ('b', 'now');
         INSERT INTO requests (batch_id, source_id, top_score, candidate_count, imported_at)
              VALUES (1, 'r1', 0.9, 1, 'now');
         INSERT INTO candidates (batch_id, source_id) VALUES (1, 'c1');
         INSERT INTO matches (batch_id, request_id, candidate_id, score, imported_at, updated_at)
              VALUES (1, 1, 1, 0.9, 'now', 'now');",
    );
    Some((server, db))
}

fn refused(client: &mut postgres::Client, sql: &str) -> String {
    let err = client
        .batch_execute(&format!("SET search_path = matchgate; {sql}"))
        .expect_err(sql);
    err.as_db_error()
        .map_or_else(|| err.to_string(), |e| e.message().to_string())
}

const DECIDE: &str = "INSERT INTO decisions (match_id, group_id, reviewer, action, status_before,
                      status_after, decided_at) VALUES (1, 1, '{who}', 'approve', 'pending',
                      'approved', 'now')";

#[test]
fn init_is_idempotent_and_refuses_a_foreign_schema() {
    let Some(server) = PgServer::start("init_is_idempotent_and_refuses_a_foreign_schema") else {
        return;
    };
    let db = server.create_database("m");
    let (mut store, created) = PgStore::create_on(as_owner(&server, &db), "t").expect("init");
    assert_eq!(created, Created::New);
    assert_eq!(
        store.schema_version().expect("version"),
        matchgate::store::schema::current_version()
    );
    let (_, again) = PgStore::create_on(as_owner(&server, &db), "t").expect("init again");
    assert_eq!(again, Created::Existing);
    // The seed is set once, by the server's own trigger.
    let message = refused(
        &mut as_owner(&server, &db),
        "UPDATE quality_seed SET seed = 'x'",
    );
    assert!(message.contains("set once"), "{message}");

    let other = server.create_database("other");
    server.psql(
        &other,
        "CREATE SCHEMA matchgate; CREATE TABLE matchgate.t (x int)",
    );
    let err = PgStore::create_on(as_owner(&server, &other), "t").err();
    assert!(
        matches!(&err, Some(StoreError::Server { detail, .. }) if detail.contains("not made by matchgate")),
        "{err:?}"
    );
    let empty = server.create_database("empty");
    assert!(PgStore::open_on(as_owner(&server, &empty), "t").is_err());
}

#[test]
fn a_reviewer_cannot_change_history_decide_as_another_or_touch_policy_and_holds() {
    let Some((server, db)) = team("a_reviewer_cannot_change_history") else {
        return;
    };
    let mut bob = as_person(&server, &db, "bob");
    // What a reviewer may do: decide in their own name.
    bob.batch_execute(&format!(
        "SET search_path = matchgate; {}",
        DECIDE.replace("{who}", "bob")
    ))
    .expect("bob decides as bob");

    let as_carol = refused(&mut bob, &DECIDE.replace("{who}", "carol"));
    assert!(as_carol.contains("row-level security"), "{as_carol}");
    for sql in [
        "UPDATE decisions SET action = 'reject'",
        "DELETE FROM decisions",
        "TRUNCATE decisions",
        "UPDATE audit SET detail = '{}'",
        "DELETE FROM audit",
        "DELETE FROM release_items",
        "UPDATE recalls SET reason = ''",
        "INSERT INTO policy (key, value, updated_by, updated_at) VALUES ('two_person', 'off', 'bob', 'now')",
        "DELETE FROM policy",
        "INSERT INTO holds (batch_id, scope, reason, added_by, added_at) VALUES (1, 'all', 'x', 'bob', 'now')",
        "UPDATE holds SET lifted_by = 'bob'",
        "INSERT INTO users (name, role, created_by, created_at, updated_at) VALUES ('eve', 'admin', 'bob', 'n', 'n')",
        "UPDATE matches SET score = 1",
    ] {
        let message = refused(&mut bob, sql);
        assert!(message.contains("permission denied"), "{sql}: {message}");
    }
    // A supervisor may hold, in their own name only; an admin may set policy.
    let mut carol = as_person(&server, &db, "carol");
    carol
        .batch_execute("SET search_path = matchgate; INSERT INTO holds (batch_id, scope, reason, added_by, added_at) VALUES (1, 'all', 'court', 'carol', 'now')")
        .expect("carol holds");
    let as_alice = refused(
        &mut carol,
        "INSERT INTO holds (batch_id, scope, reason, added_by, added_at) VALUES (1, 'all', 'x', 'alice', 'now')",
    );
    assert!(as_alice.contains("row-level security"), "{as_alice}");
    let mut alice = as_person(&server, &db, "alice");
    alice
        .batch_execute("SET search_path = matchgate; INSERT INTO policy (key, value, updated_by, updated_at) VALUES ('two_person', 'on', 'alice', 'now')")
        .expect("alice sets policy");
    // Even the owner cannot rewrite history: the triggers refuse.
    let mut owner = as_owner(&server, &db);
    for sql in ["UPDATE decisions SET note = 'x'", "DELETE FROM audit"] {
        let message = refused(&mut owner, sql);
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
}

#[test]
fn people_are_server_roles_and_only_an_admin_manages_them() {
    let Some((server, db)) = team("people_are_server_roles") else {
        return;
    };
    let mut bob = PgStore::open_on(as_person(&server, &db, "bob"), "t").expect("bob opens");
    assert_eq!(bob.current_user(), "bob");
    assert_eq!(bob.own_role().expect("role"), Some(Role::Reviewer));
    let err = bob.add_user("mallory", Role::Admin, RoleChanges::Run).err();
    assert!(
        matches!(&err, Some(StoreError::Refused(m)) if m.contains("may not")),
        "{err:?}"
    );
    let mut alice = PgStore::open_on(as_person(&server, &db, "alice"), "t").expect("alice");
    alice
        .set_user_role("bob", Role::Supervisor)
        .expect("promote bob");
    assert_eq!(bob.own_role().expect("role"), Some(Role::Supervisor));
    alice.disable_user("bob").expect("disable bob");
    assert_eq!(bob.own_role().expect("role"), None);
    let err = alice.disable_user("alice").err();
    assert!(
        matches!(&err, Some(StoreError::Refused(m)) if m.contains("no enabled admin")),
        "{err:?}"
    );
    let users = alice.users().expect("users");
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "carol"]);
    assert!(users[1].disabled_at.is_some());
    // Printing the statements for a DBA changes nothing.
    let sql = alice
        .add_user("dave", Role::Reviewer, RoleChanges::Print)
        .expect("print");
    assert!(
        sql.contains(&"GRANT matchgate_reviewer TO \"dave\"".to_string()),
        "{sql:?}"
    );
    assert_eq!(
        server.psql(&db, "SELECT count(*) FROM pg_roles WHERE rolname = 'dave'"),
        "0"
    );
    assert!(matches!(
        alice.audit_verify().expect("verify"),
        AuditVerdict::Intact { .. }
    ));
}

#[test]
fn the_audit_chain_stays_one_chain_under_several_writers() {
    let Some((server, db)) = team("the_audit_chain_stays_one_chain") else {
        return;
    };
    let writers: Vec<_> = ["bob", "carol", "bob", "carol"]
        .into_iter()
        .map(|who| {
            let client = as_person(&server, &db, who);
            std::thread::spawn(move || {
                let mut store = PgStore::open_on(client, "t").expect("open");
                for i in 0..15 {
                    // Each refusal is an audit append in its own transaction.
                    let err = store.add_user(&format!("x{i}"), Role::Reviewer, RoleChanges::Run);
                    assert!(matches!(err, Err(StoreError::Refused(_))), "{err:?}");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let mut alice = PgStore::open_on(as_person(&server, &db, "alice"), "t").expect("alice");
    match alice.audit_verify().expect("verify") {
        AuditVerdict::Intact { count, .. } => assert_eq!(count, 3 + 60),
        broken => panic!("{broken:?}"),
    }
}
