//! `matchgate migrate --from FILE --to URL`: a team moves from the embedded file to a server.

use std::process::ExitCode;

use crate::cli::MigrateArgs;
use crate::store::Store;
use crate::store::postgres::PgTarget;
use crate::store::postgres::connect::is_postgres_url;
use crate::store::postgres::migrate::migrate;

pub fn run(args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    if !is_postgres_url(&args.to) {
        anyhow::bail!(
            "--to must be a PostgreSQL server's URL (postgres://…), not {}",
            crate::domain::text_safety::escape_for_display(&args.to)
        );
    }
    if args.from.to_str().is_some_and(is_postgres_url) {
        anyhow::bail!(
            "--from names the SQLite file to move; a server's database moves to another server with PostgreSQL's own tools (pg_dump and pg_restore)"
        );
    }
    let target = PgTarget::parse(&args.to)?;
    let from = Store::open(&args.from)?;
    let moved = migrate(&from, &target)?;
    for (table, rows) in &moved.rows {
        println!("{table:<18} {rows:>10} rows");
    }
    println!(
        "moved {} to {}: audit chain verified before and after ({} entries, head {})",
        args.from.display(),
        target.display(),
        moved.audit_entries,
        moved.audit_head
    );
    if !moved.people.is_empty() {
        println!(
            "\nThe file's people need server roles (a DBA runs these, then sets each password):"
        );
        for sql in &moved.people {
            println!("  {sql};");
        }
    }
    Ok(ExitCode::SUCCESS)
}
