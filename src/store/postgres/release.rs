//! Release on a server: the shared release export (`store::release`) in a server transaction,
//! as the connected role, who needs the role release needs.

use std::path::Path;

use super::PgStore;
use super::sql::Server;
use crate::domain::roles::Act;
use crate::store::export_file::publish;
use crate::store::release::{each_releasable_in, release_in};
use crate::store::settle::settle;
use crate::store::{ExportFormat, ExportSummary, Releasable, StoreResult};

use super::audit::refuse;

/// The advisory lock key of releasing ("MGAT" "RELS").
const EXPORT_LOCK: i64 = 0x4D47_4154_5245_4C53;

impl PgStore {
    /// The dry run: what an export would release now, a match at a time (nothing written).
    pub fn each_releasable(
        &mut self,
        mut each: impl FnMut(Releasable) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut tx = self.client.transaction()?;
        tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        each_releasable_in(&mut Server(&mut tx), &mut |_, item| each(item))?;
        tx.commit()?;
        Ok(())
    }

    /// See `Store::export_release`: the file is synced, the transaction commits, then the file
    /// is renamed into place. Refused (and audited) for a role that may not release.
    pub fn export_release(
        &mut self,
        out: &Path,
        format: ExportFormat,
    ) -> StoreResult<ExportSummary> {
        if let Some(message) = self.role_refusal(Act::Release)? {
            let who = self.user.clone();
            let tx = self.client.transaction()?;
            return Err(refuse(tx, &who, "export", "release:none", message));
        }
        let who = self.user.clone();
        // One export at a time: two would check the same approvals against the same state.
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EXPORT_LOCK])?;
        let result = release_in(&mut Server(&mut tx), &who, out, format);
        let (summary, tmp) = settle(tx, result)?;
        publish(tmp, out)?;
        Ok(summary)
    }
}
