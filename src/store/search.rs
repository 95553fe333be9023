//! Queue search: the full-text index narrows the queue to a few hundred requests, then
//! fuzzy-matcher ranks them, so a keystroke never scans the queue.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rusqlite::{params_from_iter, types::Value};

use super::paging::ENTRY_COLUMNS;
use super::queue::{entry_from_row, push_claimant, push_filter};
use super::{Store, StoreResult};
use crate::domain::{QueueEntry, QueueFilter};

/// How many index hits are ranked at most.
pub(crate) const RANKED: i64 = 500;

/// The text a hit is ranked on: names, address and request id.
pub(crate) const RANKED_TEXT: &str = "concat_ws(' ', r.given_name, r.surname, r.street_number, \
     r.street, r.city, r.state, r.zip, r.source_id)";

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
            "SELECT {ENTRY_COLUMNS}, {RANKED_TEXT}
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
            Ok((entry_from_row(row)?, row.get::<_, String>(9)?))
        })?;
        let hits = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(rank_hits(hits, query, limit))
    }
}

/// The index's hits (each with its `RANKED_TEXT`), best fuzzy match of the query first, then
/// by request id.
pub(crate) fn rank_hits(
    hits: Vec<(QueueEntry, String)>,
    query: &str,
    limit: usize,
) -> Vec<QueueEntry> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut ranked: Vec<(i64, QueueEntry)> = hits
        .into_iter()
        .map(|(entry, text)| {
            let score = matcher.fuzzy_match(&text, query.trim()).unwrap_or(0);
            (score, entry)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.request_id.cmp(&b.1.request_id)));
    ranked.into_iter().take(limit).map(|(_, e)| e).collect()
}

/// The words a query looks for, each as a word prefix: runs of letters and digits, so no
/// character the reviewer types can act as query syntax on any backend.
pub(crate) fn query_words(query: &str) -> Vec<&str> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Turns what the reviewer typed into an FTS5 query of quoted word prefixes. None when there is
/// no word to look for.
fn fts_prefix_query(query: &str) -> Option<String> {
    let words: Vec<String> = query_words(query)
        .into_iter()
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
