//! Quoting file text inside messages: a value or column name from an untrusted file must not
//! reach the terminal raw (escape sequences, bidi overrides) nor flood it (4 KiB fields).

use crate::domain::text_safety;

/// How many characters of a value a message shows before cutting it short.
const SHOWN_CHARS: usize = 40;

/// The text in double quotes, unsafe characters as `\u{..}` escapes, cut to a readable length.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SHOWN_CHARS * 2) + 2);
    out.push('"');
    let mut buf = [0u8; 4];
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if text_safety::contains_unsafe(c.encode_utf8(&mut buf)) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert_eq!(quoted("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
        assert_eq!(quoted("x\u{202e}y"), "\"x\\u{202e}y\"");
        assert_eq!(quoted("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn cuts_long_values() {
        let long = "x".repeat(5000);
        let shown = quoted(&long);
        assert!(shown.chars().count() < 50, "{shown}");
        assert!(shown.ends_with("…\""));
    }
}
