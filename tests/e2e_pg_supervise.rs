//! The supervisor's screen on a PostgreSQL server, in a real terminal: a reviewer (connected as
//! her own role) approves two requests and escalates a third; the supervisor, connected as his,
//! rejects the escalated request, overturns one approval and agrees with the other by keys.
//! Its figures view shows the lot so checked. Afterwards the server's decision history holds
//! the three as the supervisor's rows, audited; quitting gives the claims back and the audit
//! chain verifies. Without the supervisor role, or naming someone else, the screen is refused
//! before it opens.

mod support;

use std::time::{Duration, Instant};

use matchgate::domain::{Decision, Verdict};
use matchgate::store::postgres::{PgStore, PgTarget};
use support::pg::PgServer;
use support::{Tmux, run, stderr, stdout};

const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
";

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

/// The match of request `source` (one candidate each).
fn match_of(server: &PgServer, source: &str) -> i64 {
    server
        .psql(
            "team",
            &format!(
                "SELECT m.id FROM matchgate.matches m JOIN matchgate.requests r
                   ON r.id = m.request_id WHERE r.source_id = '{source}'"
            ),
        )
        .parse()
        .expect("a match id")
}

/// A count from the server.
fn count(server: &PgServer, sql: &str) -> usize {
    server.psql("team", sql).parse().expect("a count")
}

/// ann decides as herself, through the store (what her review screen would record).
fn ann_decides(server: &PgServer) {
    let target = PgTarget::parse(&server.url("ann", "team")).expect("url");
    let mut ann = PgStore::open(&target).expect("ann connects");
    for (source, verdict) in [
        ("R1", Verdict::Approve),
        ("R2", Verdict::Approve),
        ("R3", Verdict::Escalate),
    ] {
        let decision = Decision {
            match_id: match_of(server, source),
            reviewer: "ann".into(),
            verdict,
            note: Some("looked right".into()),
            viewed_ms: 2500,
        };
        ann.record_decision(&decision, "ann-screen")
            .expect("ann's decision");
    }
}

/// Which of ann's approvals the screen shows now (their sample order follows the database's
/// random sampling key).
fn approval_shown(sam: &Tmux, not: Option<&str>) -> &'static str {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = sam.screen();
        if screen.contains("under check: approve by ann") {
            for source in ["R1", "R2"] {
                if Some(source) != not && screen.contains(&format!("request {source} ↔")) {
                    return source;
                }
            }
        }
        assert!(Instant::now() < deadline, "no approval shown:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_supervisor_checks_a_reviewers_decisions_on_a_server() {
    let Some(server) = PgServer::start("a_supervisor_checks_on_a_server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("flagged.csv");
    std::fs::write(&csv, FIXTURE).expect("fixture");
    let owner = server.url("postgres", &server.create_database("team"));
    ok(&["init", "--db", &owner]);
    ok(&["import", "--db", &owner, csv.to_str().expect("path")]);
    for (who, role) in [("ann", "reviewer"), ("sam", "supervisor")] {
        server.add_login(who, &format!("{who}-pw"));
        ok(&["user", "add", who, "--role", role, "--db", &owner]);
    }
    ann_decides(&server);
    let (ann_url, sam_url) = (server.url("ann", "team"), server.url("sam", "team"));

    // Refused before any terminal is touched: a reviewer, and a name not the connected role's.
    let out = run(&["supervise", "--db", &ann_url]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("needs the supervisor role"),
        "{}",
        stderr(&out)
    );
    let out = run(&["supervise", "--db", &sam_url, "--supervisor", "ann"]);
    assert!(
        stderr(&out).contains("you act as the role you connect as"),
        "{}",
        stderr(&out)
    );

    let home = dir.path().to_str().expect("path");
    let sam = Tmux::start(
        &["supervise", "--db", &sam_url, "--supervisor", "sam"],
        140,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
    let screen = sam.wait_for_all(&["1 escalated", "2 spot checks", "request R3 ↔"]);
    assert!(screen.contains("supervisor sam"), "{screen}");
    assert!(!screen.contains("sam-pw"), "a secret on screen: {screen}");
    // The escalated request first: rejected (reason 4, a different person).
    sam.keys(&["r", "4"]);
    sam.wait_for(&format!("reject of match {}", match_of(&server, "R3")));
    // ann's approvals, in sample order: the first overturned, the other agreed with.
    let overturned = approval_shown(&sam, None);
    sam.keys(&["o"]);
    sam.wait_for("Overturn · what was wrong?");
    sam.keys(&["4"]);
    sam.wait_for("note (required)");
    sam.keys(&["-l", "the DOB is the father's"]);
    sam.keys(&["Enter"]);
    sam.wait_for("overturned decision");
    let agreed = approval_shown(&sam, Some(overturned));
    sam.keys(&["y"]);
    sam.wait_for("agreed with decision");
    sam.wait_for("Nothing to supervise");
    // The figures view reads the server's figures and lots.
    sam.keys(&["f"]);
    sam.wait_for_all(&["lot ann", "2 decisions, 2 checked (1 overturned)"]);
    sam.keys(&["Escape"]);
    sam.wait_gone("2 checked (1 overturned)");
    sam.keys(&["q"]);
    sam.wait_exit();

    let checked = |action: &str, source: &str, extra: &str| {
        count(
            &server,
            &format!(
                "SELECT count(*) FROM matchgate.decisions c
                   JOIN matchgate.decisions d ON d.id = c.checks
                   JOIN matchgate.matches m ON m.id = d.match_id
                   JOIN matchgate.requests r ON r.id = m.request_id
                  WHERE c.action = '{action}' AND c.reviewer = 'sam' AND d.reviewer = 'ann'
                    AND d.action = 'approve' AND r.source_id = '{source}' {extra}"
            ),
        )
    };
    let reason = "AND c.reason_code = 'different_person' AND c.note = 'the DOB is the father''s'";
    assert_eq!(checked("overturn", overturned, reason), 1);
    assert_eq!(checked("agree", agreed, ""), 1);
    assert_eq!(
        count(
            &server,
            &format!(
                "SELECT count(*) FROM matchgate.decisions WHERE reviewer = 'sam'
                   AND action = 'reject' AND reason_code = 'different_person'
                   AND match_id = {}",
                match_of(&server, "R3")
            )
        ),
        1
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM matchgate.audit
              WHERE actor = 'sam' AND action IN ('agree', 'overturn', 'reject')
                AND outcome = 'done'"
        ),
        3
    );
    // The overturned approval no longer stands; the other is still approved.
    let status = |source: &str| {
        server.psql(
            "team",
            &format!(
                "SELECT m.status FROM matchgate.matches m JOIN matchgate.requests r
                   ON r.id = m.request_id WHERE r.source_id = '{source}'"
            ),
        )
    };
    assert_ne!(status(overturned), "approved");
    assert_eq!(status(agreed), "approved");
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&server, "SELECT count(*) FROM matchgate.claims") != 0 {
        assert!(Instant::now() < deadline, "claims left after quitting");
        std::thread::sleep(Duration::from_millis(50));
    }
    let verified = ok(&["audit", "verify", "--db", &sam_url]);
    assert!(verified.contains("intact"), "{verified}");
}
