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
    let values = (0..fields.len())
        .map(|offset| row.get::<_, Option<String>>(first + 1 + offset))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(record_from_values(
        row.get(first)?,
        fields,
        values,
        &row.get::<_, String>(first + 1 + fields.len())?,
    ))
}

/// A record from its columns as any backend read them: `values` are the `fields`' columns, in
/// order; `extra` is the importer's JSON object of the other fields.
pub(crate) fn record_from_values(
    source_id: String,
    fields: &[Field],
    values: Vec<Option<String>>,
    extra: &str,
) -> Record {
    let mut record = Record::new(source_id);
    for (field, value) in fields.iter().zip(values) {
        if let Some(value) = value {
            record.set(*field, value);
        }
    }
    // The extra column is written by the importer as a JSON object of strings; anything else is
    // shown as one opaque value rather than dropped.
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
    record
}

/// [`record_from_row`] for a row of either backend (see `sql`).
pub(crate) fn record_from(
    row: &dyn super::sql::Row,
    first: usize,
    fields: &[Field],
) -> super::StoreResult<Record> {
    use super::sql::RowExt;
    let values = (0..fields.len())
        .map(|offset| row.text(first + 1 + offset))
        .collect::<super::StoreResult<Vec<_>>>()?;
    Ok(record_from_values(
        row.text_at(first)?,
        fields,
        values,
        &row.text_at(first + 1 + fields.len())?,
    ))
}

/// `source_id, <fields>, extra` with a table alias, for SELECT lists.
pub fn columns(alias: &str, fields: &[Field]) -> String {
    let mut cols = vec![format!("{alias}.source_id")];
    cols.extend(fields.iter().map(|f| format!("{alias}.{}", f.key())));
    cols.push(format!("{alias}.extra"));
    cols.join(", ")
}
