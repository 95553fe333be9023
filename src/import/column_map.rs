//! The `--map MAP.toml` file: which of the user's own column names feeds each of matchgate's.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::columns::Target;
use super::error::ImportError;
use super::quote::quoted;
use super::splink::Dialect;

/// A column map. Real files never use matchgate's column names, so a map renames theirs onto ours.
///
/// The file is TOML with one table, `[columns]`, of `our_name = "Their Column"` pairs, where the
/// right-hand side is the exact text of their header cell (CSV) or key (JSON Lines):
///
/// ```toml
/// [columns]
/// request_id     = "RequestNo"
/// candidate_id   = "PersonId"
/// score          = "Probability"
/// batch          = "Run"            # optional, like every column below
/// req_given_name = "FirstName"
/// req_dob        = "BirthDate"      # YYYY-MM-DD
/// cand_surname   = "Matched Surname"
/// cand_tin       = "TaxId"
/// req_nickname   = "Nick"           # any other req_/cand_ name is kept as an extra field
/// gold           = "Truth"          # match / nonmatch, for training sets
/// ```
///
/// Our names are `request_id`, `candidate_id`, `score`, `batch`, `gold`, `gold_note`, `requester`,
/// `legal_basis`, and `req_<field>` / `cand_<field>` for any field name. Columns the map does not
/// mention are read under their own names, so a file may mix both. When the map takes one of our
/// names from another column, a column literally carrying that name is ignored.
///
/// The map is refused (naming its file) when it cannot be read, is not valid TOML, has anything
/// but the `[columns]` table, names a target matchgate does not know, or sends one of their
/// columns to two of ours.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// The map's file, for messages; None for the identity map.
    path: Option<PathBuf>,
    /// Whose column names the file uses besides matchgate's own.
    dialect: Dialect,
    by_theirs: HashMap<String, Target>,
    by_target: HashMap<Target, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    columns: BTreeMap<String, String>,
}

impl ColumnMap {
    /// Reads and checks a map file.
    pub fn load(path: &Path) -> Result<ColumnMap, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::BadMap {
            path: path.to_path_buf(),
            detail: format!("cannot be read: {e}"),
        })?;
        ColumnMap::parse(&text, path)
    }

    /// Checks a map's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<ColumnMap, ImportError> {
        let bad = |detail: String| ImportError::BadMap {
            path: path.to_path_buf(),
            detail,
        };
        let file: MapFile =
            toml::from_str(text).map_err(|e| bad(format!("is not a valid map: {e}")))?;
        let mut map = ColumnMap {
            path: Some(path.to_path_buf()),
            ..ColumnMap::default()
        };
        for (ours, theirs) in file.columns {
            let target = Target::parse(&ours).ok_or_else(|| {
                bad(format!(
                    "{} is not a matchgate column (use request_id, candidate_id, score, batch, \
                     gold, gold_note, requester, legal_basis, req_<field> or cand_<field>)",
                    quoted(&ours)
                ))
            })?;
            if theirs.trim().is_empty() {
                return Err(bad(format!(
                    "{} is mapped from an empty name",
                    quoted(&ours)
                )));
            }
            if let Some(earlier) = map.by_theirs.get(&theirs.trim().to_lowercase()) {
                return Err(bad(format!(
                    "column {} is mapped to both {} and {}",
                    quoted(&theirs),
                    earlier.name(),
                    target.name()
                )));
            }
            map.by_target.insert(target.clone(), theirs.clone());
            map.by_theirs.insert(theirs.trim().to_lowercase(), target);
        }
        Ok(map)
    }

    /// The target their column is mapped to, if the map mentions it (case-insensitive).
    pub fn target_of(&self, theirs: &str) -> Option<&Target> {
        self.by_theirs.get(&theirs.trim().to_lowercase())
    }

    /// The same map, reading a file written by another tool.
    pub fn with_dialect(mut self, dialect: Dialect) -> ColumnMap {
        self.dialect = dialect;
        self
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Their column the map takes a target from, if any.
    pub fn source_of(&self, target: &Target) -> Option<&str> {
        self.by_target.get(target).map(String::as_str)
    }

    /// The map's file for messages.
    pub fn display_path(&self) -> String {
        self.path
            .as_deref()
            .map_or_else(|| "the column map".to_string(), |p| p.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    fn parse(text: &str) -> Result<ColumnMap, ImportError> {
        ColumnMap::parse(text, Path::new("map.toml"))
    }

    #[test]
    fn maps_their_names_onto_ours() {
        let map = parse(
            "[columns]\nrequest_id = \"RequestNo\"\nreq_given_name = \"First Name\"\ncand_pet = \"Pet\"\n",
        )
        .expect("valid map");
        assert_eq!(map.target_of("RequestNo"), Some(&Target::RequestId));
        assert_eq!(
            map.target_of("First Name"),
            Some(&Target::Request(Field::GivenName))
        );
        assert_eq!(
            map.target_of("Pet"),
            Some(&Target::CandidateExtra("pet".into()))
        );
        assert_eq!(map.source_of(&Target::RequestId), Some("RequestNo"));
        assert_eq!(map.target_of("request_id"), None);
    }

    #[test]
    fn refuses_bad_maps_naming_the_file() {
        for (text, expected) in [
            ("[columns\nscore = 1", "is not a valid map"),
            ("[columns]\nscore = 1\n", "is not a valid map"),
            ("[cols]\nscore = \"P\"\n", "is not a valid map"),
            (
                "[columns]\nprobability = \"P\"\n",
                "\"probability\" is not a matchgate column",
            ),
            ("[columns]\nscore = \"\"\n", "mapped from an empty name"),
            (
                "[columns]\nscore = \"P\"\nreq_zip = \"P\"\n",
                "column \"P\" is mapped to both req_zip and score",
            ),
        ] {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.starts_with("column map map.toml: "), "{err}");
            assert!(err.contains(expected), "{text:?} gave {err}");
        }
    }

    #[test]
    fn unreadable_map_names_the_file() {
        let err = ColumnMap::load(Path::new("/nonexistent/map.toml"))
            .expect_err("missing file")
            .to_string();
        assert!(err.contains("/nonexistent/map.toml"), "{err}");
        assert!(err.contains("cannot be read"), "{err}");
    }
}
