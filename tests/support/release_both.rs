//! The release tests' database, on a SQLite file or a PostgreSQL server alike (`Backend`): ten
//! flagged matches in two batches, most of them stopped by one gate each, and the people who act
//! on them. Each person decides on their own connection and runs commands as themselves (on a
//! server, logged in as their own role); the truth is read as the owner with plain SQL.

use std::path::{Path, PathBuf};
use std::process::Output;

use matchgate::domain::roles::Role;
use matchgate::domain::{Decision, Verdict};
use matchgate::store::StoreError;

use super::backend::{Backend, Handle, Kind};
use super::{bin, stderr, stdout};

const HEADER: &str = "batch,requester,legal_basis,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_unit,req_city,req_state,req_zip,req_tin,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_unit,cand_city,cand_state,cand_zip,cand_tin";

fn rows() -> Vec<String> {
    let good = |batch: &str, req: &str, cand: &str, score: &str, n: u32| {
        format!(
            "{batch},Agency A,Statute 1,{req},{cand},{score},Ann{n},Archer,1970-01-01,{n},Main St,,Springfield,IL,62701,,Ann{n},Archer,1970-01-01,{n},Main St,,Springfield,IL,62701,900-11-{n:04}"
        )
    };
    vec![
        good("b1", "R1", "C1", "0.99", 1),
        // Under the score floor.
        good("b1", "R2", "C2", "0.70", 2),
        // Candidate ZIP is not in IL.
        "b1,Agency A,Statute 1,R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,62703,,Cy,Cole,1972-03-03,3,Pine Rd,,Springfield,IL,90210,900-33-3333".into(),
        // Name only.
        "b1,Agency A,Statute 1,R4,C4,0.92,Di,Dunn,1973-04-04,4,Elm St,,Springfield,IL,62704,,Di,Dunn,1983-05-05,99,Oak Ave,,Springfield,IL,62711,900-44-4444".into(),
        // Two close candidates.
        good("b1", "R5", "C5a", "0.93", 5),
        good("b1", "R5", "C5b", "0.91", 55),
        good("b2", "R6", "C6", "0.97", 6),
        // PO box candidate: DOB and TIN last four agree (a ZIP without its street does not count).
        "b1,Agency A,Statute 1,R7,C7,0.96,Ed,Eve,1974-07-07,7,Birch Ln,,Springfield,IL,62701,7777,Ed,Eve,1974-07-07,PO Box 7,PO Box 7,,Springfield,IL,62701,900-77-7777".into(),
        good("b1", "R8", "C8", "0.98", 8),
        // The request carries the TIN's last four.
        "b1,Agency A,Statute 1,R9,C9,0.94,Flo,Fox,1975-09-09,9,Cedar Ct,,Springfield,IL,62701,9999,Flo,Fox,1975-09-09,1,Other Rd,,Springfield,IL,62702,900-99-9999".into(),
    ]
}

/// alice and bob review; sue supervises; counsel puts and lifts holds and records recalls;
/// exporter releases. Policy is the admin's (the file's first admin, the server's owner).
const PEOPLE: [(&str, Role); 5] = [
    ("alice", Role::Reviewer),
    ("bob", Role::Reviewer),
    ("sue", Role::Supervisor),
    ("counsel", Role::Supervisor),
    ("exporter", Role::Supervisor),
];

pub struct Release {
    pub team: Backend,
    /// Where exports are written, and where every command runs (a dry run must leave it empty).
    out: tempfile::TempDir,
}

impl Release {
    /// The fixture on a backend of `kind`; None when the test is skipped (no PostgreSQL).
    pub fn new(kind: Kind, test: &str) -> Option<Release> {
        let mut csv = HEADER.to_string();
        for row in rows() {
            csv.push('\n');
            csv.push_str(&row);
        }
        csv.push('\n');
        Some(Release {
            team: Backend::new(kind, test, &csv, &PEOPLE)?,
            out: tempfile::tempdir().expect("tempdir"),
        })
    }

    /// `who`'s own connection, as their screen opens it (session = name).
    pub fn screen(&self, who: &str) -> Handle {
        self.team.screen(who, who)
    }

    fn candidate(&self, cand: &str) -> Vec<String> {
        self.team
            .rows(
                "SELECT c.source_id, m.id, m.status, m.request_id FROM matches m
                   JOIN candidates c ON c.id = m.candidate_id",
            )
            .into_iter()
            .find(|r| r[0] == cand)
            .unwrap_or_else(|| panic!("no match for candidate {cand}"))
    }

    pub fn match_id(&self, cand: &str) -> i64 {
        self.candidate(cand)[1].parse().expect("match id")
    }

    pub fn status(&self, cand: &str) -> String {
        self.candidate(cand)[2].clone()
    }

    pub fn request_id(&self, cand: &str) -> i64 {
        self.candidate(cand)[3].parse().expect("request id")
    }

    pub fn out_dir(&self) -> &Path {
        self.out.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.out.path().join(name)
    }

    /// What `--db` names for `who` (see `Backend::db_as`).
    pub fn db_as(&self, who: &str) -> String {
        self.team.db_as(who)
    }

    /// The real binary run by `who` (`--by who` on a file), in the output directory; its output
    /// whether it succeeded or not.
    pub fn run_as(&self, who: &str, args: &[&str]) -> Output {
        let by = match self.team.kind {
            Kind::Sqlite => vec!["--by", who],
            Kind::Postgres => vec![],
        };
        self.run_db(who, &[args, &by].concat())
    }

    /// The same for commands with no `--by` (the person is the connection, or `--supervisor`).
    pub fn run_db(&self, who: &str, args: &[&str]) -> Output {
        let db = self.db_as(who);
        self.run(&[args, &["--db", &db]].concat())
    }

    /// The real binary run by the admin (the file's first admin, the server's owner).
    pub fn run_admin(&self, args: &[&str]) -> Output {
        let db = self.team.db();
        let by = match self.team.kind {
            Kind::Sqlite => vec!["--by", super::backend::ADMIN],
            Kind::Postgres => vec![],
        };
        self.run(&[args, &["--db", &db], &by].concat())
    }

    fn run(&self, args: &[&str]) -> Output {
        bin()
            .args(args)
            .current_dir(self.out.path())
            .output()
            .expect("run matchgate")
    }

    /// `run_as` that must succeed; its stdout.
    pub fn ok_as(&self, who: &str, args: &[&str]) -> String {
        succeeded(args, self.run_as(who, args))
    }

    /// `run_db` that must succeed; its stdout.
    pub fn ok_db(&self, who: &str, args: &[&str]) -> String {
        succeeded(args, self.run_db(who, args))
    }

    /// `matchgate audit verify` as the owner: the hash chain holds and every decision is in it.
    pub fn verify_intact(&self) {
        let said = self.team.cli(&["audit", "verify", "--db", &self.team.db()]);
        assert!(said.contains("audit log intact"), "{said}");
    }
}

pub fn succeeded(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

pub fn decide(
    store: &mut Handle,
    match_id: i64,
    who: &str,
    verdict: Verdict,
) -> Result<(), StoreError> {
    store
        .record_decision(
            &Decision {
                match_id,
                reviewer: who.into(),
                verdict,
                note: None,
                viewed_ms: 5,
            },
            who,
        )
        .map(|_| ())
}

/// The refusal's message, checked to name `rule` and a remedy.
pub fn refused_rule(result: Result<(), StoreError>, rule: &str) -> String {
    match result {
        Err(StoreError::Refused(msg)) => {
            assert!(msg.contains(&format!("[{rule}]")), "expected {rule}: {msg}");
            assert!(msg.contains("needs"), "a remedy is named: {msg}");
            msg
        }
        other => panic!("expected a refusal by {rule}, got {other:?}"),
    }
}
