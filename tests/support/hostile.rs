//! The hostile-data fixture set, generated: record values that try to drive the terminal
//! (CSI, OSC title/hyperlink/clipboard with BEL, ST or no terminator, 8-bit C1), break the layout
//! (CR/LF/TAB, 100 kB), hide or reorder text (bidi overrides and isolates, zero-width, BOM,
//! leading combining marks), are merely unusual (combining marks, CJK, ZWJ emoji), are not text
//! (invalid UTF-8, NUL), or attack the next program (formula prefixes, SQL metacharacters).

/// One hostile value, and whether it must be refused by import (and with which words).
pub struct Case {
    pub name: &'static str,
    pub value: Vec<u8>,
    /// Some(text): import must refuse the file, saying this; None: either outcome, but a
    /// refusal must name the file, line and column.
    pub refused_with: Option<&'static str>,
}

fn case(name: &'static str, value: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        value: value.into(),
        refused_with: None,
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        case("csi-sgr", "Mal\x1b[3;31;42mlory"),
        case("csi-cursor", "Back\x1b[1337Dwards"),
        case("csi-clear", "Wipe\x1b[2J\x1b[HAPPROVED"),
        case("osc-title-bel", "\x1b]0;APPROVED\x07Eve"),
        case("osc-title-st", "\x1b]2;APPROVED\x1b\\Eve"),
        case(
            "osc-hyperlink",
            "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
        ),
        case("osc-clipboard", "\x1b]52;c;cm0gLXJmIH4K\x07Clip"),
        case("osc-unterminated", "\x1b]0;never ends"),
        case("c1-csi", "Csi\u{9b}31mEight"),
        case("c1-osc-st", "\u{9d}0;title\u{9c}Osc"),
        case("cr-lf-tab", "line1\r\nline2\tTabbed"),
        case("bare-cr", "Over\rWrite"),
        case("bidi-override", "Spring\u{202e}dleif"),
        case("bidi-isolate", "\u{2067}abc\u{2069}def"),
        case("zero-width", "Ad\u{200b}am\u{200c}s\u{2060}"),
        case("bom", "\u{feff}Bom"),
        case("leading-combining", "\u{301}Accent"),
        case("combining-marks", "Zoe\u{301}\u{308} Noe\u{0308}l"),
        case("cjk", "山田太郎"),
        case("zwj-emoji", "👨\u{200d}👩\u{200d}👧 family"),
        case("long-4000", "L".repeat(4000)),
        Case {
            name: "long-100kb",
            value: "A".repeat(100_000).into_bytes(),
            refused_with: Some("4096"),
        },
        Case {
            name: "invalid-utf8",
            value: b"Bad\xff\xfe\x9bName".to_vec(),
            refused_with: Some("UTF-8"),
        },
        Case {
            name: "nul",
            value: b"Nul\0Byte".to_vec(),
            refused_with: Some("NUL byte"),
        },
        case("del", "Del\x7fete"),
        case("formula-eq", "=HYPERLINK(\"http://evil.example\",\"x\")"),
        case("formula-plus", "+1+cmd|' /C calc'!A0"),
        case("formula-minus", "-2+3"),
        case("formula-at", "@SUM(A1:A9)"),
        case("sql", "Robert'); DROP TABLE matches;--"),
        case("sql-quotes", "O'Brien \" ; -- /* */"),
    ]
}

/// A CSV field, quoted (quotes doubled) so any byte can be carried.
pub fn csv_field(value: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in value {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// Byte sequences the terminal output must never hold: none of them is written by the screen
/// itself, so any one of them would have come from a record.
pub const FORBIDDEN_OUTPUT: &[(&str, &[u8])] = &[
    ("OSC introducer", b"\x1b]"),
    ("DCS introducer", b"\x1bP"),
    ("APC introducer", b"\x1b_"),
    ("PM introducer", b"\x1b^"),
    ("SOS introducer", b"\x1bX"),
    ("BEL", b"\x07"),
    ("NUL", b"\x00"),
    ("DEL", b"\x7f"),
    ("the record's SGR", b"\x1b[3;31;42m"),
    ("the record's cursor move", b"\x1b[1337D"),
    ("the record's clear and home", b"\x1b[2J\x1b[HAPPROVED"),
    ("U+202E", "\u{202e}".as_bytes()),
    ("U+2067", "\u{2067}".as_bytes()),
    ("U+2069", "\u{2069}".as_bytes()),
    ("U+200B", "\u{200b}".as_bytes()),
    ("U+200C", "\u{200c}".as_bytes()),
    ("U+200D", "\u{200d}".as_bytes()),
    ("U+2060", "\u{2060}".as_bytes()),
    ("U+FEFF", "\u{feff}".as_bytes()),
];

/// True when `haystack` holds a UTF-8-encoded C1 control (U+0080..U+009F).
pub fn has_c1(haystack: &[u8]) -> bool {
    haystack
        .windows(2)
        .any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))
}
