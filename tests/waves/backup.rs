//! `tandem backup` while answers keep arriving, and `tandem restore` of that backup: every
//! answer acknowledged before the backup began is in the restored database. The refusals
//! (an existing file, a database in place, a file that is not a backup, PostgreSQL) each say
//! what to do.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{json, Value};

use crate::common::{run_cli_env, Backend};
use crate::{token_in, World, ITEMS};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut tandem::db::Conn, sql: &str) -> i64 {
    diesel::sql_query(sql).load::<N>(conn).unwrap()[0].n
}

fn roster(people: usize) -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..people {
        let side = if i % 2 == 0 { "customer" } else { "supplier" };
        csv.push_str(&format!("p{i}@example.com,P {i},{side},staff,sales,EU,\n"));
    }
    csv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_answer() {
    let w = World::new(Backend::Sqlite).await.unwrap();
    let r = w
        .app
        .post(&format!("/api/partnerships/{}/roster", w.partnership))
        .header("content-type", "text/csv")
        .body(roster(80))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    w.open_wave().await;
    // the import replaces the world's roster of four
    let tokens: Vec<String> = w
        .mail(80)
        .await
        .iter()
        .map(|m| token_in(&m.part("text/plain").unwrap()))
        .collect();
    assert_eq!(tokens.len(), 80);

    // A writer answers for everyone, one after the other, and keeps the tokens acknowledged;
    // then it keeps editing those answers (allowed until the wave closes) until told to stop,
    // so the database is being written to for the whole backup.
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let writes = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (client, base) = (w.app.client.clone(), w.app.address.clone());
        let (acknowledged, writes, stop) = (acknowledged.clone(), writes.clone(), stop.clone());
        let tokens = tokens.clone();
        tokio::spawn(async move {
            for (round, token) in tokens.iter().cycle().enumerate() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let value = 1 + (round / tokens.len()) % 5;
                let answers: serde_json::Map<String, Value> = ITEMS
                    .iter()
                    .map(|i| ((*i).to_owned(), json!(value)))
                    .collect();
                let r = client
                    .post(format!("{base}/api/responses/{token}"))
                    .json(&json!({ "answers": answers }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
                if round < tokens.len() {
                    acknowledged.lock().unwrap().push(token.clone());
                }
                writes.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < 10 {
        assert!(Instant::now() < deadline, "the writer did not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let writes_before = writes.load(Ordering::SeqCst);
    let file = w.app.db.dir.path().join("backup.db");
    let db_url = w.app.db.url.clone();
    let data = w.app.db.dir.path().join("data");
    let backup = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
                .arg("backup")
                .arg(&file)
                .env("DATABASE_URL", &db_url)
                .env("TANDEM_DATA_DIR", &data)
                .env("TANDEM_LOG", "warn")
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let after = acknowledged.lock().unwrap().len();
    let writes_after = writes.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    let stdout = String::from_utf8_lossy(&backup.stdout);
    assert!(
        backup.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(stdout.starts_with("backup written: "), "{stdout}");
    writer.await.unwrap();
    assert!(
        writes_after > writes_before,
        "the backup ran while answers were being written ({writes_before} → {writes_after})"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup holds every answer: owner-only");
    }

    // Restore into a new place and look for every answer acknowledged before it began.
    let restored = w.app.db.dir.path().join("restored/tandem.db");
    let target = format!("sqlite://{}", restored.display());
    let out = run_cli_env(
        &w.app.db,
        &["restore", file.to_str().unwrap()],
        &[("DATABASE_URL", &target)],
    );
    out.assert_ok();
    assert!(out.stdout.starts_with("restored "), "{}", out.stdout);
    let pool = tandem::db::connect(&tandem::db::DatabaseUrl::parse(&target).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let stored = count(&mut conn, "SELECT COUNT(*) AS n FROM responses");
    assert!(
        stored >= before.len() as i64 && stored <= after as i64,
        "{stored} responses: between the {} acknowledged before the backup and the {after} by its end",
        before.len()
    );
    for token in &before {
        let answers = count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM invitation_tokens t \
                 JOIN responses r ON r.invitation_id = t.invitation_id \
                 JOIN answers a ON a.response_id = r.id \
                 WHERE t.token_hash = '{}'",
                tandem::secrets::hash(token)
            ),
        );
        assert_eq!(answers, 8, "the answers of an acknowledged response");
    }
    drop(conn);

    // Refusals, each with what to do.
    let again = w.app.cli(&["backup", file.to_str().unwrap()]);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let over = run_cli_env(
        &w.app.db,
        &["restore", file.to_str().unwrap()],
        &[("DATABASE_URL", &target)],
    );
    assert_eq!(over.status, 1);
    assert!(
        over.stderr
            .contains("stop the service, then run restore again with --force"),
        "{}",
        over.stderr
    );
    run_cli_env(
        &w.app.db,
        &["restore", "--force", file.to_str().unwrap()],
        &[("DATABASE_URL", &target)],
    )
    .assert_ok();
    let junk = w.app.db.dir.path().join("junk.db");
    std::fs::write(&junk, "email,name\n").unwrap();
    let bad = run_cli_env(
        &w.app.db,
        &["restore", "--force", junk.to_str().unwrap()],
        &[("DATABASE_URL", &target)],
    );
    assert_eq!(bad.status, 1);
    assert!(
        bad.stderr.contains("is not a usable Tandem backup"),
        "{}",
        bad.stderr
    );
    // the refused restore left the restored database as it was
    assert!(tandem::db::backup::inspect(&restored).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn postgres_is_backed_up_with_its_own_tools() {
    let w = World::new(Backend::Postgres).await.unwrap();
    let file = w.app.db.dir.path().join("pg-backup.db");
    let out = w.app.cli(&["backup", file.to_str().unwrap()]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("pg_dump -Fc"), "{}", out.stderr);
    assert!(!file.exists());
}
