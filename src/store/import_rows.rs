//! The per-row work of an import, done on the reading thread so the writing thread only binds
//! values: grouping consecutive rows of one request, their totals and flags (the address
//! sufficiency check), the `extra` JSON and the search text.

use std::collections::{BTreeMap, HashSet};

use super::records::REQUEST_FIELDS;
use super::{StoreError, StoreResult};
use crate::domain::{ItemFlags, Record};
use crate::import::ImportRow;

/// The most rows of one request held back before they are written: rows of a request usually
/// come together, and writing them as a group sets the request's totals once instead of once per
/// candidate. The cap bounds memory for a file with a giant request; its later rows simply find
/// the request already written.
pub(super) const MAX_GROUP_ROWS: usize = 1024;

/// What a request gains from its new matches.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Gain {
    pub top_score: f64,
    pub count: i64,
    pub flags: ItemFlags,
}

impl Gain {
    pub fn add(&mut self, score: f64, flags: ItemFlags) {
        self.top_score = if self.count == 0 {
            score
        } else {
            self.top_score.max(score)
        };
        self.count += 1;
        self.flags = self.flags.union(flags);
    }

    /// The request's flags: its pairs' and, with more than one candidate, several-candidates.
    pub fn request_flags(&self) -> ItemFlags {
        if self.count > 1 {
            self.flags.union(ItemFlags::SEVERAL_CANDIDATES)
        } else {
            self.flags
        }
    }
}

/// One row, ready to bind.
#[derive(Debug)]
pub(super) struct PreparedRow {
    pub row: ImportRow,
    pub candidate_extra: String,
    /// What the pair contributes to its request's flags.
    pub flags: ItemFlags,
}

/// Consecutive rows of one request (same batch and request id).
#[derive(Debug)]
pub(super) struct Group {
    pub rows: Vec<PreparedRow>,
    pub request_extra: String,
    /// What the full-text index holds for the request.
    pub search_text: String,
    /// The totals if the request is new: over the group's distinct candidates.
    pub gain: Gain,
}

impl Group {
    pub fn first(&self) -> &ImportRow {
        &self.rows[0].row
    }
}

/// Collects rows into groups as they come.
#[derive(Default)]
pub(super) struct Grouper {
    rows: Vec<PreparedRow>,
}

impl Grouper {
    /// Takes a row; returns the finished group when this row starts a new one.
    pub fn push(&mut self, row: ImportRow) -> StoreResult<Option<Group>> {
        let same = self.rows.first().is_some_and(|first| {
            let (a, b) = (&first.row.flagged, &row.flagged);
            a.batch == b.batch && a.request.id == b.request.id
        });
        let done = if !same || self.rows.len() >= MAX_GROUP_ROWS {
            self.finish()?
        } else {
            None
        };
        let m = &row.flagged;
        let prepared = PreparedRow {
            candidate_extra: extra_json(&m.candidate.extra)?,
            flags: ItemFlags::of_pair(&m.request, &m.candidate),
            row,
        };
        self.rows.push(prepared);
        Ok(done)
    }

    /// The group being collected, if any.
    pub fn finish(&mut self) -> StoreResult<Option<Group>> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        let rows = std::mem::take(&mut self.rows);
        let request = &rows[0].row.flagged.request;
        let mut seen = HashSet::with_capacity(rows.len());
        let mut gain = Gain::default();
        for r in &rows {
            if seen.insert(r.row.flagged.candidate.id.as_str()) {
                gain.add(r.row.flagged.score, r.flags);
            }
        }
        Ok(Some(Group {
            request_extra: extra_json(&request.extra)?,
            search_text: search_text(request),
            gain,
            rows,
        }))
    }
}

/// The request's indexed text: its id, names and address, as `concat_ws(' ', ...)` of those
/// columns would give (cleanup recomputes it that way to remove the entry).
fn search_text(request: &Record) -> String {
    let mut text = request.id.clone();
    for field in REQUEST_FIELDS {
        if field == crate::domain::Field::Dob {
            continue;
        }
        if let Some(value) = request.get(field) {
            text.push(' ');
            text.push_str(value);
        }
    }
    text
}

/// The `extra` column: non-canonical fields as a JSON object keyed by suffix.
pub(super) fn extra_json(extra: &BTreeMap<String, String>) -> StoreResult<String> {
    if extra.is_empty() {
        return Ok("{}".to_string());
    }
    serde_json::to_string(extra)
        .map_err(|e| StoreError::Refused(format!("cannot encode extra fields: {e}")))
}
