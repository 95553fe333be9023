//! Who is running a command: the name they give, else their login name, checked against the
//! database's users and identity policy by the store.

use crate::domain::roles::Act;
use crate::store::Store;

pub use crate::login::login_name;

/// The name to act under: the given one, else the login name.
pub fn actor_name(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(login_name)
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "reviewer".to_string())
}

/// Resolves and checks who is acting (identity policy and role, refusals audited).
pub fn authorize(store: &mut Store, given: Option<&str>, act: Act) -> anyhow::Result<String> {
    let name = actor_name(given);
    store.authorize(&name, login_name().as_deref(), act)?;
    Ok(name)
}
