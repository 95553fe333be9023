//! `matchgate generate`: write a synthetic, import-ready CSV with known right answers.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::GenerateArgs;
use crate::generate::{GenerateConfig, write_csv};

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let config = GenerateConfig {
        rows: args.rows,
        seed: args.seed,
        batches: args.batches,
    };
    // Checked before the file is created, so a bad option leaves no empty file behind.
    config.validate()?;
    let file =
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    // A large buffer: at a million rows the file is a few hundred megabytes.
    let out = BufWriter::with_capacity(1 << 20, file);
    let summary =
        write_csv(&config, out).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} rows ({} match, {} nonmatch) for {} requests ({} with several candidates) in {} batches to {}",
        summary.rows,
        summary.matches,
        summary.rows - summary.matches,
        summary.requests,
        summary.multi_candidate_requests,
        summary.batches,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
