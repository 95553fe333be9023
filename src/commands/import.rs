//! `matchgate import` (being built).
use std::process::ExitCode;
pub fn run(_args: &crate::cli::ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("import is not built yet")
}
