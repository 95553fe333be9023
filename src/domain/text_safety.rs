//! Untrusted text made safe to show: control characters, escape sequences, bidi overrides and
//! invisible characters become visible escapes (being built).

/// True when the text holds anything that must not reach a terminal raw.
pub fn contains_unsafe(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}
