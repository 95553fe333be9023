//! Deciding on a server: the shared decision logic in a server transaction, as the connected
//! role. The same decisions give the same history as on a SQLite file; several people deciding
//! at once never decide one match twice and keep one audit chain; nobody decides as another.

mod support;

use matchgate::domain::{Decision, ReasonCode, Verdict};
use matchgate::store::postgres::PgStore;
use matchgate::store::{AuditVerdict, Store, StoreError};
use support::pg::PgServer;
use support::{db, run, stderr};

/// A server with `rows` generated matches imported, and people bob, ann, cy (reviewers) able to
/// log in; the same file imported into a SQLite file with the same people.
fn both(test: &str, rows: u32) -> Option<(PgServer, tempfile::TempDir, std::path::PathBuf)> {
    let server = PgServer::start(test)?;
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("g.csv");
    let csv_path = csv.to_str().expect("path");
    let out = run(&[
        "generate",
        "--rows",
        &rows.to_string(),
        "--seed",
        "4",
        "--out",
        csv_path,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let owner = server.url("postgres", &server.create_database("team"));
    let file = dir.path().join("m.db");
    let file_db = file.to_str().expect("path");
    for db in [owner.as_str(), file_db] {
        for args in [
            vec!["init", "--db", db],
            vec!["import", "--db", db, csv_path],
        ] {
            let out = run(&args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        }
    }
    for (who, role) in [
        ("alice", "admin"),
        ("bob", "reviewer"),
        ("ann", "reviewer"),
        ("cy", "reviewer"),
        ("carol", "supervisor"),
    ] {
        server.add_login(who, &format!("{who}-pw"));
        for (db, by) in [(owner.as_str(), "postgres"), (file_db, "alice")] {
            let out = run(&["user", "add", who, "--role", role, "--db", db, "--by", by]);
            assert!(out.status.success(), "user add {who}: {}", stderr(&out));
        }
    }
    Some((server, dir, file))
}

fn as_person(server: &PgServer, who: &str) -> PgStore {
    let client = postgres::Config::new()
        .host("127.0.0.1")
        .port(server.port())
        .user(who)
        .password(format!("{who}-pw"))
        .dbname("team")
        .connect(postgres::NoTls)
        .expect("connect");
    PgStore::open_on(client, "test server").expect("open")
}

fn decision(match_id: i64, who: &str, verdict: Verdict) -> Decision {
    Decision {
        match_id,
        reviewer: who.into(),
        verdict,
        note: Some("seen".into()),
        viewed_ms: 900,
    }
}

#[test]
fn the_same_decisions_give_the_same_history_on_both() {
    let Some((server, _dir, file)) = both("the_same_decisions_give_the_same_history", 60) else {
        return;
    };
    let mut here = Store::open(&file).expect("file");
    let mut bob = as_person(&server, "bob");
    let steps: Vec<(i64, Verdict)> = vec![
        (1, Verdict::Approve),
        (2, Verdict::Reject(ReasonCode::DifferentPerson)),
        (3, Verdict::Defer),
        (4, Verdict::Escalate),
        (5, Verdict::Note),
        (6, Verdict::Approve),
    ];
    for (match_id, verdict) in steps {
        let d = decision(match_id, "bob", verdict);
        let a = here.record_decision(&d, "s").map_err(|e| e.to_string());
        let b = bob.record_decision(&d, "s").map_err(|e| e.to_string());
        assert_eq!(b, a, "match {match_id}");
    }
    let reject = Verdict::Reject(ReasonCode::DobConflict);
    let group = here
        .record_decision(&decision(7, "bob", reject), "s")
        .expect("file")
        .group_id;
    let same = bob
        .record_decision(&decision(7, "bob", reject), "s")
        .expect("server")
        .group_id;
    assert_eq!(same, group);
    assert_eq!(
        bob.undo_group(group, "bob", "s").map_err(|e| e.to_string()),
        here.undo_group(group, "bob", "s")
            .map_err(|e| e.to_string())
    );
    // Undone twice, and by someone else: refused alike.
    let mut ann = as_person(&server, "ann");
    assert_eq!(
        ann.undo_group(group, "ann", "s").map_err(|e| e.to_string()),
        here.undo_group(group, "ann", "s")
            .map_err(|e| e.to_string())
    );

    let conn = db(&file);
    let line = "id || ',' || match_id || ',' || group_id || ',' || reviewer || ',' || action || ','
                || status_before || ',' || status_after || ',' || coalesce(reason_code, '-')
                || ',' || coalesce(undoes, 0)";
    let here_history: String = conn
        .query_row(
            &format!("SELECT group_concat(line, '|') FROM (SELECT {line} AS line FROM decisions ORDER BY id)"),
            [],
            |r| r.get(0),
        )
        .expect("history");
    let there_history = server.psql(
        "team",
        &format!("SELECT string_agg({line}, '|' ORDER BY id) FROM matchgate.decisions"),
    );
    assert_eq!(there_history, here_history);
    assert!(here_history.contains(",undo,"), "{here_history}");
    let statuses = "SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM matchgate.matches";
    let here_status: String = conn
        .query_row("SELECT group_concat(id || ':' || status, ',') FROM (SELECT id, status FROM matches ORDER BY id)", [], |r| r.get(0))
        .expect("statuses");
    assert_eq!(server.psql("team", statuses), here_status);
    assert!(matches!(
        bob.audit_verify().expect("verify"),
        AuditVerdict::Intact { .. }
    ));
}

#[test]
fn several_people_at_once_never_decide_a_match_twice() {
    let Some((server, _dir, _file)) = both("several_people_at_once", 200) else {
        return;
    };
    // Everyone tries every one of the first 40 matches, in a different order.
    let workers: Vec<_> = ["bob", "ann", "cy"]
        .into_iter()
        .enumerate()
        .map(|(k, who)| {
            let mut store = as_person(&server, who);
            std::thread::spawn(move || {
                let mut saved = Vec::new();
                for i in 0..40 {
                    let match_id = 1 + (i * 7 + k as i64 * 13) % 40;
                    let verdict = Verdict::Reject(ReasonCode::DifferentPerson);
                    match store.record_decision(&decision(match_id, who, verdict), who) {
                        Ok(outcome) => saved.push((match_id, outcome.group_id)),
                        Err(StoreError::Refused(m)) => assert!(m.contains("already"), "{m}"),
                        Err(e) => panic!("{who}: {e}"),
                    }
                }
                saved
            })
        })
        .collect();
    let mut decided: Vec<i64> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .map(|(m, _)| m)
        .collect();
    decided.sort_unstable();
    let before = decided.len();
    decided.dedup();
    assert_eq!(decided.len(), before, "a match was decided twice");
    assert_eq!(
        server.psql("team", "SELECT count(DISTINCT match_id) FROM matchgate.decisions WHERE action = 'reject' AND reason_code = 'different_person'"),
        before.to_string()
    );
    let mut bob = as_person(&server, "bob");
    assert!(matches!(
        bob.audit_verify().expect("verify"),
        AuditVerdict::Intact { .. }
    ));
    // And nobody decides as another.
    let err = bob
        .record_decision(&decision(150, "ann", Verdict::Note), "s")
        .err();
    assert!(
        matches!(&err, Some(StoreError::Refused(m)) if m.contains("you act as the role")),
        "{err:?}"
    );
}

#[test]
fn a_supervisor_checks_on_the_server_as_on_a_file() {
    use matchgate::domain::supervision::{Check, CheckVerdict};
    let Some((server, _dir, file)) = both("a_supervisor_checks_on_the_server", 40) else {
        return;
    };
    let mut here = Store::open(&file).expect("file");
    let mut bob = as_person(&server, "bob");
    let mut carol = as_person(&server, "carol");
    let reject = Verdict::Reject(ReasonCode::DifferentPerson);
    let mut groups = Vec::new();
    for match_id in [3, 4] {
        let d = decision(match_id, "bob", reject);
        let a = here.record_decision(&d, "s").expect("file").group_id;
        let b = bob.record_decision(&d, "s").expect("server").group_id;
        assert_eq!(a, b);
        groups.push(a);
    }
    let checks = [
        (groups[0], CheckVerdict::Agree, None),
        (
            groups[1],
            CheckVerdict::Overturn(ReasonCode::Ambiguous),
            Some("not the same person".to_string()),
        ),
        // Checked already: refused alike.
        (groups[1], CheckVerdict::Agree, None),
    ];
    for (decision_id, verdict, note) in checks {
        let check = Check {
            decision_id,
            supervisor: "carol".into(),
            verdict,
            note,
            viewed_ms: 500,
        };
        let a = here.record_check(&check, "c").map_err(|e| e.to_string());
        let b = carol.record_check(&check, "c").map_err(|e| e.to_string());
        assert_eq!(b, a, "check of {decision_id}");
    }
    // A reviewer may not check.
    let check = Check {
        decision_id: groups[0],
        supervisor: "bob".into(),
        verdict: CheckVerdict::Agree,
        note: None,
        viewed_ms: 1,
    };
    let err = bob.record_check(&check, "s").err();
    assert!(matches!(&err, Some(StoreError::Refused(_))), "{err:?}");
    assert_eq!(
        server.psql("team", "SELECT status FROM matchgate.matches WHERE id = 4"),
        db(&file)
            .query_row("SELECT status FROM matches WHERE id = 4", [], |r| r
                .get::<_, String>(0))
            .expect("status")
    );
}

/// The release on a server, as a supervisor: the same dry run and the same file as on SQLite
/// after the same approvals; a reviewer may not release; nothing is released twice.
#[test]
fn a_release_on_the_server_hands_over_what_the_file_would() {
    let Some((server, dir, file)) = both("a_release_on_the_server", 80) else {
        return;
    };
    let mut here = Store::open(&file).expect("file");
    let mut bob = as_person(&server, "bob");
    let mut approved = 0;
    for match_id in 1..=80 {
        let d = decision(match_id, "bob", Verdict::Approve);
        let a = here.record_decision(&d, "s").map_err(|e| e.to_string());
        let b = bob.record_decision(&d, "s").map_err(|e| e.to_string());
        assert_eq!(b, a, "match {match_id}");
        approved += usize::from(a.is_ok());
    }
    assert!(approved > 3, "{approved} approvals");
    let file_db = file.to_str().expect("path");
    let carol = server.url("carol", "team");
    let dry = |db: &str| {
        let out = run(&["export", "--dry-run", "--db", db, "--by", "carol"]);
        assert!(out.status.success(), "{}", stderr(&out));
        support::stdout(&out)
    };
    assert_eq!(dry(&carol), dry(file_db));
    // A reviewer may not release.
    let refused = run(&[
        "export",
        "--db",
        &server.url("bob", "team"),
        "--out",
        dir.path().join("bob.csv").to_str().expect("path"),
    ]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("may not"), "{}", stderr(&refused));
    let mut files = Vec::new();
    for (db, name) in [(file_db, "file.csv"), (carol.as_str(), "server.csv")] {
        let out_path = dir.path().join(name);
        let out = run(&[
            "export",
            "--db",
            db,
            "--by",
            "carol",
            "--out",
            out_path.to_str().expect("path"),
        ]);
        assert!(out.status.success(), "export: {}", stderr(&out));
        // The release time differs; everything else must not.
        let text = std::fs::read_to_string(&out_path).expect("export file");
        let without_time: Vec<String> = text
            .lines()
            .map(|l| {
                let mut cols: Vec<&str> = l.split(',').collect();
                if cols.len() > 1 {
                    cols.remove(1);
                }
                cols.join(",")
            })
            .collect();
        files.push(without_time);
    }
    assert_eq!(files[1], files[0]);
    assert!(files[0].len() > 1, "something was released");
    assert_eq!(
        server.psql("team", "SELECT count(*) FROM matchgate.release_items"),
        (files[0].len() - 1).to_string()
    );
    // Again: nothing twice.
    let again = dir.path().join("again.csv");
    let out = run(&[
        "export",
        "--db",
        &carol,
        "--out",
        again.to_str().expect("path"),
    ]);
    assert!(
        support::stdout(&out).contains("nothing releasable"),
        "{}",
        support::stdout(&out)
    );
    assert!(matches!(
        bob.audit_verify().expect("verify"),
        AuditVerdict::Intact { .. }
    ));
}

/// A supervisor's override on a server: the same match, refused only by address sufficiency,
/// becomes approved the same way as on a file; a reviewer may not override.
#[test]
fn an_override_on_the_server_is_the_files() {
    let Some((server, _dir, file)) = both("an_override_on_the_server", 120) else {
        return;
    };
    let here = Store::open(&file).expect("file");
    // A pending match whose only refusal is the address rule (what an override lifts).
    let target = (1..=120)
        .find(|id| {
            here.release_preview(*id).is_ok_and(|(_, refusals)| {
                refusals.iter().any(|r| r.rule == "address-sufficiency")
                    && refusals
                        .iter()
                        .all(|r| r.rule == "address-sufficiency" || r.rule == "approval")
            })
        })
        .expect("a match refused only by the address rule");
    let id = target.to_string();
    let file_db = file.to_str().expect("path");
    let bob = run(&[
        "override",
        "--db",
        &server.url("bob", "team"),
        "--match",
        &id,
        "--supervisor",
        "bob",
        "--justification",
        "confirmed by phone",
    ]);
    assert!(!bob.status.success(), "a reviewer overrode");
    let mut said = Vec::new();
    for db in [file_db.to_string(), server.url("carol", "team")] {
        let out = run(&[
            "override",
            "--db",
            &db,
            "--match",
            &id,
            "--supervisor",
            "carol",
            "--justification",
            "confirmed by phone",
        ]);
        assert!(out.status.success(), "override: {}", stderr(&out));
        said.push(support::stdout(&out));
    }
    assert_eq!(said[1], said[0]);
    assert!(said[0].contains("the match is now approved"), "{}", said[0]);
    assert_eq!(
        server.psql(
            "team",
            &format!("SELECT supervisor FROM matchgate.overrides WHERE match_id = {id}")
        ),
        "carol"
    );
}
