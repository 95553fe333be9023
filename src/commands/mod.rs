//! One function per subcommand: parse nothing, decide little, call the parts, print the outcome.

mod audit;
mod demo;
mod export;
mod export_server;
mod generate;
mod hold;
mod hold_server;
pub mod identity;
mod import;
mod init;
mod migrate;
mod r#override;
mod policy;
mod policy_server;
mod recall;
mod recall_server;
mod review;
mod scenario_setup;
mod server;
mod stats;
mod supervise;
mod user;
mod user_server;

use std::process::ExitCode;

use crate::cli::Command;

pub fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Supervise(args) => supervise::run(&args),
        Command::Demo(args) => demo::run(&args),
        // On a server these run as the connected role (`*_server`); on a file, as named.
        Command::Policy(cmd) => match server::target(policy::db_of(&cmd))? {
            Some(target) => policy_server::run(&cmd, &target).map(|()| ExitCode::SUCCESS),
            None => policy::run(&cmd),
        },
        Command::Hold(cmd) => match server::target(hold::db_of(&cmd))? {
            Some(target) => hold_server::run(&cmd, &target).map(|()| ExitCode::SUCCESS),
            None => hold::run(&cmd),
        },
        Command::Export(args) => match server::target(&args.db.db)? {
            Some(target) => export_server::run(&args, &target),
            None => export::run(&args),
        },
        Command::Audit(cmd) => audit::run(&cmd),
        Command::Recall(args) => recall::run(&args),
        Command::Override(args) => r#override::run(&args),
        Command::User(cmd) => match server::target(user::db_of(&cmd))? {
            Some(target) => user_server::run(&cmd, &target).map(|()| ExitCode::SUCCESS),
            None => user::run(&cmd),
        },
        Command::Migrate(args) => migrate::run(&args),
    }
}

/// The reviewer name to record: the given one, else the login name.
pub fn reviewer_name(given: Option<&str>) -> String {
    identity::actor_name(given)
}

/// Prints a training session's scoreboard as JSON on stdout (for a trainer's records).
pub fn print_scoreboard_json(
    log: &[crate::domain::training::TrainingRecord],
) -> anyhow::Result<()> {
    let board = crate::domain::training::Scoreboard::from_records(log);
    let json = serde_json::to_string_pretty(&board)?;
    println!("{}", crate::domain::text_safety::json_for_terminal(&json));
    Ok(())
}
