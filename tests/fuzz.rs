//! Property-based fuzzing of everything that reads untrusted input: the display sanitiser, the
//! CSV and JSON Lines readers, the column map and the address checks. `cargo test` runs a short
//! pass; a long one is `MATCHGATE_FUZZ_CASES=200000 cargo test --release --test fuzz`.

use std::path::Path;

use matchgate::domain::address::{check_pair, check_record};
use matchgate::domain::text_safety::{
    contains_unsafe, display_segments, escape_for_display, is_unsafe_char,
};
use matchgate::domain::{Field, Record};
use matchgate::import::{ColumnMap, FlaggedReader, Format, ImportOptions};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("MATCHGATE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text rich in what hostile records carry, mixed with anything at all.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 北京😀\u{1b}\u{7}\u{9b}\u{9c}\u{9d}\u{202e}\u{2067}\u{2069}\u{200b}\u{200d}\u{feff}\u{301}\u{0}\u{7f}\t\r\n\\\\\"',;=+@-\\[\\]{}()]{0,60}",
    ]
}

/// Undoes `escape_for_display`: if this always gives the input back, the escaping is injective
/// (two different values can never look the same).
fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'e' => out.push('\u{1b}'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'n' => out.push('\n'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

fn csv_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn read_all(bytes: &[u8], format: Format) -> Vec<Result<matchgate::import::ImportRow, String>> {
    match FlaggedReader::new(bytes, "fuzz.input", format, &ImportOptions::default()) {
        Err(e) => vec![Err(e.to_string())],
        Ok(reader) => reader
            .take(10_000)
            .map(|r| r.map_err(|e| e.to_string()))
            .collect(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_sanitiser_output_holds_no_control_or_bidi_and_stays_distinguishable(
        a in hostile_text(),
        b in hostile_text(),
    ) {
        let out = escape_for_display(&a);
        prop_assert!(!contains_unsafe(&out), "{a:?} -> {out:?}");
        prop_assert!(out.chars().all(|c| !c.is_control() && !is_bidi(c) && !is_unsafe_char(c)));
        let back = unescape(&out);
        prop_assert_eq!(back.as_deref(), Some(a.as_str()), "not reversible");
        if a != b {
            prop_assert_ne!(out, escape_for_display(&b));
        }
        // The styled form: literal runs are safe, and (text, escaped) pairs give the value back.
        let mut rebuilt = String::new();
        for seg in display_segments(&a) {
            prop_assert!(!seg.text.chars().any(is_unsafe_char));
            if seg.escaped {
                let c = unescape(&seg.text);
                prop_assert!(c.as_ref().is_some_and(|c| c.chars().count() == 1), "{:?}", seg.text);
                rebuilt.push_str(&c.unwrap_or_default());
            } else {
                rebuilt.push_str(&seg.text);
            }
        }
        prop_assert_eq!(rebuilt, a);
    }

    #[test]
    fn the_csv_reader_takes_any_bytes_without_panicking(
        body in proptest::collection::vec(any::<u8>(), 0..2000),
        with_header in any::<bool>(),
    ) {
        let mut bytes = if with_header {
            b"request_id,candidate_id,score,req_surname,cand_surname\n".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(body);
        for item in read_all(&bytes, Format::Csv) {
            if let Err(message) = item {
                prop_assert!(message.contains("fuzz.input"), "no file named: {message}");
            }
        }
    }

    #[test]
    fn the_csv_reader_keeps_any_quoted_value_or_names_the_problem(
        surname in hostile_text(),
        city in hostile_text(),
    ) {
        let csv = format!(
            "request_id,candidate_id,score,req_surname,cand_city\nR1,C1,0.9,{},{}\n",
            csv_quote(&surname),
            csv_quote(&city)
        );
        let rows = read_all(csv.as_bytes(), Format::Csv);
        prop_assert_eq!(rows.len(), 1);
        match &rows[0] {
            Ok(row) => {
                let kept = row.flagged.request.get(Field::Surname).unwrap_or("");
                prop_assert_eq!(kept, surname.trim());
                let kept = row.flagged.candidate.get(Field::City).unwrap_or("");
                prop_assert_eq!(kept, city.trim());
            }
            Err(message) => prop_assert!(message.contains("fuzz.input:2"), "{message}"),
        }
    }

    #[test]
    fn the_jsonl_reader_takes_any_bytes_without_panicking(
        body in proptest::collection::vec(any::<u8>(), 0..2000),
        prefix in prop_oneof![Just(""), Just("{\"request_id\":\"R\",\"candidate_id\":\"C\",\"score\":0.5"), Just("{")],
    ) {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend(body);
        for item in read_all(&bytes, Format::Jsonl) {
            if let Err(message) = item {
                prop_assert!(message.contains("fuzz.input"), "no file named: {message}");
            }
        }
    }

    #[test]
    fn the_jsonl_reader_keeps_any_string_value_or_names_the_problem(
        surname in hostile_text(),
        extra_key in hostile_text(),
        extra in hostile_text(),
    ) {
        let mut object = serde_json::json!({
            "request_id": "R1", "candidate_id": "C1", "score": 0.9, "req_surname": surname,
        });
        object[format!("req_{extra_key}")] = serde_json::Value::String(extra);
        let line = format!("{object}\n");
        let rows = read_all(line.as_bytes(), Format::Jsonl);
        prop_assert_eq!(rows.len(), 1);
        match &rows[0] {
            Ok(row) => {
                let kept = row.flagged.request.get(Field::Surname).unwrap_or("");
                prop_assert_eq!(kept, surname.trim());
            }
            Err(message) => prop_assert!(message.contains("fuzz.input:1"), "{message}"),
        }
    }

    #[test]
    fn the_column_map_takes_any_text_and_maps_what_it_accepts(
        text in any::<String>(),
        theirs in hostile_text(),
        ours in prop_oneof![Just("request_id".to_string()), Just("cand_zip".to_string()), hostile_text()],
    ) {
        let path = Path::new("fuzz-map.toml");
        if let Err(e) = ColumnMap::parse(&text, path) {
            prop_assert!(e.to_string().contains("fuzz-map.toml"), "{e}");
        }
        let toml = format!("[columns]\n{} = {}\n", toml_key(&ours), toml_string(&theirs));
        match ColumnMap::parse(&toml, path) {
            Ok(map) => prop_assert!(map.target_of(&theirs).is_some(), "{toml}"),
            Err(e) => prop_assert!(e.to_string().contains("fuzz-map.toml"), "{e}"),
        }
    }

    #[test]
    fn the_address_checks_take_any_values_and_are_deterministic(
        values in proptest::collection::vec(hostile_text(), 6),
        other in proptest::collection::vec(prop_oneof![hostile_text(), Just("IL".to_string()), Just("62701".to_string())], 6),
    ) {
        let fields = [Field::StreetNumber, Field::Street, Field::Unit, Field::City, Field::State, Field::Zip];
        let mut a = Record::new("A");
        let mut b = Record::new("B");
        for (i, field) in fields.iter().enumerate() {
            a.set(*field, values[i].clone());
            b.set(*field, other[i].clone());
        }
        let first = format!("{:?}", check_record(&a));
        prop_assert_eq!(first, format!("{:?}", check_record(&a)));
        let pair = check_pair(&a, &b);
        prop_assert_eq!(format!("{pair:?}"), format!("{:?}", check_pair(&a, &b)));
        // Hostile characters in an address are never releasable.
        if values.iter().any(|v| contains_unsafe(v)) {
            prop_assert!(!check_record(&a).is_empty(), "{a:?}");
        }
        for problem in check_record(&a) {
            let text = problem.describe();
            prop_assert!(text.lines().all(|l| !contains_unsafe(l)), "a raw value in {text:?}");
        }
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_key(s: &str) -> String {
    toml_string(s)
}

#[test]
fn unescape_is_a_real_inverse() {
    assert_eq!(
        unescape("a\\\\b\\e\\u{202e}\\x07").as_deref(),
        Some("a\\b\u{1b}\u{202e}\u{7}")
    );
    assert_eq!(unescape("\\q"), None);
}
