//! A team on several hosts: four reviewers, each on a host of their own (a network namespace
//! reaching the server over TCP through a veth link), review in real terminals while an admin
//! on a fifth host imports. The team's guarantees hold across the network: every decision lands
//! once, under its reviewer's name, no request is decided by two people, and no screen shows
//! an error. Then one reviewer's cable is pulled while an item is on their screen: nothing they
//! saved is lost, and their claim is a lease that ends, after which someone else takes the item.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::netns::{Host, available};
use support::pg::{PgServer, ServerOptions};
use support::pg_screens::{decide, rejections};
use support::{Tmux, run, stderr};

const BIN: &str = env!("CARGO_BIN_EXE_matchgate");
const REVIEWERS: [&str; 4] = ["rae", "sam", "tom", "uma"];
const EACH: usize = 4;

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
        .chain([("ida", "admin")])
    {
        server.add_login(who, &format!("{who}-pw"));
        let out = run(&["user", "add", who, "--role", role, "--db", &owner]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let hosts: Vec<Host> = (1..=5).map(Host::new).collect();
    let home = dir.path().to_str().expect("path");
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home)];
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
        for d in deciders {
            d.join().expect("a reviewer");
        }
        let out = importer.join().expect("importer");
        assert!(out.status.success(), "import: {}", stderr(&out));
    });
    for who in REVIEWERS {
        assert_eq!(rejections(&server, who), EACH, "{who}");
    }
    let shared = "SELECT count(*) FROM (SELECT m.request_id FROM matchgate.decisions d
                    JOIN matchgate.matches m ON m.id = d.match_id
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
        EACH,
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
