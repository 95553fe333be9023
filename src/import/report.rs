//! What an import did, and what it does with bad rows: the contract between the reader, the store
//! and the command.

/// What happens to the import when a row is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBadRow {
    /// Import nothing: the whole file goes in or none of it (the default).
    Abort,
    /// Import the good rows; the bad ones are only listed (`--skip-bad`).
    Skip,
}

/// The outcome of one import, as the store counted it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New matches written.
    pub inserted: u64,
    /// Rows whose (batch, request_id, candidate_id) was already in the database or earlier in
    /// the same file.
    pub already_present: u64,
    /// Requests created.
    pub new_requests: u64,
    /// Candidates created.
    pub new_candidates: u64,
    /// Batches that received at least one new match.
    pub batches: u64,
    /// Batches created.
    pub new_batches: u64,
    /// Bad rows seen (handed to the caller one by one as they came).
    pub bad_rows: u64,
    /// The rows were written. False when a bad row or an unreadable file rolled everything back;
    /// the counts above are then all zero, because nothing of them remains.
    pub committed: bool,
}
