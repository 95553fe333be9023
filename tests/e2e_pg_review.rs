//! The review screen on a PostgreSQL server, in real terminals: two people, each connected as
//! their own role, decide side by side; every decision a screen showed as saved is on the
//! server under that person's name, no request is decided by both, the audit chain verifies,
//! and quitting gives the claims back.

mod support;

use std::time::{Duration, Instant};

use support::pg::PgServer;
use support::{Tmux, run, stderr, stdout};

const EACH: usize = 5;

/// Rejections by `who` on the server.
fn rejections(server: &PgServer, who: &str) -> usize {
    server
        .psql(
            "team",
            &format!("SELECT count(*) FROM matchgate.decisions WHERE reviewer = '{who}' AND action = 'reject'"),
        )
        .parse()
        .expect("a count")
}

/// Decides `EACH` items with a rejection (reason 4), each key press waiting until the server
/// has the decision (the screen's "saved" line can be replaced by the next item between looks).
fn decide(tmux: &Tmux, server: &PgServer, who: &str) {
    for i in 0..EACH {
        tmux.wait_for("why flagged");
        let shown = shown_item(&tmux.screen());
        tmux.keys(&["r", "4"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while rejections(server, who) <= i {
            let screen = tmux.screen();
            for bad in ["NOT saved", "error", "failed"] {
                assert!(!screen.contains(bad), "{who}: {screen}");
            }
            assert!(Instant::now() < deadline, "{who}: never saved:\n{screen}");
            std::thread::sleep(Duration::from_millis(30));
        }
        // Saved; the next key is for the next item, once the screen shows it.
        while shown_item(&tmux.screen()) == shown && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The line naming the item on screen (request and candidate).
fn shown_item(screen: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.contains(" to do] request "))
        .map(str::to_string)
}

#[test]
fn two_people_review_on_a_server_side_by_side() {
    let Some(server) = PgServer::start("two_people_review_on_a_server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("g.csv");
    let csv_path = csv.to_str().expect("path");
    let out = run(&[
        "generate", "--rows", "200", "--seed", "9", "--out", csv_path,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let owner = server.url("postgres", &server.create_database("team"));
    for args in [
        vec!["init", "--db", &owner],
        vec!["import", "--db", &owner, csv_path],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    for who in ["bob", "ann"] {
        server.add_login(who, &format!("{who}-pw"));
        let out = run(&["user", "add", who, "--role", "reviewer", "--db", &owner]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let home = dir.path().to_str().expect("path");
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home)];
    let urls: Vec<String> = ["bob", "ann"]
        .iter()
        .map(|w| server.url(w, "team"))
        .collect();
    let bob = Tmux::start(&["review", "--db", &urls[0]], 100, 32, &env);
    let ann = Tmux::start(&["review", "--db", &urls[1]], 100, 32, &env);
    std::thread::scope(|s| {
        let b = s.spawn(|| decide(&bob, &server, "bob"));
        let a = s.spawn(|| decide(&ann, &server, "ann"));
        b.join().expect("bob");
        a.join().expect("ann");
    });
    for who in ["bob", "ann"] {
        assert_eq!(rejections(&server, who), EACH, "{who}");
    }
    // Never the same request for both, never a match decided twice.
    let shared = server.psql(
        "team",
        "SELECT count(*) FROM (SELECT m.request_id FROM matchgate.decisions d
           JOIN matchgate.matches m ON m.id = d.match_id
          GROUP BY m.request_id HAVING count(DISTINCT d.reviewer) > 1) both_",
    );
    assert_eq!(shared, "0");
    let twice = server.psql(
        "team",
        "SELECT count(*) FROM (SELECT match_id FROM matchgate.decisions WHERE action = 'reject'
          GROUP BY match_id HAVING count(*) > 1) twice",
    );
    assert_eq!(twice, "0");
    for tmux in [&bob, &ann] {
        tmux.keys(&["q"]);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.psql("team", "SELECT count(*) FROM matchgate.claims") != "0" {
        assert!(Instant::now() < deadline, "claims left after quitting");
        std::thread::sleep(Duration::from_millis(50));
    }
    let verified = run(&["audit", "verify", "--db", &urls[0]]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("intact"),
        "{}",
        stdout(&verified)
    );
}
