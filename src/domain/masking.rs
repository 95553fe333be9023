//! Sensitive identifiers (TIN) are masked wherever they are shown: only the last four
//! characters a reviewer needs to compare stay visible.

use super::field::Field;

/// Fields whose values are masked on screen.
pub const MASKED_FIELDS: [Field; 1] = [Field::Tin];

pub fn is_masked(field: Field) -> bool {
    MASKED_FIELDS.contains(&field)
}

/// `912-34-5678` → `***-**-5678`: every letter or digit but the last four becomes `*`, and
/// separators stay, so the masked text has the same characters count as the value (character
/// diffs computed on the value still line up).
pub fn mask(value: &str) -> String {
    let keep_from = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .count()
        .saturating_sub(4);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen <= keep_from { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_stay_visible() {
        assert_eq!(mask("912-34-5678"), "***-**-5678");
        assert_eq!(mask("912345678"), "*****5678");
        assert_eq!(mask("5678"), "5678");
        assert_eq!(mask(""), "");
        assert_eq!(
            mask("912-34-5678").chars().count(),
            "912-34-5678".chars().count()
        );
    }
}
