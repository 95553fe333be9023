//! `Sql` on a PostgreSQL transaction (or the bare connection, for a read that needs no
//! transaction of its own): `?` and `?N` placeholders become `$n`, and each value is
//! converted to the type the server inferred for its placeholder (an integer bound where the
//! server wants a boolean or a 4-byte integer, say), so statements written for SQLite run as
//! they are wherever the two dialects agree.

use std::error::Error;

use bytes::BytesMut;
use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::store::StoreResult;
use crate::store::sql::{Dialect, Param, Row, Sql, Value};

/// A server transaction (or connection) seen through `Sql`.
pub(crate) struct Server<'t, C: GenericClient>(pub &'t mut C);

impl<C: GenericClient> Sql for Server<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run(&mut self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64> {
        let bound: Vec<Bound<'_>> = params.iter().map(|p| Bound(p.value())).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b as _).collect();
        Ok(self.0.execute(numbered(sql).as_str(), &refs)?)
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        row: &mut dyn FnMut(&dyn Row) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let bound: Vec<Bound<'_>> = params.iter().map(|p| Bound(p.value())).collect();
        let mut rows = self.0.query_raw(numbered(sql).as_str(), bound.iter())?;
        while let Some(r) = rows.next()? {
            row(&ServerRow(r))?;
        }
        Ok(())
    }
}

/// The statement with `$n` placeholders: `?` counts up, `?N` is `$N`; quoted text and quoted
/// names are left alone.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[derive(Debug)]
struct Bound<'a>(Value<'a>);

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => n.to_string().to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Value::Real(x) => match *ty {
                Type::FLOAT4 => (x as f32).to_sql(ty, out),
                _ => x.to_sql(ty, out),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
            Value::Bool(b) => match *ty {
                Type::INT8 => i64::from(b).to_sql(ty, out),
                Type::INT4 => i32::from(b).to_sql(ty, out),
                _ => b.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per value in `to_sql`, against the type the server inferred.
        true
    }

    to_sql_checked!();
}

struct ServerRow(postgres::Row);

impl Row for ServerRow {
    fn int(&self, i: usize) -> StoreResult<Option<i64>> {
        let row = &self.0;
        Ok(match *row.columns()[i].type_() {
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(i64::from),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(i64::from),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(i64::from),
            _ => row.try_get(i)?,
        })
    }
    fn real(&self, i: usize) -> StoreResult<Option<f64>> {
        let row = &self.0;
        Ok(match *row.columns()[i].type_() {
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(f64::from),
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(|n| n as f64),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(f64::from),
            _ => row.try_get(i)?,
        })
    }
    fn text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.0.try_get(i)?)
    }
    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.0.try_get(i)?)
    }
    fn flag(&self, i: usize) -> StoreResult<Option<bool>> {
        let row = &self.0;
        Ok(match *row.columns()[i].type_() {
            Type::BOOL => row.try_get(i)?,
            _ => self.int(i)?.map(|n| n != 0),
        })
    }
}
