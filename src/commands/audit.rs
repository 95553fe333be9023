//! `matchgate audit verify|head`.

use std::process::ExitCode;

use crate::cli::AuditCommand;
use crate::store::{AuditVerdict, Store};

pub fn run(cmd: &AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(db) => {
            let store = Store::open(&db.db)?;
            match store.audit_verify()? {
                AuditVerdict::Intact { count, head } => {
                    println!("audit log intact: {count} entries, head {head}");
                    Ok(ExitCode::SUCCESS)
                }
                AuditVerdict::Broken { what, problem } => {
                    println!("audit log does NOT verify: first bad: {what}: {problem}");
                    eprintln!("matchgate: audit verification failed at {what}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Head(db) => {
            let store = Store::open(&db.db)?;
            let (count, head) = store.audit_head()?;
            println!("{count} {head}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
