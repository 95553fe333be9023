//! Values written for `COPY … FROM STDIN WITH (FORMAT csv)`: NULL is an empty unquoted field,
//! text is always quoted (so an empty string stays an empty string), bytes are bytea hex.

use std::io::{Result, Write};

pub(super) fn text(out: &mut impl Write, value: Option<&str>) -> Result<()> {
    let Some(value) = value else {
        return Ok(());
    };
    out.write_all(b"\"")?;
    for (i, part) in value.split('"').enumerate() {
        if i > 0 {
            // A quote inside a quoted field is doubled.
            out.write_all(b"\"\"")?;
        }
        out.write_all(part.as_bytes())?;
    }
    out.write_all(b"\"")
}

pub(super) fn int(out: &mut impl Write, value: i64) -> Result<()> {
    write!(out, "{value}")
}

pub(super) fn real(out: &mut impl Write, value: f64) -> Result<()> {
    write!(out, "{value}")
}

pub(super) fn bytes(out: &mut impl Write, value: &[u8]) -> Result<()> {
    write!(out, "\"\\x{}\"", hex::encode(value))
}

pub(super) fn sep(out: &mut impl Write) -> Result<()> {
    out.write_all(b",")
}

pub(super) fn end(out: &mut impl Write) -> Result<()> {
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_null_is_empty() {
        let mut out = Vec::new();
        text(&mut out, Some("a\"b,c\nd")).expect("write");
        sep(&mut out).expect("write");
        text(&mut out, None).expect("write");
        sep(&mut out).expect("write");
        text(&mut out, Some("")).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "\"a\"\"b,c\nd\",,\"\""
        );
    }
}
