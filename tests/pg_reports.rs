//! The read-mostly reports on a PostgreSQL server: `recall` (every filter, both formats, a file
//! written with --out), `export --decisions` and `stats --reviewers` print exactly what they
//! print on the SQLite file the server's database was migrated from (`history`: several
//! reviewers approving, rejecting, escalating and undoing, blind second verdicts, a supervisor's
//! agreements and overturns, one of them of a released approval and one undone, two releases, a
//! recall). On the server, a reviewer is refused the history and marking recalls; a supervisor's
//! recalls are recorded as their role, audited.

#[path = "pg_reports/history.rs"]
mod history;
mod support;

use history::{migrated, ok, same, same_file, worked_file};
use support::{run, stderr, stdout};

#[test]
fn recall_lists_the_same_releases_and_marks_them_as_the_connected_role() {
    let dir = tempfile::tempdir().expect("dir");
    let worked = worked_file(dir.path());
    let Some((server, db)) = migrated("recall_on_a_server", &worked.path) else {
        return;
    };
    let (file, sue) = (&worked.path, server.url("sue", &db));
    let today = &worked.mark[..10];
    // Release 1: R1 R3 R4 R5 R6 R10 R16-R20 R23 (R2 overturned before, R11 undone); release 2:
    // R25-R28.
    let all = same(file, &sue, &["recall"]);
    assert!(all.ends_with("\n16 release(s)\n"), "{all}");
    let filters: [&[&str]; 12] = [
        &["--batch", "alpha"],
        &["--batch", "Zeta"],
        &["--batch", "none such"],
        &["--since", &worked.mark],
        &["--until", &worked.mark],
        &["--since", today, "--until", today],
        &["--reviewer", "ann"],
        &["--reviewer", "bob", "--batch", "Zeta"],
        &["--flag", "several-candidates"],
        &["--overturned"],
        &["--overturned", "--reviewer", "ann"],
        &["--flag", "hostile-text"],
    ];
    for filter in filters {
        for format in [&[][..], &["--format", "csv"], &["--format", "jsonl"]] {
            same(file, &sue, &[&["recall"], filter, format].concat());
        }
    }
    let overturned = same(file, &sue, &["recall", "--overturned", "--format", "csv"]);
    assert_eq!(
        overturned.lines().count(),
        3,
        "R3, R18, not R17: {overturned}"
    );
    assert!(overturned.contains(",sue,"), "{overturned}");
    let csv = same_file(dir.path(), file, &sue, &["recall"], "r.csv");
    assert!(csv.contains(",'=Agency A,"), "a formula neutralised: {csv}");
    same_file(
        dir.path(),
        file,
        &sue,
        &["recall", "--since", &worked.mark],
        "r.jsonl",
    );

    // A reviewer sees the listing but may not mark; the refusal is audited.
    let out = run(&[
        "recall",
        "--overturned",
        "--mark",
        "--db",
        &server.url("bob", &db),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 release(s)"), "{}", stdout(&out));
    assert!(stderr(&out).contains("mark recalls"), "{}", stderr(&out));
    let q = |sql: &str| server.psql(&db, sql);
    let refused = "SELECT count(*) FROM matchgate.audit
                    WHERE actor = 'bob' AND action = 'recall' AND outcome = 'refused'";
    assert_eq!(q(refused), "1");
    // --by naming someone else: refused before anything is listed.
    let out = run(&["recall", "--mark", "--by", "root", "--db", &sue]);
    assert!(
        !out.status.success() && stdout(&out).is_empty(),
        "{}",
        stdout(&out)
    );

    // The supervisor marks: the same report as on the file, recorded as sue, audited.
    let args = [
        "recall",
        "--overturned",
        "--mark",
        "--reason",
        "disposal asked",
        "--by",
        "sue",
    ];
    let on_file = run(&[&args[..], &["--db", file.to_str().expect("utf-8")]].concat());
    let on_server = run(&[&args[..], &["--db", &sue]].concat());
    assert!(on_server.status.success(), "{}", stderr(&on_server));
    assert_eq!(stdout(&on_server), stdout(&on_file));
    assert_eq!(stderr(&on_server), stderr(&on_file));
    let said = stderr(&on_server);
    assert!(
        said.contains("recorded 2 recall(s) (audited); 0 already recalled"),
        "{said}"
    );
    let recalled = "SELECT string_agg('match:' || match_id, ',' ORDER BY release_id, match_id)
                      FROM matchgate.recalls
                     WHERE recalled_by = 'sue' AND reason = 'disposal asked'";
    let audited = "SELECT string_agg(object, ',' ORDER BY id) FROM matchgate.audit
                    WHERE actor = 'sue' AND action = 'recall' AND outcome = 'done'
                      AND detail LIKE '%disposal asked%'";
    let recalled = q(recalled);
    assert_eq!(recalled.split(',').count(), 2, "{recalled}");
    assert_eq!(q(audited), recalled);
    // Again: nothing new; the chain still verifies.
    let again = stderr(&run(&[&args[..], &["--db", &sue]].concat()));
    assert!(
        again.contains("recorded 0 recall(s) (audited); 2 already recalled"),
        "{again}"
    );
    ok(&["audit", "verify", "--db", &sue]);
}

#[test]
fn the_decision_history_is_the_same_file_and_a_reviewer_is_refused_it() {
    let dir = tempfile::tempdir().expect("dir");
    let worked = worked_file(dir.path());
    let Some((server, db)) = migrated("history_on_a_server", &worked.path) else {
        return;
    };
    let (file, sue) = (&worked.path, server.url("sue", &db));
    let export = ["export", "--decisions", "--by", "sue"];
    for name in ["history.csv", "history.jsonl"] {
        let text = same_file(dir.path(), file, &sue, &export, name);
        for event in ["overturn", "undo", "second_reject", "line two"] {
            assert!(text.contains(event), "{event} in {text}");
        }
    }
    let q = |sql: &str| server.psql(&db, sql);
    let exported = "SELECT count(*) FROM matchgate.audit
                     WHERE actor = 'sue' AND action = 'export-decisions' AND outcome = 'done'";
    assert_eq!(q(exported), "2");

    // A reviewer: refused, nothing written, the refusal audited.
    let bob_out = dir.path().join("bob.csv");
    let bob_out = bob_out.to_str().expect("utf-8");
    let bob = server.url("bob", &db);
    let out = run(&["export", "--decisions", "--db", &bob, "--out", bob_out]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("export the decision history"),
        "{}",
        stderr(&out)
    );
    assert!(!std::path::Path::new(bob_out).exists());
    let refused = "SELECT count(*) FROM matchgate.audit
                    WHERE actor = 'bob' AND action = 'export-decisions' AND outcome = 'refused'";
    assert_eq!(q(refused), "1");
    // An existing file is never overwritten.
    let existing = dir.path().join("history.csv");
    let out = run(&[
        &export[..],
        &["--db", &sue, "--out", existing.to_str().expect("utf-8")],
    ]
    .concat());
    assert!(
        stderr(&out).contains("never overwrites"),
        "{}",
        stderr(&out)
    );
    // The release runs on a server too (tests/pg_decisions.rs); the history export leaves the
    // matches as they were.
    assert_eq!(
        server.psql(
            &db,
            "SELECT count(*) FROM matchgate.matches WHERE status = 'released'"
        ),
        worked_released(&worked.path)
    );
}

#[test]
fn reviewer_figures_are_the_same_numbers_on_a_server() {
    let dir = tempfile::tempdir().expect("dir");
    let worked = worked_file(dir.path());
    let Some((server, db)) = migrated("figures_on_a_server", &worked.path) else {
        return;
    };
    let (file, bob) = (&worked.path, server.url("bob", &db));
    let day = &worked.mark[..10];
    let periods: [&[&str]; 4] = [
        &[],
        &["--since", &worked.mark],
        &["--since", day],
        &["--since", "2999-01-01"],
    ];
    for since in periods {
        for json in [&[][..], &["--json"]] {
            same(
                file,
                &bob,
                &[&["stats", "--reviewers"], since, json].concat(),
            );
        }
    }
    let report: serde_json::Value =
        serde_json::from_str(&same(file, &bob, &["stats", "--reviewers", "--json"])).expect("json");
    // ann 7 approvals standing (R11 undone) and 2 rejections; bob 8 and 2; cy 2 and 2.
    assert_eq!(report["overall"]["decisions"], 23, "{report:#}");
    assert_eq!(report["overall"]["approvals"], 17, "{report:#}");
    assert_eq!(
        report["pairs"].as_array().map(Vec::len),
        Some(4),
        "{report:#}"
    );
    // R2, R3 and R18 overturned; R17's overturn undone.
    assert_eq!(report["overall"]["overturned"], 3, "{report:#}");
    assert!(report.get("lots").is_none());
    // Under the Z1.4 plan each reviewer-day is a lot, read on each backend.
    let z14 = ["policy", "set", "acceptance_plan", "z14"];
    ok(&[
        &z14[..],
        &["--db", file.to_str().expect("utf-8"), "--by", "root"],
    ]
    .concat());
    ok(&[&z14[..], &["--db", &server.url("root", &db)]].concat());
    let text = same(file, &bob, &["stats", "--reviewers"]);
    assert!(text.contains("Z1.4 lots"), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&same(file, &bob, &["stats", "--reviewers", "--json"])).expect("json");
    assert_eq!(
        report["lots"].as_array().map(Vec::len),
        Some(3),
        "{report:#}"
    );
}

/// Released matches in the worked file.
fn worked_released(path: &std::path::Path) -> String {
    support::db(path)
        .query_row(
            "SELECT count(*) FROM matches WHERE status = 'released'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .expect("count")
        .to_string()
}
