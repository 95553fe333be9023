//! `matchgate generate` (being built).
use std::process::ExitCode;
pub fn run(_args: &crate::cli::GenerateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("generate is not built yet")
}
