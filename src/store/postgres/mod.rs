//! The PostgreSQL backend: a team on several hosts shares one server, and each person connects
//! as their own PostgreSQL role, authenticated by the server. The reviewer a row records is the
//! server's `current_user`, and the server itself refuses what a role may not do (`roles`).
//!
//! Built so far: the schema with its roles, grants and row security (`init`), people as server
//! roles (`user`), the audit chain (appends serialised by an advisory lock in the writer's
//! transaction; `audit verify/head`), policy, holds, `stats` and the reviewers' figures,
//! `recall`, `export --decisions`, import through COPY, `migrate` from a SQLite file, and the
//! decision write path (decisions, undo, overrides, checks, second verdicts: the shared logic in
//! `store::deciding` and `store::checks` over `store::sql`) with the release preview, the
//! release export, and the reads and claims of the review and supervise screens (both screens
//! hold their backend behind `ReviewStore` / `SuperviseStore`). What still runs only on SQLite,
//! `Store` says so when given a server.

mod audit;
mod claims;
pub mod connect;
mod copy_csv;
mod decisions;
mod figures;
mod history_export;
mod holds;
mod import;
pub mod live;
pub mod migrate;
mod pgpass;
mod policy;
mod preview;
mod queue;
mod recall;
mod release;
pub mod roles;
pub mod schema;
mod search;
mod second_reviews;
pub(crate) mod sql;
mod stats;
mod supervision;
mod tls;
mod url;
pub mod users;

use postgres::Client;

pub use claims::BUSY_HOLDER;
pub use connect::PgTarget;

use super::{Created, StoreError, StoreResult, now_utc};

/// The schema version this build creates on a server (the SQLite file's current version: the
/// same tables and columns).
pub fn current_version() -> i64 {
    super::schema::current_version()
}

/// A connection to a matchgate database on a PostgreSQL server.
pub struct PgStore {
    client: Client,
    /// The server and database, as safe to print (no secret).
    target: String,
    /// The role this connection is: who every row it writes is recorded as.
    user: String,
    /// Who works through this connection (the review screen sets it); None for commands.
    claimant: Option<crate::domain::claim::Claimant>,
    /// Set once the connection LISTENs for other connections' queue changes.
    listening: Option<live::Listening>,
}

impl PgStore {
    /// `init` on a server: see [`PgStore::create_on`].
    pub fn create(target: &PgTarget) -> StoreResult<(PgStore, Created)> {
        PgStore::create_on(target.connect()?, target.display())
    }

    /// Opens matchgate's database on a server, as the role the URL names.
    pub fn open(target: &PgTarget) -> StoreResult<PgStore> {
        PgStore::open_on(target.connect()?, target.display())
    }

    /// Creates matchgate's schema, roles and grants in the connected database (the connecting
    /// role needs CREATE on the database and CREATEROLE; a DBA runs it once), or opens it when it
    /// is already there. All in one transaction: a failure leaves nothing behind.
    pub fn create_on(mut client: Client, target: &str) -> StoreResult<(PgStore, Created)> {
        let created = match found_version(&mut client, target)? {
            Some(version) => {
                upgrade(&mut client, target, version)?;
                Created::Existing
            }
            None => {
                let mut tx = client.transaction()?;
                tx.batch_execute(schema::TABLES)
                    .map_err(|e| not_created(target, e))?;
                tx.batch_execute(&roles::setup_sql())
                    .map_err(|e| not_created(target, e))?;
                tx.execute(
                    "INSERT INTO matchgate.matchgate_meta (key, value) VALUES
                     ('application', 'matchgate'), ('schema_version', $1)",
                    &[&current_version().to_string()],
                )?;
                // The sampling key: random per database, set once (a trigger refuses changes).
                let seed: [u8; 32] = rand::random();
                tx.execute(
                    "INSERT INTO matchgate.quality_seed (id, seed, created_at) VALUES (1, $1, $2)",
                    &[&seed.as_slice(), &now_utc()],
                )?;
                tx.commit()?;
                Created::New
            }
        };
        Ok((PgStore::ready(client, target)?, created))
    }

    /// Opens the matchgate database on the connected server; refuses one without matchgate's
    /// schema, with a newer version, or with an older one (which its owner upgrades with
    /// `init`: a reviewer's connection has no right to change the schema), without writing.
    pub fn open_on(mut client: Client, target: &str) -> StoreResult<PgStore> {
        match found_version(&mut client, target)? {
            Some(version) if version < current_version() => Err(StoreError::Server {
                target: target.to_string(),
                detail: format!(
                    "its matchgate schema is version {version}, older than this build's {}: its owner upgrades it with `matchgate init --db URL` (nothing was written)",
                    current_version()
                ),
            }),
            Some(_) => PgStore::ready(client, target),
            None => Err(StoreError::Server {
                target: target.to_string(),
                detail: "this database has no matchgate schema; create it with `matchgate init --db URL` (as its owner)".into(),
            }),
        }
    }

    fn ready(mut client: Client, target: &str) -> StoreResult<PgStore> {
        client.batch_execute("SET search_path = matchgate")?;
        let user: String = client.query_one("SELECT current_user::text", &[])?.get(0);
        Ok(PgStore {
            client,
            target: target.to_string(),
            user,
            claimant: None,
            listening: None,
        })
    }

    /// The server role this connection acts as.
    pub fn current_user(&self) -> &str {
        &self.user
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn schema_version(&mut self) -> StoreResult<i64> {
        let target = self.target.clone();
        found_version(&mut self.client, &target)?.ok_or_else(|| StoreError::Server {
            target,
            detail: "the matchgate schema disappeared".into(),
        })
    }
}

/// The version of matchgate's schema in the connected database (None: there is none); refuses a
/// foreign `matchgate` schema and a newer version.
fn found_version(client: &mut Client, target: &str) -> StoreResult<Option<i64>> {
    let refuse = |detail: String| StoreError::Server {
        target: target.to_string(),
        detail,
    };
    let has_schema: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&schema::NAMESPACE],
        )?
        .get(0);
    if !has_schema {
        return Ok(None);
    }
    let has_meta: bool = client
        .query_one(
            "SELECT to_regclass('matchgate.matchgate_meta') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !has_meta {
        return Err(refuse(
            "its schema `matchgate` was not made by matchgate; nothing was written".into(),
        ));
    }
    let version: Option<String> = client
        .query_opt(
            "SELECT value FROM matchgate.matchgate_meta WHERE key = 'schema_version'",
            &[],
        )?
        .map(|r| r.get(0));
    let version: i64 = version
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| refuse("its matchgate schema has no readable version".into()))?;
    if version > current_version() {
        return Err(refuse(format!(
            "it was written by a newer matchgate (schema version {version}, this build knows up to {}); upgrade matchgate, nothing was written",
            current_version()
        )));
    }
    Ok(Some(version))
}

/// Brings a server database from `version` to this build's, one step at a time, in one
/// transaction with its recorded version (a failed step leaves it as it was).
fn upgrade(client: &mut Client, target: &str, version: i64) -> StoreResult<()> {
    if version == current_version() {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    for from in version..current_version() {
        let step = schema::UPGRADES
            .iter()
            .find(|(at, _)| *at == from)
            .ok_or_else(|| StoreError::Server {
                target: target.to_string(),
                detail: format!(
                    "no upgrade from schema version {from} on a server (the first server schema is {}); nothing was written",
                    schema::UPGRADES.first().map_or(current_version(), |(at, _)| *at)
                ),
            })?;
        tx.batch_execute(step.1)
            .map_err(|e| not_created(target, e))?;
    }
    tx.execute(
        "UPDATE matchgate.matchgate_meta SET value = $1 WHERE key = 'schema_version'",
        &[&current_version().to_string()],
    )?;
    tx.commit()?;
    Ok(())
}

fn not_created(target: &str, e: postgres::Error) -> StoreError {
    let message = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_string());
    StoreError::Server {
        target: target.to_string(),
        detail: format!(
            "the schema could not be created ({message}); the role running `init` needs CREATE on the database and CREATEROLE (run it as the database's owner or a DBA); nothing was written"
        ),
    }
}
