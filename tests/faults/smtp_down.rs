//! The relay is not listening when a wave opens: every invitation fails, backs off, and goes
//! out once the relay comes up; nothing is given up on within the drill.

use std::time::{Duration, Instant};

use crate::common::{Backend, TestDb};
use crate::instance::Instance;
use crate::sink::Sink;
use crate::{due_partnership, every_invitee_has, invitees, outbox_settled, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_while_the_relay_is_down_goes_out_once_it_is_up_on_sqlite() {
    drill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn mail_queued_while_the_relay_is_down_goes_out_once_it_is_up_on_postgres() {
    drill(Backend::Postgres).await;
}

async fn drill(backend: Backend) {
    let n = invitees();
    let db = TestDb::fresh(backend).unwrap();
    due_partnership(&db, n);
    let port = Sink::free_port();

    let started = Instant::now();
    // The instance's retry base is 1 s (instance.rs): waits of ~1, 2, 4… s, ±20 %.
    let mut serve = Instance::start(
        &db,
        "serve",
        &[(
            "TANDEM_MAIL_URL",
            format!("smtp://127.0.0.1:{port}?tls=none"),
        )],
    );
    serve.ready().await;
    // Down for a while: every invitation has failed twice before the relay starts.
    poll(
        "every invitation failed twice",
        Duration::from_secs(40),
        || {
            (db.count("outbox WHERE kind = 'invitation' AND attempts >= 2") == n as i64)
                .then_some(())
        },
    )
    .await;
    assert_eq!(db.count("outbox WHERE status = 'failed'"), 0);
    let down_for = started.elapsed();
    let sink = Sink::start_on(port);
    let up = Instant::now();

    let counts = every_invitee_has(&sink, n, 1).await;
    let delivered_after = up.elapsed();
    let by_status = outbox_settled(&db).await;

    assert!(counts.values().all(|&c| c == 1), "a mail was sent twice");
    assert_eq!(by_status["sent"], n as i64, "{by_status:?}");
    assert_eq!(by_status["failed"], 0, "{by_status:?}");
    // Two failures and the success: the attempts are on the rows.
    assert_eq!(
        db.count("outbox WHERE kind = 'invitation' AND attempts >= 3"),
        n as i64
    );
    assert_eq!(db.count("outbox WHERE last_error IS NOT NULL"), 0);
    eprintln!(
        "DRILL relay down ({backend:?}): {n} invitees; relay down {:.1} s (two failed attempts each); all \
         delivered {:.1} s after it came up",
        down_for.as_secs_f64(),
        delivered_after.as_secs_f64()
    );
}
