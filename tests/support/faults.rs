//! Helpers for the fault tests: a seeded random source, fixtures, and the checks every fault
//! must leave true (integrity, audit chain, statuses that agree with their history).

use std::path::Path;

use super::{count, db, run, stderr};

/// xorshift64*: small, seeded, reproducible (the seed is printed so a failure can be replayed).
pub struct Rng(u64);

impl Rng {
    /// From `MATCHGATE_FAULT_SEED`, else the clock.
    pub fn from_env() -> Rng {
        let seed = std::env::var("MATCHGATE_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(7)
            });
        eprintln!("fault test seed: MATCHGATE_FAULT_SEED={seed}");
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in lo..hi (hi exclusive).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// How many repetitions a fault test makes: `default` in `cargo test`, more with
/// `MATCHGATE_FAULT_REPS=N`.
pub fn repetitions(default: usize) -> usize {
    std::env::var("MATCHGATE_FAULT_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// `n` releasable flagged matches, one candidate each, scores strictly descending so the queue
/// order is R0001, R0002, ...
pub fn releasable_csv(n: usize) -> String {
    let mut csv = String::from(
        "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin\n",
    );
    let names = ["Ann", "Bob", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"];
    for i in 1..=n {
        // Spread over 0.85..0.999 whatever n, so every match stays above the score floor.
        let score = 0.999 - i as f64 * (0.149 / n as f64);
        let name = names[i % names.len()];
        let dob = format!("19{:02}-{:02}-{:02}", 40 + i % 60, 1 + i % 12, 1 + i % 28);
        let line = format!(
            "R{i:04},C{i:04},{score:.6},{name},Surname{i},{dob},{i},Main St,Springfield,IL,62701,{name},Surname{i},{dob},{i},Main St,Springfield,IL,62701,900-{:02}-{:04}\n",
            i % 100,
            i
        );
        csv.push_str(&line);
    }
    csv
}

/// PRAGMA integrity_check says ok, `audit verify` passes, and every match's status is the
/// status its last decision left (nothing half-written).
pub fn assert_consistent(db_path: &Path) {
    let conn = db(db_path);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok", "integrity_check");
    let out = run(&["audit", "verify", "--db", db_path.to_str().expect("utf-8")]);
    assert!(out.status.success(), "audit verify: {}", stderr(&out));
    let disagree = count(
        &conn,
        "SELECT count(*) FROM matches m
          JOIN (SELECT match_id, max(id) AS last FROM decisions
                 WHERE action <> 'note' GROUP BY match_id) l ON l.match_id = m.id
          JOIN decisions d ON d.id = l.last
         WHERE d.status_after <> m.status
           AND NOT (m.status = 'released' AND d.status_after = 'approved')",
    );
    assert_eq!(
        disagree, 0,
        "matches whose status is not their last decision's"
    );
    let undecided_but_moved = count(
        &conn,
        "SELECT count(*) FROM matches m WHERE m.status <> 'pending'
            AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.match_id = m.id AND d.action <> 'note')",
    );
    assert_eq!(
        undecided_but_moved, 0,
        "a status changed without a decision"
    );
}

/// Sends a signal to a process this test started.
pub fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) on a pid we own.
    unsafe { libc::kill(pid, sig) };
}

/// Waits until the process is gone (it may be a zombie of tmux's for a moment).
pub fn wait_gone(pid: i32) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        if stat.is_empty() || state.starts_with('Z') || state.starts_with('X') {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} did not die"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
