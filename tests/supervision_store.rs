//! Supervisors' queue at the store, on a SQLite file and on a PostgreSQL server alike (each test
//! runs on both): approvals waiting for an override, blind second reviews and their
//! disagreements, the stored sample draws, a day's lot. Then the file's own: the migration that
//! rebuilt the decision history. Checks and overturns are in `supervision_checks.rs`.

mod support;

use matchgate::domain::quality::{DecisionKey, Sampler, Stratum};
use matchgate::domain::{MatchStatus, ReasonCode, Verdict};
use matchgate::store::Store;
use support::backend::{Backend, Kind};
use support::supervising::{decide, matches_of, refused, screen, team, try_decide};

on_both!(
    an_approval_refused_by_the_address_rule_waits_for_a_supervisor,
    second_reviews_are_blind_verdicts_and_disagreements_go_to_supervisors,
    stored_draws_are_the_keyed_hash_of_the_decision_under_the_database_seed,
    the_lot_of_a_day_samples_every_decision_under_the_daily_minimum,
);

fn an_approval_refused_by_the_address_rule_waits_for_a_supervisor(kind: Kind) {
    let Some(team) = team(kind, "approval_refused_by_the_address_rule") else {
        return;
    };
    // Only the address is short (the DOB is then enough of an identifier).
    team.set_policy("min_identifiers", "1");
    let (mut ann, mut sam) = (screen(&team, "ann"), screen(&team, "sam"));
    let match_id = matches_of(&mut ann, "R6")[0].0;
    let refusal = try_decide(&mut ann, "ann", match_id, Verdict::Approve);
    refused(refusal, "[address-sufficiency]");
    let waiting = sam.overrides_waiting(10).expect("waiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].match_id, match_id);
    assert_eq!(waiting[0].reviewer, "ann");
    assert_eq!(waiting[0].note.as_deref(), Some("ann's note"));
    sam.record_override(match_id, "sam", "confirmed by phone with the county", "sam")
        .expect("override");
    assert!(sam.overrides_waiting(10).expect("waiting").is_empty());
}

fn second_reviews_are_blind_verdicts_and_disagreements_go_to_supervisors(kind: Kind) {
    let Some(team) = team(kind, "second_reviews_are_blind") else {
        return;
    };
    team.set_policy("double_review_rate", "1");
    let (mut ann, mut bob, mut sam) = (
        screen(&team, "ann"),
        screen(&team, "bob"),
        screen(&team, "sam"),
    );
    let first = decide(&mut ann, "ann", "R1", Verdict::Approve);
    assert_eq!(
        team.int("SELECT count(*) FROM second_reviews WHERE done_by IS NULL"),
        1
    );
    refused(
        ann.record_second_verdict(first, "ann", Verdict::Approve, None, 10, "ann"),
        "you made the first decision",
    );
    bob.record_second_verdict(
        first,
        "bob",
        Verdict::Reject(ReasonCode::DifferentPerson),
        None,
        10,
        "bob",
    )
    .expect("second verdict");
    assert_eq!(
        matches_of(&mut bob, "R1")[0].1,
        MatchStatus::Approved,
        "a second verdict changes nothing"
    );
    assert_eq!(sam.disagreements(10).expect("disagreements"), vec![first]);
    let under = sam
        .decision_under_check(first)
        .expect("read")
        .expect("exists");
    assert_eq!(
        under
            .second
            .as_ref()
            .map(|(who, a)| (who.as_str(), a.as_str())),
        Some(("bob", "second_reject"))
    );
    refused(
        bob.record_second_verdict(first, "bob", Verdict::Approve, None, 10, "bob"),
        "already done",
    );
}

/// The database's sampling seed, read as its owner.
fn seed(team: &Backend) -> Vec<u8> {
    match team.kind {
        Kind::Sqlite => {
            let hex = team
                .rows("SELECT hex(seed) FROM quality_seed")
                .remove(0)
                .remove(0);
            hex_bytes(&hex)
        }
        Kind::Postgres => {
            let hex = team
                .rows("SELECT encode(seed, 'hex') FROM quality_seed")
                .remove(0)
                .remove(0);
            hex_bytes(&hex)
        }
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn stored_draws_are_the_keyed_hash_of_the_decision_under_the_database_seed(kind: Kind) {
    let Some(team) = team(kind, "stored_draws") else {
        return;
    };
    let mut ann = screen(&team, "ann");
    let approval = decide(&mut ann, "ann", "R1", Verdict::Approve);
    let rejection = decide(&mut ann, "ann", "R2", Verdict::Reject(ReasonCode::NameOnly));
    let seed = seed(&team);
    assert!(seed.len() >= 16);
    let sampler = Sampler::new(&seed).expect("test setup");
    for (id, stratum) in [
        (approval, Stratum::Approval),
        (rejection, Stratum::Rejection),
    ] {
        let key = DecisionKey {
            decision_id: id,
            reviewer: "ann",
            stratum,
        };
        let draws = team.rows(&format!(
            "SELECT spot_draw, second_draw FROM decisions WHERE id = {id}"
        ));
        let draw = |i: usize| draws[0][i].parse::<i64>().expect("a draw");
        assert_eq!(draw(0), sampler.spot_check_draw(&key).stored());
        assert_eq!(draw(1), sampler.double_review_draw(&key).stored());
    }
    // Rows that are not a reviewer's verdict carry no draw; the seed cannot be changed.
    assert_eq!(
        team.int("SELECT count(*) FROM decisions WHERE spot_draw IS NULL"),
        0,
        "both decisions are checkable, and nothing else was written"
    );
    let zeroes = match kind {
        Kind::Sqlite => "UPDATE quality_seed SET seed = zeroblob(32)",
        Kind::Postgres => "UPDATE quality_seed SET seed = decode(repeat('00', 32), 'hex')",
    };
    assert!(team.try_execute(zeroes).is_err());
    assert_eq!(crate::seed(&team), seed);
    // Another database draws differently.
    let Some(other) = crate::team(kind, "stored_draws_other") else {
        return;
    };
    assert_ne!(seed, crate::seed(&other));
}

fn the_lot_of_a_day_samples_every_decision_under_the_daily_minimum(kind: Kind) {
    let Some(team) = team(kind, "the_lot_of_a_day") else {
        return;
    };
    let (mut ann, mut sam) = (screen(&team, "ann"), screen(&team, "sam"));
    for source in ["R1", "R2", "R3"] {
        decide(&mut ann, "ann", source, Verdict::Approve);
    }
    let days = sam.lot_days("2000-01-01").expect("days");
    assert_eq!(days.len(), 1);
    let lot = sam.lot(&days[0].0, &days[0].1).expect("lot");
    assert_eq!(lot.plan.size, 3);
    // spot_check_min is 5: a day of three decisions is checked whole.
    assert_eq!(lot.plan.sample.len(), 3);
}

#[test]
fn a_version_4_database_is_migrated_with_its_history_intact() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("test setup");
        for sql in &matchgate::store::schema::MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("test setup");
        }
        conn.execute_batch(
            "PRAGMA user_version = 4;
             PRAGMA application_id = 1296515412;
             INSERT INTO batches (id, name, created_at) VALUES (1, 'b', '2026-01-01');
             INSERT INTO requests (id, batch_id, source_id, top_score, candidate_count, imported_at)
                  VALUES (1, 1, 'R1', 0.9, 1, '2026-01-01');
             INSERT INTO candidates (id, batch_id, source_id) VALUES (1, 1, 'C1');
             INSERT INTO matches (id, batch_id, request_id, candidate_id, score, status, imported_at, updated_at)
                  VALUES (1, 1, 1, 1, 0.9, 'rejected', '2026-01-01', '2026-01-01');
             INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before, status_after,
                                    reason_code, decided_at, viewed_ms)
                  VALUES (7, 1, 7, 'ann', 'reject', 'pending', 'rejected', 'name_only', '2026-01-01T00:00:00.000Z', 50);
             INSERT INTO audit (id, at, actor, action, object, outcome, detail, decision_id, prev_hash, hash)
                  VALUES (1, '2026-01-01', 'ann', 'reject', 'match:1', 'done', '{}', 7, '', 'x');",
        )
        .expect("test setup");
    }
    let store = Store::open(&path).expect("migrated");
    assert_eq!(
        store.schema_version().expect("test setup"),
        matchgate::store::schema::current_version()
    );
    let conn = rusqlite::Connection::open(&path).expect("test setup");
    let (reviewer, reason): (String, String) = conn
        .query_row(
            "SELECT reviewer, reason_code FROM decisions WHERE id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("test setup");
    assert_eq!((reviewer.as_str(), reason.as_str()), ("ann", "name_only"));
    assert!(
        conn.execute("DELETE FROM decisions", []).is_err(),
        "still append-only"
    );
    let fk: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .ok();
    assert_eq!(fk, None);
}
