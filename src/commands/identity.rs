//! Who is running a command: the name they give, else their login name, checked against the
//! database's users and identity policy by the store.

use crate::domain::roles::Act;
use crate::store::Store;

/// The OS login name of this process, from its user id (not `$USER`, which anyone can set).
pub fn login_name() -> Option<String> {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid returns a pointer into static storage or null; we copy the name out
        // at once and this program does not call getpw* from other threads.
        unsafe {
            let pw = libc::getpwuid(libc::getuid());
            if pw.is_null() || (*pw).pw_name.is_null() {
                return None;
            }
            let name = std::ffi::CStr::from_ptr((*pw).pw_name);
            name.to_str().ok().map(str::to_string)
        }
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").ok()
    }
}

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
