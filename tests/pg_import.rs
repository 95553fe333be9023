//! `matchgate import` on a server gives the same database as on a SQLite file: the same two
//! imports (the second repeating the first's rows and adding more, some to requests the first
//! created) on both backends, then every request's totals and flags, every candidate and every
//! match compared; every sample file of the SQLite import tests, with their options, bad rows
//! skipped or refused and a decided request reopened, gives the same messages and rows on both;
//! a reviewer role may not import; a bad row leaves nothing behind.

mod support;

use support::pg::PgServer;
use support::{db, run, stderr, stdout};

/// (SQLite, PostgreSQL) forms of one listing, each a single string.
const LISTINGS: [(&str, &str); 3] = [
    (
        "SELECT group_concat(line, '|') FROM (SELECT b.name || ',' || r.source_id || ',' ||
                CAST(round(r.top_score * 1000000) AS INTEGER) || ',' || r.candidate_count || ',' ||
                r.flags || ',' || r.queue_rank || ',' || r.extra || ',' || coalesce(r.street, '-') AS line
           FROM requests r JOIN batches b ON b.id = r.batch_id ORDER BY b.name, r.source_id)",
        "SELECT string_agg(b.name || ',' || r.source_id || ',' ||
                round(r.top_score * 1000000)::bigint || ',' || r.candidate_count || ',' ||
                r.flags || ',' || r.queue_rank || ',' || r.extra || ',' || coalesce(r.street, '-'),
                '|' ORDER BY b.name, r.source_id)
           FROM matchgate.requests r JOIN matchgate.batches b ON b.id = r.batch_id",
    ),
    (
        "SELECT group_concat(line, '|') FROM (SELECT b.name || ',' || c.source_id || ',' ||
                coalesce(c.surname, '-') || ',' || coalesce(c.tin, '-') || ',' || c.extra AS line
           FROM candidates c JOIN batches b ON b.id = c.batch_id ORDER BY b.name, c.source_id)",
        "SELECT string_agg(b.name || ',' || c.source_id || ',' || coalesce(c.surname, '-') || ','
                || coalesce(c.tin, '-') || ',' || c.extra, '|' ORDER BY b.name, c.source_id)
           FROM matchgate.candidates c JOIN matchgate.batches b ON b.id = c.batch_id",
    ),
    (
        "SELECT group_concat(line, '|') FROM (SELECT b.name || ',' || r.source_id || ',' ||
                c.source_id || ',' || CAST(round(m.score * 1000000) AS INTEGER) || ',' ||
                m.status || ',' || coalesce(m.gold, '-') AS line
           FROM matches m JOIN requests r ON r.id = m.request_id
           JOIN candidates c ON c.id = m.candidate_id JOIN batches b ON b.id = m.batch_id
          ORDER BY b.name, r.source_id, c.source_id)",
        "SELECT string_agg(b.name || ',' || r.source_id || ',' || c.source_id || ',' ||
                round(m.score * 1000000)::bigint || ',' || m.status || ',' || coalesce(m.gold, '-'),
                '|' ORDER BY b.name, r.source_id, c.source_id)
           FROM matchgate.matches m JOIN matchgate.requests r ON r.id = m.request_id
           JOIN matchgate.candidates c ON c.id = m.candidate_id
           JOIN matchgate.batches b ON b.id = m.batch_id",
    ),
];

fn import(db: &str, file: &std::path::Path) -> String {
    let out = run(&["import", "--db", db, file.to_str().expect("path")]);
    assert!(out.status.success(), "import: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_server_import_gives_the_same_database_as_a_file() {
    let Some(server) = PgServer::start("a_server_import_gives_the_same_database") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let whole = dir.path().join("whole.csv");
    let out = run(&[
        "generate",
        "--rows",
        "400",
        "--seed",
        "11",
        "--batches",
        "2",
        "--out",
        whole.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The first import stops part-way through a request's rows (lines, not requests), so the
    // second adds candidates to a request that is already there.
    let text = std::fs::read_to_string(&whole).expect("csv");
    let lines: Vec<&str> = text.lines().collect();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, lines[..lines.len() * 3 / 5].join("\n") + "\n").expect("first");

    let file = dir.path().join("m.db");
    let file_db = file.to_str().expect("path");
    let url = server.url("postgres", &server.create_database("team"));
    let ok = run(&["init", "--db", &url]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    for db in [file_db, url.as_str()] {
        import(db, &first);
    }
    let said_file = import(file_db, &whole);
    let said_server = import(&url, &whole);
    assert_eq!(said_server, said_file, "the import summaries differ");
    assert!(said_file.contains("already"), "{said_file}");

    let conn = db(&file);
    for (sqlite, postgres) in LISTINGS {
        let here: String = conn.query_row(sqlite, [], |r| r.get(0)).expect(sqlite);
        let there = server.psql("team", postgres);
        assert!(!here.is_empty());
        assert_eq!(there, here, "{postgres}");
    }
    // Searchable, and a third import of the same file adds nothing.
    let indexed = server.psql(
        "team",
        "SELECT count(*) FROM matchgate.request_search s JOIN matchgate.requests r ON r.id = s.request_id",
    );
    let requests: i64 = conn
        .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
        .expect("count");
    assert_eq!(indexed, requests.to_string());
    let again = import(&url, &whole);
    assert!(
        again.starts_with("imported 0 matches (0 requests, 0 candidates)"),
        "{again}"
    );
}

#[test]
fn a_reviewer_may_not_import_and_a_bad_row_leaves_nothing() {
    let Some(server) = PgServer::start("a_reviewer_may_not_import") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("g.csv");
    let out = run(&[
        "generate",
        "--rows",
        "50",
        "--seed",
        "2",
        "--out",
        csv.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let owner = server.url("postgres", &server.create_database("m"));
    assert!(run(&["init", "--db", &owner]).status.success());
    server.add_login("bob", "bob-pw");
    let out = run(&["user", "add", "bob", "--role", "reviewer", "--db", &owner]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        "import",
        "--db",
        &server.url("bob", "m"),
        csv.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("needs the admin role"),
        "{}",
        stderr(&out)
    );

    let mut text = std::fs::read_to_string(&csv).expect("csv");
    let bad_line = text.lines().nth(1).expect("a row").replace(",0.", ",7.");
    text.push_str(&bad_line);
    text.push('\n');
    std::fs::write(&csv, text).expect("write");
    let out = run(&["import", "--db", &owner, csv.to_str().expect("path")]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("nothing was imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        server.psql("m", "SELECT count(*) FROM matchgate.matches"),
        "0"
    );
    assert_eq!(
        server.psql("m", "SELECT count(*) FROM matchgate.batches"),
        "0"
    );
}

/// What a listing says on the file (empty when it lists nothing).
fn listed(file: &std::path::Path, sqlite: &str) -> String {
    db(file)
        .query_row(&format!("SELECT coalesce(({sqlite}), '')"), [], |r| {
            r.get(0)
        })
        .expect(sqlite)
}

/// Batches with their metadata, and matches' gold notes: what the sample files set beyond
/// `LISTINGS`.
const METADATA: [(&str, &str); 2] = [
    (
        "SELECT group_concat(line, '|') FROM (SELECT name || ',' || coalesce(requester, '-') || ','
                || coalesce(legal_basis, '-') AS line FROM batches ORDER BY name)",
        "SELECT string_agg(name || ',' || coalesce(requester, '-') || ',' || coalesce(legal_basis, '-'),
                '|' ORDER BY name) FROM matchgate.batches",
    ),
    (
        "SELECT group_concat(line, '|') FROM (SELECT b.name || ',' || r.source_id || ',' ||
                c.source_id || ',' || coalesce(m.gold_note, '-') AS line FROM matches m
           JOIN requests r ON r.id = m.request_id JOIN candidates c ON c.id = m.candidate_id
           JOIN batches b ON b.id = m.batch_id ORDER BY b.name, r.source_id, c.source_id)",
        "SELECT string_agg(b.name || ',' || r.source_id || ',' || c.source_id || ',' ||
                coalesce(m.gold_note, '-'), '|' ORDER BY b.name, r.source_id, c.source_id)
           FROM matchgate.matches m JOIN matchgate.requests r ON r.id = m.request_id
           JOIN matchgate.candidates c ON c.id = m.candidate_id
           JOIN matchgate.batches b ON b.id = m.batch_id",
    ),
];

/// One import's arguments, and SQL run on both databases after it.
type Step<'a> = (Vec<String>, Option<&'a str>);

/// Each sample file of the SQLite import tests, with the options they give it, imported onto a
/// server and into a file: the same exit, the same summary and messages (the database's name
/// aside), the same rows. Then a file with bad rows, skipped and refused, and a request that
/// gains a candidate after it was decided (reopened on both).
#[test]
fn every_sample_file_imports_onto_a_server_as_into_a_file() {
    let Some(server) = PgServer::start("every_sample_file_imports") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let sample = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/import")
            .join(name)
            .to_str()
            .expect("path")
            .to_string()
    };
    let mixed = dir.path().join("mixed.csv");
    std::fs::write(
        &mixed,
        "request_id,candidate_id,score,req_dob,cand_street,gold\nR1,C1,0.9,1980-01-01,Main St,match\nR2,C2,1.5,,,\nR3,C3,0.3,1999-02-29,,x\nR4,C4,0.4,,,\n",
    )
    .expect("write");
    let mixed = mixed.to_str().expect("path").to_string();
    let several = std::fs::read_to_string(sample("several.csv")).expect("several");
    let first = dir.path().join("first.csv");
    let lines: Vec<&str> = several.lines().collect();
    std::fs::write(&first, lines[..2].join("\n") + "\n").expect("first");
    let first = first.to_str().expect("path").to_string();
    let args = |list: &[&str]| list.iter().map(|a| a.to_string()).collect::<Vec<String>>();
    let decided = "UPDATE requests SET queue_rank = 3";
    let scenarios: Vec<(&str, Vec<Step>)> = vec![
        (
            "options",
            vec![(
                args(&[
                    &sample("good.csv"),
                    "--batch",
                    "winter",
                    "--requester",
                    "CLI Req",
                ]),
                None,
            )],
        ),
        ("jsonl", vec![(args(&[&sample("good.jsonl")]), None)]),
        (
            "mapped",
            vec![(
                args(&[&sample("mapped.csv"), "--map", &sample("mapped.toml")]),
                None,
            )],
        ),
        (
            "several",
            vec![
                (args(&[&sample("several.csv")]), None),
                (args(&[&sample("good.csv")]), None),
                (args(&[&sample("several.csv"), "--batch", "extra"]), None),
            ],
        ),
        ("skipped", vec![(args(&[&mixed, "--skip-bad"]), None)]),
        ("refused", vec![(args(&[&mixed]), None)]),
        (
            "reopened",
            vec![
                (args(&[&first]), Some(decided)),
                (args(&[&sample("several.csv")]), None),
            ],
        ),
    ];
    for (n, (name, imports)) in scenarios.into_iter().enumerate() {
        let file = dir.path().join(format!("{name}.db"));
        let file_db = file.to_str().expect("path").to_string();
        let database = server.create_database(&format!("s{n}"));
        let url = server.url("postgres", &database);
        assert!(run(&["init", "--db", &url]).status.success());
        for (list, then) in imports {
            let said = |db: &str| {
                let out = run(&[
                    &["import", "--db", db][..],
                    &list.iter().map(String::as_str).collect::<Vec<_>>(),
                ]
                .concat());
                let clean = |text: String| {
                    text.lines()
                        .filter(|l| !l.starts_with("created database"))
                        .collect::<Vec<_>>()
                        .join("\n")
                        .replace(db, "DB")
                };
                (out.status.code(), clean(stdout(&out)), clean(stderr(&out)))
            };
            let here = said(&file_db);
            let there = said(&url);
            assert_eq!(there, here, "{name}: {list:?}");
            if let Some(sql) = then {
                rusqlite::Connection::open(&file)
                    .and_then(|c| c.execute_batch(sql))
                    .expect("on the file");
                server.psql(&database, &format!("SET search_path = matchgate; {sql}"));
            }
        }
        if !file.exists() {
            assert_eq!(name, "refused");
            assert_eq!(
                server.psql(&database, "SELECT count(*) FROM matchgate.matches"),
                "0"
            );
            continue;
        }
        for (sqlite, postgres) in LISTINGS.iter().chain(METADATA.iter()) {
            let here = listed(&file, sqlite);
            assert!(!here.is_empty(), "{name}: {sqlite}");
            assert_eq!(server.psql(&database, postgres), here, "{name}: {postgres}");
        }
    }
}
