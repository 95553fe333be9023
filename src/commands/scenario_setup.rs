//! Applying a scenario's setup (policy and legal holds) to its fresh training database.

use crate::scenarios::ScenarioSetup;
use crate::store::Store;

pub fn apply(_store: &mut Store, setup: &ScenarioSetup) -> anyhow::Result<()> {
    if setup.policy.is_some() || !setup.holds.is_empty() {
        anyhow::bail!(
            "this scenario needs release policy and legal holds, which this build does not have yet"
        );
    }
    Ok(())
}
