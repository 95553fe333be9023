//! `matchgate user …` and the role checks every command makes, from the outside: exit codes,
//! messages that name the fix, and the audit log afterwards.

mod support;

use support::{count, db, run, stderr, stdout};

fn demo_db(dir: &std::path::Path) -> String {
    let path = dir.join("team.db");
    let path = path.to_str().expect("utf-8").to_string();
    assert!(run(&["demo", "--no-ui", "--keep", &path]).status.success());
    path
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        !out.status.success(),
        "{args:?} should be refused: {}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    stderr(&out)
}

#[test]
fn users_are_managed_by_admins_and_every_change_is_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_db(dir.path());
    assert!(ok(&["user", "list", "--db", &path]).contains("single-user mode"));
    let err = refused(&[
        "user", "add", "--db", &path, "rita", "--role", "reviewer", "--by", "x",
    ]);
    assert!(
        err.contains("first user of a database must be an admin"),
        "{err}"
    );
    ok(&[
        "user", "add", "--db", &path, "ada", "--role", "admin", "--by", "ada",
    ]);
    ok(&[
        "user", "add", "--db", &path, "rita", "--role", "reviewer", "--by", "ada",
    ]);
    ok(&[
        "user",
        "add",
        "--db",
        &path,
        "sam",
        "--role",
        "supervisor",
        "--by",
        "ada",
    ]);
    let err = refused(&[
        "user", "add", "--db", &path, "eve", "--role", "admin", "--by", "rita",
    ]);
    assert!(
        err.contains("rita is a reviewer") && err.contains("admin role"),
        "{err}"
    );
    let list = ok(&["user", "list", "--db", &path]);
    for line in ["ada", "rita", "sam", "supervisor", "enabled"] {
        assert!(list.contains(line), "{list}");
    }
    ok(&["user", "disable", "--db", &path, "rita", "--by", "ada"]);
    assert!(ok(&["user", "list", "--db", &path]).contains("DISABLED"));
    let err = refused(&["user", "disable", "--db", &path, "ada", "--by", "ada"]);
    assert!(err.contains("no enabled admin"), "{err}");
    ok(&[
        "user",
        "role",
        "--db",
        &path,
        "rita",
        "supervisor",
        "--by",
        "ada",
    ]);
    let err = refused(&[
        "user",
        "add",
        "--db",
        &path,
        "bad\u{1b}[2Jname",
        "--role",
        "reviewer",
        "--by",
        "ada",
    ]);
    assert!(
        err.contains("control or invisible") && !err.contains('\u{1b}'),
        "{err}"
    );

    let conn = db(std::path::Path::new(&path));
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action LIKE 'user-%' AND outcome = 'done'"
        ),
        5
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action LIKE 'user%' AND outcome = 'refused'"
        ) >= 4
    );
    assert!(run(&["audit", "verify", "--db", &path]).status.success());
}

#[test]
fn every_command_checks_the_role_once_people_are_registered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_db(dir.path());
    ok(&[
        "user", "add", "--db", &path, "ada", "--role", "admin", "--by", "ada",
    ]);
    ok(&[
        "user", "add", "--db", &path, "rita", "--role", "reviewer", "--by", "ada",
    ]);
    ok(&[
        "user",
        "add",
        "--db",
        &path,
        "sam",
        "--role",
        "supervisor",
        "--by",
        "ada",
    ]);
    let out_file = dir.path().join("release.csv");
    let out = out_file.to_str().expect("utf-8");
    // A reviewer may not loosen the two-person rule, hold, release, recall or override.
    for (args, act) in [
        (
            vec![
                "policy",
                "set",
                "--db",
                &path,
                "approvals_required",
                "1",
                "--by",
                "rita",
            ],
            "change the release policy",
        ),
        (
            vec![
                "hold",
                "add",
                "--db",
                &path,
                "--batch",
                "2026-11-hhs-locate",
                "--reason",
                "order",
                "--by",
                "rita",
            ],
            "legal holds",
        ),
        (
            vec!["export", "--db", &path, "--out", out, "--by", "rita"],
            "export",
        ),
        (
            vec!["recall", "--db", &path, "--mark", "--by", "rita"],
            "recalls",
        ),
        (
            vec![
                "override",
                "--db",
                &path,
                "--match",
                "1",
                "--supervisor",
                "rita",
                "--justification",
                "x",
            ],
            "override",
        ),
    ] {
        let err = refused(&args);
        assert!(
            err.contains("rita is a reviewer") && err.contains(act),
            "{args:?}: {err}"
        );
    }
    assert!(!out_file.exists(), "a refused export wrote nothing");
    // The review screen refuses unknown and disabled people before the terminal is touched.
    let err = refused(&["review", "--db", &path, "--reviewer", "stranger"]);
    assert!(err.contains("stranger is not a registered user"), "{err}");
    ok(&[
        "hold",
        "add",
        "--db",
        &path,
        "--batch",
        "2026-11-hhs-locate",
        "--reason",
        "court order",
        "--by",
        "sam",
    ]);
    let err = refused(&[
        "policy",
        "set",
        "--db",
        &path,
        "supervisors",
        "rita",
        "--by",
        "ada",
    ]);
    assert!(err.contains("user role"), "{err}");
    ok(&[
        "policy",
        "set",
        "--db",
        &path,
        "approvals_required",
        "2",
        "--by",
        "ada",
    ]);
    let conn = db(std::path::Path::new(&path));
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE actor IN ('rita', 'stranger') AND outcome = 'refused'"
        ) >= 6
    );
}

#[test]
fn identity_login_holds_people_to_their_login_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_db(dir.path());
    ok(&["policy", "set", "--db", &path, "identity", "login"]);
    let err = refused(&[
        "review",
        "--db",
        &path,
        "--reviewer",
        "somebody-else-entirely",
    ]);
    assert!(
        err.contains("policy identity = login") && err.contains("logged in as"),
        "{err}"
    );
    // `$USER` is not evidence of who is logged in.
    let out = support::bin()
        .args([
            "hold",
            "add",
            "--db",
            &path,
            "--batch",
            "2026-11-hhs-locate",
            "--reason",
            "r",
        ])
        .env("USER", "somebody-else-entirely")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "the login name is taken from the user id: {}",
        stderr(&out)
    );
    let conn = db(std::path::Path::new(&path));
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM holds WHERE added_by = 'somebody-else-entirely'"
        ),
        0
    );
}
