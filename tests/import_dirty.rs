//! Importing real matcher output whole: dirty record values are kept and flagged, `FILE:LINE` is
//! the line an editor shows for LF and CRLF files and across multi-line quoted fields, header
//! names are case-insensitive with a BOM ignored, and Splink's predict() output reads directly.

mod support;

use std::path::Path;

use support::{count, db, run, stderr, stdout, write_file};

fn import(db: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        "--db",
        db.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ];
    args.extend(extra);
    run(&args)
}

fn text(conn: &rusqlite::Connection, sql: &str) -> String {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[test]
fn dirty_values_are_kept_verbatim_flagged_and_never_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_file(
        dir.path(),
        "dirty.csv",
        "request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin\n\
         R1,C1,0.97,Ann,Archer,1945-04-93,1,Main St,Springfield,IL,62701,Ann,Archer,1945-04-93,1,Main St,Springfield,IL,6270I,900-11-1111\n\
         R2,C2,0.96,Bob,Baker,1951-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1951-02-02,2,Oak Ave,Springfield,IL,62702,900-22-2222\n",
    );
    let path = dir.path().join("m.db");
    let out = import(&path, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 2 matches"),
        "{}",
        stdout(&out)
    );
    let conn = db(&path);
    assert_eq!(
        text(&conn, "SELECT dob FROM requests WHERE source_id = 'R1'"),
        "1945-04-93"
    );
    assert_eq!(
        text(&conn, "SELECT zip FROM candidates WHERE source_id = 'C1'"),
        "6270I"
    );
    // Flag bit 8: invalid value; the clean request is not flagged.
    assert_eq!(
        count(
            &conn,
            "SELECT flags & 8 FROM requests WHERE source_id = 'R1'"
        ),
        8
    );
    assert_eq!(
        count(
            &conn,
            "SELECT flags & 8 FROM requests WHERE source_id = 'R2'"
        ),
        0
    );
    // The equal but invalid DOBs do not agree, and the invalid ZIP does not count either.
    let store = matchgate::store::Store::open(&path).expect("open");
    let item = store.review_item(1).expect("item").expect("some");
    let rows =
        matchgate::domain::agreement::compare_records(&item.request, &item.candidates[0].candidate);
    let dob = rows
        .iter()
        .find(|r| r.key.raw_key() == "dob")
        .expect("dob row");
    assert_eq!(dob.class.word(), "invalid");
    assert_eq!(dob.requested.as_deref(), Some("1945-04-93"));
    let ids = matchgate::domain::policy::identifiers_agreeing(
        &item.request,
        &item.candidates[0].candidate,
    );
    assert_eq!(ids, vec![matchgate::domain::Field::Street]);
}

#[test]
fn crlf_lines_and_multi_line_fields_are_numbered_as_an_editor_shows_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in [
        (
            "lf.csv",
            "request_id,candidate_id,score,cand_street\nR1,C1,0.9,Main St\nR2,C2,1.9,Oak Ave\n",
        ),
        (
            "crlf.csv",
            "request_id,candidate_id,score,cand_street\r\nR1,C1,0.9,Main St\r\nR2,C2,1.9,Oak Ave\r\n",
        ),
        (
            "cr.csv",
            "request_id,candidate_id,score,cand_street\rR1,C1,0.9,Main St\rR2,C2,1.9,Oak Ave\r",
        ),
    ] {
        let file = write_file(dir.path(), name, body);
        let out = import(&dir.path().join(format!("{name}.db")), &file, &[]);
        assert!(!out.status.success());
        let wanted = format!("{}:3: column \"score\"", file.display());
        assert!(stderr(&out).contains(&wanted), "{name}: {}", stderr(&out));
    }
    // A quoted field spanning two lines (CRLF inside and between rows) pushes the bad row to 5.
    let file = write_file(
        dir.path(),
        "multi.csv",
        "request_id,candidate_id,score,cand_street\r\nR1,C1,0.9,\"Main St\r\nRear\"\r\nR3,C3,0.8,Elm St\r\nR2,C2,1.9,Oak Ave\r\n",
    );
    let out = import(&dir.path().join("multi.db"), &file, &[]);
    let wanted = format!("{}:5: column \"score\"", file.display());
    assert!(stderr(&out).contains(&wanted), "{}", stderr(&out));
}

#[test]
fn header_names_match_any_case_trimmed_and_a_bom_is_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_file(
        dir.path(),
        "bom.csv",
        "\u{feff}Request_ID , CANDIDATE_ID,Score,Req_Given_Name,CAND_Last_Confirmed\r\nR1,C1,0.9,Ann,2026-01-02\r\n",
    );
    let path = dir.path().join("m.db");
    let out = import(&path, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = db(&path);
    assert_eq!(text(&conn, "SELECT given_name FROM requests"), "Ann");
    // `last_confirmed` is the canonical `address_updated`.
    assert_eq!(
        text(
            &conn,
            "SELECT json_extract(extra, '$.address_updated') FROM candidates"
        ),
        "2026-01-02"
    );
    let jsonl = write_file(
        dir.path(),
        "bom.jsonl",
        "\u{feff}{\"Request_Id\": \"R9\", \"candidate_id\": \"C9\", \"SCORE\": 0.5}\n",
    );
    let out = import(&dir.path().join("j.db"), &jsonl, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same column twice in different case is refused, not silently merged.
    let dup = write_file(
        dir.path(),
        "dup.csv",
        "request_id,candidate_id,score,SCORE\nR1,C1,0.5,0.6\n",
    );
    let out = import(&dir.path().join("d.db"), &dup, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("SCORE"), "{}", stderr(&out));
}

#[test]
fn splink_predict_output_imports_with_from_splink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/splink_predict.csv");
    let path = dir.path().join("m.db");
    let out = import(&path, &fixture, &["--from", "splink", "--batch", "splink"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 2 matches"),
        "{}",
        stdout(&out)
    );
    let conn = db(&path);
    assert_eq!(
        text(
            &conn,
            "SELECT r.source_id || '>' || c.source_id || ' ' || m.score FROM matches m JOIN requests r ON r.id = m.request_id JOIN candidates c ON c.id = m.candidate_id ORDER BY m.id LIMIT 1"
        ),
        "R-1001>M-77 0.9989"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT given_name || ' ' || zip FROM requests WHERE source_id = 'R-1001'"
        ),
        "Robert 60614"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT given_name || ' ' || tin FROM candidates WHERE source_id = 'M-77'"
        ),
        "Bob 912-34-5678"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT json_extract(extra, '$.tin') FROM requests WHERE source_id = 'R-1001'"
        ),
        "5678"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT json_extract(extra, '$.address_updated') FROM candidates WHERE source_id = 'M-77'"
        ),
        "2026-02-11"
    );
    // Splink's own columns are not record fields.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM candidates WHERE extra LIKE '%gamma%' OR extra LIKE '%match_key%'"
        ),
        0
    );
    // Without --from the file lacks matchgate's required columns.
    let out = import(&dir.path().join("n.db"), &fixture, &[]);
    assert!(!out.status.success());
    // --map still wins: take the candidate's street from another column.
    let map = write_file(
        dir.path(),
        "map.toml",
        "[columns]\ncand_street = \"street_l\"\n",
    );
    let out = import(
        &dir.path().join("mapped.db"),
        &fixture,
        &["--from", "splink", "--map", map.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = db(&dir.path().join("mapped.db"));
    assert_eq!(
        text(
            &conn,
            "SELECT street FROM candidates WHERE source_id = 'M-77'"
        ),
        "W Diversey Pkwy"
    );
    let out = import(&dir.path().join("x.db"), &fixture, &["--from", "dedupe"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown tool"), "{}", stderr(&out));
}
