//! One row of an import file turned into a checked flagged match: values are validated as they
//! arrive (score, dates, gold, size), required ones are checked at the end.

use std::sync::Arc;

use super::columns::{Column, Resolver, Target};
use super::error::RowError;
use super::quote::quoted;
use crate::domain::{FlaggedMatch, Gold, Record};

/// The longest value a field may hold, in bytes: real names and addresses are far shorter, and a
/// longer one is a sign of a broken file (a runaway quote) or an attack on the screen.
pub const MAX_FIELD_BYTES: usize = 4096;

/// A good row, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The 1-based line the row starts on.
    pub line: u64,
    pub flagged: FlaggedMatch,
    /// Who asked for the row's batch: used only if this row creates the batch.
    pub requester: String,
    /// The authority for the row's batch: used only if this row creates the batch.
    pub legal_basis: String,
}

/// What every row of one file shares: its name for messages and the fallbacks for optional
/// columns.
#[derive(Debug, Clone)]
pub struct RowContext {
    pub file: Arc<str>,
    pub default_batch: String,
    pub requester: String,
    pub legal_basis: String,
}

/// Collects the values of one row.
#[derive(Debug)]
pub struct RowBuilder<'c> {
    ctx: &'c RowContext,
    line: u64,
    request: Record,
    candidate: Record,
    score: Option<f64>,
    batch: Option<String>,
    gold: Option<Gold>,
    gold_note: Option<String>,
    requester: Option<String>,
    legal_basis: Option<String>,
}

impl<'c> RowBuilder<'c> {
    pub fn new(ctx: &'c RowContext, line: u64) -> Self {
        RowBuilder {
            ctx,
            line,
            request: Record::default(),
            candidate: Record::default(),
            score: None,
            batch: None,
            gold: None,
            gold_note: None,
            requester: None,
            legal_basis: None,
        }
    }

    /// An error about this row, not tied to a column.
    pub fn error(&self, problem: impl Into<String>) -> RowError {
        RowError::new(&self.ctx.file, self.line, problem)
    }

    /// Takes one column's value; blank values count as missing.
    pub fn set(&mut self, column: &Column, raw: &str) -> Result<(), RowError> {
        let in_column = |problem: String| self.error(problem).in_column(column.label.clone());
        if raw.len() > MAX_FIELD_BYTES {
            return Err(in_column(format!(
                "the value is {} bytes long, more than the {MAX_FIELD_BYTES} allowed",
                raw.len()
            )));
        }
        // No name or address holds one, a PostgreSQL server cannot store one in text, and
        // both backends must take the same file alike.
        if raw.contains('\0') {
            return Err(in_column(
                "the value holds a NUL byte (U+0000), which no record field may hold".into(),
            ));
        }
        let value = raw.trim();
        if value.is_empty() {
            return Ok(());
        }
        match &column.target {
            Target::RequestId => self.request.id = value.to_string(),
            Target::CandidateId => self.candidate.id = value.to_string(),
            Target::Score => self.score = Some(parse_score(value).map_err(in_column)?),
            Target::Batch => self.batch = Some(value.to_string()),
            Target::Gold => {
                self.gold = Some(Gold::parse(value).ok_or_else(|| {
                    in_column(format!("{} is not match or nonmatch", quoted(value)))
                })?);
            }
            Target::GoldNote => self.gold_note = Some(value.to_string()),
            Target::Requester => self.requester = Some(value.to_string()),
            Target::LegalBasis => self.legal_basis = Some(value.to_string()),
            // Record fields are evidence, not contract: a value that cannot be what its column
            // says (a DOB 1945-04-93) is kept verbatim; the domain shows it as invalid, never
            // lets it agree, and flags the item. Only the contract columns refuse a row.
            Target::Request(field) => self.request.set(*field, value),
            Target::Candidate(field) => self.candidate.set(*field, value),
            Target::RequestExtra(suffix) => self.request.set_extra(suffix.as_str(), value),
            Target::CandidateExtra(suffix) => self.candidate.set_extra(suffix.as_str(), value),
        }
        Ok(())
    }

    /// The finished row, or the first required value it lacks.
    pub fn finish(self, resolver: Resolver<'_>) -> Result<ImportRow, RowError> {
        let missing = |target: Target| {
            self.error("missing value")
                .in_column(resolver.missing_label(&target))
        };
        if self.request.id.is_empty() {
            return Err(missing(Target::RequestId));
        }
        if self.candidate.id.is_empty() {
            return Err(missing(Target::CandidateId));
        }
        let Some(score) = self.score else {
            return Err(missing(Target::Score));
        };
        Ok(ImportRow {
            line: self.line,
            flagged: FlaggedMatch {
                batch: self.batch.unwrap_or_else(|| self.ctx.default_batch.clone()),
                request: self.request,
                candidate: self.candidate,
                score,
                gold: self.gold,
                gold_note: self.gold_note,
            },
            requester: self.requester.unwrap_or_else(|| self.ctx.requester.clone()),
            legal_basis: self
                .legal_basis
                .unwrap_or_else(|| self.ctx.legal_basis.clone()),
        })
    }
}

/// A matcher's score: a finite number from 0 to 1.
pub fn parse_score(text: &str) -> Result<f64, String> {
    let score: f64 = text
        .parse()
        .map_err(|_| format!("{} is not a number", quoted(text)))?;
    if !score.is_finite() {
        return Err(format!("{} is not a finite number", quoted(text)));
    }
    if !(0.0..=1.0).contains(&score) {
        return Err(format!("{} is out of range 0..1", quoted(text)));
    }
    // Adding zero turns -0 into 0, so "-0" is stored and shown as 0.
    Ok(score + 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;
    use crate::import::column_map::ColumnMap;

    #[test]
    fn scores_must_be_finite_numbers_from_0_to_1() {
        assert_eq!(parse_score("0"), Ok(0.0));
        assert_eq!(parse_score("1"), Ok(1.0));
        assert_eq!(parse_score("0.875"), Ok(0.875));
        assert_eq!(parse_score("5e-1"), Ok(0.5));
        assert_eq!(parse_score("-0").map(f64::is_sign_negative), Ok(false));
        assert_eq!(
            parse_score("1.7"),
            Err("\"1.7\" is out of range 0..1".to_string())
        );
        assert_eq!(
            parse_score("-0.1"),
            Err("\"-0.1\" is out of range 0..1".to_string())
        );
        assert_eq!(
            parse_score("high"),
            Err("\"high\" is not a number".to_string())
        );
        for odd in ["NaN", "nan", "inf", "-inf", "infinity"] {
            assert_eq!(
                parse_score(odd),
                Err(format!("\"{odd}\" is not a finite number"))
            );
        }
        assert!(parse_score("0,5").is_err());
    }

    fn ctx() -> RowContext {
        RowContext {
            file: Arc::from("f.csv"),
            default_batch: "default".into(),
            requester: "Court".into(),
            legal_basis: "Order 7".into(),
        }
    }

    fn column(name: &str) -> Column {
        let map = ColumnMap::default();
        Resolver::new(&map).resolve(name).expect(name)
    }

    #[test]
    fn builds_a_flagged_match_with_defaults_and_extras() {
        let ctx = ctx();
        let map = ColumnMap::default();
        let mut row = RowBuilder::new(&ctx, 3);
        for (name, value) in [
            ("request_id", " r1 "),
            ("candidate_id", "c1"),
            ("score", "0.9"),
            ("req_given_name", "Ann"),
            ("req_dob", "1980-02-29"),
            ("req_tin", "123"),
            ("cand_tin", "456"),
            ("cand_pet", "cat"),
            ("gold", "Match"),
            ("req_city", "   "),
        ] {
            row.set(&column(name), value).expect(name);
        }
        let row = row.finish(Resolver::new(&map)).expect("good row");
        assert_eq!(row.line, 3);
        assert_eq!(row.requester, "Court");
        assert_eq!(row.legal_basis, "Order 7");
        let m = row.flagged;
        assert_eq!(m.batch, "default");
        assert_eq!(m.request.id, "r1");
        assert_eq!(m.score, 0.9);
        assert_eq!(m.gold, Some(Gold::Match));
        assert_eq!(m.request.get(Field::GivenName), Some("Ann"));
        assert_eq!(m.request.get(Field::City), None);
        assert_eq!(m.request.get(Field::Tin), None);
        assert_eq!(m.request.extra.get("tin").map(String::as_str), Some("123"));
        assert_eq!(m.candidate.get(Field::Tin), Some("456"));
        assert_eq!(
            m.candidate.extra.get("pet").map(String::as_str),
            Some("cat")
        );
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let ctx = ctx();
        let mut row = RowBuilder::new(&ctx, 17);
        let err = row.set(&column("score"), "1.7").expect_err("out of range");
        assert_eq!(
            err.to_string(),
            "f.csv:17: column \"score\": \"1.7\" is out of range 0..1"
        );
        let err = row
            .set(&column("gold"), "maybe")
            .expect_err("not a gold value");
        assert_eq!(
            err.to_string(),
            "f.csv:17: column \"gold\": \"maybe\" is not match or nonmatch"
        );
        let err = row
            .set(&column("cand_street"), &"x".repeat(MAX_FIELD_BYTES + 1))
            .expect_err("oversized");
        assert!(err.to_string().contains("4097 bytes"), "{err}");
        assert!(
            row.set(&column("cand_street"), &"x".repeat(MAX_FIELD_BYTES))
                .is_ok()
        );
        let err = row
            .set(&column("req_surname"), "Nul\0Byte")
            .expect_err("a NUL byte");
        assert_eq!(
            err.to_string(),
            "f.csv:17: column \"req_surname\": the value holds a NUL byte (U+0000), which no record field may hold"
        );
    }

    #[test]
    fn missing_required_values_are_named() {
        let ctx = ctx();
        let map = ColumnMap::default();
        let mut row = RowBuilder::new(&ctx, 4);
        row.set(&column("request_id"), "r1").expect("id");
        row.set(&column("candidate_id"), "  ")
            .expect("blank is allowed here");
        row.set(&column("score"), "0.5").expect("score");
        let err = row.finish(Resolver::new(&map)).expect_err("no candidate");
        assert_eq!(
            err.to_string(),
            "f.csv:4: column \"candidate_id\": missing value"
        );
    }
}
