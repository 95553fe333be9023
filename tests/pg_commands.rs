//! `policy`, `hold`, `stats` and `audit` with the real binary against a throwaway PostgreSQL
//! server: each person connects as themselves, the server's roles decide who may do what,
//! refusals land in the audit log, and the output is what the same commands print on a SQLite
//! file holding the same rows.

mod support;

use std::path::Path;
use std::process::Output;

use support::pg::PgServer;
use support::{run, stderr, stdout};

/// Matches in two batches, in several statuses; the same SQL on both backends. `Zeta` sorts
/// before `alpha` bytewise, as SQLite orders names.
const ROWS: &str = "
INSERT INTO batches (name, created_at) VALUES
    ('alpha', '2026-01-01T00:00:00.000Z'), ('Zeta', '2026-01-02T00:00:00.000Z');
INSERT INTO requests (batch_id, source_id, top_score, candidate_count, imported_at) VALUES
    (1, 'r1', 0.9, 2, 't'), (1, 'r2', 0.8, 1, 't'), (2, 'r3', 0.7, 2, 't');
INSERT INTO candidates (batch_id, source_id) VALUES
    (1, 'c1'), (1, 'c2'), (1, 'c3'), (2, 'c4'), (2, 'c5');
INSERT INTO matches (batch_id, request_id, candidate_id, score, status, imported_at, updated_at)
VALUES (1, 1, 1, 0.9, 'approved', 't', 't'), (1, 1, 2, 0.6, 'pending', 't', 't'),
       (1, 2, 3, 0.8, 'rejected', 't', 't'), (2, 3, 4, 0.7, 'escalated', 't', 't'),
       (2, 3, 5, 0.5, 'pending', 't', 't');
";

const PEOPLE: [(&str, &str); 3] = [
    ("alice", "admin"),
    ("carol", "supervisor"),
    ("bob", "reviewer"),
];

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
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
    stderr(&out)
}

/// A server database made by its owner, with alice (admin), carol (supervisor) and bob
/// (reviewer) logging in as themselves, and the rows of [`ROWS`].
fn team(test: &str) -> Option<(PgServer, String)> {
    let server = PgServer::start(test)?;
    let db = server.create_database("team");
    let owner = server.url("postgres", &db);
    ok(&["init", "--db", &owner]);
    for (who, role) in PEOPLE {
        server.add_login(who, &format!("{who}-pw"));
        ok(&["user", "add", who, "--role", role, "--db", &owner]);
    }
    server.psql(&db, &format!("SET search_path = matchgate; {ROWS}"));
    Some((server, db))
}

/// A SQLite file with the same people and rows.
fn team_file(dir: &Path) -> String {
    let path = dir.join("team.db").to_str().expect("utf-8").to_string();
    ok(&["init", "--db", &path]);
    for (who, role) in PEOPLE {
        ok(&[
            "user", "add", who, "--role", role, "--db", &path, "--by", "alice",
        ]);
    }
    rusqlite::Connection::open(&path)
        .and_then(|c| c.execute_batch(ROWS))
        .expect("rows into the file");
    path
}

fn audited(server: &PgServer, db: &str) -> String {
    server.psql(
        db,
        "SELECT string_agg(actor || ' ' || action || ' ' || object || ' ' || outcome, E'\\n' ORDER BY id)
           FROM matchgate.audit",
    )
}

#[test]
fn policy_on_a_server_is_set_by_an_admin_and_refusals_are_audited() {
    let Some((server, db)) = team("policy_on_a_server") else {
        return;
    };
    let (alice, bob) = (server.url("alice", &db), server.url("bob", &db));
    let said = ok(&["policy", "set", "approvals_required", "2", "--db", &alice]);
    assert_eq!(
        said,
        "approvals_required = 2 (set by alice, recorded in the audit log)\n"
    );
    let shown = ok(&["policy", "show", "--db", &bob]);
    assert!(shown.contains("approvals_required = 2\n"), "{shown}");
    // Supervisors are whoever holds the server's supervisor role (an admin includes it).
    assert!(shown.contains("supervisors = alice,carol\n"), "{shown}");
    assert_eq!(
        server.psql(
            &db,
            "SELECT value || ' ' || updated_by FROM matchgate.policy WHERE key = 'approvals_required'"
        ),
        "2 alice"
    );

    let err = fails(&["policy", "set", "blind", "true", "--db", &bob]);
    assert!(
        err.contains("bob is a reviewer and may not change the release policy"),
        "{err}"
    );
    let err = fails(&["policy", "set", "supervisors", "bob", "--db", &alice]);
    assert!(
        err.contains("supervisors are people with the supervisor role"),
        "{err}"
    );
    let err = fails(&["policy", "set", "approvals_required", "3", "--db", &alice]);
    assert!(
        err.contains("bad value \"3\" for approvals_required"),
        "{err}"
    );
    let err = fails(&[
        "policy", "set", "blind", "true", "--by", "bob", "--db", &alice,
    ]);
    assert!(err.contains("you act as the role you connect as"), "{err}");
    assert!(ok(&["policy", "show", "--db", &alice]).contains("blind = false\n"));

    let log = audited(&server, &db);
    for entry in [
        "alice policy-set policy:approvals_required done",
        "bob policy-set policy:blind refused",
        "alice policy-set policy:supervisors refused",
        "alice policy-set policy:approvals_required refused",
    ] {
        assert!(log.lines().any(|l| l == entry), "{entry} not in:\n{log}");
    }
    let detail = server.psql(
        &db,
        "SELECT detail FROM matchgate.audit WHERE action = 'policy-set' AND outcome = 'done'",
    );
    assert_eq!(
        detail,
        r#"{"key":"approvals_required","new":"2","old":"1"}"#
    );
}

#[test]
fn holds_on_a_server_are_put_and_lifted_by_supervisors_only() {
    let Some((server, db)) = team("holds_on_a_server") else {
        return;
    };
    let (carol, bob) = (server.url("carol", &db), server.url("bob", &db));
    let said = ok(&[
        "hold",
        "add",
        "--batch",
        "alpha",
        "--reason",
        "court order 7",
        "--db",
        &carol,
    ]);
    assert!(
        said.starts_with("hold 1 added on batch alpha (residential)"),
        "{said}"
    );
    let listed = ok(&["hold", "list", "--db", &bob]);
    assert!(
        listed.contains("#1    alpha") && listed.contains("ACTIVE"),
        "{listed}"
    );
    assert!(listed.contains("by carol: court order 7"), "{listed}");

    let err = fails(&[
        "hold", "add", "--batch", "alpha", "--reason", "x", "--db", &bob,
    ]);
    assert!(
        err.contains("bob is a reviewer and may not put or lift legal holds"),
        "{err}"
    );
    let err = fails(&["hold", "lift", "--id", "1", "--reason", "x", "--db", &bob]);
    assert!(err.contains("may not put or lift legal holds"), "{err}");
    let err = fails(&[
        "hold", "add", "--batch", "nope", "--reason", "x", "--db", &carol,
    ]);
    assert!(err.contains("no batch named \"nope\""), "{err}");

    let said = ok(&[
        "hold",
        "lift",
        "--id",
        "1",
        "--reason",
        "order vacated",
        "--db",
        &carol,
    ]);
    assert_eq!(said, "hold 1 on batch alpha lifted\n");
    let err = fails(&[
        "hold", "lift", "--id", "1", "--reason", "again", "--db", &carol,
    ]);
    assert!(err.contains("hold 1 is already lifted"), "{err}");
    assert_eq!(
        ok(&["hold", "list", "--active", "--db", &bob]),
        "no holds\n"
    );
    let listed = ok(&["hold", "list", "--db", &bob]);
    assert!(listed.contains("by carol (order vacated)"), "{listed}");
    assert_eq!(
        server.psql(
            &db,
            "SELECT added_by || ' ' || lifted_by || ' ' || lift_reason FROM matchgate.holds"
        ),
        "carol carol order vacated"
    );
    let log = audited(&server, &db);
    for entry in [
        "carol hold-add hold:1 done",
        "bob hold batch:alpha refused",
        "bob hold hold:1 refused",
        "carol hold-add batch:nope refused",
        "carol hold-lift hold:1 done",
        "carol hold-lift hold:1 refused",
    ] {
        assert!(log.lines().any(|l| l == entry), "{entry} not in:\n{log}");
    }
}

#[test]
fn stats_on_a_server_are_the_figures_sqlite_prints_for_the_same_rows() {
    let Some((server, db)) = team("stats_on_a_server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = team_file(dir.path());
    let url = server.url("bob", &db);
    // `--reviewers` too (the batches' figures; pg_reports compares a real history).
    for args in [
        &["stats"][..],
        &["stats", "--json"][..],
        &["stats", "--reviewers"][..],
        &["stats", "--reviewers", "--json"][..],
    ] {
        let on_server = ok(&[args, &["--db", &url]].concat());
        let on_file = ok(&[args, &["--db", &file]].concat());
        assert_eq!(on_server, on_file, "{args:?}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["stats", "--json", "--db", &url])).expect("json");
    assert_eq!(json["total"], 5);
    assert_eq!(json["by_batch"]["alpha"]["pending"], 1);
    assert_eq!(json["by_batch"]["Zeta"]["escalated"], 1);
    let table = ok(&["stats", "--db", &url]);
    let zeta = table.find("Zeta").expect("Zeta row");
    assert!(zeta < table.find("alpha").expect("alpha row"), "{table}");
}

#[test]
fn audit_verify_and_head_on_a_server() {
    let Some((server, db)) = team("audit_on_a_server") else {
        return;
    };
    let (alice, bob) = (server.url("alice", &db), server.url("bob", &db));
    ok(&["policy", "set", "score_floor", "0.5", "--db", &alice]);
    fails(&["policy", "set", "score_floor", "0.1", "--db", &bob]);
    let head = server.psql(
        &db,
        "SELECT count(*) || ' ' || (SELECT hash FROM matchgate.audit ORDER BY id DESC LIMIT 1)
           FROM matchgate.audit",
    );
    assert_eq!(ok(&["audit", "head", "--db", &bob]), format!("{head}\n"));
    let (count, hash) = head.split_once(' ').expect("count and hash");
    assert_eq!(
        ok(&["audit", "verify", "--db", &bob]),
        format!("audit log intact: {count} entries, head {hash}\n")
    );

    // Only the owner can get past the triggers; verify then names the entry.
    server.psql(
        &db,
        "ALTER TABLE matchgate.audit DISABLE TRIGGER audit_append_only;
         UPDATE matchgate.audit SET detail = '{}' WHERE id = 2;",
    );
    let out: Output = run(&["audit", "verify", "--db", &bob]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("does NOT verify: first bad: audit entry 2"),
        "{}",
        stdout(&out)
    );
}

/// Times differ between two runs: every RFC 3339 stamp becomes `<time>`.
fn without_times(text: &str) -> String {
    let stamp = |s: &[u8]| {
        s.len() >= 24
            && s[..24].iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                19 => *c == b'.',
                23 => *c == b'Z',
                _ => c.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let (mut out, mut i) = (String::new(), 0);
    while i < bytes.len() {
        if stamp(&bytes[i..]) {
            out.push_str("<time>");
            i += 24;
        } else {
            let c = text[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn policy_and_hold_commands_print_the_same_on_sqlite_and_a_server() {
    let Some((server, db)) = team("the_same_on_sqlite_and_a_server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = team_file(dir.path());
    let steps: [(&str, &[&str]); 12] = [
        ("alice", &["policy", "set", "approvals_required", "2"]),
        ("alice", &["policy", "set", "masked_fields", "tin,zip"]),
        ("alice", &["policy", "set", "approvals_required", "3"]),
        ("bob", &["policy", "set", "blind", "true"]),
        (
            "carol",
            &["hold", "add", "--batch", "alpha", "--reason", "order 7"],
        ),
        (
            "carol",
            &[
                "hold", "add", "--batch", "Zeta", "--reason", "subpoena", "--scope", "all",
            ],
        ),
        (
            "bob",
            &["hold", "add", "--batch", "alpha", "--reason", "mine"],
        ),
        (
            "carol",
            &["hold", "add", "--batch", "nope", "--reason", "x"],
        ),
        (
            "carol",
            &["hold", "lift", "--id", "1", "--reason", "vacated"],
        ),
        ("carol", &["hold", "lift", "--id", "1", "--reason", "again"]),
        ("carol", &["hold", "lift", "--id", "9", "--reason", "none"]),
        ("bob", &["hold", "lift", "--id", "2", "--reason", "mine"]),
    ];
    let mut refusals = 0;
    for (who, args) in steps {
        let url = server.url(who, &db);
        let on_server = run(&[args, &["--db", &url]].concat());
        let on_file = run(&[args, &["--db", &file, "--by", who]].concat());
        assert_eq!(
            on_server.status.code(),
            on_file.status.code(),
            "{who} {args:?}"
        );
        assert_eq!(stdout(&on_server), stdout(&on_file), "{who} {args:?}");
        assert_eq!(stderr(&on_server), stderr(&on_file), "{who} {args:?}");
        refusals += usize::from(!on_server.status.success());
    }
    assert_eq!(refusals, 7, "the refusals above are real refusals");
    for args in [
        &["policy", "show"][..],
        &["hold", "list"][..],
        &["hold", "list", "--active"][..],
    ] {
        let on_server = ok(&[args, &["--db", &server.url("bob", &db)]].concat());
        let on_file = ok(&[args, &["--db", &file]].concat());
        assert_eq!(
            without_times(&on_server),
            without_times(&on_file),
            "{args:?}"
        );
    }
}
