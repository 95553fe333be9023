//! The history the report comparisons run on, built through the store API in a SQLite file and
//! migrated to a throwaway server; and running a command on both.

use std::path::{Path, PathBuf};

use matchgate::domain::roles::Role;
use matchgate::domain::supervision::{Check, CheckVerdict};
use matchgate::domain::{Decision, ReasonCode, Verdict};
use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use matchgate::store::{ExportFormat, RecallFilter, Store};

use crate::support::pg::PgServer;
use crate::support::{db, run, stderr, stdout};

const HEADER: &str = "request_id,candidate_id,score,batch,requester,legal_basis,req_given_name,req_surname,req_dob,req_street_number,req_street,req_unit,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_unit,cand_city,cand_state,cand_zip";

/// R1-R15 in batch `alpha`, R16-R30 in `Zeta` (bytewise before `alpha`, whose requester starts
/// like a formula); every pair agrees, R5 has a second, different candidate (several-candidates)
/// and odd requests have no unit.
fn fixture() -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 1..=30 {
        let (batch, requester) = if i <= 15 {
            ("alpha", "=Agency A")
        } else {
            ("Zeta", "Court of Z")
        };
        let unit = if i % 2 == 0 {
            format!("Apt {i}")
        } else {
            String::new()
        };
        let person = format!("Ann,Archer{i},1970-01-01,{i},Main St,{unit},Springfield,IL,62701");
        csv.push_str(&format!(
            "R{i},C{i},0.9,{batch},{requester},statute {i},{person},{person}\n"
        ));
        if i == 5 {
            csv.push_str(&format!(
                "R5,C5b,0.6,{batch},{requester},statute 5,{person},Eve,Other,1999-09-09,9,Elm St,,Springfield,IL,62701\n"
            ));
        }
    }
    csv
}

const PEOPLE: [(&str, Role); 5] = [
    ("root", Role::Admin),
    ("ann", Role::Reviewer),
    ("bob", Role::Reviewer),
    ("cy", Role::Reviewer),
    ("sue", Role::Supervisor),
];

pub struct Worked {
    pub path: PathBuf,
    /// An instant between the first release and the later decisions and second release.
    pub mark: String,
}

fn match_of(path: &Path, request: &str) -> i64 {
    db(path)
        .query_row(
            "SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id
              WHERE r.source_id = ? ORDER BY m.score DESC LIMIT 1",
            [request],
            |r| r.get(0),
        )
        .expect("match")
}

/// Decides request `request`'s best candidate; returns the decision's id.
fn decide(store: &mut Store, path: &Path, request: &str, who: &str, verdict: Verdict) -> i64 {
    let n: u64 = request[1..].parse().expect("R<n>");
    let decision = Decision {
        match_id: match_of(path, request),
        reviewer: who.into(),
        verdict,
        note: Some(format!("{who}: \"checked\",\nline two")),
        viewed_ms: 700 + n * 311 % 5000,
    };
    store
        .record_decision(&decision, who)
        .expect("decided")
        .group_id
}

fn check(store: &mut Store, decision_id: i64, verdict: CheckVerdict) -> i64 {
    let check = Check {
        decision_id,
        supervisor: "sue".into(),
        verdict,
        note: Some("checked against the source".into()),
        viewed_ms: 900,
    };
    store
        .record_check(&check, "sue")
        .expect("check")
        .outcome
        .group_id
}

fn release(store: &mut Store, dir: &Path, name: &str, who: &str) {
    let out = dir.join(name);
    let summary = store
        .export_release(who, &out, ExportFormat::Csv)
        .expect("release");
    assert!(summary.count > 0, "{summary:?}");
}

/// The history every comparison below runs on.
pub fn worked_file(dir: &Path) -> Worked {
    let path = dir.join("team.db");
    let (mut store, _) = Store::create(&path).expect("create");
    let csv = fixture();
    let rows = FlaggedReader::new(
        csv.as_bytes(),
        "f.csv",
        Format::Csv,
        &ImportOptions::default(),
    )
    .expect("reader");
    store
        .import_matches(rows, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    for (name, role) in PEOPLE {
        store.add_user(name, role, "root").expect("user");
    }
    store
        .set_policy("double_review_rate", "1", "root")
        .expect("every decision gets a second review");
    let s = &mut store;
    let p = path.as_path();
    let reject = Verdict::Reject;
    let mut first = Vec::new();
    for r in ["R1", "R2", "R3", "R4", "R5", "R6", "R10", "R11"] {
        first.push(decide(s, p, r, "ann", Verdict::Approve));
    }
    decide(s, p, "R7", "ann", reject(ReasonCode::DobConflict));
    decide(s, p, "R8", "ann", reject(ReasonCode::Ambiguous));
    decide(s, p, "R9", "ann", Verdict::Escalate);
    s.undo_group(first[7], "ann", "ann").expect("undo R11");
    for r in ["R16", "R17", "R18", "R19", "R20"] {
        first.push(decide(s, p, r, "bob", Verdict::Approve));
    }
    let b_reject = decide(s, p, "R21", "bob", reject(ReasonCode::StaleAddress));
    decide(s, p, "R22", "bob", reject(ReasonCode::DifferentPerson));
    let c_approve = decide(s, p, "R23", "cy", Verdict::Approve);
    decide(s, p, "R24", "cy", reject(ReasonCode::DobConflict));
    // Blind second verdicts: ann/bob and bob/ann pairs, cy/ann.
    for (decision, who, verdict) in [
        (first[0], "bob", Verdict::Approve),
        (first[1], "bob", reject(ReasonCode::NameOnly)),
        (first[2], "cy", Verdict::Approve),
        (first[8], "ann", Verdict::Approve),
        (b_reject, "ann", reject(ReasonCode::StaleAddress)),
        (c_approve, "ann", reject(ReasonCode::Ambiguous)),
    ] {
        s.record_second_verdict(decision, who, verdict, None, 1500, who)
            .expect("second verdict");
    }
    check(s, first[0], CheckVerdict::Agree);
    check(s, first[1], CheckVerdict::Overturn(ReasonCode::NameOnly));
    check(s, first[8], CheckVerdict::Agree);
    check(s, b_reject, CheckVerdict::Agree);
    release(s, dir, "release-1.csv", "sue");

    std::thread::sleep(std::time::Duration::from_millis(20));
    let mark = matchgate::store::now_utc();
    std::thread::sleep(std::time::Duration::from_millis(20));
    for r in ["R25", "R26", "R27"] {
        decide(s, p, r, "bob", Verdict::Approve);
    }
    decide(s, p, "R28", "cy", Verdict::Approve);
    decide(s, p, "R12", "cy", reject(ReasonCode::Other));
    release(s, dir, "release-2.csv", "root");
    // Released, then overturned: flagged for recall (R3's and R18's; R17's overturn is undone).
    check(
        s,
        first[2],
        CheckVerdict::Overturn(ReasonCode::StaleAddress),
    );
    check(
        s,
        first[10],
        CheckVerdict::Overturn(ReasonCode::DifferentPerson),
    );
    let undone = check(s, first[9], CheckVerdict::Overturn(ReasonCode::Other));
    s.undo_group(undone, "sue", "sue").expect("undo the check");
    // R5's release recalled already.
    let r5 = RecallFilter {
        flag: matchgate::domain::ItemFlags::from_name("several-candidates"),
        ..RecallFilter::default()
    };
    let listed = s.released(&r5).expect("R5 released");
    assert_eq!(listed.len(), 1);
    s.mark_recalled(&listed, "sue", "court order")
        .expect("recall");
    Worked { path, mark }
}

/// A server holding the file's database (migrated by the owner), with each person logging in as
/// their own role.
pub fn migrated(test: &str, file: &Path) -> Option<(PgServer, String)> {
    let server = PgServer::start(test)?;
    let db = server.create_database("team");
    let owner = server.url("postgres", &db);
    ok(&[
        "migrate",
        "--from",
        file.to_str().expect("utf-8"),
        "--to",
        &owner,
    ]);
    for (name, role) in PEOPLE {
        server.add_login(name, &format!("{name}-pw"));
        server.psql(&db, &format!("GRANT matchgate_{} TO {name}", role.as_str()));
    }
    Some((server, db))
}

pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Runs `args` on the file and on the server; asserts both succeed alike; returns the output.
pub fn same(file: &Path, url: &str, args: &[&str]) -> String {
    let on_file = ok(&[args, &["--db", file.to_str().expect("utf-8")]].concat());
    let on_server = ok(&[args, &["--db", url]].concat());
    assert_eq!(on_server, on_file, "{args:?}");
    on_file
}

/// Runs `args --out NAME` on the file and on the server, each into its own file in `dir`;
/// asserts the same message (but for the path) and the same bytes; returns the file's text.
pub fn same_file(dir: &Path, file: &Path, url: &str, args: &[&str], name: &str) -> String {
    let (here, there) = (dir.join(format!("file-{name}")), dir.join(name));
    let path = |p: &Path| p.to_str().expect("utf-8").to_string();
    let on_file = ok(&[args, &["--db", &path(file), "--out", &path(&here)]].concat());
    let on_server = ok(&[args, &["--db", url, "--out", &path(&there)]].concat());
    assert_eq!(
        on_server.replace(&path(&there), "OUT"),
        on_file.replace(&path(&here), "OUT"),
        "{args:?}"
    );
    let text = std::fs::read_to_string(&there).expect("the server's file");
    assert_eq!(
        text,
        std::fs::read_to_string(&here).expect("the file's"),
        "{args:?}"
    );
    text
}
