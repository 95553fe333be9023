//! Why the matcher flagged a pair: which fields agree, which conflict, which are missing.
//!
//! A score alone invites rubber-stamping; a reviewer who reads "conflict: date of birth" next to
//! a 0.91 looks twice. The explanation is built from the per-field agreement, not from the
//! matcher (whose internals matchgate does not know), so it says what the records show.

use super::agreement::{AgreementClass, AgreementNote, FieldAgreement, FieldKey};

/// The comparison grouped by class, in table order within each group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    pub agree: Vec<FieldKey>,
    pub close: Vec<FieldKey>,
    pub conflict: Vec<FieldKey>,
    pub missing: Vec<FieldKey>,
    /// Values that cannot be what their field says: never agreement.
    pub invalid: Vec<FieldKey>,
    /// Given name and surname are swapped between the records.
    pub names_swapped: bool,
    /// The notes that qualify a row's class (nickname, last four, day/month swapped…).
    pub notes: Vec<(FieldKey, AgreementNote)>,
}

impl Explanation {
    pub fn from_agreements(agreements: &[FieldAgreement]) -> Explanation {
        let mut e = Explanation::default();
        for a in agreements {
            let group = match a.class {
                AgreementClass::Exact => &mut e.agree,
                AgreementClass::Close => &mut e.close,
                AgreementClass::Different => &mut e.conflict,
                AgreementClass::Missing => &mut e.missing,
                AgreementClass::Invalid => &mut e.invalid,
            };
            group.push(a.key.clone());
            if let Some(note) = a.note {
                e.names_swapped |= note == AgreementNote::NamesSwapped;
                e.notes.push((a.key.clone(), note));
            }
        }
        e
    }

    fn note_of(&self, key: &FieldKey) -> Option<AgreementNote> {
        self.notes.iter().find(|(k, _)| k == key).map(|(_, n)| *n)
    }

    /// Nothing conflicts and at least one field was compared.
    pub fn is_clean(&self) -> bool {
        self.conflict.is_empty()
            && self.invalid.is_empty()
            && !(self.agree.is_empty() && self.close.is_empty())
    }

    /// One line, e.g. "agree: surname, date of birth, ZIP · close: given name (nickname) ·
    /// conflict: street no. · missing: unit". Safe to print: extra-field labels are escaped.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (title, keys) in [
            ("agree", &self.agree),
            ("close", &self.close),
            ("conflict", &self.conflict),
            ("missing", &self.missing),
            ("invalid", &self.invalid),
        ] {
            if keys.is_empty() {
                continue;
            }
            parts.push(format!("{title}: {}", self.describe(keys)));
        }
        if parts.is_empty() {
            "no fields to compare".to_string()
        } else {
            parts.join(" · ")
        }
    }

    /// Labels with their notes. Swapped names are said once for the pair, not once per row.
    fn describe(&self, keys: &[FieldKey]) -> String {
        let mut items = Vec::new();
        let mut swapped = Vec::new();
        for key in keys {
            match self.note_of(key) {
                Some(AgreementNote::NamesSwapped) => swapped.push(key.label_lower()),
                Some(note) => items.push(format!("{} ({})", key.label_lower(), note.word())),
                None => items.push(key.label_lower()),
            }
        }
        if !swapped.is_empty() {
            let pair = format!(
                "{} ({})",
                swapped.join(" / "),
                AgreementNote::NamesSwapped.word()
            );
            items.insert(0, pair);
        }
        items.join(", ")
    }
}

/// The band a matcher score falls in, as a word, so it can be read without colour.
pub fn score_band(score: f64) -> &'static str {
    if score >= 0.9 {
        "high"
    } else if score >= 0.7 {
        "medium"
    } else {
        // NaN lands here too: an unreadable score is no reason for confidence.
        "low"
    }
}

/// "0.87 (medium)": the matcher's score with its band.
pub fn score_line(score: f64) -> String {
    format!("{score:.2} ({})", score_band(score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::compare_records;
    use crate::domain::{Field, Record};

    #[test]
    fn score_bands() {
        assert_eq!(score_band(1.0), "high");
        assert_eq!(score_band(0.9), "high");
        assert_eq!(score_band(0.89), "medium");
        assert_eq!(score_band(0.7), "medium");
        assert_eq!(score_band(0.69), "low");
        assert_eq!(score_band(f64::NAN), "low");
        assert_eq!(score_line(0.874), "0.87 (medium)");
    }

    #[test]
    fn summary_groups_fields_with_notes() {
        let req = Record::new("r")
            .with(Field::GivenName, "Bob")
            .with(Field::Surname, "Smith")
            .with(Field::Dob, "1980-01-02")
            .with(Field::StreetNumber, "12")
            .with(Field::Unit, "4B")
            .with(Field::Zip, "62704");
        let cand = Record::new("c")
            .with(Field::GivenName, "Robert")
            .with(Field::Surname, "Smith")
            .with(Field::Dob, "1980-01-02")
            .with(Field::StreetNumber, "21")
            .with(Field::Zip, "62704-0001");
        let e = Explanation::from_agreements(&compare_records(&req, &cand));
        assert_eq!(
            e.summary(),
            "agree: surname, date of birth, ZIP · close: given name (nickname) · \
             conflict: street no. · missing: unit"
        );
        assert!(!e.names_swapped);
        assert!(!e.is_clean());
    }

    #[test]
    fn swapped_names_are_named_once() {
        let req = Record::new("r")
            .with(Field::GivenName, "Chen")
            .with(Field::Surname, "Wei")
            .with(Field::City, "Springfield");
        let cand = Record::new("c")
            .with(Field::GivenName, "Wei")
            .with(Field::Surname, "Chen")
            .with(Field::City, "Springfield");
        let e = Explanation::from_agreements(&compare_records(&req, &cand));
        assert!(e.names_swapped);
        assert!(e.is_clean());
        assert_eq!(
            e.summary(),
            "agree: city · close: given name / surname (names swapped)"
        );
    }

    #[test]
    fn tin_last_four_is_noted() {
        let mut req = Record::new("r");
        req.set_extra("tin", "6789");
        let cand = Record::new("c").with(Field::Tin, "123-45-6789");
        let e = Explanation::from_agreements(&compare_records(&req, &cand));
        assert_eq!(e.summary(), "agree: TIN (last four)");
        assert!(!e.summary().contains("12345"));
    }

    #[test]
    fn empty_comparison_says_so() {
        let e = Explanation::from_agreements(&[]);
        assert_eq!(e.summary(), "no fields to compare");
        assert!(!e.is_clean());
    }

    #[test]
    fn hostile_extra_labels_are_escaped_in_the_summary() {
        let mut req = Record::new("r");
        req.set_extra("x\u{1b}]0;pwned\u{7}", "a");
        let e = Explanation::from_agreements(&compare_records(&req, &Record::new("c")));
        let s = e.summary();
        assert!(!crate::domain::text_safety::contains_unsafe(&s));
        assert_eq!(s, "missing: x\\e]0;pwned\\x07");
    }
}
