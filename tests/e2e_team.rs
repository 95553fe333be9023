//! End to end, as a team: four reviewer processes of the real binary, each in its own terminal
//! (tmux), decide from one queue at once while an importer loads another file; then every match
//! has at most one final decision, every decision a screen showed as saved is in the database
//! under its reviewer, nothing was refused for a collision and no screen showed a lock error. A
//! supervisor agrees with spot checks in a screen of their own all the while.
//! Also: a decision in one screen shows up in another's counts and moves it off the item.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{Tmux, count, db, imported, review, run};

const REVIEWERS: [&str; 4] = ["ana", "ben", "cai", "dee"];
/// Decisions each reviewer makes.
const EACH: usize = 8;

/// `n` complete, agreeing requests in batch `team` (approvals pass every gate).
fn fixture(n: usize) -> String {
    let mut csv = String::from(
        "batch,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin\n",
    );
    for i in 0..n {
        let line = format!(
            "team,T{i:03},C{i:03},0.{score},Ann,Archer{i},1970-01-{day:02},{no},Main St,Springfield,IL,62701,Ann,Archer{i},1970-01-{day:02},{no},Main St,Springfield,IL,62701,900-11-{tin:04}\n",
            score = 99 - i % 20,
            day = 1 + i % 28,
            no = 10 + i,
            tin = 1000 + i,
        );
        csv.push_str(&line);
    }
    csv
}

/// The request named by the newest "request X (saved)" on screen, if any.
fn saved_request(screen: &str) -> Option<String> {
    let at = screen.rfind(" (saved)")?;
    let before = &screen[..at];
    let start = before.rfind("request ")? + "request ".len();
    Some(before[start..].trim().to_string())
}

fn shown_request(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains(" to do] request "))?;
    let rest = &line[line.find("] request ")? + "] request ".len()..];
    rest.split_whitespace().next().map(str::to_string)
}

/// One reviewer deciding as fast as the screen allows; returns the requests their screen
/// showed as saved, and any error text a screen showed.
fn decide_many(tmux: &Tmux, who: &str, db_path: &Path) -> (BTreeSet<String>, Vec<String>) {
    let mut saved = BTreeSet::new();
    let mut errors = Vec::new();
    for i in 0..EACH {
        let keys: &[&str] = if i % 2 == 0 { &["a"] } else { &["r", "4"] };
        let mut pressed = 0;
        'item: loop {
            // The item in full (not between items), then the key.
            tmux.wait_for("why flagged");
            tmux.keys(keys);
            pressed += 1;
            let deadline = Instant::now() + Duration::from_secs(3);
            loop {
                let screen = tmux.screen();
                for bad in ["NOT saved", "locked", "busy"] {
                    if screen.contains(bad) {
                        errors.push(format!("{who}: {screen}"));
                        return (saved, errors);
                    }
                }
                if let Some(id) = saved_request(&screen).filter(|id| !saved.contains(id)) {
                    saved.insert(id.clone());
                    // Wait for the next item to replace the decided one.
                    let next = Instant::now() + Duration::from_secs(20);
                    while shown_request(&tmux.screen()).as_deref() == Some(id.as_str())
                        && Instant::now() < next
                    {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    break 'item;
                }
                if Instant::now() > deadline {
                    // A save can be shown and replaced (by the next item's skip notice) between
                    // two looks; the database says whether this key's decision landed.
                    if landed(db_path, who) > i as i64 {
                        break 'item;
                    }
                    // The key met no item (it was skipped as another screen's): the screen
                    // said so and decided nothing, so the key is pressed again.
                    assert!(
                        ["still loading", "skipped", "another session"]
                            .iter()
                            .any(|why| screen.contains(why)),
                        "{who}: no save and no reason shown:\n{screen}"
                    );
                    assert!(pressed < 10, "{who}: never saved:\n{screen}");
                    continue 'item;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    (saved, errors)
}

/// How many final decisions `who` has in the database.
fn landed(db_path: &Path, who: &str) -> i64 {
    db(db_path)
        .query_row(
            "SELECT count(*) FROM decisions WHERE reviewer = ? AND action IN ('approve', 'reject')",
            [who],
            |r| r.get(0),
        )
        .expect("count")
}

/// The decision under check on the supervisor's screen, if one is shown.
fn under_check(screen: &str) -> Option<String> {
    let at = screen.find("decision ")?;
    let rest = &screen[at + "decision ".len()..];
    let id = rest.split_whitespace().next()?;
    rest.contains(" under check").then(|| id.to_string())
}

/// The supervisor agrees with every spot check shown until the reviewers are done and nothing
/// is left; returns how many agreements the screen showed saved, and any error it showed.
fn supervise_until(tmux: &Tmux, done: &AtomicBool) -> (usize, Vec<String>) {
    let mut agreed = 0;
    let mut quiet_since: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let screen = tmux.screen();
        if ["NOT saved", "locked", "busy"]
            .iter()
            .any(|bad| screen.contains(bad))
        {
            return (agreed, vec![format!("supervisor: {screen}")]);
        }
        match under_check(&screen) {
            Some(id) => {
                tmux.keys(&["y"]);
                let saved = format!("agreed with decision {id}");
                let until = Instant::now() + Duration::from_secs(10);
                while !tmux.screen().contains(&saved) && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if !tmux.screen().contains(&saved) {
                    return (
                        agreed,
                        vec![format!("supervisor: no save:\n{}", tmux.screen())],
                    );
                }
                agreed += 1;
                quiet_since = None;
                // Until the next item is on screen, the old one may still be shown.
                while under_check(&tmux.screen()).as_deref() == Some(id.as_str())
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            // Done when the reviewers are and the queue stayed empty past a reload (a screen
            // reloads for others' commits every 2 s).
            None if done.load(Ordering::Relaxed) && screen.contains("Nothing to supervise") => {
                let since = *quiet_since.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(5) {
                    return (agreed, Vec::new());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            None => {
                quiet_since = None;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    (
        agreed,
        vec![format!(
            "supervisor: still busy at the deadline:\n{}",
            tmux.screen()
        )],
    )
}

fn start_reviewer(dir: &Path, db_path: &Path, who: &str) -> Tmux {
    review(dir, db_path, &["--reviewer", who, "--batch", "team"], &[])
}

#[test]
fn four_reviewers_and_an_importer_share_one_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), &fixture(REVIEWERS.len() * EACH + 12));
    let big = dir.path().join("late.csv");
    let out = run(&[
        "generate",
        "--rows",
        "50",
        "--seed",
        "5",
        "--out",
        big.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());

    let dbs = db_path.to_str().expect("utf-8");
    let policy = run(&[
        "policy",
        "set",
        "--db",
        dbs,
        "supervisors",
        "sam",
        "--by",
        "sam",
    ]);
    assert!(policy.status.success(), "{}", support::stderr(&policy));
    let screens: Vec<Tmux> = REVIEWERS
        .iter()
        .map(|who| start_reviewer(dir.path(), &db_path, who))
        .collect();
    for tmux in &screens {
        tmux.wait_for(" to do] request ");
    }
    let home = dir.path().to_str().expect("utf-8");
    let sam = Tmux::start(
        &["supervise", "--db", dbs, "--supervisor", "sam"],
        140,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    sam.wait_for("to do:");
    let reviewers_done = AtomicBool::new(false);
    let (results, (agreed, supervisor_errors)) = std::thread::scope(|scope| {
        let supervisor = scope.spawn(|| supervise_until(&sam, &reviewers_done));
        let importer = scope.spawn(|| {
            run(&[
                "import",
                "--db",
                db_path.to_str().expect("utf-8"),
                big.to_str().expect("utf-8"),
                "--batch",
                "late",
            ])
        });
        let workers: Vec<_> = screens
            .iter()
            .zip(REVIEWERS)
            .map(|(tmux, who)| {
                let db_path = &db_path;
                scope.spawn(move || (who, decide_many(tmux, who, db_path)))
            })
            .collect();
        let imported = importer.join().expect("importer");
        assert!(imported.status.success(), "{}", support::stderr(&imported));
        let results = workers
            .into_iter()
            .map(|w| w.join().expect("reviewer"))
            .collect::<Vec<_>>();
        reviewers_done.store(true, Ordering::Relaxed);
        (results, supervisor.join().expect("supervisor"))
    });
    for tmux in screens.iter().chain([&sam]) {
        tmux.keys(&["q"]);
        tmux.wait_exit();
    }
    assert!(
        supervisor_errors.is_empty(),
        "the supervisor's screen showed an error:\n{}",
        supervisor_errors.join("\n")
    );

    let conn = db(&db_path);
    let mut everyone = BTreeSet::new();
    for (who, (saved, errors)) in &results {
        assert!(
            errors.is_empty(),
            "a screen showed an error:\n{}",
            errors.join("\n")
        );
        let mut stmt = conn
            .prepare(
                "SELECT r.source_id FROM decisions d JOIN matches m ON m.id = d.match_id
                   JOIN requests r ON r.id = m.request_id
                  WHERE d.reviewer = ? AND d.action IN ('approve', 'reject')",
            )
            .expect("prepare");
        let landed: BTreeSet<String> = stmt
            .query_map([who], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            &landed, saved,
            "{who}: what the screen showed saved is what landed"
        );
        assert_eq!(
            landed.len(),
            EACH,
            "{who}: one decision per key, no more, no less"
        );
        assert!(
            everyone.is_disjoint(&landed),
            "two reviewers decided one request"
        );
        everyone.extend(landed);
    }
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM (SELECT match_id FROM decisions
               WHERE action IN ('approve', 'reject') GROUP BY match_id HAVING count(*) > 1)"
        ),
        0,
        "a match with two final decisions"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE outcome = 'refused'"
        ),
        0
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM claims"),
        0,
        "quitting released every claim"
    );
    // The supervisor checked while they worked: every agreement the screen showed is in the
    // history, each about a reviewer's decision, none checked twice.
    assert!(agreed > 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.action = 'agree' AND c.reviewer = 'sam' AND d.reviewer != 'sam'"
        ),
        agreed as i64
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM (SELECT checks FROM decisions WHERE action = 'agree'
               GROUP BY checks HAVING count(*) > 1)"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM matches m JOIN batches b ON b.id = m.batch_id WHERE b.name != 'team'"
        ) > 0
    );
    let verify = run(&["audit", "verify", "--db", db_path.to_str().expect("utf-8")]);
    assert!(verify.status.success(), "{}", support::stdout(&verify));
}

#[test]
fn another_reviewers_decision_shows_in_a_running_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), &fixture(6));
    let watcher = start_reviewer(dir.path(), &db_path, "ana");
    let first = watcher.wait_for(" to do] request ");
    assert!(first.contains("decided 0/6"), "{first}");
    let worker = start_reviewer(dir.path(), &db_path, "ben");
    let shown_to_ben = shown_request(&worker.wait_for(" to do] request ")).expect("an item");
    assert_ne!(
        Some(shown_to_ben.clone()),
        shown_request(&first),
        "never the same item"
    );
    worker.keys(&["r", "4"]);
    worker.wait_for(&format!("request {shown_to_ben} (saved)"));
    // Within about a second, without a key in ana's screen: the counts follow.
    watcher.wait_for("decided 1/6");
    worker.keys(&["q"]);
    worker.wait_exit();
    // A supervisor's override from the command line decides the item on ana's screen.
    let shown_to_ana = shown_request(&watcher.screen()).expect("an item");
    let conn = db(&db_path);
    let match_id: i64 = conn
        .query_row(
            "SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id WHERE r.source_id = ?",
            [&shown_to_ana],
            |r| r.get(0),
        )
        .expect("match");
    let out = run(&[
        "override",
        "--db",
        db_path.to_str().expect("utf-8"),
        "--match",
        &match_id.to_string(),
        "--supervisor",
        "sue",
        "--justification",
        "checked by phone",
    ]);
    assert!(
        !out.status.success(),
        "a claimed request is fenced even against a supervisor's CLI"
    );
    assert!(
        support::stderr(&out).contains("held by ana"),
        "{}",
        support::stderr(&out)
    );
    watcher.keys(&["q"]);
    watcher.wait_exit();
}

fn claims(db_path: &Path) -> i64 {
    count(&db(db_path), "SELECT count(*) FROM claims")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_and_a_dropped_terminal_end_the_session_and_release_its_claim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), &fixture(4));
    let tmux = start_reviewer(dir.path(), &db_path, "ana");
    tmux.wait_for("why flagged");
    assert_eq!(claims(&db_path), 1, "the item on screen is claimed");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &tmux.pane_pid().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    tmux.wait_exit();
    assert_eq!(tmux.alternate_screen(), "0", "the terminal is restored");
    assert_eq!(claims(&db_path), 0, "SIGTERM released the claim");

    let tmux = start_reviewer(dir.path(), &db_path, "ben");
    tmux.wait_for("why flagged");
    let pid = tmux.pane_pid();
    assert_eq!(claims(&db_path), 1);
    tmux.hang_up();
    wait_until("the claim to be released after a hang-up", || {
        claims(&db_path) == 0
    });
    wait_until("the process to end", || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.split_whitespace().nth(2) == Some("Z"))
            .unwrap_or(true)
    });
}
