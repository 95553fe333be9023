//! A team on several hosts: four reviewers, each on a host of their own (a network namespace
//! reaching the server over TCP through a veth link), review in real terminals while an admin
//! on a fifth host imports and a supervisor on a sixth checks the morning's decisions on the
//! supervise screen. The team's guarantees hold across the network: every decision and check
//! lands once, under its author's name, no request is decided by two people, no screen shows an
//! error, and the audit chain verifies. Then one reviewer's cable is pulled while an item is on their screen: nothing they
//! saved is lost, and their claim is a lease that ends, after which someone else takes the item.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use matchgate::domain::claim::Claimant;
use matchgate::domain::{Decision, QueueFilter, QueueSort, ReasonCode, Verdict};
use matchgate::store::PageFrom;
use matchgate::store::postgres::{PgStore, PgTarget};
use support::netns::{Host, available};
use support::pg::{PgServer, ServerOptions};
use support::pg_screens::{decide, rejections};
use support::{Tmux, run, stderr};

const BIN: &str = env!("CARGO_BIN_EXE_matchgate");
const REVIEWERS: [&str; 4] = ["rae", "sam", "tom", "uma"];
const EACH: usize = 4;
/// Rejections rae and sam made before the others started: the supervisor's sample.
const MORNING: usize = 3;
/// Of which the supervisor agrees with this many while the team works.
const CHECKS: usize = 4;
const SUPERVISOR: &str = "vic";

/// `who` rejects `n` one-candidate requests on their own connection (an earlier session).
fn morning(server: &PgServer, who: &str, skip: usize) {
    let target = PgTarget::parse(&server.url(who, "team")).expect("url");
    let mut store = PgStore::open(&target).expect("open as a person");
    store.set_claimant(Some(Claimant {
        reviewer: who.into(),
        session: format!("{who}-morning"),
    }));
    let page = store
        .queue_page(
            &QueueFilter::default(),
            QueueSort::Score,
            PageFrom::Start,
            100,
        )
        .expect("page");
    for entry in page
        .iter()
        .filter(|e| e.candidate_count == 1)
        .skip(skip)
        .take(MORNING)
    {
        store.claim(entry.request_id).expect("claim");
        let item = store
            .review_item(entry.request_id)
            .expect("item")
            .expect("exists");
        let decision = Decision {
            match_id: item.candidates[0].match_id,
            reviewer: who.into(),
            verdict: Verdict::Reject(ReasonCode::DifferentPerson),
            note: None,
            viewed_ms: 900,
        };
        store
            .record_decision(&decision, &format!("{who}-morning"))
            .expect("decide");
    }
    store.release_claims().expect("release");
}

fn agreed(server: &PgServer) -> usize {
    count(
        server,
        &format!(
            "SELECT count(*) FROM matchgate.decisions WHERE reviewer = '{SUPERVISOR}' AND action = 'agree'"
        ),
    )
}

/// The supervisor agrees with `n` decisions by key, each confirmed by the server before the
/// next; the screen never shows an error.
fn agree(tmux: &Tmux, server: &PgServer, n: usize) {
    for i in 0..n {
        let screen = tmux.wait_for("under check: reject by");
        let shown = screen
            .lines()
            .find(|l| l.contains("under check"))
            .map(str::to_string);
        tmux.keys(&["y"]);
        let deadline = Instant::now() + Duration::from_secs(15);
        while agreed(server) <= i {
            let screen = tmux.screen();
            for bad in ["NOT saved", "error", "failed", "refused"] {
                assert!(!screen.contains(bad), "{SUPERVISOR}: {screen}");
            }
            assert!(Instant::now() < deadline, "never saved:\n{screen}");
            std::thread::sleep(Duration::from_millis(30));
        }
        while i + 1 < n
            && tmux
                .screen()
                .lines()
                .find(|l| l.contains("under check"))
                .map(str::to_string)
                == shown
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn count(server: &PgServer, sql: &str) -> usize {
    server.psql("team", sql).parse().expect("a count")
}

fn generate(dir: &std::path::Path, name: &str, seed: &str) -> String {
    let path = dir.join(name);
    let p = path.to_str().expect("path").to_string();
    let out = run(&[
        "generate",
        "--rows",
        "400",
        "--seed",
        seed,
        "--batches",
        "2",
        "--out",
        &p,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    p
}

#[test]
fn a_team_on_several_hosts_keeps_its_guarantees_and_a_pulled_cable_loses_nothing() {
    if !available() {
        assert!(
            std::env::var_os("MATCHGATE_REQUIRE_POSTGRES").is_none(),
            "network namespaces are required here (root and iproute2)"
        );
        eprintln!("\n*** SKIPPED: network namespaces need root and iproute2 ***\n");
        return;
    }
    let options = ServerOptions {
        network: Some("10.77.0.0/16".into()),
        ..ServerOptions::default()
    };
    let Some(server) = PgServer::start_with("a_team_on_several_hosts", &options) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let first = generate(dir.path(), "first.csv", "21");
    let second = generate(dir.path(), "second.csv", "22");
    let owner = server.url("postgres", &server.create_database("team"));
    for args in [
        vec!["init", "--db", &owner],
        vec!["import", "--db", &owner, &first],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    for (who, role) in REVIEWERS
        .iter()
        .map(|w| (*w, "reviewer"))
        .chain([("ida", "admin"), (SUPERVISOR, "supervisor")])
    {
        server.add_login(who, &format!("{who}-pw"));
        let out = run(&["user", "add", who, "--role", role, "--db", &owner]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    morning(&server, "rae", 0);
    morning(&server, "sam", MORNING);
    let hosts: Vec<Host> = (1..=6).map(Host::new).collect();
    let home = dir.path().to_str().expect("path");
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home)];
    let supervisor_url = server.url_at(&hosts[5].server_ip, SUPERVISOR, "team");
    let supervisor = Tmux::start_command(
        &hosts[5].command(BIN, &["supervise", "--db", &supervisor_url]),
        140,
        40,
        &env,
    );
    supervisor.wait_for(&format!("{} spot checks", 2 * MORNING));
    let screens: Vec<Tmux> = REVIEWERS
        .iter()
        .zip(&hosts)
        .map(|(who, host)| {
            let url = server.url_at(&host.server_ip, who, "team");
            Tmux::start_command(&host.command(BIN, &["review", "--db", &url]), 100, 32, &env)
        })
        .collect();
    // The import runs from the fifth host while everyone decides.
    let import_url = server.url_at(&hosts[4].server_ip, "ida", "team");
    let import = hosts[4].command(BIN, &["import", "--db", &import_url, &second]);
    std::thread::scope(|s| {
        let importer = s.spawn(|| {
            Command::new(&import[0])
                .args(&import[1..])
                .output()
                .expect("run the import")
        });
        let deciders: Vec<_> = REVIEWERS
            .iter()
            .zip(&screens)
            .map(|(who, tmux)| s.spawn(|| decide(tmux, &server, who, EACH)))
            .collect();
        let checker = s.spawn(|| agree(&supervisor, &server, CHECKS));
        for d in deciders {
            d.join().expect("a reviewer");
        }
        checker.join().expect("the supervisor");
        let out = importer.join().expect("importer");
        assert!(out.status.success(), "import: {}", stderr(&out));
    });
    let before = |who: &str| {
        if ["rae", "sam"].contains(&who) {
            MORNING
        } else {
            0
        }
    };
    for who in REVIEWERS {
        assert_eq!(rejections(&server, who), before(who) + EACH, "{who}");
    }
    assert_eq!(agreed(&server), CHECKS, "every check landed once");
    let checked = format!(
        "SELECT count(DISTINCT checks) FROM matchgate.decisions WHERE reviewer = '{SUPERVISOR}'"
    );
    assert_eq!(
        count(&server, &checked),
        CHECKS,
        "each a different decision"
    );
    let audit = run(&["audit", "verify", "--db", &owner]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    supervisor.keys(&["q"]);
    supervisor.wait_exit();
    let shared = "SELECT count(*) FROM (SELECT m.request_id FROM matchgate.decisions d
                    JOIN matchgate.matches m ON m.id = d.match_id WHERE d.action = 'reject'
                   GROUP BY m.request_id HAVING count(DISTINCT d.reviewer) > 1) both_";
    assert_eq!(count(&server, shared), 0);
    let twice = "SELECT count(*) FROM (SELECT match_id FROM matchgate.decisions
                  WHERE action = 'reject' GROUP BY match_id HAVING count(*) > 1) twice";
    assert_eq!(count(&server, twice), 0);
    assert_eq!(
        count(&server, "SELECT count(*) FROM matchgate.matches"),
        800
    );

    // Rae's cable is pulled with an item on her screen: her claim stays, a lease.
    screens[0].wait_for("why flagged");
    let held = "SELECT request_id FROM matchgate.claims WHERE holder = 'rae'";
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.psql("team", held).is_empty() {
        assert!(Instant::now() < deadline, "rae's claim never appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
    let request = server.psql("team", held);
    hosts[0].pull_link();
    screens[0].keys(&["r", "4"]);
    // The others go on, and are never shown her item.
    std::thread::scope(|s| {
        for (who, tmux) in REVIEWERS.iter().zip(&screens).skip(1) {
            s.spawn(|| decide(tmux, &server, who, 2));
        }
    });
    assert_eq!(
        rejections(&server, "rae"),
        MORNING + EACH,
        "what rae saved is all there"
    );
    let taken = format!(
        "SELECT count(*) FROM matchgate.decisions d JOIN matchgate.matches m ON m.id = d.match_id
          WHERE m.request_id = {request} AND d.reviewer <> 'rae'"
    );
    assert_eq!(
        count(&server, &taken),
        0,
        "nobody else decided rae's held item"
    );
    let lease_left = server.psql(
        "team",
        &format!(
            "SELECT expires_ms - (extract(epoch FROM now()) * 1000)::bigint <= 300000
               FROM matchgate.claims WHERE request_id = {request}"
        ),
    );
    assert_eq!(
        lease_left, "t",
        "her claim is a lease of at most five minutes"
    );
    // Five minutes later (the lease's end, moved instead of waited for): someone else takes it.
    server.psql(
        "team",
        &format!("UPDATE matchgate.claims SET expires_ms = expires_ms - 300001 WHERE request_id = {request}"),
    );
    let client = postgres::Config::new()
        .host("127.0.0.1")
        .port(server.port())
        .user("sam")
        .password("sam-pw")
        .dbname("team")
        .connect(postgres::NoTls)
        .expect("sam connects");
    let mut sam = matchgate::store::postgres::PgStore::open_on(client, "t").expect("open");
    sam.set_claimant(Some(matchgate::domain::claim::Claimant {
        reviewer: "sam".into(),
        session: "sam-after".into(),
    }));
    let outcome = sam.claim(request.parse().expect("id")).expect("claim");
    assert_eq!(outcome, matchgate::domain::claim::ClaimOutcome::Claimed);
    // Rae's screen, cut off, waits out its connection's timeout; nobody waits for it here.
    unsafe { libc::kill(screens[0].pane_pid(), libc::SIGKILL) };
}
