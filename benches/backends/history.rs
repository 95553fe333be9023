//! The people and the decision history both databases are given before their commands are
//! timed: the same team registered on each (`matchgate user add`; on the server, login roles),
//! then the same decisions made through the library, as the screens make them (each in its own
//! transaction, audited, with its spot-check draws), so the audit chain verifies, releases pass
//! their gates and the supervisors' figures have something to count.

use matchgate::domain::supervision::{Check, CheckVerdict};
use matchgate::domain::{Decision, ReasonCode, Verdict};
use matchgate::store::{StoreError, SuperviseStore};

use super::side::{BIN, Side, run};

/// The file's first admin (a server's is its owner, who registers the others).
pub const ADMIN: &str = "alice";
/// Releases, recalls and checks.
pub const SUPERVISOR: &str = "carol";
/// Who made the history.
pub const REVIEWERS: [&str; 4] = ["ann", "bob", "cy", "dee"];
/// Who sits at the review screen in the screen's figures.
pub const SCREEN: &str = "sam";
/// One match in this many is decided (10% of them; a try whose match a sibling's approval
/// already closed is refused).
const STRIDE: usize = 10;
/// One standing first decision in this many is checked by the supervisor.
const CHECKED: usize = 40;

/// What the history came to on one backend.
#[derive(Debug, Default)]
pub struct Written {
    pub decisions: u64,
    /// Approvals a release gate refused, rejected instead.
    pub rejected_instead: u64,
    pub refused: u64,
    pub undone: u64,
    pub checks: u64,
    /// How long writing it took (untimed in the table: it only sets the stage).
    pub seconds: f64,
}

/// Registers the team: on a file, the first admin then the others by them; on a server, each
/// person's login role (password in the passfile) granted by the owner.
pub fn add_people(side: &Side) {
    let people = [
        (ADMIN, "admin"),
        (SUPERVISOR, "supervisor"),
        (SCREEN, "reviewer"),
    ]
    .into_iter()
    .chain(REVIEWERS.map(|r| (r, "reviewer")));
    for (who, role) in people {
        let (db, by) = match side {
            Side::File(_) => (side.db_for(who), ADMIN),
            Side::Server { server, .. } => {
                server.add_login(who, &format!("{who}-pw"));
                (side.db_for("postgres"), "postgres")
            }
        };
        run(
            BIN,
            &["user", "add", who, "--role", role, "--db", &db, "--by", by],
        );
    }
}

/// Decides every `STRIDE`-th match (approve 6 in 10, reject 3, defer 1; an approval the
/// release rules refuse becomes a reject), undoes one decision in a hundred, then has the
/// supervisor check one standing first decision in `CHECKED` (one check in ten an overturn).
pub fn write(side: &Side) -> Written {
    let started = std::time::Instant::now();
    let mut written = Written::default();
    let last = side.ints("SELECT max(id) FROM matches")[0];
    let mut people: Vec<Box<dyn SuperviseStore>> = REVIEWERS.map(|r| side.open(r)).into();
    for (i, match_id) in (1..=last).step_by(STRIDE).enumerate() {
        let who = REVIEWERS[i % REVIEWERS.len()];
        let store = &mut people[i % REVIEWERS.len()];
        let session = format!("history-{who}");
        let verdict = match i % 10 {
            0..=5 => Verdict::Approve,
            6..=8 => Verdict::Reject(ReasonCode::PICKABLE[i % ReasonCode::PICKABLE.len()]),
            _ => Verdict::Defer,
        };
        let mut decision = Decision {
            match_id,
            reviewer: who.into(),
            verdict,
            note: None,
            viewed_ms: 3_000 + (i as u64 * 7_919) % 90_000,
        };
        let mut outcome = store.record_decision(&decision, &session);
        if verdict == Verdict::Approve && matches!(outcome, Err(StoreError::Refused(_))) {
            decision.verdict = Verdict::Reject(ReasonCode::InsufficientAddress);
            outcome = store.record_decision(&decision, &session);
            written.rejected_instead += 1;
        }
        match outcome {
            Ok(done) => {
                written.decisions += 1;
                if i % 100 == 37 {
                    store
                        .undo_group(done.group_id, who, &session)
                        .expect("undo");
                    written.undone += 1;
                }
            }
            Err(StoreError::Refused(_)) => written.refused += 1,
            Err(e) => panic!("decision on match {match_id}: {e}"),
        }
    }
    drop(people);
    let firsts = side.ints(
        "SELECT d.id FROM decisions d WHERE d.spot_draw IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id) ORDER BY d.id",
    );
    let mut supervisor = side.open(SUPERVISOR);
    for (k, decision_id) in firsts.into_iter().step_by(CHECKED).enumerate() {
        let verdict = if k % 10 == 3 {
            CheckVerdict::Overturn(ReasonCode::NameOnly)
        } else {
            CheckVerdict::Agree
        };
        let check = Check {
            decision_id,
            supervisor: SUPERVISOR.into(),
            verdict,
            note: None,
            viewed_ms: 20_000,
        };
        match supervisor.record_check(&check, "history-checks") {
            Ok(_) => written.checks += 1,
            Err(StoreError::Refused(_)) => written.refused += 1,
            Err(e) => panic!("check of decision {decision_id}: {e}"),
        }
    }
    written.seconds = started.elapsed().as_secs_f64();
    written
}
