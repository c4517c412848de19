//! `tandem serve` killed with SIGKILL while the worker is sending a wave's invitations, then
//! started again: nobody is left without their mail, and what goes out twice is bounded by
//! what the dead worker had in flight.

use std::time::Instant;

use crate::common::{Backend, TestDb};
use crate::instance::Instance;
use crate::sink::Sink;
use crate::{due_partnership, duplicate_bound, every_invitee_has, invitees, outbox_settled, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_loses_no_mail_and_resends_at_most_its_batch_in_flight_on_sqlite() {
    drill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn a_killed_worker_loses_no_mail_and_resends_at_most_its_batch_in_flight_on_postgres() {
    drill(Backend::Postgres).await;
}

async fn drill(backend: Backend) {
    let n = invitees();
    let db = TestDb::fresh(backend).unwrap();
    due_partnership(&db, n);
    let sink = Sink::start();
    let mail = [(
        "TANDEM_MAIL_URL",
        format!("smtp://127.0.0.1:{}?tls=none", sink.port),
    )];

    let started = Instant::now();
    let mut first = Instance::start(&db, "first", &mail);
    first.ready().await;
    // Kill once a quarter has arrived: the wave is open and the worker is mid-stream.
    let at_kill = poll(
        "a quarter of the wave arrived",
        crate::mail_deadline(),
        || {
            let c = sink.count();
            (c >= n / 4).then_some(c)
        },
    )
    .await;
    first.kill();
    let received_at_kill = sink.count();
    let now = tandem::db::now().format("%Y-%m-%d %H:%M:%S%.6f");
    let leased_at_kill = db.count(&format!(
        "outbox WHERE status = 'pending' AND locked_until > '{now}'"
    ));
    assert!(
        received_at_kill < n,
        "the whole wave ({n}) was out before the kill; nothing was tested"
    );

    let mut second = Instance::start(&db, "second", &mail);
    second.ready().await;
    let counts = every_invitee_has(&sink, n, 1).await;
    let complete = started.elapsed();
    let by_status = outbox_settled(&db).await;

    assert_eq!(db.count("waves"), 1, "the restart opened no second wave");
    assert_eq!(db.count("invitations"), n as i64);
    assert_eq!(by_status["sent"], n as i64, "{by_status:?}");
    assert_eq!(by_status["failed"], 0, "{by_status:?}");
    let total: usize = counts.values().sum();
    let duplicates = total - n;
    assert!(
        duplicates <= duplicate_bound(),
        "{duplicates} duplicates, more than the {} a dead worker can have in flight",
        duplicate_bound()
    );
    // A re-sent mail is the same message: one Message-ID per invitee.
    assert_eq!(sink.count_by_message_id().len(), n);
    eprintln!(
        "DRILL worker killed ({backend:?}): {n} invitees; {at_kill}..{received_at_kill} received at the kill, {leased_at_kill} rows leased; \
         all delivered {:.1} s after the first start; {duplicates} duplicates (bound {})",
        complete.as_secs_f64(),
        duplicate_bound()
    );
}
