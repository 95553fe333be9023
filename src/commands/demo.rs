//! `matchgate demo` (being built).
use std::process::ExitCode;
pub fn run(_args: &crate::cli::DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("demo is not built yet")
}
