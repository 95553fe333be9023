//! The built-in training scenarios: small, hand-checked sets of flagged matches with right answers,
//! each teaching one thing (see `assets/scenarios/scenarios.toml` for the list and what each
//! teaches).
//!
//! The index and every CSV are built into the binary with `include_str!`, like the demo set, so a
//! trainer can run `matchgate demo --scenario NAME` from any directory. The CSVs use the ordinary
//! import format, so a scenario loads through the same [`FlaggedReader`] and
//! [`Store::import_matches`](crate::store::Store::import_matches) as any file: nothing about
//! training data is special-cased in the importer.
//!
//! A scenario may also carry setup (a release policy, legal holds) that is applied to the fresh
//! database before review; this module only defines and parses it.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use crate::import::{FlaggedReader, Format, ImportError, ImportOptions};

/// The index of scenarios, in the order they are listed.
pub const INDEX_TOML: &str = include_str!("../assets/scenarios/scenarios.toml");

/// Every scenario CSV, by file name. A file here that the index does not list, or an index entry
/// without a file here, is an error (see [`all`]), so the two cannot drift apart unnoticed.
const CSV_FILES: [(&str, &str); 8] = [
    ("basics.csv", include_str!("../assets/scenarios/basics.csv")),
    (
        "incomplete-addresses.csv",
        include_str!("../assets/scenarios/incomplete-addresses.csv"),
    ),
    (
        "namesakes.csv",
        include_str!("../assets/scenarios/namesakes.csv"),
    ),
    (
        "several-candidates.csv",
        include_str!("../assets/scenarios/several-candidates.csv"),
    ),
    (
        "hostile-data.csv",
        include_str!("../assets/scenarios/hostile-data.csv"),
    ),
    (
        "two-person-rule.csv",
        include_str!("../assets/scenarios/two-person-rule.csv"),
    ),
    (
        "legal-hold.csv",
        include_str!("../assets/scenarios/legal-hold.csv"),
    ),
    (
        "supervising.csv",
        include_str!("../assets/scenarios/supervising.csv"),
    ),
];

/// The folder the scenario files live in, for messages and `FlaggedReader` file names.
pub const ASSET_DIR: &str = "assets/scenarios";

/// One built-in training scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The name given to `--scenario`; also the file name without `.csv`.
    pub name: String,
    /// One line for lists.
    pub title: String,
    /// One paragraph for `demo --list`.
    pub description: String,
    /// The lessons, one line each.
    pub teaches: Vec<String>,
    /// The rows, in the import CSV format, every one with `gold` and `gold_note`.
    pub csv: &'static str,
    /// What to set up in the fresh database before review.
    pub setup: ScenarioSetup,
}

impl Scenario {
    /// The file the rows came from, as messages name it: `assets/scenarios/basics.csv`.
    pub fn file_name(&self) -> String {
        format!("{ASSET_DIR}/{}.csv", self.name)
    }

    /// A reader over the scenario's rows, ready for
    /// [`Store::import_matches`](crate::store::Store::import_matches).
    pub fn rows(&self) -> Result<FlaggedReader<&'static [u8]>, ImportError> {
        FlaggedReader::new(
            self.csv.as_bytes(),
            &self.file_name(),
            Format::Csv,
            &ImportOptions::default(),
        )
    }
}

/// What a scenario needs in place before review starts. The default is no setup: the ordinary
/// policy and no holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSetup {
    /// The release policy to review under; None keeps the database's default.
    #[serde(default)]
    pub policy: Option<PolicySetup>,
    /// Legal holds to place before review.
    #[serde(default)]
    pub holds: Vec<HoldSetup>,
    /// The trainee supervises a prepared history instead of reviewing.
    #[serde(default)]
    pub supervise: bool,
    /// Policy keys in force while the history was decided (restored after).
    #[serde(default)]
    pub history_policy: BTreeMap<String, String>,
    /// Reviewers' decisions made before the trainee starts.
    #[serde(default)]
    pub history: Vec<HistorySetup>,
    /// Export (release) the history's approvals before the trainee starts.
    #[serde(default)]
    pub release: bool,
}

/// One decision of a prepared history:
/// `{ request = "SUP-R03", reviewer = "rae", verdict = "reject", reason = "name_only" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySetup {
    /// The request's id in the scenario file; its first candidate is decided.
    pub request: String,
    pub reviewer: String,
    /// `approve` or `reject`.
    pub verdict: String,
    /// The reason code of a rejection.
    #[serde(default)]
    pub reason: Option<String>,
    /// How long the reviewer looked, in milliseconds.
    #[serde(default)]
    pub looked_ms: u64,
}

impl HistorySetup {
    /// The verdict, or why it is not one.
    pub fn verdict(&self) -> Result<crate::domain::Verdict, String> {
        use crate::domain::{ReasonCode, Verdict};
        match (self.verdict.as_str(), &self.reason) {
            ("approve", None) => Ok(Verdict::Approve),
            ("reject", Some(code)) => ReasonCode::PICKABLE
                .into_iter()
                .find(|r| r.code() == code)
                .map(Verdict::Reject)
                .ok_or_else(|| format!("unknown reason {code:?} for {}", self.request)),
            _ => Err(format!(
                "{}: a verdict is approve (no reason) or reject with a reason",
                self.request
            )),
        }
    }
}

/// A release policy for a scenario: `policy = { approvals_required = 2, blind = true }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySetup {
    /// How many different reviewers must approve before an address is released (at least 1).
    #[serde(default = "one")]
    pub approvals_required: u32,
    /// Whether a later reviewer is kept from seeing earlier approvals of the same item.
    #[serde(default)]
    pub blind: bool,
}

fn one() -> u32 {
    1
}

/// A legal hold on one batch: `{ batch = "...", reason = "...", scope = "all" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldSetup {
    /// The batch name, as in the CSV's `batch` column.
    pub batch: String,
    /// Why the hold exists, shown to the reviewer who meets it.
    pub reason: String,
    /// What the hold covers. Kept as text because the hold store defines the scopes; "all" (the
    /// default) means every match of the batch.
    #[serde(default = "all_scope")]
    pub scope: String,
}

fn all_scope() -> String {
    "all".to_string()
}

/// Why the scenario registry could not be built or a scenario not found.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{ASSET_DIR}/scenarios.toml is not valid: {0}")]
    Index(#[from] toml::de::Error),
    #[error("{ASSET_DIR}/scenarios.toml lists {name:?} twice")]
    Duplicate { name: String },
    #[error("{ASSET_DIR}/scenarios.toml lists {name:?} but {ASSET_DIR}/{name}.csv is not built in")]
    MissingCsv { name: String },
    #[error("{ASSET_DIR}/{file} is built in but scenarios.toml does not list it")]
    Unlisted { file: String },
    #[error("scenario {name:?}: {problem}")]
    Invalid { name: String, problem: String },
    #[error("there is no scenario {name:?}; the scenarios are: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
}

/// One `[[scenario]]` table of the index, as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub name: String,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub teaches: Vec<String>,
    #[serde(default)]
    pub policy: Option<PolicySetup>,
    #[serde(default)]
    pub holds: Vec<HoldSetup>,
    #[serde(default)]
    pub supervise: bool,
    #[serde(default)]
    pub history_policy: BTreeMap<String, String>,
    #[serde(default)]
    pub history: Vec<HistorySetup>,
    #[serde(default)]
    pub release: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    scenario: Vec<IndexEntry>,
}

/// Parses an index file (the text of `scenarios.toml`) and checks each entry on its own: a name
/// fit for a file name and a command line, text in every required key, a policy needing at least
/// one approval, holds naming a batch and a reason. Whether the files exist is checked by [`all`].
pub fn parse_index(text: &str) -> Result<Vec<IndexEntry>, ScenarioError> {
    let index: Index = toml::from_str(text)?;
    let mut seen = HashSet::new();
    for entry in &index.scenario {
        let invalid = |problem: &str| ScenarioError::Invalid {
            name: entry.name.clone(),
            problem: problem.to_string(),
        };
        let name_ok = !entry.name.is_empty()
            && entry
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(invalid(
                "the name must be lower-case letters, digits and hyphens",
            ));
        }
        if !seen.insert(entry.name.as_str()) {
            return Err(ScenarioError::Duplicate {
                name: entry.name.clone(),
            });
        }
        if entry.title.trim().is_empty() || entry.description.trim().is_empty() {
            return Err(invalid("the title and description must not be empty"));
        }
        if entry.teaches.iter().all(|t| t.trim().is_empty()) {
            return Err(invalid("teaches must name at least one lesson"));
        }
        if entry.policy.is_some_and(|p| p.approvals_required == 0) {
            return Err(invalid("approvals_required must be at least 1"));
        }
        if entry
            .holds
            .iter()
            .any(|h| h.batch.trim().is_empty() || h.reason.trim().is_empty())
        {
            return Err(invalid("every hold needs a batch and a reason"));
        }
        if let Some(problem) = entry.history.iter().find_map(|h| h.verdict().err()) {
            return Err(invalid(&problem));
        }
        if entry.supervise && entry.history.is_empty() {
            return Err(invalid(
                "a supervising scenario needs a history to supervise",
            ));
        }
    }
    Ok(index.scenario)
}

/// Every built-in scenario, in index order.
///
/// The index and files are built in, so an error here is a defect of the build (the tests in
/// `tests/scenarios.rs` catch it), but it is returned rather than panicking so a command can say
/// what is wrong.
pub fn all() -> Result<Vec<Scenario>, ScenarioError> {
    let entries = parse_index(INDEX_TOML)?;
    let listed: HashSet<String> = entries.iter().map(|e| format!("{}.csv", e.name)).collect();
    if let Some((file, _)) = CSV_FILES.iter().find(|(file, _)| !listed.contains(*file)) {
        return Err(ScenarioError::Unlisted {
            file: (*file).to_string(),
        });
    }
    entries
        .into_iter()
        .map(|entry| {
            let file = format!("{}.csv", entry.name);
            let csv = CSV_FILES
                .iter()
                .find(|(f, _)| *f == file)
                .map(|(_, csv)| *csv)
                .ok_or_else(|| ScenarioError::MissingCsv {
                    name: entry.name.clone(),
                })?;
            Ok(Scenario {
                name: entry.name,
                title: entry.title,
                description: entry.description,
                teaches: entry.teaches,
                csv,
                setup: ScenarioSetup {
                    policy: entry.policy,
                    holds: entry.holds,
                    supervise: entry.supervise,
                    history_policy: entry.history_policy,
                    history: entry.history,
                    release: entry.release,
                },
            })
        })
        .collect()
}

/// The scenario of that name, or [`ScenarioError::Unknown`] listing the names there are.
pub fn find(name: &str) -> Result<Scenario, ScenarioError> {
    let scenarios = all()?;
    let known: Vec<String> = scenarios.iter().map(|s| s.name.clone()).collect();
    scenarios
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ScenarioError::Unknown {
            name: name.to_string(),
            known,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_index_parses_with_its_setup() {
        let scenarios = all().expect("built-in scenarios");
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "basics",
                "incomplete-addresses",
                "namesakes",
                "several-candidates",
                "hostile-data",
                "two-person-rule",
                "legal-hold",
                "supervising"
            ]
        );
        let supervising = find("supervising").expect("supervising");
        assert!(supervising.setup.supervise && supervising.setup.release);
        assert_eq!(supervising.setup.history.len(), 8);
        let two = find("two-person-rule").expect("two-person-rule");
        assert_eq!(
            two.setup.policy,
            Some(PolicySetup {
                approvals_required: 2,
                blind: true
            })
        );
        assert!(two.setup.holds.is_empty());
        let hold = find("legal-hold").expect("legal-hold");
        assert_eq!(hold.setup.policy, None);
        assert_eq!(hold.setup.holds.len(), 1);
        assert_eq!(hold.setup.holds[0].batch, "training-hold-court");
        assert_eq!(hold.setup.holds[0].scope, "all");
        let basics = find("basics").expect("basics");
        assert_eq!(basics.setup, ScenarioSetup::default());
        assert_eq!(basics.file_name(), "assets/scenarios/basics.csv");
        // A multi-line description is one paragraph: the TOML line continuations joined it.
        assert!(
            !basics.description.contains('\n'),
            "{:?}",
            basics.description
        );
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = find("nope").expect_err("no such scenario");
        let text = err.to_string();
        assert!(text.contains("\"nope\""), "{text}");
        assert!(text.contains("basics, incomplete-addresses"), "{text}");
    }

    const ONE: &str = r#"
[[scenario]]
name = "x"
title = "X"
description = "d"
teaches = ["t"]
"#;

    #[test]
    fn setup_defaults_and_scope() {
        let text = format!(
            "{ONE}policy = {{ blind = true }}\nholds = [{{ batch = \"b\", reason = \"r\" }}]\n"
        );
        let entries = parse_index(&text).expect("valid");
        assert_eq!(
            entries[0].policy,
            Some(PolicySetup {
                approvals_required: 1,
                blind: true
            })
        );
        assert_eq!(entries[0].holds[0].scope, "all");
    }

    #[test]
    fn bad_indexes_are_refused_with_the_reason() {
        let cases = [
            (format!("{ONE}{ONE}"), "twice"),
            (ONE.replace("\"x\"", "\"Bad Name\""), "lower-case"),
            (ONE.replace("\"X\"", "\" \""), "must not be empty"),
            (ONE.replace("[\"t\"]", "[]"), "at least one lesson"),
            (
                format!("{ONE}policy = {{ approvals_required = 0 }}\n"),
                "at least 1",
            ),
            (
                format!("{ONE}holds = [{{ batch = \"\", reason = \"r\" }}]\n"),
                "batch and a reason",
            ),
            // A misspelt key must not be silently ignored: the setup would not be applied.
            (format!("{ONE}polcy = {{ blind = true }}\n"), "polcy"),
            (format!("{ONE}policy = {{ approvals = 2 }}\n"), "approvals"),
        ];
        for (text, expected) in cases {
            let err = parse_index(&text).expect_err(expected);
            assert!(err.to_string().contains(expected), "{expected}: {err}");
        }
    }
}
