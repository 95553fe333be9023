//! Claims on a server, with several connections as different people: one of two racing claims
//! wins and the other sees who holds it; a request being decided is reported held, not waited
//! for; reviewers racing down the queue never share a request; leases expire, renew, release and
//! come back as they do on a SQLite file (the same script on both); row security refuses a claim
//! in another's name.

mod support;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use matchgate::domain::claim::{ClaimOutcome, Claimant};
use matchgate::domain::{QueueFilter, QueueSort};
use matchgate::store::PageFrom;
use matchgate::store::postgres::BUSY_HOLDER;
use support::pg_team::{PEOPLE, team};
use support::{run, stderr};

#[test]
fn one_of_two_claims_wins_and_the_other_sees_who_holds_it() {
    let Some(team) = team("one_of_two_claims_wins") else {
        return;
    };
    let mut alice = team.screen("alice", "alice-1");
    let mut bob = team.screen("bob", "bob-1");
    assert_eq!(alice.claim(1).expect("claim"), ClaimOutcome::Claimed);
    assert_eq!(
        bob.claim(1).expect("claim"),
        ClaimOutcome::HeldBy("alice".into())
    );
    assert_eq!(bob.held_by_other(1).expect("held"), Some("alice".into()));
    assert_eq!(alice.held_by_other(1).expect("held"), None);
    assert_eq!(bob.live_claims().expect("live"), vec![(1, "alice".into())]);
    // The name a screen gives is not who it is: the server says who connected.
    let mut posing = team.screen("bob", "bob-2");
    posing.set_claimant(Some(Claimant {
        reviewer: "alice".into(),
        session: "bob-2".into(),
    }));
    assert_eq!(posing.claimant().map(|c| c.reviewer.as_str()), Some("bob"));

    // Two sessions racing for the same request, again and again: one wins each time.
    for request in 10..22 {
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = ["carol", "dave"]
            .into_iter()
            .map(|who| {
                let mut store = team.screen(who, &format!("{who}-{request}"));
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    (who, store.claim(request).expect("claim"))
                })
            })
            .collect();
        let outcomes: Vec<_> = racers
            .into_iter()
            .map(|t| t.join().expect("racer"))
            .collect();
        let winners: Vec<&str> = outcomes
            .iter()
            .filter(|(_, o)| *o == ClaimOutcome::Claimed)
            .map(|(who, _)| *who)
            .collect();
        assert_eq!(winners.len(), 1, "request {request}: {outcomes:?}");
        let winner = winners[0];
        for (who, outcome) in &outcomes {
            if *who != winner {
                let seen = [winner, BUSY_HOLDER].map(|h| ClaimOutcome::HeldBy(h.into()));
                assert!(seen.contains(outcome), "request {request}: {outcomes:?}");
                let mut again = team.screen(who, &format!("{who}-{request}"));
                assert_eq!(
                    again.claim(request).expect("claim"),
                    ClaimOutcome::HeldBy(winner.into())
                );
            }
        }
    }

    // A request being decided right now (its row locked) is reported held, not waited for;
    // a queue move being recorded for another (a foreign key's share lock) does not hold it.
    let mut owner = team.owner();
    let mut deciding = owner.transaction().expect("begin");
    deciding
        .query(
            "SELECT id FROM requests WHERE id = 30 FOR NO KEY UPDATE",
            &[],
        )
        .expect("lock 30");
    deciding
        .execute(
            "INSERT INTO queue_moves (request_id, rank_before, rank_after, session)
             VALUES (31, 0, 0, 'importer')",
            &[],
        )
        .expect("a move for 31");
    let (done, outcomes) = std::sync::mpsc::channel();
    let mut erin = team.screen("erin", "erin-1");
    std::thread::spawn(move || {
        let thirty = erin.claim(30).expect("claim 30");
        done.send((thirty, erin.claim(31).expect("claim 31")))
            .expect("send");
    });
    let (thirty, thirty_one) = outcomes
        .recv_timeout(Duration::from_secs(10))
        .expect("a claim waited for a lock");
    assert_eq!(thirty, ClaimOutcome::HeldBy(BUSY_HOLDER.into()));
    assert_eq!(thirty_one, ClaimOutcome::Claimed);
    deciding.rollback().expect("rollback");

    // Row security: no claim in another's name, no taking or ending someone's live claim.
    let mut raw = postgres::Config::new()
        .host("127.0.0.1")
        .port(team.server.port())
        .user("bob")
        .password("bob-pw")
        .dbname("team")
        .connect(postgres::NoTls)
        .expect("bob connects");
    let err = raw
        .execute(
            "INSERT INTO matchgate.claims (request_id, holder, session, claimed_at, expires_ms)
             VALUES (2, 'alice', 'forged', 'now', 9000000000000)",
            &[],
        )
        .expect_err("a claim in alice's name");
    let message = err.as_db_error().map(|e| e.message().to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("row-level security")),
        "{err}"
    );
    for sql in [
        "UPDATE matchgate.claims SET holder = 'bob', session = 'bob-9' WHERE request_id = 1",
        "DELETE FROM matchgate.claims WHERE request_id = 1",
    ] {
        assert_eq!(raw.execute(sql, &[]).expect(sql), 0, "{sql}");
    }
    assert_eq!(
        team.owner_sql("SELECT holder FROM matchgate.claims WHERE request_id = 1"),
        "alice"
    );
}

#[test]
fn reviewers_racing_down_the_queue_never_share_a_request() {
    let Some(team) = team("reviewers_racing_down_the_queue") else {
        return;
    };
    const ROUNDS: usize = 5;
    let barrier = Arc::new(Barrier::new(PEOPLE.len()));
    let racers: Vec<_> = PEOPLE
        .into_iter()
        .map(|who| {
            let mut store = team.screen(who, who);
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for round in 0..ROUNDS {
                    // A new session each round keeps the round before's claim.
                    store.set_claimant(Some(Claimant {
                        reviewer: who.into(),
                        session: format!("{who}-{round}"),
                    }));
                    barrier.wait();
                    let page = store
                        .queue_page(
                            &QueueFilter::default(),
                            QueueSort::Score,
                            PageFrom::Start,
                            40,
                        )
                        .expect("page");
                    let claimed = page.into_iter().find(|e| {
                        store.claim(e.request_id).expect("claim") == ClaimOutcome::Claimed
                    });
                    mine.push((claimed.expect("something to claim").request_id, who));
                }
                mine
            })
        })
        .collect();
    let mut claimed: Vec<(i64, &str)> = racers
        .into_iter()
        .flat_map(|t| t.join().expect("racer"))
        .collect();
    claimed.sort();
    let mut ids: Vec<i64> = claimed.iter().map(|(id, _)| *id).collect();
    ids.dedup();
    assert_eq!(ids.len(), PEOPLE.len() * ROUNDS, "shared: {claimed:?}");
    let mut anyone = team.screen("alice", "check");
    let live: Vec<(i64, String)> = anyone.live_claims().expect("live");
    let expected: Vec<(i64, String)> = claimed
        .iter()
        .map(|(id, who)| (*id, who.to_string()))
        .collect();
    assert_eq!(live, expected);
}

/// The same claims, step by step, on either backend: what each step returned.
macro_rules! claims_script {
    ($a1:ident, $a2:ident, $a3:ident, $b:ident, $expire:expr) => {{
        let mut log: Vec<String> = Vec::new();
        let mut say = |step: &str, what: String| log.push(format!("{step}: {what}"));
        say(
            "alice claims 1",
            format!("{:?}", $a1.claim(1).expect("claim")),
        );
        say("bob claims 1", format!("{:?}", $b.claim(1).expect("claim")));
        say(
            "bob renews",
            format!("{:?}", $b.renew_claims().expect("renew")),
        );
        $expire(1);
        say(
            "bob takes over 1",
            format!("{:?}", $b.claim(1).expect("claim")),
        );
        say(
            "alice renews",
            format!("{:?}", $a1.renew_claims().expect("renew")),
        );
        say(
            "bob renews",
            format!("{:?}", $b.renew_claims().expect("renew")),
        );
        say(
            "alice claims 2",
            format!("{:?}", $a1.claim(2).expect("claim")),
        );
        say(
            "alice claims 3",
            format!("{:?}", $a1.claim(3).expect("claim")),
        );
        std::thread::sleep(Duration::from_millis(20));
        say(
            "alice claims 4",
            format!("{:?}", $a2.claim(4).expect("claim")),
        );
        say("live", format!("{:?}", $b.live_claims().expect("live")));
        say(
            "alice adopts",
            format!("{:?}", $a3.adopt_claims().expect("adopt")),
        );
        say(
            "alice renews",
            format!("{:?}", $a1.renew_claims().expect("renew")),
        );
        say("bob claims 3", format!("{:?}", $b.claim(3).expect("claim")));
        $b.release_claim(1).expect("release one");
        say("live", format!("{:?}", $b.live_claims().expect("live")));
        say(
            "alice quits",
            format!("{:?}", $a3.release_claims().expect("release")),
        );
        say("live", format!("{:?}", $b.live_claims().expect("live")));
        log
    }};
}

#[test]
fn leases_expire_renew_release_and_come_back_as_on_sqlite() {
    let Some(team) = team("leases_expire_renew_release") else {
        return;
    };
    let file = team.dir.path().join("m.db");
    let out = run(&[
        "import",
        "--db",
        file.to_str().expect("path"),
        team.csv.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let on_sqlite = {
        let screen = |who: &str, session: &str| support::screen(&file, who, session);
        let (a1, a2, a3, b) = (
            screen("alice", "a-1"),
            screen("alice", "a-2"),
            screen("alice", "a-3"),
            screen("bob", "b-1"),
        );
        let (mut a1, mut a2, mut a3, mut b) = (a1, a2, a3, b);
        let conn = rusqlite::Connection::open(&file).expect("file");
        let expire = |id: i64| {
            conn.execute(
                "UPDATE claims SET expires_ms = 1 WHERE request_id = ?",
                [id],
            )
            .expect("expire");
        };
        claims_script!(a1, a2, a3, b, expire)
    };
    let (mut a1, mut a2, mut a3, mut b) = (
        team.screen("alice", "a-1"),
        team.screen("alice", "a-2"),
        team.screen("alice", "a-3"),
        team.screen("bob", "b-1"),
    );
    let expire = |id: i64| {
        team.owner_sql(&format!(
            "UPDATE matchgate.claims SET expires_ms = 1 WHERE request_id = {id}"
        ));
    };
    let on_server = claims_script!(a1, a2, a3, b, expire);
    assert_eq!(on_server, on_sqlite);
    // The script did what it says: a takeover, a refusal, an adoption newest first.
    let said = on_sqlite.join("\n");
    for line in [
        "bob claims 1: HeldBy(\"alice\")",
        "bob takes over 1: Claimed",
        "alice adopts: [4, 3]",
        "bob claims 3: HeldBy(\"alice\")",
        "alice quits: 2",
    ] {
        assert!(said.contains(line), "{line} not in\n{said}");
    }
}
