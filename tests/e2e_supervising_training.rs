//! End to end, the supervising scenario: a trainee supervises the prepared history in a real
//! terminal, overturning one planted mistake and agreeing with everything else (the other
//! mistake among them); the scoreboard then says which mistake was caught and which was missed,
//! and the JSON scoreboard agrees.

mod support;

use support::Tmux;

/// Works through the eight spot checks: overturns the requests in `overturn`, agrees with the
/// rest. Returns the screen after the last one.
fn supervise(tmux: &Tmux, overturn: &[&str]) -> String {
    for _ in 0..8 {
        let screen = tmux.wait_for_all(&["under check", "] request "]);
        let shown = screen
            .lines()
            .find_map(|l| {
                let at = l.find("] request ")?;
                l[at + "] request ".len()..].split_whitespace().next()
            })
            .unwrap_or_else(|| panic!("a request on screen:\n{screen}"))
            .to_string();
        if overturn.contains(&shown.as_str()) {
            tmux.keys(&["o"]);
            tmux.wait_for("what was wrong?");
            tmux.keys(&["6"]);
            tmux.wait_for("note (required)");
            tmux.keys(&["-l", "stale address"]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("saved: overturned decision");
        } else {
            tmux.keys(&["y"]);
            tmux.wait_for("saved: agreed with decision");
        }
        tmux.wait_gone(&format!("request {shown} "));
    }
    tmux.wait_for("Nothing to supervise")
}

#[test]
fn the_scoreboard_says_which_planted_mistakes_were_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().to_str().expect("utf-8");
    let tmux = Tmux::start(
        &[
            "demo",
            "--scenario",
            "supervising",
            "--reviewer",
            "tess",
            "--json",
        ],
        150,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    supervise(&tmux, &["SUP-R03"]);
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let out = tmux.history();
    let start = out.find('{').expect("the JSON scoreboard");
    let end = out.rfind('}').expect("the JSON scoreboard");
    let json: String = out[start..=end].lines().map(str::trim).collect();
    let board: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(board["mistakes"], 2, "{board}");
    assert_eq!(board["caught"], 1, "{board}");
    assert_eq!(board["false_alarms"], 0, "{board}");
    assert_eq!(
        board["false_releases_missed"], 0,
        "the false release was overturned: {board}"
    );
    let judged: Vec<(String, String)> = board["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            (
                d[0]["request"].as_str().unwrap_or_default().to_string(),
                d[1].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        judged.contains(&("SUP-R03".into(), "caught".into())),
        "{judged:?}"
    );
    assert!(
        judged.contains(&("SUP-R06".into(), "missed_agreed".into())),
        "{judged:?}"
    );
    assert_eq!(
        judged.iter().filter(|(_, j)| j == "rightly_agreed").count(),
        6,
        "{judged:?}"
    );
}
