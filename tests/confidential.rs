//! Confidential by default: every file matchgate makes that holds records (databases, their
//! -wal/-shm, training copies, exports) is owner-only whatever the umask, or readable by the
//! policy's team group; a database others can read draws one warning naming the file and the fix.
//! All through the real binary, run under umask 022 (the usual default, which makes 0644 files).
#![cfg(unix)]

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::{Tmux, bin, stderr, write_file};

const CSV: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin,gold,gold_note
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,900-11-1111,match,same person
R2,C2,0.95,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Rob,Baker,1981-02-02,9,Elm St,Peoria,IL,61602,900-22-2222,nonmatch,different DOB
";

/// The binary with umask 022 in force, as a new user's shell has it.
fn under_umask_022(args: &[&str]) -> Output {
    let mut cmd = bin();
    cmd.args(args);
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    cmd.output().expect("run matchgate")
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "failed: {}", stderr(&out));
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn sidecars(db: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
    [with("-wal"), with("-shm")]
}

/// Imports CSV into a new database (under umask 022) and returns its path.
fn imported(dir: &Path) -> PathBuf {
    let file = write_file(dir, "flagged.csv", CSV);
    let db = dir.join("m.db");
    ok(under_umask_022(&["import", "--db", s(&db), s(&file)]));
    db
}

/// Approves R1 through the library, so an export has something to release.
fn approve_r1(db: &Path) {
    use matchgate::domain::{Decision, Verdict};
    let mut store = matchgate::store::Store::open(db).expect("open");
    let id: i64 = support::db(db)
        .query_row(
            "SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id WHERE r.source_id = 'R1'",
            [],
            |r| r.get(0),
        )
        .expect("match id");
    let decision = Decision {
        match_id: id,
        reviewer: "alice".into(),
        verdict: Verdict::Approve,
        note: None,
        viewed_ms: 1000,
    };
    store.record_decision(&decision, "test").expect("approve");
}

#[test]
fn databases_and_exports_are_owner_only_under_umask_022() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inited = dir.path().join("init.db");
    ok(under_umask_022(&["init", "--db", s(&inited)]));
    assert_eq!(mode(&inited), 0o600, "init");

    let db = imported(dir.path());
    assert_eq!(mode(&db), 0o600, "import into a new database");

    // An empty file handed to init becomes the database: it is made private too.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("empty");
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    ok(under_umask_022(&["init", "--db", s(&empty)]));
    assert_eq!(mode(&empty), 0o600, "init on an empty file");

    approve_r1(&db);
    let release = dir.path().join("release.csv");
    ok(under_umask_022(&[
        "export",
        "--db",
        s(&db),
        "--out",
        s(&release),
        "--by",
        "sam",
    ]));
    assert!(
        std::fs::read_to_string(&release)
            .expect("read")
            .contains("Main St")
    );
    assert_eq!(mode(&release), 0o600, "release file");
    let history = dir.path().join("decisions.jsonl");
    ok(under_umask_022(&[
        "export",
        "--db",
        s(&db),
        "--decisions",
        "--out",
        s(&history),
    ]));
    assert_eq!(mode(&history), 0o600, "decision history");

    let kept = dir.path().join("kept-demo.db");
    ok(under_umask_022(&["demo", "--no-ui", "--keep", s(&kept)]));
    assert_eq!(mode(&kept), 0o600, "demo --keep");
}

/// The shell command that runs matchgate under umask 022 in a terminal.
fn umask_command(args: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_matchgate"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    vec![
        "sh".into(),
        "-c".into(),
        format!("umask 022; exec {}", quoted.join(" ")),
    ]
}

#[test]
fn wal_and_shm_of_an_open_database_are_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = imported(dir.path());
    let home = s(dir.path());
    let tmux = Tmux::start_command(
        &umask_command(&["review", "--db", s(&db)]),
        100,
        32,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    tmux.wait_for("request R1");
    tmux.keys(&["a"]);
    tmux.wait_for("(saved)");
    for file in std::iter::once(db.clone()).chain(sidecars(&db)) {
        assert_eq!(
            mode(&file),
            0o600,
            "{} while the screen is open",
            file.display()
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

/// The one entry of `parent` whose name starts with `prefix`.
fn only_entry(parent: &Path, prefix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(parent)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {prefix}* in {}: {found:?}",
        parent.display()
    );
    found[0].clone()
}

#[test]
fn training_copies_live_in_a_private_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = imported(dir.path());
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let home = s(dir.path());
    let env = [
        ("HOME", home),
        ("XDG_CONFIG_HOME", home),
        ("TMPDIR", s(&tmp)),
    ];

    for (args, prefix, file) in [
        (
            vec!["review", "--db", s(&db), "--training"],
            "matchgate-training-",
            "training.db",
        ),
        (vec!["demo"], "matchgate-demo-", "demo.db"),
    ] {
        let tmux = Tmux::start_command(&umask_command(&args), 100, 32, &env);
        tmux.wait_for("TRAINING");
        let private = only_entry(&tmp, prefix);
        assert_eq!(mode(&private), 0o700, "{}", private.display());
        let copy = private.join(file);
        for f in std::iter::once(copy.clone()).chain(sidecars(&copy)) {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        // With no decision made, q quits at once.
        tmux.keys(&["q"]);
        tmux.wait_exit();
        assert!(!private.exists(), "the temporary copy is deleted on exit");
    }
}

#[test]
fn a_database_others_can_read_draws_one_warning_with_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = imported(dir.path());
    let quiet = under_umask_022(&["stats", "--db", s(&db)]);
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));

    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = ok(under_umask_022(&["stats", "--db", s(&db)]));
    let err = stderr(&out);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains(&format!("chmod 600 {}", db.display())),
        "{err}"
    );
    assert_eq!(mode(&db), 0o644, "a warning, not a silent change");
    // It names no record content.
    assert!(!err.contains("Archer") && !err.contains("Main St"), "{err}");
}

/// A group of this host other than our own, to share with.
fn another_group() -> (String, u32) {
    let own = unsafe { libc::getegid() };
    std::fs::read_to_string("/etc/group")
        .expect("/etc/group")
        .lines()
        .filter_map(|l| {
            let mut parts = l.split(':');
            let name = parts.next()?.to_string();
            let gid = parts.nth(1)?.parse::<u32>().ok()?;
            Some((name, gid))
        })
        .find(|(_, gid)| *gid != own)
        .expect("a second group in /etc/group")
}

#[test]
fn a_team_group_shares_the_database_and_exports_with_0660() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = imported(dir.path());
    let (group, gid) = another_group();
    let out = ok(under_umask_022(&[
        "policy",
        "set",
        "--db",
        s(&db),
        "team_group",
        &group,
        "--by",
        "sam",
    ]));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(mode(&db), 0o660);
    assert_eq!(std::fs::metadata(&db).expect("meta").gid(), gid);

    approve_r1(&db);
    let release = dir.path().join("release.jsonl");
    let out = ok(under_umask_022(&[
        "export",
        "--db",
        s(&db),
        "--out",
        s(&release),
        "--by",
        "sam",
    ]));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(mode(&release), 0o660);
    assert_eq!(std::fs::metadata(&release).expect("meta").gid(), gid);

    // World-readable is still exposed with a team group, and the fix names the group.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    let err = stderr(&ok(under_umask_022(&["stats", "--db", s(&db)])));
    assert!(err.contains(&format!("chgrp {group}")), "{err}");
    assert!(err.contains("chmod 660"), "{err}");

    // Back to owner-only.
    ok(under_umask_022(&[
        "policy",
        "set",
        "--db",
        s(&db),
        "team_group",
        "",
        "--by",
        "sam",
    ]));
    assert_eq!(mode(&db), 0o600);
    let bad = under_umask_022(&[
        "policy",
        "set",
        "--db",
        s(&db),
        "team_group",
        "no-such-group-qq",
        "--by",
        "sam",
    ]);
    assert!(!bad.status.success(), "an unknown group is refused");
    assert!(
        stderr(&bad).contains("no-such-group-qq"),
        "{}",
        stderr(&bad)
    );
}
