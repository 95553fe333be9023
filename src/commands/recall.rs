//! `matchgate recall`: what was released, to whom, when and on whose approval (from a file or a
//! server: `recall_server.rs`).

use std::cell::RefCell;
use std::io::Write;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};

use super::export::format_of;
use super::recall_server::Releases;
use crate::cli::RecallArgs;
use crate::domain::ItemFlags;
use crate::domain::text_safety::escape_for_display;
use crate::domain::text_safety::{escape_lines_for_display, json_for_terminal};
use crate::store::export_file::{RowWriter, TempExport, publish};
use crate::store::{ExportFormat, RecallFilter, ReleasedMatch, StoreError};

fn io_store(e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: "stdout".into(),
        detail: e.to_string(),
    }
}

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

const COLUMNS: [&str; 19] = [
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
    "overturned_by",
    "overturned_at",
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
        m.overturned.clone().map(|o| o.0).unwrap_or_default(),
        m.overturned.clone().map(|o| o.1).unwrap_or_default(),
    ]
}

/// A growable buffer the listing writer and this module share, so complete rows can be taken
/// out (and escaped for the terminal) while the listing streams.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json_values(m: &ReleasedMatch) -> Vec<serde_json::Value> {
    values(m)
        .into_iter()
        .map(serde_json::Value::String)
        .collect()
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
        overturned: args.overturned,
        flag,
    };
    let mut store = Releases::open(&args.db.db, args.by.as_deref())?;
    // Only --mark on a file needs the listed matches afterwards; the listing itself streams.
    let keep_listed = args.mark && store.marks_listed();
    let mut marked: Vec<ReleasedMatch> = Vec::new();
    let mut keep = |m: ReleasedMatch| {
        if keep_listed {
            marked.push(m);
        }
    };
    let mut count = 0usize;
    if let Some(out) = &args.out {
        if out.exists() {
            bail!("{} exists; recall never overwrites a file", out.display());
        }
        let format = format_of(args.format, Some(out));
        let mut file = TempExport::create(out, format, &COLUMNS)?;
        store.each_released(&filter, |m| {
            file.row(&json_values(&m))?;
            count += 1;
            keep(m);
            Ok(())
        })?;
        publish(file.synced()?, out)?;
        println!("{count} release(s) listed in {}", out.display());
    } else if let Some(fmt) = args.format {
        // To a terminal (or any stdout) the listing's record text is escaped: JSON with \u
        // escapes (the same JSON), CSV with visible escapes; `--out FILE` keeps the exact bytes.
        let format = format_of(Some(fmt), None);
        let buf = Shared::default();
        let mut w = RowWriter::new(buf.clone(), format, &COLUMNS)?;
        let stdout = std::io::stdout();
        let drain = |w: &mut RowWriter<Shared>| -> std::io::Result<()> {
            w.flush()?;
            let bytes = std::mem::take(&mut *buf.0.borrow_mut());
            let text = String::from_utf8_lossy(&bytes);
            let safe = match format {
                ExportFormat::Jsonl => json_for_terminal(&text),
                ExportFormat::Csv => escape_lines_for_display(&text),
            };
            stdout.lock().write_all(safe.as_bytes())
        };
        store.each_released(&filter, |m| {
            w.row(&json_values(&m)).map_err(io_store)?;
            count += 1;
            keep(m);
            if count.is_multiple_of(1024) {
                drain(&mut w).map_err(io_store)?;
            }
            Ok(())
        })?;
        drain(&mut w)?;
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
        store.each_released(&filter, |m| {
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
            if let Some((who, at)) = &m.overturned {
                println!(
                    "       released by {} at {}; approval overturned by {} at {}: send a disposal request",
                    escape_for_display(&m.released_by),
                    m.released_at,
                    escape_for_display(who),
                    at
                );
            }
            count += 1;
            keep(m);
            Ok(())
        })?;
        println!("{count} release(s)");
    }
    let rows = marked;
    if args.mark {
        let n = store.mark(&filter, &rows, args.by.as_deref(), &args.reason)?;
        eprintln!(
            "recorded {n} recall(s) (audited); {} already recalled",
            count.saturating_sub(n)
        );
    }
    Ok(ExitCode::SUCCESS)
}
