//! What a release hands over: only the request id, the batch and the candidate's postal address.
//! Never the TIN, the date of birth, the names or any other identifier.

use serde::Serialize;

use crate::domain::{Field, Record};

/// The fields of a released address, in file column order.
pub const RELEASE_FIELDS: [Field; 6] = [
    Field::StreetNumber,
    Field::Street,
    Field::Unit,
    Field::City,
    Field::State,
    Field::Zip,
];

/// One released (or previewed) row. Field order is the CSV column order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseRow {
    pub request_id: String,
    pub batch: String,
    pub street_number: String,
    pub street: String,
    pub unit: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

impl ReleaseRow {
    /// The row that would go out for this request and candidate.
    pub fn new(batch: &str, request: &Record, candidate: &Record) -> ReleaseRow {
        let get = |f: Field| candidate.get(f).unwrap_or("").to_string();
        ReleaseRow {
            request_id: request.id.clone(),
            batch: batch.to_string(),
            street_number: get(Field::StreetNumber),
            street: get(Field::Street),
            unit: get(Field::Unit),
            city: get(Field::City),
            state: get(Field::State),
            zip: get(Field::Zip),
        }
    }

    /// (column, value) pairs, for a preview that shows exactly what would go out.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("request_id", self.request_id.as_str()),
            ("batch", self.batch.as_str()),
            ("street_number", self.street_number.as_str()),
            ("street", self.street.as_str()),
            ("unit", self.unit.as_str()),
            ("city", self.city.as_str()),
            ("state", self.state.as_str()),
            ("zip", self.zip.as_str()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_row_never_carries_identifiers() {
        let mut cand = Record::new("C1")
            .with(Field::GivenName, "Ann")
            .with(Field::Dob, "1970-01-01")
            .with(Field::Tin, "900-11-1111")
            .with(Field::StreetNumber, "1")
            .with(Field::Street, "Main St")
            .with(Field::City, "Springfield")
            .with(Field::State, "IL")
            .with(Field::Zip, "62701");
        cand.set_extra("ssn", "123456789");
        let row = ReleaseRow::new("b1", &Record::new("R1"), &cand);
        let text = serde_json::to_string(&row).expect("json");
        for secret in ["900-11-1111", "1970-01-01", "Ann", "123456789", "C1"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(row.fields().len(), 8);
        assert_eq!(row.zip, "62701");
    }
}
