//! What running screens need to stay current on a server: a wake-up when another connection
//! commits a change to the queue (LISTEN/NOTIFY, the server's `PRAGMA data_version`), and which
//! requests changed queue state (`queue_moves`, read as on SQLite).
//!
//! A notification says only "look again": the screen then reads the moves after the last one it
//! applied. The schema's triggers notify on queue moves, new requests and claims changing hands,
//! and number every queue move under a lock held to its commit, so moves commit in id order and
//! reading "after id N" misses none (see `schema::LIVE_UPDATES`).

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::PgStore;
use crate::store::live::{MOVES, MoveRead, collect_moves};
use crate::store::{MOVES_PER_REFRESH, MovesSince, StoreError, StoreResult};

/// The channel the schema's triggers notify.
pub const CHANNEL: &str = "matchgate_queue";

/// A connection LISTENing for other connections' queue changes.
pub(super) struct Listening {
    /// This connection's server process: its own commits wake no one here.
    own_pid: i32,
    /// Counts the looks that found another connection's commit.
    version: i64,
}

impl PgStore {
    /// Changes whenever another connection has committed a change to the queue since the last
    /// call (never for this connection's own commits). The first call starts listening, so call
    /// it before reading the starting point (`last_move_id`). Never waits for the server.
    pub fn data_version(&mut self) -> StoreResult<i64> {
        if self.listening.is_none() {
            self.client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            let own_pid: i32 = self
                .client
                .query_one("SELECT pg_backend_pid()", &[])?
                .get(0);
            self.listening = Some(Listening {
                own_pid,
                version: 0,
            });
        }
        let Some(listening) = self.listening.as_mut() else {
            return Ok(0);
        };
        let mut woken = false;
        {
            // A zero timeout, not `iter()`: that one only returns what an earlier statement
            // happened to read, while this turns the socket's reader once (about a millisecond,
            // the timer's tick) and so sees what arrived while the connection sat idle.
            let mut notifications = self.client.notifications();
            let mut pending = notifications.timeout_iter(Duration::ZERO);
            while let Some(notification) = pending.next()? {
                woken |= notification.process_id() != listening.own_pid;
            }
        }
        // A lost connection also reads as "nothing pending": say so rather than go quiet.
        if self.client.is_closed() {
            return Err(StoreError::Server {
                target: self.target.clone(),
                detail: "the connection was lost".into(),
            });
        }
        if woken {
            listening.version += 1;
        }
        Ok(listening.version)
    }

    /// The newest queue move id (a screen's starting point).
    pub fn last_move_id(&mut self) -> StoreResult<i64> {
        Ok(self
            .client
            .query_one("SELECT coalesce(max(id), 0)::bigint FROM queue_moves", &[])?
            .get(0))
    }

    /// Queue moves after `after` made by sessions other than `own_session`, oldest first.
    pub fn moves_since(&mut self, after: i64, own_session: &str) -> StoreResult<MovesSince> {
        let sql = format!("{MOVES} WHERE q.id > $1 ORDER BY q.id LIMIT $2");
        let rows = self
            .client
            .query(&sql, &[&after, &(MOVES_PER_REFRESH as i64 + 1)])?;
        let reads = rows.iter().map(|row| {
            Ok(MoveRead {
                id: row.get(0),
                request_id: row.get(1),
                batch_id: row.get(2),
                top_score: row.get(3),
                flags: row.get(4),
                rank_before: row.get(5),
                rank_after: row.get(6),
                session: row.get(7),
            })
        });
        collect_moves(after, own_session, reads)
    }
}
