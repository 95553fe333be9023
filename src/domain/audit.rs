//! The audit log's hash chain: each entry's hash is SHA-256 over the previous entry's hash and
//! the entry's own canonical content, so editing, deleting, inserting or reordering entries
//! breaks every hash after it. Pure: the store reads and writes rows, this computes.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry's content (everything but its hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    /// Who did it.
    pub actor: String,
    /// What: decision, undo, override, hold-add, hold-lift, export, reveal, policy-set, recall.
    pub action: String,
    /// Which object: `match:12`, `hold:3`, `release:4`, `policy:blind`, ...
    pub object: String,
    /// `done` or `refused`.
    pub outcome: String,
    /// Free detail (JSON text), e.g. the decision row or the refusal message.
    pub detail: String,
    /// The `decisions` row this entry records, if any.
    pub decision_id: Option<i64>,
}

impl AuditEntry {
    /// The canonical content: a JSON array in fixed order. Serialising a JSON array of strings
    /// and integers is deterministic, and escapes every separator, so no two different
    /// entries share a canonical form.
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.id,
            self.at,
            self.actor,
            self.action,
            self.object,
            self.outcome,
            self.detail,
            self.decision_id
        ])
        .to_string()
    }

    /// SHA-256(prev_hash || canonical), lower-case hex.
    pub fn hash(&self, prev_hash: &str) -> String {
        chain_hash(prev_hash, &self.canonical())
    }
}

/// Walks a log in id order, entry by entry: each must be the next id, name the previous entry's
/// hash and hash to its own. Both backends' `audit verify` feed it their rows.
pub struct ChainWalk {
    expected_id: i64,
    expected_prev: String,
}

impl Default for ChainWalk {
    fn default() -> Self {
        ChainWalk {
            expected_id: 1,
            expected_prev: GENESIS.to_string(),
        }
    }
}

impl ChainWalk {
    /// Checks the next entry; the problem when it does not verify.
    pub fn step(&mut self, entry: &AuditEntry, prev: &str, hash: &str) -> Result<(), String> {
        if entry.id != self.expected_id {
            return Err(format!(
                "expected entry {} here: an entry was deleted, inserted or renumbered",
                self.expected_id
            ));
        }
        if prev != self.expected_prev {
            return Err("its prev_hash is not the previous entry's hash: entries were deleted, inserted or reordered".into());
        }
        if entry.hash(prev) != hash {
            return Err("its hash does not match its content: it was edited".into());
        }
        self.expected_prev = hash.to_string();
        self.expected_id += 1;
        Ok(())
    }

    /// Entries walked so far.
    pub fn count(&self) -> i64 {
        self.expected_id - 1
    }
}

pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, detail: &str) -> AuditEntry {
        AuditEntry {
            id,
            at: "2026-01-01T00:00:00.000Z".into(),
            actor: "alice".into(),
            action: "decision".into(),
            object: "match:1".into(),
            outcome: "done".into(),
            detail: detail.into(),
            decision_id: Some(id),
        }
    }

    #[test]
    fn the_hash_covers_the_previous_hash_and_every_field() {
        let a = entry(1, "x");
        let h1 = a.hash(GENESIS);
        assert_eq!(h1.len(), 64);
        assert_eq!(h1, a.hash(GENESIS), "deterministic");
        assert_ne!(h1, a.hash(&h1), "depends on prev");
        assert_ne!(h1, entry(1, "y").hash(GENESIS));
        assert_ne!(h1, entry(2, "x").hash(GENESIS));
        // Separators inside values cannot forge another entry's canonical form.
        let mut b = entry(1, "x");
        b.actor = "ali\",\"ce".into();
        assert_ne!(b.canonical(), a.canonical());
    }
}
