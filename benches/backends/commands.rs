//! The commands a team runs on its database, timed on both backends with the real binary, each
//! beside the bare SQL that reads the same rows through the database's own shell (`sqlite3`,
//! `psql`) in the same run: the counts `stats` prints, the supervisors' figures, the dry run
//! and the release, the decision history, the recall listing, the audit verification.

use std::path::Path;

use super::history::SUPERVISOR;
use super::side::Side;
use super::table::{self, median, note, paired, row, seconds};

/// Runs of each figure (medians are reported).
const REPS: usize = 3;

/// The counts `stats` prints: per batch and status.
const STATS_FLOOR: &str = "SELECT b.name, m.status, count(*) FROM matches m
    JOIN batches b ON b.id = m.batch_id GROUP BY 1, 2";
/// The reviewers' counts the figures start from.
const FIGURES_FLOOR: &str =
    "SELECT d.reviewer, d.action, count(*) FROM decisions d GROUP BY 1, 2 ORDER BY 1, 2";
/// The columns a release hands over, of the approved matches, with their approvers (the
/// aggregate spelt `{agg}`: SQLite's `group_concat(x)`, PostgreSQL's `string_agg(x, ',')`).
const RELEASE_FLOOR: &str = "SELECT m.id, b.name, r.source_id, c.street_number, c.street,
        c.unit, c.city, c.state, c.zip,
        (SELECT {agg} FROM decisions d WHERE d.match_id = m.id AND d.action = 'approve')
   FROM matches m JOIN requests r ON r.id = m.request_id
   JOIN candidates c ON c.id = m.candidate_id JOIN batches b ON b.id = m.batch_id
  WHERE m.status = 'approved' ORDER BY m.id";
/// The decision history with each row's request and batch.
const HISTORY_FLOOR: &str = "SELECT d.*, r.source_id, b.name FROM decisions d
   JOIN matches m ON m.id = d.match_id JOIN requests r ON r.id = m.request_id
   JOIN batches b ON b.id = m.batch_id ORDER BY d.id";
/// What a recall lists: every released match with its release, batch, request and address.
const RECALL_FLOOR: &str = "SELECT ri.match_id, ri.release_id, rel.released_at,
        rel.released_by, b.name, b.requester, b.legal_basis, r.source_id, c.street_number,
        c.street, c.unit, c.city, c.state, c.zip, ri.approvers, ri.flags,
        (SELECT min(x.recalled_at) FROM recalls x WHERE x.match_id = ri.match_id)
   FROM release_items ri JOIN releases rel ON rel.id = ri.release_id
   JOIN matches m ON m.id = ri.match_id JOIN requests r ON r.id = m.request_id
   JOIN candidates c ON c.id = m.candidate_id JOIN batches b ON b.id = m.batch_id
  ORDER BY ri.release_id, ri.match_id";
/// The chain the verification rehashes, in order.
const AUDIT_FLOOR: &str = "SELECT id, at, actor, action, object, outcome, detail,
        decision_id, prev_hash, hash FROM audit ORDER BY id";

fn release_floor(side: &Side) {
    side.shell(
        &RELEASE_FLOOR.replace("{agg}", "group_concat(d.reviewer)"),
        &RELEASE_FLOOR.replace("{agg}", "string_agg(d.reviewer, ',')"),
    );
}

/// The same SQL through the shell of either dialect.
fn floor(side: &Side, sql: &str) {
    side.shell(sql, sql);
}

/// Every command figure, on each side in turn. The release runs on fresh copies of each
/// database (`REPS` of them), then once, untimed, on the database itself, so that the recall
/// listing and the audit chain after it hold a release.
pub fn measure(sides: &[Side; 2], dir: &Path) {
    note(
        "commands: the real binary as the supervisor (on a server, their own login); floor: the same rows read by the database's shell (sqlite3 -csv; psql as the superuser over its socket); medians of 3",
    );
    let figure = |name: &str, f: &dyn Fn(&Side) -> (f64, f64)| {
        for side in sides {
            let (mg, floor) = f(side);
            row(name, side.name(), mg, floor);
        }
    };
    figure("stats (floor: GROUP BY batch, status)", &|side| {
        paired(
            REPS,
            || drop(side.cli_reading(SUPERVISOR, &["stats"])),
            || floor(side, STATS_FLOOR),
        )
    });
    figure(
        "stats --reviewers (floor: GROUP BY reviewer, action)",
        &|side| {
            paired(
                REPS,
                || drop(side.cli_reading(SUPERVISOR, &["stats", "--reviewers"])),
                || floor(side, FIGURES_FLOOR),
            )
        },
    );
    figure(
        "export --dry-run (floor: SELECT approved's columns)",
        &|side| {
            paired(
                REPS,
                || drop(side.cli_as(SUPERVISOR, &["export", "--dry-run"])),
                || release_floor(side),
            )
        },
    );
    let files = std::cell::Cell::new(0);
    let out = |stem: &str| {
        files.set(files.get() + 1);
        let path = dir.join(format!("{stem}-{}.csv", files.get()));
        path.to_str().expect("path").to_string()
    };
    figure("export --decisions (floor: SELECT the history)", &|side| {
        paired(
            REPS,
            || drop(side.cli_as(SUPERVISOR, &["export", "--decisions", "--out", &out("h")])),
            || floor(side, HISTORY_FLOOR),
        )
    });
    figure(
        "export: the release, on a fresh copy (floor: same)",
        &|side| {
            let mut runs = (Vec::new(), Vec::new());
            for rep in 0..REPS {
                let copy = side.copy(&format!("release{rep}"));
                runs.0.push(seconds(|| {
                    drop(copy.cli_as(SUPERVISOR, &["export", "--out", &out("release")]))
                }));
                copy.remove();
                runs.1.push(seconds(|| release_floor(side)));
            }
            (median(runs.0), median(runs.1))
        },
    );
    for side in sides {
        let mut said = String::new();
        let took =
            seconds(|| said = side.cli_as(SUPERVISOR, &["export", "--out", &out("release")]));
        // Beside the copies' median: whether a copy (cold in the server's buffers) differs.
        note(&format!(
            "{}: the same release on the database itself took {} (not in the median): {}",
            side.name(),
            table::show(took),
            said.trim()
        ));
    }
    figure("recall, the listing (floor: SELECT released)", &|side| {
        paired(
            REPS,
            || drop(side.cli_as(SUPERVISOR, &["recall"])),
            || floor(side, RECALL_FLOOR),
        )
    });
    figure("audit verify (floor: SELECT the chain)", &|side| {
        paired(
            REPS,
            || drop(side.cli_reading(SUPERVISOR, &["audit", "verify"])),
            || floor(side, AUDIT_FLOOR),
        )
    });
    for side in sides {
        let said = side.cli_reading(SUPERVISOR, &["audit", "verify"]);
        note(&format!("{}: {}", side.name(), said.trim()));
    }
}
