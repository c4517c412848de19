//! Backup and restore of the embedded SQLite database (`tandem backup FILE`, `tandem restore
//! FILE`): the use cases over [`crate::db::backup`], so the CLI reaches them like every other
//! use case. PostgreSQL is refused with the advice to use its own tools.

use std::path::Path;

pub use crate::db::backup::{BackupError, BackupSummary};
use crate::db::{self, DatabaseUrl};

/// Writes a consistent copy of the database at `url` to `dest` (which must not exist), safe
/// while the service is running.
pub fn backup(url: &DatabaseUrl, dest: &Path) -> anyhow::Result<BackupSummary> {
    let DatabaseUrl::Sqlite(path) = url else {
        return Err(BackupError::Postgres.into());
    };
    // Connecting would create an empty database where none is: say so instead.
    anyhow::ensure!(
        path.is_file(),
        "there is no database at {} to back up (check DATABASE_URL or --data-dir)",
        path.display()
    );
    let pool = db::connect(url, 1)?;
    let mut conn = pool.get()?;
    Ok(db::backup::backup(&mut conn, dest)?)
}

/// Replaces the database at `url` by the backup `src`; with the service stopped, and only
/// with `force` when a database is already there.
pub fn restore(url: &DatabaseUrl, src: &Path, force: bool) -> Result<BackupSummary, BackupError> {
    db::backup::restore(src, url, force)
}
