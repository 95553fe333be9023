//! Queue search: the full-text index narrows the queue to a few hundred requests, then
//! fuzzy-matcher ranks them, so a keystroke never scans the queue.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rusqlite::{params_from_iter, types::Value};

use super::queue::{push_claimant, push_filter};
use super::{Store, StoreResult};
use crate::domain::{ItemFlags, QueueEntry, QueueFilter, QueueState};

/// How many index hits are ranked at most.
const RANKED: i64 = 500;

impl Store {
    /// Requests in the filter's queue whose names, address or id match every word of the query
    /// (as word prefixes), best fuzzy match first.
    pub fn search_queue(
        &self,
        filter: &QueueFilter,
        query: &str,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>> {
        let Some(fts_query) = fts_prefix_query(query) else {
            return Ok(Vec::new());
        };
        let states = filter.state.states();
        let marks = vec!["?"; states.len()].join(", ");
        let mut sql = format!(
            "SELECT r.id, r.source_id, r.batch_id, r.given_name, r.surname, r.top_score,
                    r.queue_rank, r.candidate_count, r.flags,
                    concat_ws(' ', r.given_name, r.surname, r.street_number, r.street, r.city,
                              r.state, r.zip, r.source_id)
               FROM request_search s JOIN requests r ON r.id = s.rowid
              WHERE request_search MATCH ? AND r.queue_rank IN ({marks})"
        );
        let mut args: Vec<Value> = vec![Value::Text(fts_query)];
        args.extend(states.iter().map(|s| Value::Integer(s.rank())));
        push_filter(&mut sql, &mut args, filter);
        push_claimant(&mut sql, &mut args, self.claimant.as_ref());
        sql.push_str(" LIMIT ?");
        args.push(Value::Integer(RANKED));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |row| {
            let given: Option<String> = row.get(3)?;
            let surname: Option<String> = row.get(4)?;
            let name = [given, surname]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let entry = QueueEntry {
                request_id: row.get(0)?,
                source_id: row.get(1)?,
                batch_id: row.get(2)?,
                name,
                top_score: row.get(5)?,
                state: QueueState::from_rank(row.get(6)?).unwrap_or(QueueState::Open),
                candidate_count: row.get::<_, i64>(7)? as u32,
                flags: ItemFlags(row.get::<_, i64>(8)? as u32),
            };
            Ok((entry, row.get::<_, String>(9)?))
        })?;
        let matcher = SkimMatcherV2::default().ignore_case();
        let mut ranked: Vec<(i64, QueueEntry)> = Vec::new();
        for row in rows {
            let (entry, text) = row?;
            let score = matcher.fuzzy_match(&text, query.trim()).unwrap_or(0);
            ranked.push((score, entry));
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.request_id.cmp(&b.1.request_id)));
        Ok(ranked.into_iter().take(limit).map(|(_, e)| e).collect())
    }
}

/// Turns what the reviewer typed into an FTS5 query of quoted word prefixes, so no character
/// they type can act as FTS syntax. None when there is no word to look for.
fn fts_prefix_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_are_quoted_prefixes() {
        assert_eq!(
            fts_prefix_query("smi  jo"),
            Some("\"smi\"* \"jo\"*".to_string())
        );
        assert_eq!(
            fts_prefix_query("a\" OR 1 -- NEAR("),
            Some("\"a\"* \"OR\"* \"1\"* \"NEAR\"*".to_string())
        );
        assert_eq!(fts_prefix_query(" ;\"* "), None);
    }
}
