//! Live updates on a server: another connection's queue move (or claim) wakes a screen through
//! LISTEN/NOTIFY, never its own; the screen reads the moves after the last it applied, other
//! sessions' only; a move not yet committed holds back every later one, so the screen never reads
//! past it; more moves than one refresh reads are reported as such.

mod support;

use std::time::{Duration, Instant};

use matchgate::domain::QueueState;
use matchgate::domain::claim::ClaimOutcome;
use matchgate::store::MOVES_PER_REFRESH;
use matchgate::store::postgres::PgStore;
use support::pg_team::team;

/// Looks again (as a screen's idle tick does) until the version changes; the new version.
fn woken(store: &mut PgStore, seen: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let version = store.data_version().expect("data version");
        if version != seen {
            return version;
        }
        assert!(Instant::now() < deadline, "no wake-up within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn another_connections_queue_move_wakes_a_screen_which_reads_it() {
    let Some(team) = team("another_connections_queue_move_wakes") else {
        return;
    };
    let mut alice = team.screen("alice", "alice-screen");
    let version = alice.data_version().expect("listen");
    let last = alice.last_move_id().expect("last move");
    // Her own commits wake no one on her screen (they are delivered with the commit).
    assert_eq!(alice.claim(3).expect("claim"), ClaimOutcome::Claimed);
    assert_eq!(alice.data_version().expect("version"), version);
    // Bob taking a request does.
    let mut bob = team.screen("bob", "bob-screen");
    assert_eq!(bob.claim(4).expect("claim"), ClaimOutcome::Claimed);
    let version = woken(&mut alice, version);

    team.owner_sql(
        "INSERT INTO matchgate.queue_moves (request_id, rank_before, rank_after, session)
         VALUES (5, 0, 3, 'elsewhere')",
    );
    let version = woken(&mut alice, version);
    let since = alice.moves_since(last, "alice-screen").expect("moves");
    let entry = alice.queue_entry(5).expect("entry").expect("request 5");
    assert_eq!(since.moves.len(), 1, "{since:?}");
    let moved = since.moves[0];
    assert_eq!(
        (
            moved.request_id,
            moved.batch_id,
            moved.top_score,
            moved.flags
        ),
        (5, entry.batch_id, entry.top_score, entry.flags)
    );
    assert_eq!(
        (moved.before, moved.after),
        (QueueState::Open, QueueState::Done)
    );
    assert!(!since.truncated);
    // Her own session's moves are hers already.
    team.owner_sql(
        "INSERT INTO matchgate.queue_moves (request_id, rank_before, rank_after, session)
         VALUES (6, 0, 1, 'alice-screen')",
    );
    let version = woken(&mut alice, version);
    let own = alice
        .moves_since(since.last_id, "alice-screen")
        .expect("moves");
    assert!(
        own.moves.is_empty() && own.last_id > since.last_id,
        "{own:?}"
    );

    // A move not yet committed holds back every later one: the screen never reads past it.
    let mut first = team.owner();
    let mut tx = first.transaction().expect("begin");
    tx.execute(
        "INSERT INTO queue_moves (request_id, rank_before, rank_after, session)
         VALUES (7, 0, 3, 'first')",
        &[],
    )
    .expect("first move");
    let mut second = team.owner();
    let later = std::thread::spawn(move || {
        second
            .execute(
                "INSERT INTO queue_moves (request_id, rank_before, rank_after, session)
                 VALUES (8, 0, 3, 'second')",
                &[],
            )
            .expect("second move")
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while team.owner_sql(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%''second''%'",
    ) != "1"
    {
        assert!(Instant::now() < deadline, "the second move never waited");
        std::thread::sleep(Duration::from_millis(20));
    }
    let meanwhile = alice
        .moves_since(own.last_id, "alice-screen")
        .expect("moves");
    assert!(meanwhile.moves.is_empty(), "{meanwhile:?}");
    tx.commit().expect("commit the first");
    later.join().expect("second");
    woken(&mut alice, version);
    let both = alice
        .moves_since(own.last_id, "alice-screen")
        .expect("moves");
    let order: Vec<i64> = both.moves.iter().map(|m| m.request_id).collect();
    assert_eq!(order, vec![7, 8]);

    // More than one refresh reads: the screen is told to reload its counts instead.
    team.owner_sql(&format!(
        "INSERT INTO matchgate.queue_moves (request_id, rank_before, rank_after, session)
         SELECT 9, 0, 1, 'bulk' FROM generate_series(1, {})",
        MOVES_PER_REFRESH + 1
    ));
    let bulk = alice
        .moves_since(both.last_id, "alice-screen")
        .expect("moves");
    assert!(bulk.truncated);
    assert_eq!(bulk.moves.len(), MOVES_PER_REFRESH);
}
