//! Test harness: a fresh database per test on either backend, the real application on a
//! random port, and the real `tandem` binary.
//!
//! PostgreSQL is reached at `TANDEM_TEST_PG` (default postgres://postgres@127.0.0.1:5432);
//! each test gets its own database, dropped afterwards. A test that cannot reach it fails;
//! `TANDEM_SKIP_PG=1 cargo test` compiles the PostgreSQL halves as ignored (see build.rs),
//! so `cargo test` counts and names them.
#![allow(dead_code)]

pub mod disclosure;
pub mod markup;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use tandem::app::settings::Settings;
use tandem::db::{self, DatabaseUrl};
use tandem::server::Application;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn fresh(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Some(TestDb {
                url: format!("sqlite://{}", dir.path().join("tandem.db").display()),
                backend,
                dir,
                pg_name: None,
            }),
            Backend::Postgres => {
                let base = pg_base();
                let mut admin =
                    match PgConnection::establish(&format!("{base}/postgres{PG_PARAMS}")) {
                        Ok(c) => c,
                        Err(e) => panic!(
                        "PostgreSQL is unreachable at {base}: {e}. Start it (docs/operations.md), \
                         or run `TANDEM_SKIP_PG=1 cargo test`, which lists every PostgreSQL \
                         half as ignored"
                    ),
                    };
                let name = format!(
                    "tandem_test_{}",
                    tandem::secrets::hash(&tandem::secrets::new_token())[..16].to_owned()
                );
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                Some(TestDb {
                    url: format!("{base}/{name}{PG_PARAMS}"),
                    backend,
                    dir,
                    pg_name: Some(name),
                })
            }
        }
    }

    pub fn pool(&self) -> db::Pool {
        db::connect(&DatabaseUrl::parse(&self.url).unwrap(), 2).expect("connect to test db")
    }

    /// One query against the test database, for assertions that the API does not expose.
    pub fn count(&self, sql_table: &str) -> i64 {
        use diesel::prelude::*;
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        let rows: Vec<N> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql_table}"))
            .load(&mut conn)
            .unwrap();
        rows[0].n
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) =
                PgConnection::establish(&format!("{}/postgres{PG_PARAMS}", pg_base()))
            {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Loopback needs no TLS, and a test process must never be inside OpenSSL (libpq tries TLS
/// first under the default `sslmode=prefer`) when it exits: a connection attempt from a
/// background thread during exit crashed a test binary with SIGSEGV in OpenSSL's exit
/// handlers after all its tests had passed.
const PG_PARAMS: &str = "?sslmode=disable";

fn pg_base() -> String {
    std::env::var("TANDEM_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
        .trim_end_matches('/')
        .to_owned()
}

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// The running application of one test.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: TestDb,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let db = TestDb::fresh(backend)?;
        let mut settings = Settings::embedded(db.dir.path().join("data"));
        settings.database_url = DatabaseUrl::parse(&db.url).unwrap();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        settings.admin_token = Some(ADMIN_TOKEN.into());
        settings.pool_size = 4;
        settings.scheduler_interval = None;
        adjust(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("application builds");
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db,
            client: reqwest::Client::new(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(ADMIN_TOKEN)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(ADMIN_TOKEN)
    }

    /// Creates a partnership through the API and returns its id.
    pub async fn create_partnership(&self, name: &str) -> i64 {
        let r = self
            .post("/api/partnerships")
            .json(&serde_json::json!({"name": name, "customer": format!("{name} Customer"), "supplier": format!("{name} Supplier")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    /// A client signed in as a new user with `role` and `scopes` (partnership, optional
    /// side): the user and the session are made through `tandem::auth`, the same functions
    /// `tandem user add` and the sign-in form use. Redirects are not followed.
    pub async fn signed_in(
        &self,
        email: &str,
        role: tandem::auth::Role,
        scopes: Vec<(i64, Option<tandem::domain::Side>)>,
    ) -> reqwest::Client {
        let pool = self.db.pool();
        let email = tandem::domain::Email::parse(email).unwrap();
        let session = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let user = tandem::auth::create_user(&mut conn, &email, role, scopes, false).unwrap();
            tandem::auth::sessions::start(&mut conn, user.id, db::now()).unwrap()
        })
        .await
        .unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            format!("{}={session}", tandem::auth::sessions::COOKIE)
                .parse()
                .unwrap(),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Runs the real binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> CliOutput {
        run_cli(&self.db, args)
    }
}

pub struct CliOutput {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    fn from(o: Output) -> Self {
        CliOutput {
            // a process ended by a signal reports minus the signal number
            status: o.status.code().unwrap_or_else(|| {
                use std::os::unix::process::ExitStatusExt;
                -o.status.signal().unwrap_or(0)
            }),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.status, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }
}

/// Runs `tandem ARGS` with the test database and a data folder inside the test's temp dir.
pub fn run_cli(db: &TestDb, args: &[&str]) -> CliOutput {
    run_cli_env(db, args, &[])
}

pub fn run_cli_env(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> CliOutput {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env("TANDEM_DATA_DIR", db.dir.path().join("data"))
        .env_remove("TANDEM_TEMPLATES_DIR")
        .env("TANDEM_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    CliOutput::from(cmd.output().expect("run tandem"))
}

/// The CSRF token of the first form of a page (`<input name="csrf" value="…">`).
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("the page has a csrf field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// A file of the alignment fixture: in `$TANDEM_FIXTURES`, else in `shared/` beside the
/// repository, else the copy in `tests/fixtures/alignment` (as `tests/stats_fixture.rs`
/// looks for it), so a clone anywhere finds it.
pub fn fixture(name: &str) -> PathBuf {
    let dir = match std::env::var_os("TANDEM_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => [
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/alignment"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alignment"),
        ]
        .into_iter()
        .find(|dir| dir.join("responses.csv").is_file())
        .unwrap_or_else(|| panic!("alignment fixture not found; set TANDEM_FIXTURES")),
    };
    dir.join(name)
}

/// Writes `contents` to a file in the test's temp dir and returns its path.
pub fn write_file(db: &TestDb, name: &str, contents: &[u8]) -> PathBuf {
    let path = db.dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// Declares one test per backend: `both_backends!(name, |app| async { ... })`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) =
                    $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await
                else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some($app) =
                    $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await
                else {
                    return;
                };
                $body
            }
        }
    };
}
