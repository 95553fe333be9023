//! `matchgate review` (being built).
use std::process::ExitCode;
pub fn run(_args: &crate::cli::ReviewArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("review is not built yet")
}
