//! End to end: a trainer's scenario run in a real terminal (tmux), from the first item to the
//! scoreboard, then the JSON scoreboard and the kept training database.

mod support;

use support::{Tmux, count, db};

/// The basics scenario in queue order (best score first) with its gold answers.
const QUEUE: [(&str, &str); 14] = [
    ("BAS-R01", "match"),
    ("BAS-R02", "match"),
    ("BAS-R08", "nonmatch"),
    ("BAS-R05", "match"),
    ("BAS-R14", "nonmatch"),
    ("BAS-R09", "nonmatch"),
    ("BAS-R13", "nonmatch"),
    ("BAS-R03", "match"),
    ("BAS-R07", "nonmatch"),
    ("BAS-R04", "match"),
    ("BAS-R11", "match"),
    ("BAS-R12", "match"),
    ("BAS-R10", "nonmatch"),
    ("BAS-R06", "nonmatch"),
];

#[test]
fn a_scenario_runs_to_the_scoreboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = dir.path().join("training.db");
    let home = dir.path().to_str().expect("utf-8");
    let tmux = Tmux::start(
        &[
            "demo",
            "--scenario",
            "basics",
            "--reviewer",
            "trainee",
            "--keep",
            kept.to_str().expect("utf-8"),
            "--json",
        ],
        110,
        34,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    tmux.wait_for("TRAINING");
    for (index, (request, gold)) in QUEUE.iter().enumerate() {
        tmux.wait_for(&format!("request {request} "));
        if index == 0 {
            tmux.keys(&["a"]);
        } else {
            tmux.keys(&["r"]);
            tmux.wait_for("Reject · why?");
            tmux.keys(&["4"]);
        }
        let right = (index == 0 && *gold == "match") || (index > 0 && *gold == "nonmatch");
        let expected = if right { "✔ Right" } else { "Missed match" };
        // Waiting for the contents (not the popup's title) so a half-drawn frame never counts;
        // a wrong verdict shows as a timeout with the screen.
        tmux.wait_for_all(&[
            "Training feedback",
            expected,
            &format!("Right answer: {gold}"),
            "any key continues",
        ]);
        tmux.keys(&["Enter"]);
        tmux.wait_gone("Training feedback");
    }
    tmux.wait_for_all(&[
        "Training scoreboard",
        "Accuracy 57% (8 of 14 judged decisions right)",
        "False releases 0",
        "Missed matches 6",
        "✖ missed match BAS-R02",
        "Esc returns to the queue",
    ]);
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let after = tmux.history();
    assert!(
        after.contains("\"missed_matches\": 6"),
        "the JSON scoreboard is printed:\n{after}"
    );
    assert!(after.contains("\"accuracy\": 0.571"), "{after}");

    let conn = db(&kept);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions WHERE reviewer = 'trainee'"
        ),
        14
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM matches WHERE status = 'approved'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM matches WHERE status = 'rejected'"
        ),
        13
    );
}

#[test]
fn review_training_works_on_a_scratch_copy_and_leaves_the_original_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = dir.path().join("gold.db");
    let path = original.to_str().expect("utf-8");
    let out = support::run(&["demo", "--scenario", "basics", "--no-ui", "--keep", path]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    // Content, not bytes: opening a WAL database checkpoints it, which rewrites the file.
    let audit_before = count(&db(&original), "SELECT count(*) FROM audit");
    let home = dir.path().to_str().expect("utf-8");
    let tmux = Tmux::start(
        &[
            "review",
            "--db",
            path,
            "--training",
            "--reviewer",
            "trainee",
        ],
        110,
        34,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    tmux.wait_for("training copy");
    tmux.wait_for("request BAS-R01 ");
    tmux.keys(&["a"]);
    tmux.wait_for("Training feedback");
    tmux.keys(&["Enter"]);
    tmux.wait_gone("Training feedback");
    tmux.keys(&["q"]);
    tmux.wait_for("Training scoreboard");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let conn = db(&original);
    assert_eq!(count(&conn, "SELECT count(*) FROM decisions"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM matches WHERE status != 'pending'"
        ),
        0
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit"),
        audit_before,
        "nothing was audited in the original"
    );
}

#[test]
fn review_training_refuses_a_database_without_gold_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = support::write_file(
        dir.path(),
        "plain.csv",
        "request_id,candidate_id,score\nR1,C1,0.9\n",
    );
    let db_path = dir.path().join("plain.db");
    let path = db_path.to_str().expect("utf-8");
    assert!(
        support::run(&["import", "--db", path, csv.to_str().expect("utf-8")])
            .status
            .success()
    );
    let out = support::run(&["review", "--db", path, "--training"]);
    assert!(!out.status.success());
    assert!(
        support::stderr(&out).contains("no gold answers"),
        "{}",
        support::stderr(&out)
    );
}
