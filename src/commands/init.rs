//! `matchgate init`: create a database, or confirm an existing one (a SQLite file, or matchgate's
//! schema, roles and grants on a PostgreSQL server).

use std::process::ExitCode;

use super::server;
use crate::cli::DbArg;
use crate::store::postgres::PgStore;
use crate::store::{Created, Store};

pub fn run(args: &DbArg) -> anyhow::Result<ExitCode> {
    if let Some(target) = server::target(&args.db)? {
        let (mut store, created) = PgStore::create(&target)?;
        match created {
            Created::New => println!(
                "created matchgate's schema, roles (matchgate_reviewer, matchgate_supervisor, matchgate_admin) and grants on {}; add people with `matchgate user add NAME --role ROLE --db URL`",
                target.display()
            ),
            Created::Existing => println!(
                "{} already holds a matchgate database (schema version {}); nothing to do",
                target.display(),
                store.schema_version()?
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (store, created) = Store::create(&args.db)?;
    match created {
        Created::New => println!("created matchgate database {}", args.db.display()),
        Created::Existing => println!(
            "{} is already a matchgate database (schema version {}); nothing to do",
            args.db.display(),
            store.schema_version()?
        ),
    }
    Ok(ExitCode::SUCCESS)
}
