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
    /// The supervisor's screen: escalations, overrides waiting, disagreements, spot checks.
    Supervise(SuperviseArgs),
    /// Open the review screen on built-in training data (a temporary copy).
    Demo(DemoArgs),
    /// Show or change the release policy (shared by every reviewer, audited).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Add, list and lift legal holds on batches.
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Release: write the releasable matches to a file and mark them released (or, with
    /// --decisions, write the full decision history).
    Export(ExportArgs),
    /// Verify the audit log's hash chain, or print its head.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// List releases (to send a disposal request) and optionally record them as recalled.
    Recall(RecallArgs),
    /// A supervisor's override of the address-sufficiency gate, recorded as their approval.
    Override(OverrideArgs),
    /// Register people and their roles (reviewer, supervisor, admin); audited.
    #[command(subcommand)]
    User(UserCommand),
    /// Move a team's SQLite file onto a PostgreSQL server, whole (the server's database must be
    /// new or empty; the audit chain is verified before and after).
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite file.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The server: a `postgres://` URL (as the database's owner).
    #[arg(long, value_name = "URL")]
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Reviewer,
    Supervisor,
    Admin,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Register a person (the first one must be an admin; then only admins may add people).
    Add(UserAddArgs),
    /// List registered people, their roles and whether they are enabled.
    List(DbArg),
    /// Disable a person: they keep their history and may do nothing more.
    Disable(UserNameArgs),
    /// Give a person a new role (re-enables a disabled person).
    Role(UserRoleArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub name: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Who makes the change (an admin); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// On a PostgreSQL server: print the role statements for a DBA instead of running them.
    #[arg(long)]
    pub print_sql: bool,
}

#[derive(Debug, Args)]
pub struct UserNameArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub name: String,
    /// Who makes the change (an admin); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct UserRoleArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub name: String,
    #[arg(value_enum)]
    pub role: RoleArg,
    /// Who makes the change (an admin); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print every policy key and its value.
    Show(DbArg),
    /// Set one policy key (approvals_required, blind, min_identifiers, score_floor,
    /// ambiguity_gap, allow_override, masked_fields, supervisors, identity).
    Set(PolicySetArgs),
}

#[derive(Debug, Args)]
pub struct PolicySetArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub key: String,
    pub value: String,
    /// Who makes the change (recorded); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HoldScopeArg {
    Residential,
    All,
}

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// Put a legal hold on a batch: its approvals are refused and export releases nothing from it.
    Add(HoldAddArgs),
    /// List holds (active and lifted).
    List(HoldListArgs),
    /// Lift a hold.
    Lift(HoldLiftArgs),
}

#[derive(Debug, Args)]
pub struct HoldAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_name = "NAME")]
    pub batch: String,
    /// Why (e.g. the court order).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[arg(long, value_enum, default_value = "residential")]
    pub scope: HoldScopeArg,
    /// Who adds it (recorded); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct HoldListArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Only active holds.
    #[arg(long)]
    pub active: bool,
}

#[derive(Debug, Args)]
pub struct HoldLiftArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_name = "N")]
    pub id: i64,
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who lifts it (recorded); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The file to write (never overwritten). Required unless --dry-run.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// File format; by default taken from the extension (.jsonl is JSON Lines, else CSV).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// Print exactly what would go out, write nothing and mark nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: preview one match (the fields that would go out, and what stops it).
    #[arg(long = "match", value_name = "ID", requires = "dry_run")]
    pub match_id: Option<i64>,
    /// Write the full decision history instead of releasing.
    #[arg(long, conflicts_with_all = ["dry_run", "match_id"])]
    pub decisions: bool,
    /// Who runs the export (recorded); defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and check every decision is in it; exit 1 naming the first
    /// entry that does not verify.
    Verify(DbArg),
    /// Print `<count> <head hash>` to record outside the database.
    Head(DbArg),
}

#[derive(Debug, Args)]
pub struct RecallArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Released at or after (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Released before (RFC 3339, or YYYY-MM-DD meaning through that day).
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Only releases this person approved.
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Only releases of requests carrying this flag (hostile-text, several-candidates, insufficient-address).
    #[arg(long, value_name = "FLAG")]
    pub flag: Option<String>,
    /// Only releases whose approval a supervisor overturned afterwards (to send for disposal).
    #[arg(long)]
    pub overturned: bool,
    /// Print CSV or JSON Lines instead of a table (or write it to --out).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Record the listed releases as recalled (audited).
    #[arg(long)]
    pub mark: bool,
    /// Why they are recalled (with --mark).
    #[arg(long, value_name = "TEXT", default_value = "disposal requested")]
    pub reason: String,
    /// Who records the recall; defaults to the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct OverrideArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long = "match", value_name = "ID")]
    pub match_id: i64,
    /// The supervisor (the supervisor role; on a database without users, listed in policy
    /// `supervisors`).
    #[arg(long, value_name = "NAME")]
    pub supervisor: String,
    /// Why the address may be released despite failing the sufficiency rules.
    #[arg(long, value_name = "TEXT")]
    pub justification: String,
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// The database: a SQLite file's path, or a PostgreSQL server's `postgres://` URL (its
    /// password from ~/.pgpass or PGPASSFILE, never on the command line).
    #[arg(long, value_name = "PATH|URL", env = "MATCHGATE_DB")]
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
    /// The tool that wrote the file: `splink` reads Splink predict() output (unique_id_l/_r,
    /// match_probability, <column>_l/_r).
    #[arg(long, value_name = "TOOL")]
    pub from: Option<String>,
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
    /// The supervisors' figures: per reviewer (decisions, approval rate, median seconds,
    /// decisions per active hour, spot checks and overturn rate with its 95% interval),
    /// agreement with second reviewers (percent, Cohen's kappa) and what came of each batch.
    #[arg(long)]
    pub reviewers: bool,
    /// With --reviewers: only decisions made at or after T (RFC 3339, or YYYY-MM-DD for the
    /// start of that UTC day); batches created at or after T.
    #[arg(long, value_name = "T", requires = "reviewers")]
    pub since: Option<String>,
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
pub struct SuperviseArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Who is supervising (recorded with every check); defaults to the login name. On a
    /// server, the role you connect as (a name given must be that role).
    #[arg(long, value_name = "NAME")]
    pub supervisor: Option<String>,
    /// Sample the reviewers' days from this day on (RFC 3339 or YYYY-MM-DD; default 14 days ago).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
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
    /// Keep the demo database at this path instead of deleting it on exit, or move it onto a
    /// PostgreSQL server (`postgres://…`, an empty database, as its owner).
    #[arg(long, value_name = "PATH|URL")]
    pub keep: Option<PathBuf>,
    /// Only load the demo data and print where the database is; do not open the screen.
    #[arg(long)]
    pub no_ui: bool,
}
