//! Applying a scenario's setup (release policy and legal holds) to its fresh training database,
//! through the same audited store calls a supervisor's commands use.

use crate::domain::policy::HoldScope;
use crate::scenarios::ScenarioSetup;
use crate::store::Store;

/// Who the setup is recorded as in the audit log.
const TRAINER: &str = "training-setup";

pub fn apply(store: &mut Store, setup: &ScenarioSetup) -> anyhow::Result<()> {
    if let Some(policy) = &setup.policy {
        store.set_policy(
            "approvals_required",
            &policy.approvals_required.to_string(),
            TRAINER,
        )?;
        store.set_policy("blind", &policy.blind.to_string(), TRAINER)?;
    }
    for hold in &setup.holds {
        let scope: HoldScope = hold
            .scope
            .parse()
            .map_err(|e| anyhow::anyhow!("scenario hold on {}: {e}", hold.batch))?;
        store.add_hold(&hold.batch, scope, &hold.reason, TRAINER)?;
    }
    Ok(())
}
