//! The review screen on a PostgreSQL server, in real terminals: two people, each connected as
//! their own role, decide side by side; every decision a screen showed as saved is on the
//! server under that person's name, no request is decided by both, the audit chain verifies,
//! and quitting gives the claims back.

mod support;

use std::time::{Duration, Instant};

use support::pg::PgServer;
use support::pg_screens::{decide, rejections};
use support::{Tmux, run, stderr, stdout};

const EACH: usize = 5;

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
        let b = s.spawn(|| decide(&bob, &server, "bob", EACH));
        let a = s.spawn(|| decide(&ann, &server, "ann", EACH));
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
