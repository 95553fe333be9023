//! What running screens need to stay current: whether anyone else has committed since they last
//! looked (`PRAGMA data_version`), and which requests changed queue state (`queue_moves`).

use rusqlite::params;

use super::paging::state_of;
use super::{Store, StoreResult};
use crate::domain::{ItemFlags, QueueMove, QueueState};

/// The most moves one refresh reads; past that a screen reloads its counts instead.
pub const MOVES_PER_REFRESH: usize = 5_000;

/// Appends a queue move in the transaction that made it.
pub(crate) fn record_move(
    sql: &mut dyn super::sql::Sql,
    request_id: i64,
    before: QueueState,
    after: QueueState,
    session: &str,
) -> StoreResult<()> {
    sql.run(
        "INSERT INTO queue_moves (request_id, rank_before, rank_after, session) VALUES (?, ?, ?, ?)",
        &[&request_id, &before.rank(), &after.rank(), &session],
    )?;
    Ok(())
}

/// Moves made by other sessions after a given one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MovesSince {
    pub moves: Vec<QueueMove>,
    /// The newest move id read (pass it back next time).
    pub last_id: i64,
    /// More moves were waiting than one refresh reads.
    pub truncated: bool,
}

impl Store {
    /// Changes whenever another connection commits (never for this connection's own commits).
    pub fn data_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The newest queue move id (a screen's starting point).
    pub fn last_move_id(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT coalesce(max(id), 0) FROM queue_moves")?
            .query_row([], |r| r.get(0))?)
    }

    /// Queue moves after `after` made by sessions other than `own_session`, oldest first.
    pub fn moves_since(&self, after: i64, own_session: &str) -> StoreResult<MovesSince> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{MOVES} WHERE q.id > ? ORDER BY q.id LIMIT ?"))?;
        let rows = stmt.query_map(params![after, MOVES_PER_REFRESH as i64 + 1], |row| {
            Ok(MoveRead {
                id: row.get(0)?,
                request_id: row.get(1)?,
                batch_id: row.get(2)?,
                top_score: row.get(3)?,
                flags: row.get(4)?,
                rank_before: row.get(5)?,
                rank_after: row.get(6)?,
                session: row.get(7)?,
            })
        })?;
        collect_moves(after, own_session, rows.map(|r| r.map_err(Into::into)))
    }
}

/// The moves' columns, for a backend to append its `WHERE q.id > … ORDER BY q.id LIMIT …`.
pub(crate) const MOVES: &str = "SELECT q.id, q.request_id, r.batch_id, r.top_score, r.flags, \
     q.rank_before, q.rank_after, q.session
       FROM queue_moves q JOIN requests r ON r.id = q.request_id";

/// One row of `MOVES` as read.
pub(crate) struct MoveRead {
    pub id: i64,
    pub request_id: i64,
    pub batch_id: i64,
    pub top_score: f64,
    pub flags: i64,
    pub rank_before: i64,
    pub rank_after: i64,
    pub session: String,
}

/// The moves after `after` from up to `MOVES_PER_REFRESH + 1` rows in id order: other sessions'
/// moves, the newest id read, and whether more were waiting.
pub(crate) fn collect_moves(
    after: i64,
    own_session: &str,
    rows: impl Iterator<Item = StoreResult<MoveRead>>,
) -> StoreResult<MovesSince> {
    let mut out = MovesSince {
        last_id: after,
        ..MovesSince::default()
    };
    for (read, row) in rows.enumerate() {
        if read >= MOVES_PER_REFRESH {
            out.truncated = true;
            break;
        }
        let row = row?;
        out.last_id = row.id;
        if row.session == own_session {
            continue;
        }
        out.moves.push(QueueMove {
            request_id: row.request_id,
            batch_id: row.batch_id,
            top_score: row.top_score,
            flags: ItemFlags(row.flags as u32),
            before: state_of(row.rank_before),
            after: state_of(row.rank_after),
        });
    }
    Ok(out)
}
