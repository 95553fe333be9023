//! Reading records (request and candidate rows) back into domain types.

use rusqlite::Row;

use crate::domain::{Field, Record};

/// The canonical columns of `requests`, in `Field::ALL` order without TIN.
pub const REQUEST_FIELDS: [Field; 9] = [
    Field::GivenName,
    Field::Surname,
    Field::Dob,
    Field::StreetNumber,
    Field::Street,
    Field::Unit,
    Field::City,
    Field::State,
    Field::Zip,
];

/// Builds a record from `source_id`, the given canonical columns and `extra`, read in that order
/// starting at column `first`.
pub fn record_from_row(row: &Row<'_>, first: usize, fields: &[Field]) -> rusqlite::Result<Record> {
    let mut record = Record::new(row.get::<_, String>(first)?);
    for (offset, field) in fields.iter().enumerate() {
        if let Some(value) = row.get::<_, Option<String>>(first + 1 + offset)? {
            record.set(*field, value);
        }
    }
    let extra: String = row.get(first + 1 + fields.len())?;
    add_extra(&mut record, &extra);
    Ok(record)
}

/// [`record_from_row`] for a row of either backend (see `sql`).
pub(crate) fn record_from(
    row: &dyn super::sql::Row,
    first: usize,
    fields: &[Field],
) -> super::StoreResult<Record> {
    use super::sql::RowExt;
    let mut record = Record::new(row.text_at(first)?);
    for (offset, field) in fields.iter().enumerate() {
        if let Some(value) = row.text(first + 1 + offset)? {
            record.set(*field, value);
        }
    }
    add_extra(&mut record, &row.text_at(first + 1 + fields.len())?);
    Ok(record)
}

/// The extra column is written by the importer as a JSON object of strings; anything else is
/// shown as one opaque value rather than dropped.
fn add_extra(record: &mut Record, extra: &str) {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(extra) {
        Ok(map) => {
            for (key, value) in map {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                record.set_extra(key, text);
            }
        }
        Err(_) if extra.trim().is_empty() => {}
        Err(_) => record.set_extra("extra", extra),
    }
}

/// `source_id, <fields>, extra` with a table alias, for SELECT lists.
pub fn columns(alias: &str, fields: &[Field]) -> String {
    let mut cols = vec![format!("{alias}.source_id")];
    cols.extend(fields.iter().map(|f| format!("{alias}.{}", f.key())));
    cols.push(format!("{alias}.extra"));
    cols.join(", ")
}
