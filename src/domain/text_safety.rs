//! Untrusted text made safe to show.
//!
//! Every record field comes from outside (a requester's file, a matcher's export) and ends up on a
//! reviewer's terminal. A raw ESC can move the cursor, repaint the screen or retitle the window;
//! a bidi override can make "62704" read as "40726"; a zero-width space can make two different
//! values look identical. So nothing from a record is written raw: characters that a terminal
//! would interpret, or that a human could not see, are replaced by visible escapes made only of
//! printable ASCII, and the item is flagged (`ItemFlags::HOSTILE_TEXT`) so the reviewer knows.
//!
//! What counts as unsafe (see [`is_unsafe_char`]):
//! - all C0 controls including TAB, CR and LF, DEL, and all C1 controls (U+0080–U+009F): a
//!   terminal acts on them; TAB/CR/LF would also break the one-line-per-field layout;
//! - every Unicode format character (general category Cf): bidi marks, embeddings, overrides and
//!   isolates, zero-width space/joiners, word joiner and invisible operators, soft hyphen, BOM,
//!   interlinear annotation marks, Arabic/Syriac prepended marks and the like: invisible, or they
//!   reorder or hide what is around them;
//! - line and paragraph separators (U+2028, U+2029): line breaks in disguise;
//! - invisible "letters" and fillers that render as blank (U+034F, U+115F, U+1160, U+17B4,
//!   U+17B5, U+2800, U+3164, U+FFA0) and the Mongolian variation selectors (U+180B–U+180F);
//! - tag characters (U+E0000–U+E007F) and the ideographic variation selectors supplement
//!   (U+E0100–U+E01EF): invisible, and a known way to smuggle hidden text. This does escape
//!   subdivision-flag emoji and ideographic variation sequences; neither belongs in an address;
//! - a zero-width character (a combining mark) at the very start of a value, which would
//!   otherwise attach itself to whatever the screen shows to its left.
//!
//! Deliberately *not* unsafe: the emoji variation selectors U+FE00–U+FE0F (they only pick text vs
//! emoji presentation of the visible character before them), ordinary combining marks after a
//! base character, non-ASCII spaces such as NBSP (visible as a space), private-use characters.
//!
//! The backslash: [`escape_for_display`] turns a literal `\` into `\\`, so its flat output is
//! unambiguous — a hostile record cannot type `\e` to look like an escaped ESC. For screens that
//! can style text, [`display_segments`] keeps backslashes literal and marks escapes as separate
//! segments instead, which the renderer shows in a distinct style (reverse video works without
//! colour, so this holds under NO_COLOR).
//!
//! Widths: [`display_width`] and [`truncate_to_width`] count terminal columns per grapheme
//! cluster, the way the renderer places text in cells, so CJK and emoji keep columns aligned. They
//! expect already-escaped text.

use std::collections::HashSet;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Appended to a truncated value. Note that U+2026 has East Asian width "ambiguous"; it counts as
/// one column, as in the renderer.
pub const ELLIPSIS: &str = "…";

/// True when the text holds anything that must not reach a terminal raw.
pub fn contains_unsafe(text: &str) -> bool {
    leading_zero_width(text) || text.chars().any(is_unsafe_char)
}

/// True for a character that must never be written to the terminal as itself, wherever it is.
///
/// A leading combining mark is unsafe only by position; [`contains_unsafe`] checks that too.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(
            c,
            // Format characters (general category Cf), Unicode 15.1.
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                // Line and paragraph separators.
                | '\u{2028}'..='\u{2029}'
                // Invisible letters, fillers and blanks.
                | '\u{034F}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FFA0}'
                // Tags and the variation selectors supplement.
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// A zero-width first character has no base to sit on and would merge into the screen's border.
fn leading_zero_width(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| !c.is_control() && c.width() == Some(0))
}

/// The visible ASCII form of an unsafe character.
fn escape_char(c: char) -> String {
    match c {
        '\u{1b}' => "\\e".to_string(),
        '\t' => "\\t".to_string(),
        '\r' => "\\r".to_string(),
        '\n' => "\\n".to_string(),
        '\u{0}'..='\u{1f}' | '\u{7f}' => format!("\\x{:02x}", u32::from(c)),
        _ => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// One run of displayable text: either the value's own (safe) characters, or the visible escape
/// of a single unsafe character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// The text is an escape matchgate wrote, not the record's own characters: show it styled.
    pub escaped: bool,
    /// The characters are among those the caller marked (the comparison's differing
    /// characters): show them highlighted.
    pub marked: bool,
}

impl Segment {
    fn literal(text: String, marked: bool) -> Segment {
        Segment {
            text,
            escaped: false,
            marked,
        }
    }
}

/// The text split into literal runs and escapes, for renderers that style escapes differently.
///
/// Each escaped character is its own segment, so truncation can drop an escape whole instead of
/// cutting `\u{202e}` into something that reads like other text. Backslashes stay literal here:
/// the style is what tells an escape from typed text.
pub fn display_segments(text: &str) -> Vec<Segment> {
    display_segments_marked(text, &[])
}

/// Like [`display_segments`], also splitting at the marked characters (char indices into the raw
/// text, as the comparison's diffs give them), so highlighting survives escaping: a marked unsafe
/// character becomes a marked escape.
pub fn display_segments_marked(text: &str, marked: &[usize]) -> Vec<Segment> {
    let marked: HashSet<usize> = marked.iter().copied().collect();
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut literal_marked = false;
    for (i, c) in text.chars().enumerate() {
        let is_marked = marked.contains(&i);
        let unsafe_here = is_unsafe_char(c) || (i == 0 && leading_zero_width(text));
        if !literal.is_empty() && (unsafe_here || is_marked != literal_marked) {
            segments.push(Segment::literal(
                std::mem::take(&mut literal),
                literal_marked,
            ));
        }
        if unsafe_here {
            segments.push(Segment {
                text: escape_char(c),
                escaped: true,
                marked: is_marked,
            });
        } else {
            literal_marked = is_marked;
            literal.push(c);
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::literal(literal, literal_marked));
    }
    segments
}

/// The text with every unsafe character replaced by a printable-ASCII escape (`\e`, `\t`, `\r`,
/// `\n`, `\x07`, `\u{202e}`) and every literal backslash doubled, for places that cannot style
/// text (plain output, logs, the explanation line).
pub fn escape_for_display(text: &str) -> String {
    display_segments(text)
        .into_iter()
        .map(|s| {
            if s.escaped {
                s.text
            } else {
                s.text.replace('\\', "\\\\")
            }
        })
        .collect()
}

/// Terminal columns the (already escaped) text takes, counted per grapheme cluster as the
/// renderer lays cells out.
pub fn display_width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// The longest prefix of the (already escaped) text that fits in `width` columns together with
/// an ellipsis, and whether anything was cut. Never splits a grapheme cluster, so a wide character
/// or an emoji sequence is kept whole or dropped whole; the result never exceeds `width`.
pub fn truncate_to_width(s: &str, width: usize) -> (String, bool) {
    if display_width(s) <= width {
        return (s.to_string(), false);
    }
    let mut out = prefix_within(s, width.saturating_sub(display_width(ELLIPSIS)));
    if width >= display_width(ELLIPSIS) {
        out.push_str(ELLIPSIS);
    }
    (out, true)
}

/// The longest run of whole grapheme clusters from the start that fits in `budget` columns.
fn prefix_within(s: &str, budget: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out
}

/// The (already escaped) text hard-wrapped into lines of at most `width` columns at grapheme
/// boundaries, for the detail popup that shows a long value whole. Untrusted values have no
/// reliable word breaks (and may be one long token on purpose), so this does not look for any.
/// A grapheme wider than `width` gets a line of its own rather than being dropped.
pub fn wrap_to_width(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push_str(g);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Segments cut to `width` columns, with an ellipsis segment when anything was cut. Escapes are
/// kept whole or dropped whole.
pub fn truncate_segments(segments: &[Segment], width: usize) -> (Vec<Segment>, bool) {
    let total: usize = segments.iter().map(|s| display_width(&s.text)).sum();
    if total <= width {
        return (segments.to_vec(), false);
    }
    let budget = width.saturating_sub(display_width(ELLIPSIS));
    let mut out = Vec::new();
    let mut used = 0;
    for seg in segments {
        let w = display_width(&seg.text);
        if used + w <= budget {
            used += w;
            out.push(seg.clone());
            continue;
        }
        if !seg.escaped {
            let part = prefix_within(&seg.text, budget - used);
            if !part.is_empty() {
                out.push(Segment::literal(part, seg.marked));
            }
        }
        break;
    }
    if width >= display_width(ELLIPSIS) {
        out.push(Segment::literal(ELLIPSIS.to_string(), false));
    }
    (out, true)
}

/// Escapes, then cuts to `width` columns without splitting an escape: the usual way to put one
/// untrusted value into a table cell when escapes cannot be styled.
pub fn safe_cell(text: &str, width: usize) -> (String, bool) {
    let mut segments = display_segments(text);
    for s in &mut segments {
        if !s.escaped {
            s.text = s.text.replace('\\', "\\\\");
        }
    }
    let (cut, truncated) = truncate_segments(&segments, width);
    (cut.into_iter().map(|s| s.text).collect(), truncated)
}

/// Like [`escape_for_display`] line by line, keeping the line breaks: for multi-line messages
/// (errors) whose own newlines are meant, while a record's CR/LF inside a line is escaped.
pub fn escape_lines_for_display(text: &str) -> String {
    text.split('\n')
        .map(escape_for_display)
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON text with every unsafe character written as a `\uXXXX` escape. serde_json escapes C0
/// controls but writes DEL, C1 (a single-byte CSI) and bidi overrides raw; unsafe characters can
/// only stand inside JSON strings, where the escape means the same character, so the JSON stays
/// valid and equal while a terminal showing it sees only printable text.
pub fn json_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe_char(c) && !matches!(c, '\n' | '\r' | '\t') {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_is_safe_and_unchanged() {
        for s in [
            "Springfield",
            "Zoë Ångström",
            "北京市",
            "O'Brien-Smith",
            "12 ½",
            "❤️",
            "",
        ] {
            assert!(!contains_unsafe(s), "{s:?}");
            assert_eq!(escape_for_display(s), s);
        }
    }

    #[test]
    fn c0_controls_and_del_are_escaped() {
        assert_eq!(escape_for_display("a\u{1b}[2Jb"), "a\\e[2Jb");
        assert_eq!(escape_for_display("a\tb\rc\nd"), "a\\tb\\rc\\nd");
        assert_eq!(escape_for_display("\u{0}\u{7}\u{7f}"), "\\x00\\x07\\x7f");
        for c in (0u32..0x20).chain([0x7f]) {
            let s = char::from_u32(c).map(String::from).unwrap_or_default();
            assert!(contains_unsafe(&s), "{c:#x}");
        }
    }

    #[test]
    fn c1_controls_are_escaped() {
        // U+009B is the single-byte CSI: as dangerous as ESC [.
        assert_eq!(escape_for_display("x\u{9b}31m"), "x\\u{9b}31m");
        assert!(contains_unsafe("\u{85}"));
        assert!(contains_unsafe("\u{80}"));
        assert!(contains_unsafe("\u{9f}"));
    }

    #[test]
    fn bidi_controls_are_escaped() {
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let s = format!("627{c}04");
            assert!(contains_unsafe(&s), "{c:?}");
            assert!(escape_for_display(&s).starts_with("627\\u{"));
        }
        assert_eq!(escape_for_display("\u{202e}40726"), "\\u{202e}40726");
    }

    #[test]
    fn invisible_characters_are_escaped() {
        for c in [
            '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{2064}', '\u{feff}', '\u{ad}',
            '\u{180e}', '\u{34f}', '\u{2028}', '\u{2029}', '\u{3164}', '\u{2800}',
        ] {
            let s = format!("Jo{c}hn");
            assert!(contains_unsafe(&s), "{c:?}");
            assert_eq!(
                escape_for_display(&s),
                format!("Jo\\u{{{:x}}}hn", u32::from(c))
            );
        }
    }

    #[test]
    fn tag_characters_are_escaped() {
        let hidden = "ok\u{e0041}\u{e0042}";
        assert!(contains_unsafe(hidden));
        assert_eq!(escape_for_display(hidden), "ok\\u{e0041}\\u{e0042}");
        assert!(contains_unsafe("\u{e0101}"));
    }

    #[test]
    fn emoji_variation_selectors_are_allowed() {
        assert!(!contains_unsafe("\u{2764}\u{fe0f}"));
        assert!(!contains_unsafe("x\u{fe0e}"));
    }

    #[test]
    fn leading_combining_mark_is_escaped_but_trailing_is_not() {
        assert!(contains_unsafe("\u{301}abc"));
        assert_eq!(escape_for_display("\u{301}e"), "\\u{301}e");
        assert!(!contains_unsafe("Jose\u{301}"));
    }

    #[test]
    fn backslash_is_doubled_in_flat_output_only() {
        assert_eq!(escape_for_display("a\\eb"), "a\\\\eb");
        assert!(!contains_unsafe("a\\eb"));
        let segs = display_segments("a\\e\u{1b}");
        assert_eq!(
            segs,
            vec![
                Segment::literal("a\\e".into(), false),
                Segment {
                    text: "\\e".into(),
                    escaped: true,
                    marked: false,
                },
            ]
        );
    }

    #[test]
    fn marks_split_literals_and_carry_onto_escapes() {
        let segs = display_segments_marked("62\u{202e}740", &[2, 4, 5]);
        let view: Vec<(&str, bool, bool)> = segs
            .iter()
            .map(|s| (s.text.as_str(), s.escaped, s.marked))
            .collect();
        assert_eq!(
            view,
            vec![
                ("62", false, false),
                ("\\u{202e}", true, true),
                ("7", false, false),
                ("40", false, true),
            ]
        );
        let (cut, _) = truncate_segments(&segs, 3);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[1].text, ELLIPSIS);
    }

    #[test]
    fn safe_cell_width_holds_across_segment_joins() {
        // Found by proptest: a literal run that exactly filled the remaining budget.
        let (cell, cut) = safe_cell("\t😀\u{200b}a\u{1b}市北\u{200b}", 19);
        assert!(cut);
        assert!(display_width(&cell) <= 19);
    }

    #[test]
    fn each_escape_is_its_own_segment() {
        let segs = display_segments("\u{202e}\u{202e}x");
        assert_eq!(segs.len(), 3);
        assert!(segs[0].escaped && segs[1].escaped && !segs[2].escaped);
    }

    #[test]
    fn widths_count_wide_characters_twice() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("北京"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn truncation_adds_ellipsis_and_keeps_wide_chars_whole() {
        assert_eq!(
            truncate_to_width("Springfield", 20),
            ("Springfield".into(), false)
        );
        assert_eq!(
            truncate_to_width("Springfield", 7),
            ("Spring…".into(), true)
        );
        // "北京市" is 6 columns; in 4 only one wide char and the ellipsis fit.
        assert_eq!(truncate_to_width("北京市", 4), ("北…".into(), true));
        assert_eq!(truncate_to_width("北京市", 1), ("…".into(), true));
        assert_eq!(truncate_to_width("abc", 0), (String::new(), true));
        // A combining sequence is not split from its base.
        assert_eq!(
            truncate_to_width("ae\u{301}bc", 3),
            ("ae\u{301}…".into(), true)
        );
    }

    #[test]
    fn safe_cell_never_splits_an_escape() {
        let (cell, cut) = safe_cell("ab\u{202e}cd", 6);
        assert!(cut);
        assert_eq!(cell, "ab…");
        let (cell, cut) = safe_cell("ab\u{202e}", 20);
        assert!(!cut);
        assert_eq!(cell, "ab\\u{202e}");
    }

    #[test]
    fn wrapping_keeps_everything_and_respects_width() {
        assert_eq!(wrap_to_width("abcdef", 4), vec!["abcd", "ef"]);
        assert_eq!(wrap_to_width("北京市", 4), vec!["北京", "市"]);
        assert_eq!(wrap_to_width("北", 1), vec!["北"]);
        assert_eq!(wrap_to_width("", 5), vec![""]);
        assert_eq!(
            wrap_to_width("a\u{ffe0}\u{d46}b", 2),
            vec!["a", "\u{ffe0}\u{d46}", "b"]
        );
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z北京市😀\u{1b}\u{202e}\u{200b}\u{301}\u{9b}\t\n\\\\ ]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn escaped_output_has_nothing_unsafe(s in any_text()) {
            let out = escape_for_display(&s);
            prop_assert!(!contains_unsafe(&out), "{:?} -> {:?}", s, out);
            prop_assert!(out.chars().all(|c| !c.is_control() && !is_unsafe_char(c)));
            for seg in display_segments(&s) {
                prop_assert!(!seg.text.chars().any(is_unsafe_char));
            }
        }

        #[test]
        fn truncation_respects_the_width(s in any_text(), width in 0usize..30) {
            let escaped = escape_for_display(&s);
            let (cut, truncated) = truncate_to_width(&escaped, width);
            prop_assert!(display_width(&cut) <= width);
            prop_assert_eq!(truncated, display_width(&escaped) > width);
            if !truncated {
                prop_assert_eq!(&cut, &escaped);
            }
            let (cell, _) = safe_cell(&s, width);
            prop_assert!(display_width(&cell) <= width);
            let lines = wrap_to_width(&escaped, width.max(2));
            prop_assert_eq!(lines.concat(), escaped);
            // A single grapheme can be wider than two columns ("\u{ffe0}\u{d46}" is three).
            prop_assert!(lines
                .iter()
                .all(|l| display_width(l) <= width.max(2) || l.graphemes(true).count() == 1));
        }
    }

    #[test]
    fn escaped_lines_keep_their_breaks() {
        assert_eq!(
            escape_lines_for_display("a\u{1b}[2J\nb\rc"),
            "a\\e[2J\nb\\rc"
        );
    }

    #[test]
    fn json_for_a_terminal_stays_the_same_json() {
        let value =
            serde_json::json!({"batch": "B\u{1b}]0;x\u{7}\u{9b}2J\u{202e}\u{7f}\u{1F600}ok"});
        let raw = serde_json::to_string(&value).expect("json");
        let safe = json_for_terminal(&raw);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still valid JSON");
        assert_eq!(back, value);
    }
}
