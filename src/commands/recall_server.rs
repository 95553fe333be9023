//! Where `matchgate recall` reads releases and records recalls: a SQLite file, or a PostgreSQL
//! server as the connected role. The listing and its output are the same on both.

use std::path::Path;

use super::identity::authorize;
use crate::domain::roles::Act;
use crate::store::postgres::PgStore;
use crate::store::{RecallFilter, ReleasedMatch, Store, StoreResult};

pub(super) enum Releases {
    File(Store),
    Server(Box<PgStore>),
}

impl Releases {
    /// The database `--db` names; on a server, `--by` may only name the connected role.
    pub fn open(db: &Path, by: Option<&str>) -> anyhow::Result<Releases> {
        Ok(match super::server::target(db)? {
            Some(target) => Releases::Server(Box::new(super::server::open_as(&target, by)?)),
            None => Releases::File(Store::open(db)?),
        })
    }

    pub fn each_released(
        &mut self,
        filter: &RecallFilter,
        each: impl FnMut(ReleasedMatch) -> StoreResult<()>,
    ) -> StoreResult<()> {
        match self {
            Releases::File(store) => store.each_released(filter, each),
            Releases::Server(store) => store.each_released(filter, each),
        }
    }

    /// Whether `--mark` needs the listed matches kept: a file records recalls of the listed
    /// rows; a server selects them again itself, a page at a time.
    pub fn marks_listed(&self) -> bool {
        matches!(self, Releases::File(_))
    }

    /// Records recalls (audited) as whoever may: on a file the person `--by` names (checked
    /// against its users), on a server the connected role. Returns how many were new.
    pub fn mark(
        &mut self,
        filter: &RecallFilter,
        listed: &[ReleasedMatch],
        by: Option<&str>,
        reason: &str,
    ) -> anyhow::Result<usize> {
        Ok(match self {
            Releases::File(store) => {
                let who = authorize(store, by, Act::Recall)?;
                store.mark_recalled(listed, &who, reason)?
            }
            Releases::Server(store) => store.mark_recalled(filter, reason)?,
        })
    }
}
