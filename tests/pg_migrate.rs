//! `matchgate migrate --from FILE --to URL` on a throwaway server: every table arrives whole,
//! the audit chain ends at the same head, sequences continue after the copied ids, and a server
//! database that already holds anything is refused.

mod support;

use matchgate::domain::{Decision, Verdict};
use matchgate::store::Store;
use support::pg::PgServer;
use support::{count, db, run, stderr, stdout};

/// `matchgate migrate --from file --to target`.
fn migrate(file: &std::path::Path, target: &str) -> std::process::Output {
    run(&[
        "migrate",
        "--from",
        file.to_str().expect("path"),
        "--to",
        target,
    ])
}

/// A file with imported matches, decisions of three kinds, a hold, a policy change, a release
/// and registered people.
fn a_worked_file(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("g.csv");
    let out = run(&[
        "generate",
        "--rows",
        "120",
        "--seed",
        "5",
        "--batches",
        "2",
        "--out",
        csv.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = support::store_db(dir, &std::fs::read_to_string(&csv).expect("csv"));
    let mut store = Store::open(&path).expect("open");
    let ids: Vec<i64> = db(&path)
        .prepare("SELECT id FROM matches ORDER BY id LIMIT 30")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("ids")
        .collect::<Result<_, _>>()
        .expect("ids");
    for (i, id) in ids.iter().enumerate() {
        let verdict = match i % 3 {
            0 => Verdict::Approve,
            1 => Verdict::Reject(matchgate::domain::ReasonCode::DifferentPerson),
            _ => Verdict::Note,
        };
        let decision = Decision {
            match_id: *id,
            reviewer: "ana".into(),
            verdict,
            note: Some("checked, \"quoted\", and a\nnewline".into()),
            viewed_ms: 1200,
        };
        // Some approvals are refused by the rules; what is recorded is what moves.
        let _ = store.record_decision(&decision, "s1");
    }
    drop(store);
    let d = path.to_str().expect("path");
    let batch: String = db(&path)
        .query_row(
            "SELECT name FROM batches ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a batch");
    for args in [
        vec![
            "policy",
            "set",
            "spot_check_rate",
            "0.2",
            "--db",
            d,
            "--by",
            "root",
        ],
        vec![
            "hold",
            "add",
            "--db",
            d,
            "--batch",
            &batch,
            "--reason",
            "court order",
            "--by",
            "root",
        ],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let released = dir.join("released.csv");
    let out = run(&[
        "export",
        "--db",
        d,
        "--out",
        released.to_str().expect("path"),
        "--by",
        "root",
    ]);
    assert!(out.status.success(), "export: {}", stderr(&out));
    for (who, role) in [("root", "admin"), ("ana", "reviewer")] {
        let out = run(&[
            "user", "add", who, "--role", role, "--db", d, "--by", "root",
        ]);
        assert!(out.status.success(), "user add: {}", stderr(&out));
    }
    path
}

#[test]
fn a_file_moves_whole_and_a_used_server_is_refused() {
    let Some(server) = PgServer::start("a_file_moves_whole") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = a_worked_file(dir.path());
    let conn = db(&file);
    let decisions = count(&conn, "SELECT count(*) FROM decisions");
    assert!(decisions >= 20, "{decisions}");
    let target = server.url("postgres", &server.create_database("team"));
    let out = migrate(&file, &target);
    assert!(
        out.status.success(),
        "migrate: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let said = stdout(&out);
    assert!(
        said.contains("audit chain verified before and after"),
        "{said}"
    );
    assert!(
        said.contains("GRANT matchgate_reviewer TO \"ana\""),
        "{said}"
    );

    for table in [
        "batches",
        "requests",
        "candidates",
        "matches",
        "decisions",
        "policy",
        "holds",
        "releases",
        "release_items",
        "audit",
        "users",
    ] {
        let here = count(&conn, &format!("SELECT count(*) FROM {table}"));
        let there = server.psql("team", &format!("SELECT count(*) FROM matchgate.{table}"));
        assert_eq!(there, here.to_string(), "{table}");
    }
    // Same content, byte for byte, where it matters most.
    let here: String = conn
        .query_row(
            "SELECT group_concat(id || ':' || reviewer || ':' || action || ':' || coalesce(note, ''), '|')
               FROM (SELECT * FROM decisions ORDER BY id)",
            [],
            |r| r.get(0),
        )
        .expect("file history");
    let there = server.psql(
        "team",
        "SELECT string_agg(id || ':' || reviewer || ':' || action || ':' || coalesce(note, ''), '|' ORDER BY id) FROM matchgate.decisions",
    );
    assert_eq!(there, here);
    let head: String = conn
        .query_row("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("head");
    assert_eq!(
        server.psql(
            "team",
            "SELECT hash FROM matchgate.audit ORDER BY id DESC LIMIT 1"
        ),
        head
    );
    let seed: Vec<u8> = conn
        .query_row("SELECT seed FROM quality_seed", [], |r| r.get(0))
        .expect("seed");
    assert_eq!(
        server.psql(
            "team",
            "SELECT encode(seed, 'hex') FROM matchgate.quality_seed"
        ),
        hex::encode(seed)
    );
    // New rows continue after the copied ids; the search index was rebuilt.
    let next = server.psql(
        "team",
        "INSERT INTO matchgate.batches (name, created_at) VALUES ('new', 'now') RETURNING id",
    );
    let max = count(&conn, "SELECT max(id) FROM batches");
    assert_eq!(next.lines().next(), Some((max + 1).to_string().as_str()));
    assert_eq!(
        server.psql("team", "SELECT count(*) FROM matchgate.request_search"),
        count(&conn, "SELECT count(*) FROM requests").to_string()
    );

    // Into a database that holds something: refused, nothing changed.
    let out = migrate(&file, &target);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(
        server.psql("team", "SELECT count(*) FROM matchgate.decisions"),
        decisions.to_string()
    );
}

/// The rule book says the same of every match on both backends: the release gates load through
/// one piece of code (`store::gates` over `Sql`) and are judged by one rule book.
#[test]
fn the_release_preview_of_every_match_is_the_same_on_the_server() {
    let Some(server) = PgServer::start("the_release_preview_of_every_match") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = a_worked_file(dir.path());
    let target = server.url("postgres", &server.create_database("team"));
    let out = migrate(&file, &target);
    assert!(out.status.success(), "migrate: {}", stderr(&out));
    let here = Store::open(&file).expect("file");
    let client = postgres::Config::new()
        .host_path(server.dir())
        .port(server.port())
        .user("postgres")
        .dbname("team")
        .connect(postgres::NoTls)
        .expect("connect");
    let mut there =
        matchgate::store::postgres::PgStore::open_on(client, "test server").expect("open");
    let ids: Vec<i64> = db(&file)
        .prepare("SELECT id FROM matches ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("ids")
        .collect::<Result<_, _>>()
        .expect("ids");
    let mut rules = std::collections::BTreeSet::new();
    for id in ids {
        let expected = here.release_preview(id).expect("file preview");
        let got = there.release_preview(id).expect("server preview");
        assert_eq!(got, expected, "match {id}");
        rules.extend(expected.1.iter().map(|r| r.rule));
    }
    // Not a vacuous comparison: matches are refused for several different reasons.
    assert!(rules.len() >= 3, "{rules:?}");
}

/// A file written before imports refused NUL bytes may hold one, which a server cannot store:
/// the move stops naming the table, the row and the column, the server keeps none of the rows
/// (only the empty schema `init` made), and the move succeeds once the value is mended.
#[test]
fn a_value_the_server_cannot_store_stops_the_move_by_name() {
    let Some(server) = PgServer::start("a_value_the_server_cannot_store") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = a_worked_file(dir.path());
    rusqlite::Connection::open(&file)
        .and_then(|c| {
            c.execute(
                "UPDATE requests SET surname = 'Nul' || char(0) || 'Byte' WHERE id = 3",
                [],
            )
        })
        .expect("an older file's value");
    let target = server.url("postgres", &server.create_database("team"));
    let out = migrate(&file, &target);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stderr(&out);
    assert!(
        said.contains("copying requests, the row whose id is 3, column surname")
            && said.contains("NUL byte"),
        "{said}"
    );
    assert_eq!(
        server.psql(
            "team",
            "SELECT (SELECT count(*) FROM matchgate.batches) + (SELECT count(*) FROM matchgate.audit)"
        ),
        "0",
        "none of the rows was written"
    );
    rusqlite::Connection::open(&file)
        .and_then(|c| c.execute("UPDATE requests SET surname = 'Byte' WHERE id = 3", []))
        .expect("mended");
    let out = migrate(&file, &target);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        server.psql(
            "team",
            "SELECT surname FROM matchgate.requests WHERE id = 3"
        ),
        "Byte"
    );
}
