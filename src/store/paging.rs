//! Keyset paging of the review queue, the same on every backend: which queue states a page
//! walks and in which direction, the order within a state, and the key a page continues from.
//! Each backend writes only its own placeholders and runs the statements.
//!
//! Each queue state is paged separately (`queue_rank = ?` then a row-value comparison on the
//! sort columns), so every query is one range scan of an index whatever the queue's size.

use super::StoreResult;
use crate::domain::{QueueEntry, QueueFilter, QueueKey, QueueSort, QueueState};

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageFrom {
    /// The head of the queue.
    Start,
    /// Strictly after this key, in queue order.
    After(QueueKey),
    /// This key itself (if it still qualifies) and what follows.
    At(QueueKey),
    /// Strictly before this key; the page comes back in queue order.
    Before(QueueKey),
}

/// The columns a queue entry is read from (`entry_name` joins the two names).
pub(crate) const ENTRY_COLUMNS: &str = "r.id, r.source_id, r.batch_id, r.given_name, r.surname, \
     r.top_score, r.queue_rank, r.candidate_count, r.flags";

/// One value of a queue key, for a backend to bind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KeyValue {
    Int(i64),
    Real(f64),
}

/// The order of a page within one queue state, and how its key continues it.
pub(crate) struct PageOrder {
    /// The sort columns, as one SQL list.
    pub cols: &'static str,
    /// True when queue order ascends on the columns.
    ascending: bool,
    /// The page is read backwards (before a key), and reversed by the caller.
    backward: bool,
}

impl PageOrder {
    pub(crate) fn new(sort: QueueSort, filter: &QueueFilter, backward: bool) -> PageOrder {
        let (cols, ascending) = match (sort, filter.batch_id) {
            (QueueSort::Score, _) => ("r.top_score, r.id", false),
            (QueueSort::Age, _) | (QueueSort::Batch, Some(_)) => ("r.id", true),
            (QueueSort::Batch, None) => ("r.batch_id, r.id", true),
        };
        PageOrder {
            cols,
            ascending,
            backward,
        }
    }

    /// The key's values for the sort columns, in their order.
    pub(crate) fn key_values(&self, k: QueueKey) -> Vec<KeyValue> {
        match self.cols {
            "r.id" => vec![KeyValue::Int(k.request_id)],
            "r.batch_id, r.id" => vec![KeyValue::Int(k.batch_id), KeyValue::Int(k.request_id)],
            _ => vec![KeyValue::Real(k.score), KeyValue::Int(k.request_id)],
        }
    }

    /// The comparison of the sort columns with the key: "later in queue order" is greater when
    /// the order ascends, smaller when it descends.
    pub(crate) fn key_op(&self, from: PageFrom) -> &'static str {
        match (from, self.ascending) {
            (PageFrom::After(_), true) => ">",
            (PageFrom::After(_), false) => "<",
            (PageFrom::At(_), true) => ">=",
            (PageFrom::At(_), false) => "<=",
            (_, true) => "<",
            (_, false) => ">",
        }
    }

    /// ` ORDER BY …` in the direction the page is read.
    pub(crate) fn order_by(&self) -> String {
        let dir = if self.ascending == self.backward {
            "DESC"
        } else {
            "ASC"
        };
        let order: Vec<String> = self
            .cols
            .split(", ")
            .map(|c| format!("{c} {dir}"))
            .collect();
        format!(" ORDER BY {}", order.join(", "))
    }
}

/// A page across the filter's queue states: `in_state(state, key, backward, limit)` reads one
/// state's part, from the key when the anchor is in that state.
pub(crate) fn page_across_states(
    filter: &QueueFilter,
    from: PageFrom,
    limit: usize,
    mut in_state: impl FnMut(
        QueueState,
        Option<(QueueKey, PageFrom)>,
        bool,
        usize,
    ) -> StoreResult<Vec<QueueEntry>>,
) -> StoreResult<Vec<QueueEntry>> {
    let backward = matches!(from, PageFrom::Before(_));
    let anchor = match from {
        PageFrom::Start => None,
        PageFrom::After(k) | PageFrom::At(k) | PageFrom::Before(k) => Some(k),
    };
    let mut states: Vec<QueueState> = filter.state.states().to_vec();
    if backward {
        states.reverse();
    }
    let mut out = Vec::new();
    for state in states {
        if out.len() >= limit {
            break;
        }
        // States before the anchor's (in the paging direction) are skipped; the anchor's
        // own state continues from the key; later states start from their beginning.
        let key = match anchor {
            Some(k) if (!backward && state < k.state) || (backward && state > k.state) => {
                continue;
            }
            Some(k) if state == k.state => Some((k, from)),
            _ => None,
        };
        out.extend(in_state(state, key, backward, limit - out.len())?);
    }
    if backward {
        out.reverse();
    }
    Ok(out)
}

/// The name a queue line shows: given name and surname, whichever are there.
pub(crate) fn entry_name(given: Option<String>, surname: Option<String>) -> String {
    [given, surname]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stored queue rank as a state (an unknown rank reads as open, as it always has).
pub(crate) fn state_of(rank: i64) -> QueueState {
    QueueState::from_rank(rank).unwrap_or(QueueState::Open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> QueueKey {
        QueueKey {
            state: QueueState::Open,
            batch_id: 2,
            score: 0.5,
            request_id: 7,
        }
    }

    #[test]
    fn score_order_descends_and_reads_backwards_ascending() {
        let forward = PageOrder::new(QueueSort::Score, &QueueFilter::default(), false);
        assert_eq!(forward.order_by(), " ORDER BY r.top_score DESC, r.id DESC");
        assert_eq!(forward.key_op(PageFrom::After(key())), "<");
        assert_eq!(forward.key_op(PageFrom::At(key())), "<=");
        assert_eq!(
            forward.key_values(key()),
            vec![KeyValue::Real(0.5), KeyValue::Int(7)]
        );
        let back = PageOrder::new(QueueSort::Score, &QueueFilter::default(), true);
        assert_eq!(back.order_by(), " ORDER BY r.top_score ASC, r.id ASC");
        assert_eq!(back.key_op(PageFrom::Before(key())), ">");
    }

    #[test]
    fn batch_order_within_one_batch_is_import_order() {
        let one = QueueFilter {
            batch_id: Some(2),
            ..QueueFilter::default()
        };
        assert_eq!(PageOrder::new(QueueSort::Batch, &one, false).cols, "r.id");
        let all = PageOrder::new(QueueSort::Batch, &QueueFilter::default(), false);
        assert_eq!(all.cols, "r.batch_id, r.id");
        assert_eq!(
            all.key_values(key()),
            vec![KeyValue::Int(2), KeyValue::Int(7)]
        );
        assert_eq!(all.key_op(PageFrom::Before(key())), "<");
    }

    #[test]
    fn names_skip_what_is_missing() {
        assert_eq!(entry_name(Some("Ann".into()), None), "Ann");
        assert_eq!(
            entry_name(Some("Ann".into()), Some("Lee".into())),
            "Ann Lee"
        );
        assert_eq!(entry_name(None, None), "");
    }
}
