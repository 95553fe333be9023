use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = matchgate::cli::Cli::parse();
    match matchgate::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("matchgate: {err:#}");
            ExitCode::FAILURE
        }
    }
}
