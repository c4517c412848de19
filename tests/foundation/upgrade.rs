//! A database written by an earlier release keeps working: each fixture in
//! `tests/fixtures/releases/` is that release's database as SQL (made by `make.sh` there with
//! the old binary) and its report. Today's binary migrates the loaded database and must give
//! back every value of the old report — the closed waves' numbers unchanged — and go on with
//! the wave that was open.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::common::{run_cli, Backend, TestDb};

const RELEASE: &str = "2026-12-04-ff242b0";

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn backend(db: &TestDb) -> &'static str {
    match db.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Loads the release's SQL into the empty test database, as its own backend dumped it.
fn load(db: &TestDb) {
    let dir = fixture_path("releases");
    match db.backend {
        Backend::Sqlite => {
            let sql = std::fs::read_to_string(dir.join(format!("{RELEASE}.sqlite.sql"))).unwrap();
            let path = db.url.trim_start_matches("sqlite://");
            let mut conn = SqliteConnection::establish(path).unwrap();
            conn.batch_execute(&sql).unwrap();
        }
        Backend::Postgres => {
            let sql = std::fs::read_to_string(dir.join(format!("{RELEASE}.postgres.sql"))).unwrap();
            let mut conn = PgConnection::establish(&db.url).unwrap();
            conn.batch_execute(&sql).unwrap();
        }
    }
}

/// Every value of `old` is in `new` at the same place (objects may have gained fields;
/// an array's element is looked for at its index, else anywhere in the new array); numbers
/// equal to 1e-12 relative. The first difference, with its path.
fn contains(old: &Value, new: &Value, path: &str) -> Result<(), String> {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (key, value) in o {
                let inner = format!("{path}.{key}");
                let Some(found) = n.get(key) else {
                    return Err(format!("{inner} is gone"));
                };
                contains(value, found, &inner)?;
            }
            Ok(())
        }
        (Value::Array(o), Value::Array(n)) => {
            for (i, value) in o.iter().enumerate() {
                let inner = format!("{path}[{i}]");
                let at_index = n.get(i).map(|v| contains(value, v, &inner));
                if matches!(at_index, Some(Ok(()))) {
                    continue;
                }
                if !n.iter().any(|v| contains(value, v, &inner).is_ok()) {
                    return Err(at_index
                        .and_then(Result::err)
                        .unwrap_or_else(|| format!("{inner} is gone: {value}")));
                }
            }
            Ok(())
        }
        (Value::Number(o), Value::Number(n)) => {
            let (o, n) = (o.as_f64().unwrap(), n.as_f64().unwrap());
            if (o - n).abs() <= 1e-12 * o.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {o} became {n}"))
            }
        }
        _ if old == new => Ok(()),
        _ => Err(format!("{path}: {old} became {new}")),
    }
}

macro_rules! on_both {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            use super::*;

            #[test]
            fn sqlite() {
                let Some($db) = TestDb::fresh(Backend::Sqlite) else {
                    return;
                };
                $body
            }

            #[test]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            fn postgres() {
                let Some($db) = TestDb::fresh(Backend::Postgres) else {
                    return;
                };
                $body
            }
        }
    };
}

on_both!(
    a_database_of_the_previous_release_migrates_and_keeps_every_number,
    |db| {
        load(&db);

        let migrated = run_cli(&db, &["migrate"]);
        migrated.assert_ok();
        assert!(
            migrated.stdout.contains("20261220000001")
                || migrated.stderr.contains("20261220000001"),
            "the migrations written after the release are applied: {}{}",
            migrated.stdout,
            migrated.stderr
        );

        let out = run_cli(&db, &["report", "--partnership", "1", "--json"]);
        out.assert_ok();
        let now: Value = serde_json::from_str(&out.stdout).unwrap();
        let then: Value = serde_json::from_str(
            &std::fs::read_to_string(
                fixture_path("releases").join(format!("{RELEASE}.{}.report.json", backend(&db))),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            then["waves"].as_array().unwrap().len(),
            6,
            "the fixture's six waves"
        );
        if let Err(difference) = contains(&then, &now, "report") {
            panic!("the report of the old release's data changed: {difference}");
        }

        // The wave that was open goes on: its invitations are there and it closes.
        let status = run_cli(&db, &["wave", "status", "--partnership", "2", "--json"]);
        status.assert_ok();
        let waves: Value = serde_json::from_str(&status.stdout).unwrap();
        let open = &waves.as_array().unwrap()[0];
        assert_eq!(
            (open["seq"].as_i64(), open["state"].as_str()),
            (Some(1), Some("open"))
        );
        assert!(open["invited"].as_i64().unwrap() > 0, "{open}");
        assert_eq!(open["series"], "main", "every old wave is the main series'");
        run_cli(&db, &["wave", "close", "--partnership", "2"]).assert_ok();

        // The waves table rebuilt for survey series keeps every reference to it, and a slot
        // still opens once per series: twice in one series is refused, the same instant in
        // two series is not.
        if db.backend == Backend::Sqlite {
            let path = db.url.trim_start_matches("sqlite://");
            let mut conn = SqliteConnection::establish(path).unwrap();
            #[derive(QueryableByName)]
            struct Broken {
                #[diesel(sql_type = diesel::sql_types::Text)]
                table: String,
            }
            let broken: Vec<Broken> = diesel::sql_query("PRAGMA foreign_key_check")
                .load(&mut conn)
                .unwrap();
            let tables: Vec<&str> = broken.iter().map(|b| b.table.as_str()).collect();
            assert!(tables.is_empty(), "dangling references: {tables:?}");
        }
        run_cli(
            &db,
            &[
                "series",
                "add",
                "--partnership",
                "1",
                "--key",
                "practices",
                "--template",
                "partnership-practices",
                "--cadence",
                "half-yearly",
            ],
        )
        .assert_ok();
        let wave = |seq: i64, series: &str| {
            format!(
                "INSERT INTO waves (partnership_id, seq, template_version_id, state, opens_at, \
                 closes_at, reminder_days, imported, slot_at, created_at, series_id) \
                 SELECT 1, {seq}, MIN(id), 'closed', '2030-01-01 09:00:00', \
                 '2030-01-11 09:00:00', '', FALSE, '2030-01-01 09:00:00', \
                 '2030-01-01 09:00:00', {series} FROM template_versions"
            )
        };
        let practices = "(SELECT id FROM survey_series WHERE key = 'practices')";
        let run = |sql: &str| match db.backend {
            Backend::Sqlite => {
                let path = db.url.trim_start_matches("sqlite://");
                SqliteConnection::establish(path)
                    .unwrap()
                    .batch_execute(sql)
            }
            Backend::Postgres => PgConnection::establish(&db.url).unwrap().batch_execute(sql),
        };
        run(&wave(100, "NULL")).expect("a main-series slot");
        run(&wave(101, practices)).expect("the same instant in another series");
        for (seq, series) in [(102, "NULL"), (103, practices)] {
            assert!(
                matches!(
                    run(&wave(seq, series)),
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _
                    ))
                ),
                "a slot taken twice in one series is refused"
            );
        }
        assert!(
            run(&wave(100, practices)).is_err(),
            "wave numbers stay unique"
        );

        // The users the old release made can still be listed and keep their roles.
        let users = run_cli(&db, &["user", "list", "--json"]);
        users.assert_ok();
        for (email, role) in [
            ("manager@example.org", "manager"),
            ("ombudsman@example.org", "ombudsman"),
        ] {
            assert!(
                users.stdout.contains(email) && users.stdout.contains(role),
                "{email}: {}",
                users.stdout
            );
        }
    }
);
