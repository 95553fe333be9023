use super::*;
use crate::store::postgres::sql::numbered;
use crate::store::sql_sqlite::Lite;

#[test]
fn placeholders_are_numbered_outside_quotes() {
    assert_eq!(
        numbered("SELECT ? , ?2, '?', \"a?\" FROM t WHERE x = ? AND y = ?10"),
        "SELECT $1 , $2, '?', \"a?\" FROM t WHERE x = $2 AND y = $10"
    );
}

#[test]
fn sqlite_rows_are_read_by_kind() {
    let conn = rusqlite::Connection::open_in_memory().expect("open");
    conn.execute_batch("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB)")
        .expect("table");
    let mut sql = Lite(&conn);
    let sql: &mut dyn Sql = &mut sql;
    let bytes: &[u8] = b"\x00\x01";
    let changed = sql
        .run(
            "INSERT INTO t VALUES (?, ?, ?, ?), (?, NULL, NULL, NULL)",
            &[&7i64, &0.5f64, &"x", &bytes, &true],
        )
        .expect("insert");
    assert_eq!(changed, 2);
    let rows = sql
        .all("SELECT i, r, s, b FROM t ORDER BY rowid", &[], |r| {
            Ok((r.int(0)?, r.real(1)?, r.text(2)?, r.bytes(3)?, r.flag(0)?))
        })
        .expect("rows");
    assert_eq!(
        rows,
        vec![
            (
                Some(7),
                Some(0.5),
                Some("x".into()),
                Some(vec![0, 1]),
                Some(true)
            ),
            (Some(1), None, None, None, Some(true)),
        ]
    );
    let none: Option<i64> = sql
        .opt("SELECT i FROM t WHERE i = ?", &[&99i64], |r| r.int_at(0))
        .expect("opt");
    assert_eq!(none, None);
    let missing = sql.one("SELECT i FROM t WHERE i = ?", &[&99i64], |r| r.int_at(0));
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}
