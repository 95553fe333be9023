//! Column names of other record-linkage tools, read directly. Splink (the open-source linker
//! most agencies use) writes `predict()` output with one row per compared pair:
//! `unique_id_l`, `unique_id_r`, `match_probability`, and each compared column twice,
//! `<column>_l` for the left record and `<column>_r` for the right one, beside its own
//! `match_weight`, `gamma_*`, `bf_*` and `tf_*` columns. With `--from splink` the left record is
//! the request and the right one the candidate; `--map` still wins over these names.

use super::columns::Target;

/// Whose column names a file uses besides matchgate's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// matchgate's own names only.
    #[default]
    Matchgate,
    /// Splink `predict()` output.
    Splink,
}

impl Dialect {
    /// The tool's name as `--from` takes it.
    pub fn parse(name: &str) -> Option<Dialect> {
        match name.trim().to_ascii_lowercase().as_str() {
            "matchgate" => Some(Dialect::Matchgate),
            "splink" => Some(Dialect::Splink),
            _ => None,
        }
    }

    /// The target a (lower-case, trimmed) column name stands for in this dialect.
    pub fn target(self, key: &str) -> Option<Target> {
        match self {
            Dialect::Matchgate => None,
            Dialect::Splink => splink_target(key),
        }
    }
}

/// Splink's own bookkeeping columns: scores per comparison, not record fields.
const SPLINK_INTERNAL: [&str; 6] = [
    "gamma_",
    "bf_",
    "tf_",
    "match_weight",
    "match_key",
    "source_dataset",
];

fn splink_target(key: &str) -> Option<Target> {
    match key {
        "unique_id_l" => return Some(Target::RequestId),
        "unique_id_r" => return Some(Target::CandidateId),
        "match_probability" => return Some(Target::Score),
        _ => {}
    }
    if SPLINK_INTERNAL.iter().any(|p| key.starts_with(p)) {
        return None;
    }
    let (stem, side) = if let Some(stem) = key.strip_suffix("_l") {
        (stem, "req_")
    } else if let Some(stem) = key.strip_suffix("_r") {
        (stem, "cand_")
    } else {
        return None;
    };
    if stem.is_empty() {
        return None;
    }
    Target::parse(&format!("{side}{}", canonical_stem(stem)))
}

/// The usual Splink column names for matchgate's canonical fields.
fn canonical_stem(stem: &str) -> &str {
    match stem {
        "first_name" | "firstname" | "forename" | "given_name" | "first" => "given_name",
        "surname" | "last_name" | "lastname" | "family_name" | "last" => "surname",
        "dob" | "date_of_birth" | "birth_date" | "birthdate" => "dob",
        "street_number" | "house_number" | "building_number" => "street_number",
        "street" | "street_name" => "street",
        "unit" | "apartment" | "apt" | "flat" => "unit",
        "city" | "town" => "city",
        "state" | "state_code" => "state",
        "zip" | "zipcode" | "zip_code" | "postcode" | "postal_code" => "zip",
        "tin" | "ssn" => "tin",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn splink_names() {
        let t = |k: &str| Dialect::Splink.target(k);
        assert_eq!(t("unique_id_l"), Some(Target::RequestId));
        assert_eq!(t("unique_id_r"), Some(Target::CandidateId));
        assert_eq!(t("match_probability"), Some(Target::Score));
        assert_eq!(t("first_name_l"), Some(Target::Request(Field::GivenName)));
        assert_eq!(t("surname_r"), Some(Target::Candidate(Field::Surname)));
        assert_eq!(t("postcode_r"), Some(Target::Candidate(Field::Zip)));
        assert_eq!(t("tin_l"), Some(Target::RequestExtra("tin".into())));
        assert_eq!(t("tin_r"), Some(Target::Candidate(Field::Tin)));
        assert_eq!(
            t("last_confirmed_r"),
            Some(Target::CandidateExtra("address_updated".into()))
        );
        assert_eq!(t("email_l"), Some(Target::RequestExtra("email".into())));
        for ignored in [
            "gamma_first_name",
            "bf_dob",
            "tf_surname_l",
            "match_weight",
            "match_key",
            "source_dataset_l",
            "_l",
            "cluster",
        ] {
            assert_eq!(t(ignored), None, "{ignored}");
        }
        assert_eq!(Dialect::Matchgate.target("unique_id_l"), None);
        assert_eq!(Dialect::parse("Splink"), Some(Dialect::Splink));
        assert_eq!(Dialect::parse("dedupe"), None);
    }
}
