//! The command line: subcommands and their options, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "matchgate",
    version,
    about = "A human gate between an automated record matcher and the release of a person's address"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a matchgate database (a no-op on an existing one).
    Init(DbArg),
    /// Import flagged matches from CSV or JSON Lines.
    Import(ImportArgs),
    /// Write a synthetic, import-ready CSV with known right answers.
    Generate(GenerateArgs),
    /// Count matches by batch and status.
    Stats(StatsArgs),
    /// Review pending matches in the terminal.
    Review(ReviewArgs),
    /// Open the review screen on built-in training data (a temporary copy).
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// Path of the SQLite database.
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The CSV (with a header row) or JSON Lines file to import.
    pub file: PathBuf,
    /// Batch for rows without a `batch` column.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub batch: String,
    /// TOML file mapping this file's column names onto matchgate's.
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// File format; by default taken from the extension (.csv, .jsonl/.ndjson).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// Import the good rows and list the bad ones, instead of importing nothing.
    #[arg(long)]
    pub skip_bad: bool,
    /// Who sent the request list (for new batches without a `requester` column).
    #[arg(long, value_name = "TEXT")]
    pub requester: Option<String>,
    /// The legal basis or authority for the request (for new batches without a `legal_basis` column).
    #[arg(long, value_name = "TEXT")]
    pub legal_basis: Option<String>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many rows (flagged matches) to write.
    #[arg(long, value_name = "N")]
    pub rows: u64,
    /// Seed: the same seed writes the same file.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Where to write the CSV.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// How many batches to spread the rows over.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub batches: u32,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Print a JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Who is reviewing (recorded with every decision); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Review only this batch.
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Training: decisions go to a scratch copy and are checked against the file's gold answers.
    #[arg(long)]
    pub training: bool,
    /// With --training: print the scoreboard as JSON after the screen closes.
    #[arg(long, requires = "training")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The training scenario to load (see --list); by default the general demo set.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// A guided tour: captions explain each part of the screen as you press keys.
    #[arg(long)]
    pub tour: bool,
    /// Print the training scoreboard as JSON after the screen closes.
    #[arg(long)]
    pub json: bool,
    /// Who is reviewing; defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Keep the demo database at this path instead of deleting it on exit.
    #[arg(long, value_name = "PATH")]
    pub keep: Option<PathBuf>,
    /// Only load the demo data and print where the database is; do not open the screen.
    #[arg(long)]
    pub no_ui: bool,
}
