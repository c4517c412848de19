//! Backup and restore of the embedded SQLite database.
//!
//! A backup is `VACUUM INTO` a new file: SQLite copies the database as of one read
//! transaction, so it is consistent while the service keeps writing (WAL readers do not block
//! writers), and the copy is compact and holds no WAL. It is written under a temporary name
//! beside the destination, checked (`PRAGMA integrity_check`, the migrations table) and only
//! then renamed into place, owner-only like the database itself. A restore checks the file the
//! same way, refuses one made by a newer Tandem, and replaces the database by an atomic rename
//! — with the service stopped, since a running service keeps its own view of the old file.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, base backups; docs/operations.md):
//! this module refuses it with that advice rather than doing half a job.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use super::{Conn, DatabaseUrl, SQLITE_MIGRATIONS};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "tandem backup/restore handle the embedded SQLite database; for PostgreSQL use its own tools, e.g. `pg_dump -Fc -f tandem.dump DATABASE_URL` and `pg_restore -d DATABASE_URL tandem.dump` (docs/operations.md, Backups)"
    )]
    Postgres,
    #[error("{0} already exists: choose a new file name (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("{path} is not a usable Tandem backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error(
        "{path} was made by a newer Tandem (migration {version} is unknown to this one): restore it with that version or later"
    )]
    Newer { path: PathBuf, version: String },
    #[error(
        "the database {0} exists: stop the service, then run restore again with --force to replace it"
    )]
    TargetExists(PathBuf),
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: diesel::ConnectionError,
    },
}

/// What a backup or a restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    /// The latest migration applied in it.
    pub schema_version: String,
    pub partnerships: i64,
    pub waves: i64,
    pub responses: i64,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} bytes, schema {}, {} partnerships, {} waves, {} responses",
            self.path.display(),
            self.bytes,
            self.schema_version,
            self.partnerships,
            self.waves,
            self.responses
        )
    }
}

/// Writes a consistent copy of the database behind `conn` to `dest`, which must not exist.
pub fn backup(conn: &mut Conn, dest: &Path) -> Result<BackupSummary, BackupError> {
    let Conn::Sqlite(c) = conn else {
        return Err(BackupError::Postgres);
    };
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    let tmp = temporary_beside(dest);
    let result = (|| {
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(tmp.to_string_lossy().into_owned())
            .execute(c)?;
        crate::secrets::at_rest::private_file(&tmp).map_err(|source| BackupError::Io {
            action: "cannot make owner-only",
            path: tmp.clone(),
            source,
        })?;
        let summary = inspect(&tmp)?;
        sync_file(&tmp)?;
        if dest.exists() {
            return Err(BackupError::Exists(dest.to_path_buf()));
        }
        std::fs::rename(&tmp, dest).map_err(|source| BackupError::Io {
            action: "cannot move the backup to",
            path: dest.to_path_buf(),
            source,
        })?;
        Ok(BackupSummary {
            path: dest.to_path_buf(),
            ..summary
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the SQLite database at `url` by the backup `src`, after checking it. The service
/// must be stopped; an existing database is replaced only with `force`.
pub fn restore(src: &Path, url: &DatabaseUrl, force: bool) -> Result<BackupSummary, BackupError> {
    let DatabaseUrl::Sqlite(target) = url else {
        return Err(BackupError::Postgres);
    };
    let summary = inspect(src)?;
    if target.exists() && !force {
        return Err(BackupError::TargetExists(target.clone()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            crate::secrets::at_rest::private_dir(dir).map_err(|source| BackupError::Io {
                action: "cannot create the folder",
                path: dir.to_path_buf(),
                source,
            })?;
        }
    }
    let tmp = temporary_beside(target);
    let result = (|| {
        std::fs::copy(src, &tmp).map_err(|source| BackupError::Io {
            action: "cannot copy the backup to",
            path: tmp.clone(),
            source,
        })?;
        crate::secrets::at_rest::private_file(&tmp).map_err(|source| BackupError::Io {
            action: "cannot make owner-only",
            path: tmp.clone(),
            source,
        })?;
        sync_file(&tmp)?;
        // The old database's WAL and shared-memory files belong to the old file: left beside
        // the new one, SQLite would replay the old WAL into it.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            match std::fs::remove_file(&side) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(BackupError::Io {
                        action: "cannot remove",
                        path: side,
                        source,
                    })
                }
            }
        }
        std::fs::rename(&tmp, target).map_err(|source| BackupError::Io {
            action: "cannot move the restored database to",
            path: target.clone(),
            source,
        })
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(BackupSummary {
        path: target.clone(),
        ..summary
    })
}

/// Opens `path` and checks it is a whole Tandem database this binary can run: SQLite's
/// integrity check passes and every migration it records is one this binary knows.
pub fn inspect(path: &Path) -> Result<BackupSummary, BackupError> {
    let not = |reason: String| BackupError::NotABackup {
        path: path.to_path_buf(),
        reason,
    };
    if !path.is_file() {
        return Err(not("no such file".into()));
    }
    // read-only: inspecting a backup never changes it
    let uri = format!("file:{}?mode=ro", path.display());
    let mut c = SqliteConnection::establish(&uri).map_err(|source| BackupError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    let check: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .map_err(|e| not(format!("SQLite cannot read it ({e})")))?;
    let problems: Vec<&str> = check
        .iter()
        .map(|l| l.integrity_check.as_str())
        .filter(|l| *l != "ok")
        .collect();
    if !problems.is_empty() || check.is_empty() {
        return Err(not(format!(
            "the integrity check failed: {}",
            problems.join("; ")
        )));
    }
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let recorded: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut c)
            .map_err(|_| not("it has no Tandem migrations table".into()))?;
    let known: Vec<String> =
        diesel::migration::MigrationSource::<diesel::sqlite::Sqlite>::migrations(
            &SQLITE_MIGRATIONS,
        )
        .map_err(|e| not(format!("this binary's migrations cannot be listed ({e})")))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    if let Some(unknown) = recorded.iter().find(|v| !known.contains(&v.version)) {
        return Err(BackupError::Newer {
            path: path.to_path_buf(),
            version: unknown.version.clone(),
        });
    }
    let schema_version = recorded
        .last()
        .map(|v| v.version.clone())
        .ok_or_else(|| not("no migration was ever applied to it".into()))?;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut count = |table: &str| -> Result<i64, BackupError> {
        let rows: Vec<N> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .load(&mut c)
            .map_err(|e| not(format!("its {table} table cannot be read ({e})")))?;
        Ok(rows.first().map_or(0, |r| r.n))
    };
    let (partnerships, waves, responses) =
        (count("partnerships")?, count("waves")?, count("responses")?);
    let bytes = std::fs::metadata(path)
        .map_err(|source| BackupError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?
        .len();
    Ok(BackupSummary {
        path: path.to_path_buf(),
        bytes,
        schema_version,
        partnerships,
        waves,
        responses,
    })
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tandem".into());
    path.with_file_name(format!(
        ".{name}.{}.partial",
        &crate::secrets::new_token()[..12]
    ))
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| BackupError::Io {
            action: "cannot flush",
            path: path.to_path_buf(),
            source,
        })
}
