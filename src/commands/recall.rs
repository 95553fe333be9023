//! `matchgate recall`: what was released, to whom, when and on whose approval.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};

use super::export::format_of;
use super::identity::authorize;
use crate::cli::RecallArgs;
use crate::domain::ItemFlags;
use crate::domain::roles::Act;
use crate::domain::text_safety::escape_for_display;
use crate::domain::text_safety::{escape_lines_for_display, json_for_terminal};
use crate::store::{ExportFormat, RecallFilter, ReleasedMatch, Store};

const STORED: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// RFC 3339 → stored form; a bare date is that day's start (or, for `until`, the next day's).
pub fn parse_time(text: &str, until: bool) -> anyhow::Result<String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&Utc).format(STORED).to_string());
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not RFC 3339 or YYYY-MM-DD"))?;
    let day = if until {
        day.succ_opt().context("date out of range")?
    } else {
        day
    };
    Ok(format!("{}T00:00:00.000Z", day.format("%Y-%m-%d")))
}

const COLUMNS: [&str; 17] = [
    "match_id",
    "release_id",
    "released_at",
    "released_by",
    "batch",
    "requester",
    "legal_basis",
    "request_id",
    "street_number",
    "street",
    "unit",
    "city",
    "state",
    "zip",
    "approvers",
    "flags",
    "recalled_at",
];

fn values(m: &ReleasedMatch) -> Vec<String> {
    let r = &m.row;
    vec![
        m.match_id.to_string(),
        m.release_id.to_string(),
        m.released_at.clone(),
        m.released_by.clone(),
        r.batch.clone(),
        m.requester.clone(),
        m.legal_basis.clone(),
        r.request_id.clone(),
        r.street_number.clone(),
        r.street.clone(),
        r.unit.clone(),
        r.city.clone(),
        r.state.clone(),
        r.zip.clone(),
        m.approvers.join(";"),
        m.flags.names().join(";"),
        m.recalled_at.clone().unwrap_or_default(),
    ]
}

fn write_listing(
    w: &mut dyn Write,
    format: ExportFormat,
    rows: &[ReleasedMatch],
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Csv => {
            let mut cw = csv::Writer::from_writer(w);
            cw.write_record(COLUMNS)?;
            for m in rows {
                cw.write_record(values(m))?;
            }
            cw.flush()?;
        }
        ExportFormat::Jsonl => {
            for m in rows {
                let obj: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .map(|c| c.to_string())
                    .zip(values(m).into_iter().map(serde_json::Value::String))
                    .collect();
                writeln!(w, "{}", serde_json::Value::Object(obj))?;
            }
        }
    }
    Ok(())
}

pub fn run(args: &RecallArgs) -> anyhow::Result<ExitCode> {
    let flag = match &args.flag {
        Some(name) => Some(ItemFlags::from_name(name).with_context(|| {
            let known: Vec<&str> = ItemFlags::NAMED.iter().map(|(_, n)| *n).collect();
            format!("unknown flag {name:?}; known: {}", known.join(", "))
        })?),
        None => None,
    };
    let filter = RecallFilter {
        batch: args.batch.clone(),
        since: args
            .since
            .as_deref()
            .map(|t| parse_time(t, false))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|t| parse_time(t, true))
            .transpose()?,
        reviewer: args.reviewer.clone(),
        flag,
    };
    let mut store = Store::open(&args.db.db)?;
    let rows = store.released(&filter)?;
    if let Some(out) = &args.out {
        if out.exists() {
            bail!("{} exists; recall never overwrites a file", out.display());
        }
        let format = format_of(args.format, Some(out));
        let mut buf = Vec::new();
        write_listing(&mut buf, format, &rows)?;
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&buf)?;
        tmp.as_file().sync_all()?;
        tmp.persist_noclobber(out).map_err(|e| e.error)?;
        println!("{} release(s) listed in {}", rows.len(), out.display());
    } else if let Some(fmt) = args.format {
        // To a terminal (or any stdout) the listing's record text is escaped: JSON with \u
        // escapes (the same JSON), CSV with visible escapes; `--out FILE` keeps the exact bytes.
        let mut buf = Vec::new();
        write_listing(&mut buf, format_of(Some(fmt), None), &rows)?;
        let text = String::from_utf8_lossy(&buf);
        let safe = match format_of(Some(fmt), None) {
            ExportFormat::Jsonl => json_for_terminal(&text),
            ExportFormat::Csv => escape_lines_for_display(&text),
        };
        print!("{safe}");
    } else {
        println!(
            "{:<6} {:<8} {:<24} {:<16} {:<12} {:<40} {:<16} {:<20} recalled",
            "match",
            "release",
            "released_at",
            "batch",
            "request",
            "address",
            "approved by",
            "flags"
        );
        for m in &rows {
            let r = &m.row;
            let addr = format!(
                "{} {} {} {} {} {}",
                r.street_number, r.street, r.unit, r.city, r.state, r.zip
            );
            println!(
                "{:<6} {:<8} {:<24} {:<16} {:<12} {:<40} {:<16} {:<20} {}",
                m.match_id,
                m.release_id,
                m.released_at,
                escape_for_display(&r.batch),
                escape_for_display(&r.request_id),
                escape_for_display(
                    addr.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .as_str()
                ),
                escape_for_display(&m.approvers.join(",")),
                m.flags.names().join(","),
                m.recalled_at.as_deref().unwrap_or("-")
            );
            println!(
                "       to {} ({})",
                escape_for_display(&m.requester),
                escape_for_display(&m.legal_basis)
            );
        }
        println!("{} release(s)", rows.len());
    }
    if args.mark {
        let who = authorize(&mut store, args.by.as_deref(), Act::Recall)?;
        let n = store.mark_recalled(&rows, &who, &args.reason)?;
        eprintln!(
            "recorded {n} recall(s) (audited); {} already recalled",
            rows.len() - n
        );
    }
    Ok(ExitCode::SUCCESS)
}
