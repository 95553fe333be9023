//! Copies of a database for training: decisions go to the copy, never to the original.

use std::path::Path;

use super::{Store, StoreError, StoreResult};

impl Store {
    /// Writes a consistent copy of the whole database to `path` (which must not exist).
    pub fn copy_to(&self, path: &Path) -> StoreResult<()> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::Refused(format!("{} is not a UTF-8 path", path.display()))
        })?;
        // VACUUM INTO fills an empty file; made private first, the copy never exists readable.
        super::permissions::create_private(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        self.conn.execute("VACUUM INTO ?", [target])?;
        Ok(())
    }

    /// How many matches carry a gold answer (training needs some).
    pub fn gold_count(&self) -> StoreResult<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM matches WHERE gold IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}
