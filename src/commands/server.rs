//! Commands on a PostgreSQL server (`--db postgres://…`): whoever connects is who acts, as the
//! server authenticated them; a name given with `--by` must be that same role.

use std::path::Path;

use crate::store::postgres::{PgStore, PgTarget, connect::is_postgres_url};

/// The server the `--db` value names (None: it is a SQLite file).
pub fn target(db: &Path) -> anyhow::Result<Option<PgTarget>> {
    match db.to_str() {
        Some(url) if is_postgres_url(url) => Ok(Some(PgTarget::parse(url)?)),
        _ => Ok(None),
    }
}

/// Opens the server's matchgate database and refuses a `--by` naming anyone but the connected
/// role: on a server, identity is the server's.
pub fn open_as(target: &PgTarget, claimed: Option<&str>) -> anyhow::Result<PgStore> {
    let store = PgStore::open(target)?;
    if let Some(name) = claimed.filter(|name| *name != store.current_user()) {
        anyhow::bail!(
            "on a PostgreSQL server you act as the role you connect as ({}); `{}` is someone else: connect as them instead",
            crate::domain::text_safety::escape_for_display(store.current_user()),
            crate::domain::text_safety::escape_for_display(name)
        );
    }
    Ok(store)
}
