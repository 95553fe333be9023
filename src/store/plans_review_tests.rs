//! Query plans of the review screen's and the team's paths, captured as they run (`plans_of`):
//! claims (taking, renewing, releasing, adopting, listing, the fence), what the screen reads
//! (a queue entry, an item in full, the counts, the policy and holds, other screens' queue
//! moves, second reviews), and what it writes (decisions, undo, second verdicts, reveals).
//! Every table here grows with the work done, so none may be scanned without an index.

use super::plans_tests::{plans_of, store_with_releases};
use super::{PageFrom, Store};
use crate::domain::claim::Claimant;
use crate::domain::roles::Role;
use crate::domain::{Decision, Field, QueueFilter, QueueSort, ReasonCode, StateFilter, Verdict};

/// Tables of a handful of rows whatever the work done, which may be scanned.
const SMALL: [&str; 5] = ["batches", "policy", "users", "holds", "b"];

/// A line scanning a table without an index, except a small table, a constant row, the
/// full-text index answering a MATCH (a virtual table's own index), and two statements whose
/// scan is bounded: the audit chain's tail (`ORDER BY id DESC LIMIT 1` walks the rowid from the
/// end and stops at one row) and the list of live claims (claims hold one row per session:
/// taking a claim gives up the session's previous one).
fn unindexed_scan<'p>(sql: &str, plan: &'p [String]) -> Option<&'p String> {
    let bounded = sql.trim_end().ends_with("ORDER BY id DESC LIMIT 1")
        || sql.contains("FROM claims WHERE expires_ms >");
    plan.iter().find(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        words.first() == Some(&"SCAN")
            && !line.contains("USING")
            && !line.contains("VIRTUAL TABLE INDEX")
            && !bounded
            && words
                .get(1)
                .is_some_and(|t| *t != "CONSTANT" && !SMALL.contains(t))
    })
}

/// Whether some line of the plan says `text`.
fn says(plan: &[String], text: &str) -> bool {
    plan.iter().any(|l| l.contains(text))
}

fn as_person(store: &mut Store, who: &str) {
    store.set_claimant(Some(Claimant {
        reviewer: who.into(),
        session: format!("{who}-session"),
    }));
}

/// Every statement of a reviewer's session and a second reviewer's, with its plan.
fn team_plans() -> Vec<(String, Vec<String>)> {
    let (_dir, mut store) = store_with_releases();
    store.add_user("root", Role::Admin, "root").expect("admin");
    for name in ["ann", "bob"] {
        store.add_user(name, Role::Reviewer, "root").expect("user");
    }
    store
        .set_policy("double_review_rate", "1", "root")
        .expect("every decision drawn for a second review");
    let todo = QueueFilter {
        state: StateFilter::ToDo,
        ..QueueFilter::default()
    };
    // Requests with a candidate still open, and that candidate (some were approved directly).
    let open: Vec<(i64, i64)> = store
        .queue_page(&todo, QueueSort::Score, PageFrom::Start, 20)
        .expect("page")
        .iter()
        .filter_map(|e| {
            let item = store.review_item(e.request_id).expect("item")?;
            let c = item.candidates.iter().find(|c| c.status.is_open())?;
            Some((e.request_id, c.match_id))
        })
        .collect();
    assert!(open.len() >= 3, "a queue to work on");
    let [
        (first, first_match),
        (second, second_match),
        (third, third_match),
    ] = [open[0], open[1], open[2]];
    plans_of(&mut store, |s| {
        as_person(s, "ann");
        // Opening: claims left from an earlier session, the first page, counts, the item.
        s.adopt_claims().expect("adopt");
        s.last_move_id().expect("last move");
        s.queue_counts(&todo).expect("counts");
        let entry = s.queue_entry(first).expect("entry").expect("exists");
        s.queue_page(&todo, QueueSort::Score, PageFrom::At(entry.key()), 5)
            .expect("page at");
        s.search_queue(&todo, "smi", 10).expect("search");
        s.claim(first).expect("claim");
        let item = s.review_item(first).expect("item").expect("exists");
        s.policy().expect("policy");
        s.active_holds(item.batch_id).expect("holds");
        s.record_reveal(first_match, Field::Tin, "ann")
            .expect("reveal");
        s.release_preview(first_match).expect("preview");
        // Deciding, moving on, undoing; the claim renewed and listed.
        let decide = |s: &mut Store, match_id, verdict| {
            let decision = Decision {
                match_id,
                reviewer: "ann".into(),
                verdict,
                note: None,
                viewed_ms: 1_000,
            };
            s.record_decision(&decision, "ann-session")
        };
        // The approval may be refused by the release rules: its statements run either way.
        let _ = decide(s, first_match, Verdict::Approve);
        s.claim(second).expect("claim");
        s.review_item(second).expect("item");
        decide(
            s,
            second_match,
            Verdict::Reject(ReasonCode::DifferentPerson),
        )
        .expect("reject");
        s.claim(third).expect("claim");
        s.review_item(third).expect("item");
        let deferred = decide(s, third_match, Verdict::Defer).expect("defer");
        s.undo_group(deferred.group_id, "ann", "ann-session")
            .expect("undo");
        s.renew_claims().expect("renew");
        s.live_claims().expect("live");
        // Another screen: the fence, the moves ann made, her decisions drawn for it.
        as_person(s, "bob");
        s.held_by_other(third).expect("fence");
        s.moves_since(0, "bob-session").expect("moves");
        s.second_reviews_waiting("bob").expect("waiting");
        let reviews = s.second_reviews_page("bob", None, 20).expect("page");
        let review = reviews.first().expect("ann's decisions are drawn");
        s.second_reviews_page("bob", Some(review.key()), 20)
            .expect("next page");
        s.second_review("bob", review.decision_id)
            .expect("one review");
        s.claim(review.request_id).expect("claim");
        let verdict = s
            .record_second_verdict(
                review.decision_id,
                "bob",
                Verdict::Approve,
                None,
                1_000,
                "bob-session",
            )
            .expect("second verdict");
        s.undo_group(verdict.group_id, "bob", "bob-session")
            .expect("the verdict undone");
        s.release_claim(review.request_id).expect("release one");
        s.release_claims().expect("release all");
        as_person(s, "ann");
        s.release_claims().expect("release all");
    })
}

#[test]
fn claim_and_review_paths_use_their_indexes() {
    let plans = team_plans();
    assert!(plans.len() > 30, "the paths ran their statements");
    let mut seen = Vec::new();
    for (sql, plan) in &plans {
        let found = |what: &'static str, seen: &mut Vec<&'static str>| {
            seen.push(what);
            format!("{what}: {sql}\n{plan:#?}")
        };
        assert!(
            unindexed_scan(sql, plan).is_none(),
            "unindexed scan in {sql}\n{plan:#?}"
        );
        if sql.contains("FROM claims WHERE request_id =") {
            let why = found("the fence reads one claim by its key", &mut seen);
            assert!(
                says(plan, "SEARCH claims USING INTEGER PRIMARY KEY"),
                "{why}"
            );
        }
        if sql.contains("claims WHERE session =") || sql.contains("claims SET expires_ms") {
            let why = found("a session's claims by claims_by_session", &mut seen);
            assert!(says(plan, "claims_by_session (session=?)"), "{why}");
        }
        if sql.contains("WHERE holder =") {
            let why = found("adopting claims by claims_by_holder", &mut seen);
            assert!(says(plan, "claims_by_holder (holder=?"), "{why}");
        }
        if sql.contains("FROM queue_moves q") {
            let why = found("other screens' moves by their key", &mut seen);
            assert!(
                says(plan, "SEARCH q USING INTEGER PRIMARY KEY (rowid>?)"),
                "{why}"
            );
        }
        if sql.contains("FROM second_reviews s INDEXED BY second_reviews_open") {
            let why = found("open second reviews by second_reviews_open", &mut seen);
            assert!(says(plan, "USING INDEX second_reviews_open"), "{why}");
        }
        if sql.contains("UPDATE second_reviews SET done_by") {
            let why = found("a second review opened or closed by its key", &mut seen);
            assert!(
                says(plan, "SEARCH second_reviews USING INTEGER PRIMARY KEY"),
                "{why}"
            );
        }
        if sql.contains("FROM matches m JOIN candidates c ON c.id = m.candidate_id")
            && sql.contains("WHERE m.request_id =")
        {
            let why = found("an item's candidates by their request", &mut seen);
            assert!(says(plan, "(request_id=?)"), "{why}");
        }
        if sql.contains("AND d.action = 'approve' AND +d.reviewer =") {
            // A page or a search leaves out what this reviewer approved as the first of two:
            // by the entry's matches, never by every decision the reviewer made.
            let why = found(
                "a reviewer's own approvals by the entry's matches",
                &mut seen,
            );
            assert!(
                says(plan, "decisions_by_match (match_id=?)")
                    && !says(plan, "decisions_by_reviewer"),
                "{why}"
            );
        }
        if sql.contains("SELECT r.queue_rank, count(*) FROM requests r") {
            // One pass over an index, never the table: what the counts cost grows with the
            // queue (see the README's screen figures).
            let why = found("the counts read a covering index", &mut seen);
            assert!(says(plan, "USING COVERING INDEX requests_by_"), "{why}");
        }
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 9, "every path above ran: {seen:#?}");
}
