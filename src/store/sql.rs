//! One way to run a statement on either backend, so that logic written over statements (a
//! decision's transaction, the release gates' loading) is written once: `Sql` runs a statement
//! with `?` placeholders and hands back rows whose columns are read by kind, not by driver type.
//! SQLite runs it as written; PostgreSQL gets `$n` placeholders and values converted to the
//! type the server inferred for each (`postgres_sql`). Statements that differ by dialect ask
//! `dialect()` and keep both texts side by side.
//!
//! Bulk paths (import, export, migrate) stay on each driver's own API: this layer is for the
//! short statements of a transaction, where a value's conversion costs nothing next to the
//! round trip.

use super::{StoreError, StoreResult};

/// Which SQL a statement must be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A parameter's value, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
    Bool(bool),
}

/// Anything bound as a parameter.
pub(crate) trait Param {
    fn value(&self) -> Value<'_>;
}

impl Param for i64 {
    fn value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}

impl Param for u32 {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Param for bool {
    fn value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for &str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for &[u8] {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

/// One result row, its columns read by kind (an integer column of either width, any text type).
pub(crate) trait Row {
    fn int(&self, i: usize) -> StoreResult<Option<i64>>;
    fn real(&self, i: usize) -> StoreResult<Option<f64>>;
    fn text(&self, i: usize) -> StoreResult<Option<String>>;
    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>>;
    /// A truth value: PostgreSQL's boolean, SQLite's integer.
    fn flag(&self, i: usize) -> StoreResult<Option<bool>>;
}

/// Reads of a column that must not be NULL.
pub(crate) trait RowExt {
    fn int_at(&self, i: usize) -> StoreResult<i64>;
    fn real_at(&self, i: usize) -> StoreResult<f64>;
    fn text_at(&self, i: usize) -> StoreResult<String>;
    fn flag_at(&self, i: usize) -> StoreResult<bool>;
}

fn null(i: usize) -> StoreError {
    StoreError::Refused(format!("column {i} is NULL where a value was expected"))
}

impl RowExt for dyn Row + '_ {
    fn int_at(&self, i: usize) -> StoreResult<i64> {
        self.int(i)?.ok_or_else(|| null(i))
    }
    fn real_at(&self, i: usize) -> StoreResult<f64> {
        self.real(i)?.ok_or_else(|| null(i))
    }
    fn text_at(&self, i: usize) -> StoreResult<String> {
        self.text(i)?.ok_or_else(|| null(i))
    }
    fn flag_at(&self, i: usize) -> StoreResult<bool> {
        self.flag(i)?.ok_or_else(|| null(i))
    }
}

/// A connection or transaction of either backend.
pub(crate) trait Sql {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the number of rows it changed.
    fn run(&mut self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64>;
    /// Runs a query, handing each row to `row` as it comes.
    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        row: &mut dyn FnMut(&dyn Row) -> StoreResult<()>,
    ) -> StoreResult<()>;
}

impl dyn Sql + '_ {
    /// Every row, mapped.
    pub(crate) fn all<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut map: impl FnMut(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, &mut |r| {
            out.push(map(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, mapped, if there is one.
    pub(crate) fn opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut map: impl FnMut(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let mut out = None;
        self.each(sql, params, &mut |r| {
            if out.is_none() {
                out = Some(map(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs an INSERT and returns the new row's `id` (SQLite: `last_insert_rowid()`, which
    /// plans no look for rows referring to the new one as RETURNING would; a server: RETURNING).
    pub(crate) fn insert_id(&mut self, insert: &str, params: &[&dyn Param]) -> StoreResult<i64> {
        match self.dialect() {
            Dialect::Sqlite => {
                self.run(insert, params)?;
                self.one("SELECT last_insert_rowid()", &[], |r| r.int_at(0))
            }
            Dialect::Postgres => {
                self.one(&format!("{insert} RETURNING id"), params, |r| r.int_at(0))
            }
        }
    }

    /// The one row a statement must return.
    pub(crate) fn one<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        map: impl FnMut(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.opt(sql, params, map)?
            .ok_or_else(|| StoreError::NotFound(format!("no row from: {}", first_line(sql))))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;
