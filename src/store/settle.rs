//! How a write path ends, on either backend: a refusal is audited in the same transaction and
//! committed with it (the record of what was refused must stay), a failure rolls everything back.

use super::StoreError;
use super::audit::{REFUSED, append_audit_in};
use super::sql::Sql;

/// Why a write path stopped: refused (its audit entry is written, to be committed) or failed.
#[derive(Debug)]
pub(crate) enum Stop {
    Refused(String),
    Failed(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Failed(e)
    }
}

/// A transaction of either backend, to be committed.
pub(crate) trait Commit {
    fn commit_now(self) -> Result<(), StoreError>;
}

impl Commit for rusqlite::Transaction<'_> {
    fn commit_now(self) -> Result<(), StoreError> {
        Ok(self.commit()?)
    }
}

impl Commit for postgres::Transaction<'_> {
    fn commit_now(self) -> Result<(), StoreError> {
        Ok(self.commit()?)
    }
}

/// Ends a write path's transaction: committed when it succeeded or was refused (the refusal's
/// audit entry stays), rolled back (dropped) when it failed.
pub(crate) fn settle<T>(tx: impl Commit, result: Result<T, Stop>) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            tx.commit_now()?;
            Ok(value)
        }
        Err(Stop::Refused(message)) => {
            tx.commit_now()?;
            Err(StoreError::Refused(message))
        }
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// Records a refusal in the audit log (in the caller's transaction) and stops with it.
pub(crate) fn refused(
    sql: &mut dyn Sql,
    actor: &str,
    action: &str,
    object: &str,
    message: String,
) -> Stop {
    let detail = serde_json::json!({ "refusal": message }).to_string();
    match append_audit_in(sql, actor, action, object, REFUSED, &detail, None) {
        Ok(_) => Stop::Refused(message),
        Err(e) => Stop::Failed(e),
    }
}
