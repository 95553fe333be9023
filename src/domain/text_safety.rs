//! Untrusted text made safe to show: control characters, escape sequences, bidi overrides and
//! invisible characters become visible escapes (being built).

/// True when the text holds anything that must not reach a terminal raw.
pub fn contains_unsafe(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

/// Placeholder until the full escaper lands: every unsafe char as `\u{..}`.
pub fn escape_for_display(text: &str) -> String {
    text.chars()
        .map(|c| {
            if contains_unsafe(&c.to_string()) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}
