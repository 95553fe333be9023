//! `matchgate init`: create a database, or confirm an existing one.

use std::process::ExitCode;

use crate::cli::DbArg;
use crate::store::{Created, Store};

pub fn run(args: &DbArg) -> anyhow::Result<ExitCode> {
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
