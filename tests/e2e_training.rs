//! End to end: a trainer's scenario run in a real terminal (tmux), from the first item to the
//! scoreboard, then the JSON scoreboard and the kept training database.

mod support;

use support::{Tmux, count, db};

/// The basics scenario in queue order (best score first) with its gold answers.
const QUEUE: [(&str, &str); 10] = [
    ("BAS-R01", "match"),
    ("BAS-R02", "match"),
    ("BAS-R08", "nonmatch"),
    ("BAS-R05", "match"),
    ("BAS-R09", "nonmatch"),
    ("BAS-R03", "match"),
    ("BAS-R07", "nonmatch"),
    ("BAS-R04", "match"),
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
        let screen = tmux.wait_for("Training feedback");
        let right = (index == 0 && *gold == "match") || (index > 0 && *gold == "nonmatch");
        let expected = if right { "✔ Right" } else { "Missed match" };
        assert!(
            screen.contains(expected),
            "{request}: expected {expected:?}:\n{screen}"
        );
        assert!(
            screen.contains(&format!("Right answer: {gold}")),
            "{screen}"
        );
        tmux.keys(&["Enter"]);
    }
    let screen = tmux.wait_for("Training scoreboard");
    assert!(
        screen.contains("Accuracy 60% (6 of 10 judged decisions right)"),
        "{screen}"
    );
    assert!(screen.contains("False releases 0"), "{screen}");
    assert!(screen.contains("Missed matches 4"), "{screen}");
    assert!(screen.contains("✖ missed match BAS-R02"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let after = tmux.history();
    assert!(
        after.contains("\"missed_matches\": 4"),
        "the JSON scoreboard is printed:\n{after}"
    );
    assert!(after.contains("\"accuracy\": 0.6"), "{after}");

    let conn = db(&kept);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions WHERE reviewer = 'trainee'"
        ),
        10
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
        9
    );
}
