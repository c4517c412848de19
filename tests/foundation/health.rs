use crate::both_backends;
use crate::common::run_cli;

both_backends!(healthz_answers_without_the_database, |app| {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
});

both_backends!(readyz_reports_the_backend_once_migrated, |app| {
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let expected = match app.db.backend {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
});

both_backends!(migrate_on_a_migrated_database_changes_nothing, |app| {
    let out = run_cli(&app.db, &["migrate"]);
    out.assert_ok();
    assert_eq!(out.stdout.trim(), "database is up to date");
});

mod fresh_database {
    use crate::common::{run_cli, Backend, TestDb};

    fn migrate_applies_then_reports_current(backend: Backend) {
        let Some(db) = TestDb::fresh(backend) else {
            return;
        };
        let first = run_cli(&db, &["migrate"]);
        first.assert_ok();
        assert!(
            first.stdout.contains("applied 20261123000001"),
            "{}",
            first.stdout
        );
        let second = run_cli(&db, &["migrate"]);
        second.assert_ok();
        assert_eq!(second.stdout.trim(), "database is up to date");
    }

    #[test]
    fn sqlite() {
        migrate_applies_then_reports_current(Backend::Sqlite);
    }

    #[test]
    #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
    fn postgres() {
        migrate_applies_then_reports_current(Backend::Postgres);
    }
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let Some(db) = crate::common::TestDb::fresh(crate::common::Backend::Sqlite) else {
        return;
    };
    let out = crate::common::run_cli_env(
        &db,
        &["partnership", "list"],
        &[("DATABASE_URL", "mysql://x")],
    );
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("sqlite://path/to/file.db or postgres://"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreachable_postgres_is_a_clear_error_not_a_hang() {
    let Some(db) = crate::common::TestDb::fresh(crate::common::Backend::Sqlite) else {
        return;
    };
    let started = std::time::Instant::now();
    let out = crate::common::run_cli_env(
        &db,
        &["partnership", "list"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")],
    );
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("cannot connect to the database (postgres)"),
        "{}",
        out.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
