//! Driving review screens on a server (database `team`) from a test: rejections made by keys,
//! each confirmed by the server before the next key.

use std::time::{Duration, Instant};

use super::Tmux;
use super::pg::PgServer;

/// Rejections by `who` on the server.
pub fn rejections(server: &PgServer, who: &str) -> usize {
    server
        .psql(
            "team",
            &format!(
                "SELECT count(*) FROM matchgate.decisions WHERE reviewer = '{who}' AND action = 'reject'"
            ),
        )
        .parse()
        .expect("a count")
}

/// `n` more rejections (reason 4) on `who`'s screen, each key waiting until the server has the
/// decision and the screen shows the next item (the "saved" line can be replaced between two
/// looks; a key on the item just saved would rightly be refused as already decided). No screen
/// may show an error meanwhile.
pub fn decide(tmux: &Tmux, server: &PgServer, who: &str, n: usize) {
    let start = rejections(server, who);
    for i in 0..n {
        tmux.wait_for("why flagged");
        let shown = shown_item(&tmux.screen());
        tmux.keys(&["r", "4"]);
        let deadline = Instant::now() + Duration::from_secs(15);
        while rejections(server, who) <= start + i {
            let screen = tmux.screen();
            for bad in ["NOT saved", "error", "failed", "is locked"] {
                assert!(!screen.contains(bad), "{who}: {screen}");
            }
            assert!(Instant::now() < deadline, "{who}: never saved:\n{screen}");
            std::thread::sleep(Duration::from_millis(30));
        }
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
