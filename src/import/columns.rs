//! matchgate's column names, and how a file's column names resolve onto them (directly, or through
//! a column map).

use std::borrow::Cow;
use std::collections::HashSet;

use super::column_map::ColumnMap;
use super::error::ImportError;
use super::quote::quoted;
use crate::domain::Field;
use crate::domain::currency::canonical_suffix;

/// What one column of an import file feeds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    RequestId,
    CandidateId,
    Score,
    Batch,
    Gold,
    GoldNote,
    Requester,
    LegalBasis,
    /// `req_<field>` for a canonical request field.
    Request(Field),
    /// `cand_<field>` for a canonical candidate field.
    Candidate(Field),
    /// Any other `req_<suffix>` (including `req_tin`: requests have no TIN column).
    RequestExtra(String),
    /// Any other `cand_<suffix>`.
    CandidateExtra(String),
}

impl Target {
    /// The columns every row needs.
    pub const REQUIRED: [Target; 3] = [Target::RequestId, Target::CandidateId, Target::Score];

    /// The target a matchgate column name stands for; None for names matchgate does not know.
    pub fn parse(name: &str) -> Option<Target> {
        let fixed = match name {
            "request_id" => Target::RequestId,
            "candidate_id" => Target::CandidateId,
            "score" => Target::Score,
            "batch" => Target::Batch,
            "gold" => Target::Gold,
            "gold_note" => Target::GoldNote,
            "requester" => Target::Requester,
            "legal_basis" => Target::LegalBasis,
            _ => {
                if let Some(suffix) = name.strip_prefix("req_").filter(|s| !s.is_empty()) {
                    return Some(match Field::from_key(suffix) {
                        Some(field) if !field.candidate_only() => Target::Request(field),
                        _ => Target::RequestExtra(suffix.to_string()),
                    });
                }
                if let Some(suffix) = name.strip_prefix("cand_").filter(|s| !s.is_empty()) {
                    return Some(match Field::from_key(suffix) {
                        Some(field) => Target::Candidate(field),
                        // `cand_last_confirmed` and the other common names of the date the
                        // address was confirmed all feed the one canonical field.
                        None => Target::CandidateExtra(canonical_suffix(suffix).to_string()),
                    });
                }
                return None;
            }
        };
        Some(fixed)
    }

    /// matchgate's name for the column.
    pub fn name(&self) -> Cow<'static, str> {
        match self {
            Target::RequestId => "request_id".into(),
            Target::CandidateId => "candidate_id".into(),
            Target::Score => "score".into(),
            Target::Batch => "batch".into(),
            Target::Gold => "gold".into(),
            Target::GoldNote => "gold_note".into(),
            Target::Requester => "requester".into(),
            Target::LegalBasis => "legal_basis".into(),
            Target::Request(field) => format!("req_{}", field.key()).into(),
            Target::Candidate(field) => format!("cand_{}", field.key()).into(),
            Target::RequestExtra(suffix) => format!("req_{suffix}").into(),
            Target::CandidateExtra(suffix) => format!("cand_{suffix}").into(),
        }
    }
}

/// A file column that feeds matchgate, with the label messages use for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub target: Target,
    /// `"score"`, or `"Prob" (score)` when a map renamed it: the user knows their own names.
    pub label: String,
}

/// Resolves a file's column names (CSV header cells, JSON keys) through an optional map.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'m> {
    map: &'m ColumnMap,
}

impl<'m> Resolver<'m> {
    pub fn new(map: &'m ColumnMap) -> Self {
        Resolver { map }
    }

    /// The column a file name feeds, or None when matchgate ignores it.
    ///
    /// A mapped name wins. A name that is matchgate's own is used as it is, unless the map takes
    /// that target from another column: then the map is what the user meant, and this column is
    /// ignored rather than feeding the same target twice.
    ///
    /// Names match case-insensitively and trimmed (`Request_ID `, `SCORE`); a file from another
    /// tool ([`super::column_map::Dialect`]) adds that tool's names.
    pub fn resolve(&self, theirs: &str) -> Option<Column> {
        let theirs = theirs.trim();
        let key = theirs.to_lowercase();
        if let Some(target) = self.map.target_of(&key) {
            let ours = target.name();
            let label = if ours == theirs {
                quoted(theirs)
            } else {
                format!("{} ({ours})", quoted(theirs))
            };
            return Some(Column {
                target: target.clone(),
                label,
            });
        }
        let (target, renamed) = match Target::parse(&key) {
            Some(target) => (target, false),
            None => (self.map.dialect().target(&key)?, true),
        };
        if self.map.source_of(&target).is_some() {
            return None;
        }
        let label = if renamed {
            format!("{} ({})", quoted(theirs), target.name())
        } else {
            quoted(theirs)
        };
        Some(Column { target, label })
    }

    /// How to name a required column that a file lacks.
    pub fn missing_label(&self, target: &Target) -> String {
        match self.map.source_of(target) {
            Some(theirs) => format!(
                "{} (mapped to {} by {})",
                quoted(theirs),
                target.name(),
                self.map.display_path()
            ),
            None => quoted(&target.name()),
        }
    }
}

/// The columns of a CSV header, position by position.
#[derive(Debug, Clone)]
pub struct Layout {
    /// One entry per header cell: what it feeds, or None when ignored.
    pub columns: Vec<Option<Column>>,
    /// Header names matchgate ignores, in file order, to mention once.
    pub ignored: Vec<String>,
}

impl Layout {
    /// Resolves a header row; a missing required column or a repeated name is an error.
    pub fn from_header(
        names: &[&str],
        resolver: Resolver<'_>,
        file: &str,
    ) -> Result<Layout, ImportError> {
        let mut seen_names = HashSet::new();
        let mut seen_targets = HashSet::new();
        let mut columns = Vec::with_capacity(names.len());
        let mut ignored = Vec::new();
        for (i, name) in names.iter().enumerate() {
            // A UTF-8 byte order mark before the first name is not part of it.
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}').trim()
            } else {
                name.trim()
            };
            // Blank header cells (trailing commas from spreadsheets) carry nothing to import.
            if name.is_empty() {
                columns.push(None);
                continue;
            }
            if !seen_names.insert(name.to_lowercase()) {
                return Err(ImportError::DuplicateColumn {
                    file: file.to_string(),
                    column: quoted(name),
                });
            }
            let column = resolver.resolve(name);
            match &column {
                Some(c) if !seen_targets.insert(c.target.clone()) => {
                    return Err(ImportError::DuplicateColumn {
                        file: file.to_string(),
                        column: c.label.clone(),
                    });
                }
                Some(_) => {}
                None => ignored.push(name.to_string()),
            }
            columns.push(column);
        }
        if let Some(missing) = Target::REQUIRED.iter().find(|t| !seen_targets.contains(*t)) {
            return Err(ImportError::MissingColumn {
                file: file.to_string(),
                column: resolver.missing_label(missing),
            });
        }
        Ok(Layout { columns, ignored })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_to_targets_and_back() {
        for name in [
            "request_id",
            "candidate_id",
            "score",
            "batch",
            "gold",
            "gold_note",
            "requester",
            "legal_basis",
            "req_given_name",
            "cand_tin",
            "req_nickname",
            "cand_phone",
        ] {
            let target = Target::parse(name).expect(name);
            assert_eq!(target.name(), name);
        }
        assert_eq!(Target::parse("req_dob"), Some(Target::Request(Field::Dob)));
        assert_eq!(
            Target::parse("cand_tin"),
            Some(Target::Candidate(Field::Tin))
        );
        assert_eq!(Target::parse("nickname"), None);
        assert_eq!(Target::parse("req_"), None);
    }

    #[test]
    fn request_tin_is_an_extra_field() {
        assert_eq!(
            Target::parse("req_tin"),
            Some(Target::RequestExtra("tin".into()))
        );
    }

    #[test]
    fn header_without_a_required_column_is_refused() {
        let map = ColumnMap::default();
        let err = Layout::from_header(&["request_id", "score"], Resolver::new(&map), "f.csv")
            .expect_err("candidate_id is missing");
        assert_eq!(
            err.to_string(),
            "f.csv: missing required column \"candidate_id\""
        );
    }

    #[test]
    fn header_lists_ignored_columns_and_refuses_repeats() {
        let map = ColumnMap::default();
        let layout = Layout::from_header(
            &["request_id", "candidate_id", "score", "notes", "req_x"],
            Resolver::new(&map),
            "f.csv",
        )
        .expect("layout");
        assert_eq!(layout.ignored, vec!["notes".to_string()]);
        assert_eq!(
            layout.columns[4].as_ref().map(|c| &c.target),
            Some(&Target::RequestExtra("x".into()))
        );
        let err = Layout::from_header(
            &["request_id", "candidate_id", "score", "score"],
            Resolver::new(&map),
            "f.csv",
        )
        .expect_err("score twice");
        assert!(matches!(err, ImportError::DuplicateColumn { .. }), "{err}");
    }
}
