//! `matchgate stats`: counts of matches by batch and status, from a SQLite file or a server;
//! with `--reviewers`, the supervisors' figures (`stats_figures.rs`).

use std::process::ExitCode;

use serde_json::json;

use crate::cli::StatsArgs;
use crate::domain::MatchStatus;
use crate::domain::text_safety::{escape_for_display, json_for_terminal};
use crate::store::Store;

#[path = "stats_figures.rs"]
mod figures;

pub fn run(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    if args.reviewers {
        return figures::run(args);
    }
    let stats = match super::server::target(&args.db.db)? {
        Some(target) => super::server::open_as(&target, None)?.stats()?,
        None => Store::open(&args.db.db)?.stats()?,
    };
    if args.json {
        let by_status: serde_json::Map<String, serde_json::Value> = stats
            .by_status
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), json!(n)))
            .collect();
        let mut by_batch = serde_json::Map::new();
        for row in &stats.by_batch {
            let entry = by_batch
                .entry(row.batch.clone())
                .or_insert_with(|| json!({}));
            entry[row.status.as_str()] = json!(row.count);
        }
        let out = json!({"total": stats.total, "by_status": by_status, "by_batch": by_batch});
        println!(
            "{}",
            json_for_terminal(&serde_json::to_string_pretty(&out)?)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let header: Vec<&str> = MatchStatus::ALL.iter().map(|s| s.as_str()).collect();
    println!("{:<24} {:>9} {}", "batch", "total", fmt_row(&header));
    let mut batches: Vec<&str> = stats.by_batch.iter().map(|r| r.batch.as_str()).collect();
    batches.dedup();
    for batch in batches {
        let count = |s: MatchStatus| {
            stats
                .by_batch
                .iter()
                .find(|r| r.batch == batch && r.status == s)
                .map_or(0, |r| r.count)
        };
        let counts: Vec<String> = MatchStatus::ALL
            .iter()
            .map(|s| count(*s).to_string())
            .collect();
        let total: u64 = MatchStatus::ALL.iter().map(|s| count(*s)).sum();
        println!(
            "{:<24} {:>9} {}",
            escape_for_display(batch),
            total,
            fmt_row(&counts)
        );
    }
    let counts: Vec<String> = stats.by_status.values().map(u64::to_string).collect();
    println!(
        "{:<24} {:>9} {}",
        "all batches",
        stats.total,
        fmt_row(&counts)
    );
    Ok(ExitCode::SUCCESS)
}

fn fmt_row<S: AsRef<str>>(cells: &[S]) -> String {
    cells
        .iter()
        .map(|c| format!("{:>9}", c.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}
