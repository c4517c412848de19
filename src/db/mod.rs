//! Storage: one connection type over embedded SQLite and PostgreSQL, the pool, embedded
//! migrations, and the repository functions (one module per table family).
//!
//! Repository functions take `&mut Conn` so a caller can compose several inside one
//! transaction. Nothing here knows about HTTP or the CLI, and nothing here builds SQL from
//! strings with user input: every query goes through diesel's query builder.

pub mod api_tokens;
pub mod attributes;
pub mod backup;
pub mod bounces;
pub mod firms;
pub mod invitations;
pub mod models;
pub mod partnership_languages;
pub mod partnership_optional_dimensions;
pub mod partnership_states;
pub mod partnerships;
pub mod people;
pub mod responses;
pub mod schema;
pub mod series;
pub mod template_versions;
pub mod waves;
pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// One connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl Conn {
    /// Runs `f` in a transaction meant to write. On SQLite the outermost one begins with
    /// `BEGIN IMMEDIATE`: a deferred transaction that reads first cannot upgrade its lock
    /// once another connection has committed since its snapshot, and SQLite then answers
    /// "database is locked" at once, without waiting on `busy_timeout`. Taking the write lock
    /// up front makes a concurrent writer wait instead. Inside an open transaction this is a
    /// savepoint, as `Connection::transaction` is; on PostgreSQL it is a plain `BEGIN`.
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        use diesel::connection::TransactionManager;
        type Manager = <Conn as Connection>::TransactionManager;
        let outermost = Manager::transaction_manager_status_mut(self)
            .transaction_depth()?
            .is_none();
        if outermost {
            self.begin_write()?;
        } else {
            Manager::begin_transaction(self)?;
        }
        // From here on as diesel's own `TransactionManager::transaction`.
        match f(self) {
            Ok(value) => {
                Manager::commit_transaction(self)?;
                Ok(value)
            }
            Err(user_error) => match Manager::rollback_transaction(self) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(user_error),
                Err(rollback_error) => Err(rollback_error.into()),
            },
        }
    }

    /// Opens the outermost transaction for writing: `BEGIN IMMEDIATE` on SQLite (the write
    /// lock up front, waiting on `busy_timeout` if another connection holds it), `BEGIN` on
    /// PostgreSQL. Fails if a transaction is already open. The caller commits or rolls back
    /// through the connection's transaction manager.
    pub fn begin_write(&mut self) -> QueryResult<()> {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
            Conn::Postgres(_) => <Conn as Connection>::TransactionManager::begin_transaction(self),
        }
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path for embedded SQLite (`sqlite://relative/file.db`, `sqlite:///abs/file.db`).
    Sqlite(PathBuf),
    /// A libpq connection URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL {0:?} is not understood: use sqlite://path/to/file.db or postgres://user@host:port/database")]
    BadUrl(String),
    #[error("cannot create the folder {path} for the SQLite database: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the SQLite database file {path} owner-only: {source}")]
    CreateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the database ({backend}): {source}")]
    Connect {
        backend: &'static str,
        source: diesel::r2d2::Error,
    },
    #[error("cannot start the database pool ({backend}): {source}")]
    Pool {
        backend: &'static str,
        source: r2d2::Error,
    },
    #[error("a database connection could not be taken from the pool: {0}")]
    Checkout(#[from] r2d2::Error),
    #[error("running the database migrations failed: {0}")]
    Migrate(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, DbSetupError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .ok_or_else(|| DbSetupError::BadUrl(raw.to_owned()))?;
        if path.is_empty() {
            return Err(DbSetupError::BadUrl(raw.to_owned()));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The URL with any password replaced, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(u) => match url::Url::parse(u) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    // set_password only fails for URLs that cannot have one, which a parsed
                    // postgres URL with a password can.
                    let _ = parsed.set_password(Some("***"));
                    parsed.to_string()
                }
                _ => u.clone(),
            },
        }
    }
}

/// Builds connections for r2d2. We pick the backend from the URL scheme ourselves rather than
/// calling `Conn::establish`, which tries each backend in turn and hides PostgreSQL's real error.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(Conn::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // busy_timeout first: the other PRAGMAs may need the write lock while other
                // pool connections are starting up.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(Conn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut Conn) -> bool {
        false
    }
}

/// Opens a pool of at most `max_size` connections on `url`, creating the SQLite folder if
/// needed. Fails fast when the database cannot be reached, with the backend's own reason.
///
/// The pool keeps no spare connections warm beyond the ones in use: r2d2 opens spares on
/// background threads, and a short-lived CLI process that exits while one of them is inside
/// libpq's TLS set-up can crash in OpenSSL's exit handlers.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Pool, DbSetupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                crate::secrets::at_rest::private_dir(dir).map_err(|source| {
                    DbSetupError::CreateDir {
                        path: dir.to_path_buf(),
                        source,
                    }
                })?;
            }
        }
        // The database holds every answer: owner-only, before SQLite creates it with the
        // umask's mode. SQLite gives its -wal and -shm files the database file's mode.
        crate::secrets::at_rest::create_private_file(path).map_err(|source| {
            DbSetupError::CreateFile {
                path: path.to_path_buf(),
                source,
            }
        })?;
    }
    let manager = ConnectionManager { url: url.clone() };
    // Establish one connection by hand first: r2d2's build() only reports a timeout, while
    // this gives the real reason (wrong password, unknown database, unreadable file).
    let first = r2d2::ManageConnection::connect(&manager).map_err(|e| DbSetupError::Connect {
        backend: url.backend_name(),
        source: e,
    })?;
    drop(first);
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .build(manager)
        .map_err(|source| DbSetupError::Pool {
            backend: url.backend_name(),
            source,
        })
}

/// Applies every pending embedded migration of the connection's backend. Returns the versions
/// applied now (empty when the schema was already current).
pub fn run_migrations(conn: &mut Conn) -> Result<Vec<String>, DbSetupError> {
    let applied = match conn {
        Conn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        Conn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// True when every embedded migration has been applied (readiness check).
pub fn migrations_current(conn: &mut Conn) -> Result<bool, DbSetupError> {
    let pending = match conn {
        Conn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        Conn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
    Ok(!pending)
}

/// The current time as stored: naive UTC truncated to microseconds, which both backends keep
/// exactly (so a value read back compares equal to the value written).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// The default SQLite file inside a data directory.
pub fn default_sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tandem.db")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sqlite_and_postgres_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/t.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("data/t.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/t.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/t.db"))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@127.0.0.1/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(matches!(
            DatabaseUrl::parse("mysql://x").unwrap_err(),
            DbSetupError::BadUrl(_)
        ));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn the_unlinking_migration_keeps_every_answer_and_unlinks_closed_waves_on_sqlite() {
        use diesel::migration::MigrationSource;
        use diesel::sqlite::Sqlite;
        let (_dir, mut conn, _) = two_sqlite_connections();
        let Conn::Sqlite(c) = &mut conn else {
            unreachable!()
        };
        // Creates diesel's own table of applied versions.
        assert!(c.has_pending_migration(SQLITE_MIGRATIONS).unwrap());
        let all = MigrationSource::<Sqlite>::migrations(&SQLITE_MIGRATIONS).unwrap();
        let (before, after): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|m| m.name().to_string().as_str() < "2026-12-10-000002");
        for m in &before {
            c.run_migration(m).unwrap();
        }
        c.batch_execute(
            "INSERT INTO firms VALUES (1, 'A', 'a', '2026-01-01 00:00:00'), (2, 'B', 'b', '2026-01-01 00:00:00');
             INSERT INTO template_versions VALUES (1, 't', 'v1', '', '2026-01-01 00:00:00');
             INSERT INTO partnerships VALUES (1, 'P', 'p', 1, 2, 't', 'quarterly', NULL, '09:00', 'UTC', 14, '', 5, 5, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
             INSERT INTO people VALUES (1, 1, 'customer', 'a@x.test', NULL, 'Ann', 'staff', 'ops', '', '', 1, NULL, '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
                                       (2, 1, 'customer', 'b@x.test', NULL, 'Bob', 'staff', 'ops', '', '', 1, NULL, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
             INSERT INTO waves (id, partnership_id, seq, template_version_id, state, opens_at, closes_at, reminder_days, imported, created_at)
                 VALUES (1, 1, 1, 1, 'closed', '2026-01-01 00:00:00', '2026-01-15 00:00:00', '', 0, '2026-01-01 00:00:00'),
                        (2, 1, 2, 1, 'open', '2026-02-01 00:00:00', '2026-02-15 00:00:00', '', 0, '2026-02-01 00:00:00');
             INSERT INTO invitations VALUES (1, 1, 1, NULL, 0, NULL, '2026-01-01 00:00:00'), (2, 1, 2, NULL, 0, NULL, '2026-01-01 00:00:00'),
                                            (3, 2, 1, NULL, 0, NULL, '2026-02-01 00:00:00');
             INSERT INTO responses VALUES (1, 1, 1, 'customer', 'staff', 'ops', '', '2026-01-02 00:00:00', '2026-01-02 00:00:00'),
                                          (2, 3, 2, 'customer', 'staff', 'ops', '', '2026-02-02 00:00:00', '2026-02-02 00:00:00');
             INSERT INTO answers VALUES (1, 1, 'trust', 4), (2, 2, 'trust', 5);
             INSERT INTO comments VALUES (1, 1, 'changes', 'fine');",
        )
        .unwrap();

        for m in &after {
            c.run_migration(m).unwrap();
        }

        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut count = |sql: &str| -> i64 {
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql}"))
                .load::<N>(c)
                .unwrap()[0]
                .n
        };
        assert_eq!(count("answers"), 2, "no answer was lost to a cascade");
        assert_eq!(count("comments"), 1);
        assert_eq!(
            count("responses WHERE invitation_id IS NULL AND wave_id = 1"),
            1
        );
        assert_eq!(
            count("responses WHERE invitation_id = 3"),
            1,
            "an open wave stays linked"
        );
        assert_eq!(count("invitations WHERE responded"), 1);
        assert_eq!(count("invitations WHERE responded AND id = 1"), 1);
        let fk: Vec<N> = diesel::sql_query("SELECT foreign_keys AS n FROM pragma_foreign_keys")
            .load(c)
            .unwrap();
        assert_eq!(fk[0].n, 1, "foreign keys are back on");
    }

    /// Two connections to one fresh SQLite file, set up as the pool sets them up.
    fn two_sqlite_connections() -> (tempfile::TempDir, Conn, Conn) {
        let dir = tempfile::tempdir().unwrap();
        let manager = ConnectionManager {
            url: DatabaseUrl::Sqlite(dir.path().join("t.db")),
        };
        let mut a = r2d2::ManageConnection::connect(&manager).unwrap();
        let mut b = r2d2::ManageConnection::connect(&manager).unwrap();
        a.batch_execute("CREATE TABLE t (x INTEGER NOT NULL)")
            .unwrap();
        // The second connection must not wait: a lock it cannot take is an error at once.
        b.batch_execute("PRAGMA busy_timeout = 0").unwrap();
        (dir, a, b)
    }

    #[test]
    fn a_write_transaction_on_sqlite_holds_the_write_lock_before_its_first_write() {
        let (_dir, mut a, mut b) = two_sqlite_connections();
        a.write_transaction(|a| {
            let n: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM t)",
            ))
            .get_result(a)?;
            assert_eq!(n, 0);
            // Only reads so far, yet another writer is already kept out; so this transaction
            // can never be refused the upgrade to writing that a deferred one can.
            let other = b.batch_execute("INSERT INTO t (x) VALUES (2)");
            assert!(other.is_err(), "another writer got in: {other:?}");
            a.batch_execute("INSERT INTO t (x) VALUES (1)")?;
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        b.batch_execute("INSERT INTO t (x) VALUES (2)").unwrap();
    }

    #[test]
    fn a_nested_write_transaction_is_a_savepoint_and_an_error_undoes_only_it() {
        let (_dir, mut a, _b) = two_sqlite_connections();
        a.write_transaction(|a| {
            a.batch_execute("INSERT INTO t (x) VALUES (1)")?;
            let inner = a.write_transaction(|a| {
                a.batch_execute("INSERT INTO t (x) VALUES (2)")?;
                Err::<(), _>(diesel::result::Error::RollbackTransaction)
            });
            assert!(inner.is_err());
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        let xs: Vec<i32> = diesel::dsl::sql::<diesel::sql_types::Integer>("SELECT x FROM t")
            .load(&mut a)
            .unwrap();
        assert_eq!(xs, vec![1]);
    }

    #[test]
    fn redacts_postgres_password() {
        let url = DatabaseUrl::parse("postgres://u:secret@127.0.0.1:5432/db").unwrap();
        assert!(!url.redacted().contains("secret"));
        assert!(url.redacted().contains("***"));
    }
}
