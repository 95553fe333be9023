//! Applying a scenario's setup (release policy, legal holds, and for supervising a prepared
//! history of reviewers' decisions) to its fresh training database, through the same audited
//! store calls people's commands use.

use anyhow::Context as _;

use crate::domain::policy::HoldScope;
use crate::domain::supervision_training::Planted;
use crate::domain::{Decision, Gold};
use crate::scenarios::ScenarioSetup;
use crate::store::{ExportFormat, Store};

/// Who the setup is recorded as in the audit log.
const TRAINER: &str = "training-setup";

/// Applies the setup; returns the prepared history's decisions (empty when there is none).
pub fn apply(store: &mut Store, setup: &ScenarioSetup) -> anyhow::Result<Vec<Planted>> {
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
    history(store, setup)
}

/// Decides the history under its policy, releases its approvals if asked, restores the policy.
fn history(store: &mut Store, setup: &ScenarioSetup) -> anyhow::Result<Vec<Planted>> {
    if setup.history.is_empty() {
        return Ok(Vec::new());
    }
    let before = store.policy()?;
    for (key, value) in &setup.history_policy {
        store.set_policy(key, value, TRAINER)?;
    }
    let mut planted = Vec::new();
    for h in &setup.history {
        let verdict = h.verdict().map_err(anyhow::Error::msg)?;
        let request_id = store.request_by_source(&h.request)?.with_context(|| {
            format!(
                "scenario history names request {} that is not in the file",
                h.request
            )
        })?;
        let item = store
            .review_item(request_id)?
            .with_context(|| format!("request {}", h.request))?;
        let candidate = item
            .candidates
            .first()
            .with_context(|| format!("request {} has no candidate", h.request))?;
        let outcome = store.record_decision(
            &Decision {
                match_id: candidate.match_id,
                reviewer: h.reviewer.clone(),
                verdict,
                note: None,
                viewed_ms: h.looked_ms,
            },
            TRAINER,
        )?;
        planted.push(Planted {
            decision_id: outcome.group_id,
            request: h.request.clone(),
            reviewer: h.reviewer.clone(),
            verdict: verdict.action(),
            gold: candidate.gold.unwrap_or(Gold::Nonmatch),
            gold_note: candidate.gold_note.clone().unwrap_or_default(),
            released: false,
        });
    }
    if setup.release {
        let dir = crate::store::permissions::private_temp_dir("matchgate-scenario-release-")?;
        let summary =
            store.export_release(TRAINER, &dir.path().join("released.csv"), ExportFormat::Csv)?;
        if summary.count > 0 {
            for p in &mut planted {
                let request_id = store.request_by_source(&p.request)?.unwrap_or_default();
                p.released = store.review_item(request_id)?.is_some_and(|item| {
                    item.candidates
                        .iter()
                        .any(|c| c.status == crate::domain::MatchStatus::Released)
                });
            }
        }
    }
    for key in setup.history_policy.keys() {
        store.set_policy(key, &before.get(key).unwrap_or_default(), TRAINER)?;
    }
    Ok(planted)
}
