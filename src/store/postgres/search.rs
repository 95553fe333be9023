//! Queue search on the server: the GIN index over `request_search.words` narrows the queue to a
//! few hundred requests, then they are ranked as on SQLite (`store::search`: the same words, the
//! same fuzzy ranking), so a keystroke never scans the queue. The index's words are split and
//! folded as SQLite's FTS5 splits and folds them (`schema`: `search_words`), and the query's
//! words are folded the same way (`search_fold`).

use super::PgStore;
use super::queue::{Query, entry_from_row, push_claimant, push_filter};
use crate::domain::{QueueEntry, QueueFilter};
use crate::store::StoreResult;
use crate::store::paging::ENTRY_COLUMNS;
use crate::store::search::{RANKED, RANKED_TEXT, query_words, rank_hits};

/// What the reviewer typed as a `tsquery` of word prefixes that must all match. The words are
/// letters and digits only (`query_words`), so quoting each makes no operator of anything
/// typed; the query is a bound value still. None when there is no word to look for.
pub(crate) fn tsquery_prefixes(query: &str) -> Option<String> {
    let words: Vec<String> = query_words(query)
        .into_iter()
        .map(|w| format!("'{w}':*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

impl PgStore {
    /// Requests in the filter's queue whose names, address or id match every word of the query
    /// (as word prefixes), best fuzzy match first.
    pub fn search_queue(
        &mut self,
        filter: &QueueFilter,
        query: &str,
        limit: usize,
    ) -> StoreResult<Vec<QueueEntry>> {
        let Some(words) = tsquery_prefixes(query) else {
            return Ok(Vec::new());
        };
        let ranks: Vec<i64> = filter.state.states().iter().map(|s| s.rank()).collect();
        let mut q = Query::new(format!(
            "SELECT {ENTRY_COLUMNS}, {RANKED_TEXT}
               FROM request_search s JOIN requests r ON r.id = s.request_id WHERE "
        ));
        let (words, ranks) = (q.bind(words), q.bind(ranks));
        q.sql.push_str(&format!(
            "s.words @@ to_tsquery('simple', matchgate.search_fold({words}))
               AND r.queue_rank = ANY({ranks})"
        ));
        push_filter(&mut q, filter);
        push_claimant(&mut q, self.claimant.as_ref());
        let ranked = q.bind(RANKED);
        q.sql.push_str(&format!(" LIMIT {ranked}"));
        let rows = self.client.query(&q.sql, &q.params())?;
        let hits = rows
            .iter()
            .map(|row| (entry_from_row(row), row.get::<_, String>(9)))
            .collect();
        Ok(rank_hits(hits, query, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_quoted_prefixes_and_never_syntax() {
        assert_eq!(
            tsquery_prefixes("smi  jo"),
            Some("'smi':* & 'jo':*".to_string())
        );
        assert_eq!(
            tsquery_prefixes("a' | !b & (c:*"),
            Some("'a':* & 'b':* & 'c':*".to_string())
        );
        assert_eq!(tsquery_prefixes(" ;'* "), None);
    }
}
