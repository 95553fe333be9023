//! `matchgate override`: a supervisor's override of the address-sufficiency gate.

use std::process::ExitCode;

use super::identity::authorize;
use crate::cli::OverrideArgs;
use crate::domain::roles::Act;
use crate::store::Store;

pub fn run(args: &OverrideArgs) -> anyhow::Result<ExitCode> {
    let session = format!("cli-override-{}", std::process::id());
    let outcome = match super::server::target(&args.db.db)? {
        // On a server the supervisor is the connected role; the server refuses others' roles.
        Some(target) => {
            let mut store = super::server::open_as(&target, Some(&args.supervisor))?;
            if let Some(message) = store.role_refusal(Act::Override)? {
                anyhow::bail!(message);
            }
            store.record_override(
                args.match_id,
                &args.supervisor,
                &args.justification,
                &session,
            )?
        }
        None => {
            let mut store = Store::open(&args.db.db)?;
            authorize(&mut store, Some(&args.supervisor), Act::Override)?;
            store.record_override(
                args.match_id,
                &args.supervisor,
                &args.justification,
                &session,
            )?
        }
    };
    let status = outcome
        .changes
        .first()
        .map(|(_, _, after)| after.as_str())
        .unwrap_or("unchanged");
    println!(
        "override recorded for match {} by {} (decision group {}); the match is now {status}",
        args.match_id,
        crate::domain::text_safety::escape_for_display(&args.supervisor),
        outcome.group_id
    );
    Ok(ExitCode::SUCCESS)
}
