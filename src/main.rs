use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`matchgate demo --list | head`) instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = matchgate::cli::Cli::parse();
    match matchgate::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // Messages quote record text (batch names, refusal reasons): escaped like any output.
            let message =
                matchgate::domain::text_safety::escape_lines_for_display(&format!("{err:#}"));
            eprintln!("matchgate: {message}");
            ExitCode::FAILURE
        }
    }
}
