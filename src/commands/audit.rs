//! `matchgate audit verify|head`, on a SQLite file or a server.

use std::process::ExitCode;

use super::server;
use crate::cli::AuditCommand;
use crate::store::{AuditVerdict, Store};

pub fn run(cmd: &AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(db) => {
            let verdict = match server::target(&db.db)? {
                Some(target) => server::open_as(&target, None)?.audit_verify()?,
                None => open_warning_if_altered(&db.db)?.audit_verify()?,
            };
            match verdict {
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
            let (count, head) = match server::target(&db.db)? {
                Some(target) => server::open_as(&target, None)?.audit_head()?,
                None => open_warning_if_altered(&db.db)?.audit_head()?,
            };
            println!("{count} {head}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The audit commands read a database whose schema was altered (dropped append-only triggers
/// are how tampering starts), saying so; every other command refuses it.
fn open_warning_if_altered(path: &std::path::Path) -> anyhow::Result<Store> {
    let (store, altered) = Store::open_forensic(path)?;
    if !altered.is_empty() {
        eprintln!(
            "warning: {} has an altered schema ({}); the audit log is checked anyway",
            path.display(),
            altered.join("; ")
        );
    }
    Ok(store)
}
