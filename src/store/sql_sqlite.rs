//! `Sql` on a SQLite connection (or a transaction, through its connection): statements run as
//! written, cached by text.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use super::StoreResult;
use super::sql::{Dialect, Param, Row, Sql, Value};

/// A SQLite connection seen through `Sql`.
pub(crate) struct Lite<'c>(pub &'c Connection);

struct Bound<'a>(Value<'a>);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(n),
            Value::Real(x) => ValueRef::Real(x),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
            Value::Bool(b) => ValueRef::Integer(i64::from(b)),
        }))
    }
}

fn bind<'a>(params: &'a [&'a dyn Param]) -> Vec<Bound<'a>> {
    params.iter().map(|p| Bound(p.value())).collect()
}

impl Sql for Lite<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn run(&mut self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64> {
        let bound = bind(params);
        let changed = self
            .0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(bound.iter()))?;
        Ok(changed as u64)
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        row: &mut dyn FnMut(&dyn Row) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let bound = bind(params);
        let mut stmt = self.0.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(bound.iter()))?;
        while let Some(r) = rows.next()? {
            row(&LiteRow(r))?;
        }
        Ok(())
    }
}

struct LiteRow<'r, 's>(&'r rusqlite::Row<'s>);

impl Row for LiteRow<'_, '_> {
    fn int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.0.get(i)?)
    }
    fn real(&self, i: usize) -> StoreResult<Option<f64>> {
        Ok(self.0.get(i)?)
    }
    fn text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.0.get(i)?)
    }
    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.0.get(i)?)
    }
    fn flag(&self, i: usize) -> StoreResult<Option<bool>> {
        Ok(self.0.get::<_, Option<i64>>(i)?.map(|n| n != 0))
    }
}
