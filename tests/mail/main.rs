//! Mail: the outbox, the worker and the SMTP mailer against a real SMTP server on loopback,
//! on both database backends. Time-dependent behaviour (leases, back-off) runs on
//! millisecond settings and is awaited by polling with a deadline, never by sleeping.

mod bench;
#[path = "../common/mod.rs"]
mod common;
mod sink;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use tandem::db::schema::outbox;
use tandem::db::{self, DatabaseUrl, Pool};
use tandem::domain::Email;
use tandem::mail::messages::{self, InvitationMail};
use tandem::mail::outbox as queue;
use tandem::mail::{
    drain_once, Backoff, DeliverySettings, MailSettings, Mailer, OutboxRow, OutgoingMail,
    WorkerHandle,
};

use common::{Backend, TestDb};
use sink::Sink;

/// Declares one test per backend, each with a fresh database: `db_test!(name, |db| { … })`.
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($db) = TestDb::fresh(Backend::Sqlite) else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some($db) = TestDb::fresh(Backend::Postgres) else {
                    return;
                };
                $body
            }
        }
    };
}

const FROM: &str = "Tandem Test <surveys@tandem.test>";
const BASE: &str = "https://tandem.test";

/// A migrated pool of `size` connections on the test database.
fn pool(db: &TestDb, size: u32) -> Pool {
    let pool = db::connect(&DatabaseUrl::parse(&db.url).unwrap(), size).unwrap();
    db::run_migrations(&mut pool.get().unwrap()).unwrap();
    pool
}

/// Fast settings: small batches, millisecond back-off, a long lease.
fn delivery() -> DeliverySettings {
    DeliverySettings {
        batch_size: 8,
        concurrency: 4,
        lease: Duration::from_secs(60),
        backoff: Backoff {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(50),
            jitter: 0.2,
            max_attempts: 20,
        },
        idle_poll: Duration::from_millis(100),
        smtp_timeout: Duration::from_secs(5),
    }
}

fn smtp_settings(port: u16) -> MailSettings {
    let mut s = MailSettings::parse(&format!("smtp://127.0.0.1:{port}?tls=none"), FROM).unwrap();
    s.delivery = delivery();
    s
}

fn smtp_mailer(port: u16) -> Arc<Mailer> {
    Arc::new(Mailer::new(&smtp_settings(port)).unwrap())
}

/// A rendered invitation to `recipient`, with its personal token.
fn invitation(recipient: &str) -> (OutgoingMail, String) {
    let token = tandem::secrets::new_token();
    let (link, opt_out_link) = messages::survey_links(BASE, &token);
    let mail = messages::invitation(&InvitationMail {
        person_name: "Ann Lee".into(),
        own_firm: "Acme Retail".into(),
        partner_firm: "Globex Supply".into(),
        deadline_local: "Friday 4 December 2026 at 17:00 CET".into(),
        minutes: 2,
        link,
        opt_out_link,
        min_reporting_size: 5,
        language: tandem::domain::Language::En,
    })
    .unwrap();
    (mail.to(Email::parse(recipient).unwrap(), None), token)
}

/// Enqueues `n` invitations to `person<i>@example.com` in one transaction; returns their
/// tokens by recipient.
fn enqueue(pool: &Pool, n: usize) -> Vec<(String, String)> {
    enqueue_to(pool, (0..n).map(|i| format!("person{i}@example.com")))
}

fn enqueue_to(pool: &Pool, recipients: impl Iterator<Item = String>) -> Vec<(String, String)> {
    let mut conn = pool.get().unwrap();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        let mut out = Vec::new();
        for r in recipients {
            let (mail, token) = invitation(&r);
            queue::enqueue(conn, &mail)?;
            out.push((r, token));
        }
        Ok(out)
    })
    .unwrap()
}

fn rows(pool: &Pool) -> Vec<OutboxRow> {
    outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::id)
        .load(&mut pool.get().unwrap())
        .unwrap()
}

fn count_status(pool: &Pool, status: &str) -> usize {
    rows(pool).iter().filter(|r| r.status == status).count()
}

/// Polls `check` until it holds, failing after 20 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Drains repeatedly until no row is pending.
async fn drain_until_settled(pool: &Pool, mailer: &Arc<Mailer>, settings: &DeliverySettings) {
    eventually("no mail is pending", || async {
        drain_once(pool, mailer, settings).await.unwrap();
        count_status(pool, "pending") == 0
    })
    .await;
}

db_test!(
    every_enqueued_mail_arrives_once_as_text_and_html_with_our_message_id,
    |db| {
        let pool = pool(&db, 4);
        let sink = Sink::start();
        let tokens = enqueue(&pool, 20);
        let mailer = smtp_mailer(sink.port);
        // Each row goes out under its random part at the domain of the From address.
        let message_ids: Vec<String> = rows(&pool)
            .into_iter()
            .map(|r| mailer.wire_message_id(&r.message_id))
            .collect();
        assert!(message_ids.iter().all(|id| id.ends_with("@tandem.test>")));

        let report = drain_once(&pool, &mailer, &delivery()).await.unwrap();

        assert_eq!((report.sent, report.retried, report.failed), (20, 0, 0));
        let received = sink.received();
        assert_eq!(received.len(), 20);
        for (recipient, token) in &tokens {
            let mail = received
                .iter()
                .find(|m| m.to == vec![recipient.clone()])
                .unwrap_or_else(|| panic!("nothing received for {recipient}"));
            let link = format!("{BASE}/s/{token}");
            assert_eq!(mail.from, "surveys@tandem.test");
            assert!(mail
                .header("Content-Type")
                .unwrap()
                .starts_with("multipart/alternative"));
            let text = mail.part("text/plain").expect("a text part");
            let html = mail.part("text/html").expect("an HTML part");
            assert!(text.contains(&link), "{text}");
            assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
            assert_eq!(
                mail.header("List-Unsubscribe").unwrap(),
                format!("<{link}/opt-out>")
            );
            assert_eq!(
                mail.header("List-Unsubscribe-Post").unwrap(),
                "List-Unsubscribe=One-Click"
            );
            assert!(message_ids.contains(&mail.header("Message-ID").unwrap()));
        }
        let counts = sink.count_by_message_id();
        assert_eq!(counts.len(), 20);
        assert!(counts.values().all(|&n| n == 1));
    }
);

db_test!(a_sent_mail_keeps_no_copy_of_its_personal_link, |db| {
    let pool = pool(&db, 4);
    let sink = Sink::start();
    enqueue(&pool, 3);

    drain_once(&pool, &smtp_mailer(sink.port), &delivery())
        .await
        .unwrap();

    for row in rows(&pool) {
        assert_eq!(row.status, "sent");
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_some() && row.locked_until.is_none());
        assert_eq!((row.body_text.as_str(), row.body_html.as_str()), ("", ""));
        assert_eq!(row.headers, "[]");
    }
});

db_test!(a_451_is_retried_and_the_mail_delivered_once, |db| {
    let pool = pool(&db, 4);
    let sink = Sink::start();
    sink.refuse_next_data(451, "4.3.0 Try again later");
    enqueue(&pool, 1);
    let mailer = smtp_mailer(sink.port);

    let first = drain_once(&pool, &mailer, &delivery()).await.unwrap();

    assert_eq!((first.sent, first.retried), (0, 1));
    let row = rows(&pool).remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    let error = row.last_error.unwrap();
    assert!(
        error.contains("451") && error.contains("Try again later"),
        "{error}"
    );
    assert_eq!(sink.count(), 0);

    drain_until_settled(&pool, &mailer, &delivery()).await;

    let row = rows(&pool).remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    assert_eq!(sink.count(), 1);
    assert_eq!(
        sink.received()[0].header("Message-ID").unwrap(),
        mailer.wire_message_id(&row.message_id)
    );
});

db_test!(
    a_550_fails_the_mail_with_the_servers_reason_and_is_not_retried,
    |db| {
        let pool = pool(&db, 4);
        let sink = Sink::start();
        sink.refuse_recipients("bounce", 550, "5.1.1 No such user here");
        enqueue_to(&pool, ["bounce@example.com".to_owned()].into_iter());
        let mailer = smtp_mailer(sink.port);

        let report = drain_once(&pool, &mailer, &delivery()).await.unwrap();
        let again = drain_once(&pool, &mailer, &delivery()).await.unwrap();

        assert_eq!((report.sent, report.failed), (0, 1));
        assert_eq!(again.claimed, 0);
        let row = rows(&pool).remove(0);
        assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
        let error = row.last_error.unwrap();
        assert!(
            error.contains("550") && error.contains("No such user here"),
            "{error}"
        );
        assert_eq!(sink.count(), 0);
    }
);

db_test!(
    mail_waits_while_the_relay_is_down_and_all_goes_once_it_is_up,
    |db| {
        let pool = pool(&db, 4);
        let port = Sink::free_port();
        let mailer = smtp_mailer(port);
        // Waits long enough that one drain pass takes all ten rows together at each try.
        let mut settings = delivery();
        settings.backoff.base = Duration::from_millis(200);
        settings.backoff.cap = Duration::from_secs(2);
        let backoff = settings.backoff.clone();
        let tokens = enqueue(&pool, 10);

        // Down: every mail is tried once, kept pending with the relay's address and the
        // reason, and given back (no lease held) to be retried after the first backoff step.
        let before = tandem::db::now();
        let report = drain_once(&pool, &mailer, &settings).await.unwrap();
        let after = tandem::db::now();

        assert_eq!((report.claimed, report.sent), (10, 0));
        assert_eq!((report.retried, report.failed), (10, 0));
        let step = |n: u32| {
            let wait = backoff.base.mul_f64(f64::from(1u32 << n)).min(backoff.cap);
            (
                chrono::TimeDelta::from_std(wait.mul_f64(1.0 - backoff.jitter)).unwrap(),
                chrono::TimeDelta::from_std(wait.mul_f64(1.0 + backoff.jitter)).unwrap(),
            )
        };
        let (low, high) = step(0);
        for row in rows(&pool) {
            assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
            assert!(row.locked_until.is_none() && row.sent_at.is_none());
            let error = row.last_error.unwrap();
            assert!(
                error.starts_with(&format!("SMTP relay 127.0.0.1:{port}: "))
                    && error.contains("Connection refused"),
                "{error}"
            );
            assert!(
                row.next_attempt_at >= before + low && row.next_attempt_at <= after + high,
                "retry at {} is not one backoff step ({low}..{high}) after {before}",
                row.next_attempt_at
            );
        }

        // Nothing is due before its wait is over.
        let early = drain_once(&pool, &mailer, &settings).await.unwrap();
        assert_eq!(early.claimed, 0, "a mail was retried before its backoff");

        // Still down at the second try: the wait doubles.
        let before = tandem::db::now();
        drain_until_attempted(&pool, &mailer, &settings, 2).await;
        let after = tandem::db::now();
        let (low, high) = step(1);
        for row in rows(&pool) {
            assert_eq!((row.status.as_str(), row.attempts), ("pending", 2));
            assert!(
                row.next_attempt_at >= before + low && row.next_attempt_at <= after + high,
                "{row:?}"
            );
        }

        // Back up: each invitee gets their own mail exactly once, and nothing more goes out.
        let sink = Sink::start_on(port);
        drain_until_settled(&pool, &mailer, &settings).await;

        for row in rows(&pool) {
            assert_eq!((row.status.as_str(), row.attempts), ("sent", 3), "{row:?}");
        }
        let received = sink.received();
        assert_eq!(received.len(), 10);
        for (recipient, token) in &tokens {
            let mine: Vec<_> = received
                .iter()
                .filter(|m| m.to == vec![recipient.clone()])
                .collect();
            assert_eq!(mine.len(), 1, "{recipient} got {} mails", mine.len());
            let text = mine[0].part("text/plain").unwrap();
            assert!(text.contains(&format!("{BASE}/s/{token}")), "{text}");
        }
        let again = drain_once(&pool, &mailer, &settings).await.unwrap();
        assert_eq!(again.claimed, 0);
        assert_eq!(sink.count(), 10);
    }
);

/// Drains until every row has been attempted `n` times (the relay is still down).
async fn drain_until_attempted(
    pool: &Pool,
    mailer: &Arc<Mailer>,
    settings: &DeliverySettings,
    n: i64,
) {
    eventually(&format!("every mail was tried {n} times"), || async {
        drain_once(pool, mailer, settings).await.unwrap();
        rows(pool).iter().all(|r| r.attempts >= n)
    })
    .await;
}

db_test!(transient_failures_give_up_after_the_last_attempt, |db| {
    let pool = pool(&db, 4);
    let mailer = smtp_mailer(Sink::free_port());
    let mut settings = delivery();
    settings.backoff.max_attempts = 3;
    enqueue(&pool, 2);

    drain_until_settled(&pool, &mailer, &settings).await;

    for row in rows(&pool) {
        assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
        let error = row.last_error.unwrap();
        assert!(error.starts_with("gave up after 3 attempts"), "{error}");
    }
});

db_test!(
    a_worker_killed_mid_batch_delays_its_mails_only_until_the_lease_ends,
    |db| {
        let pool = pool(&db, 4);
        let sink = Sink::start();
        enqueue(&pool, 10);
        let mailer = smtp_mailer(sink.port);
        // A worker claims four rows and dies before sending or recording anything.
        let dead = queue::claim(&mut pool.get().unwrap(), 4, Duration::from_millis(300)).unwrap();
        assert_eq!(dead.len(), 4);

        let report = drain_once(&pool, &mailer, &delivery()).await.unwrap();

        assert_eq!(report.sent, 6);
        let held: Vec<i64> = rows(&pool)
            .into_iter()
            .filter(|r| r.status == "pending")
            .map(|r| r.id)
            .collect();
        assert_eq!(held, dead.iter().map(|r| r.id).collect::<Vec<_>>());

        drain_until_settled(&pool, &mailer, &delivery()).await;

        assert_eq!(count_status(&pool, "sent"), 10);
        let counts = sink.count_by_message_id();
        assert_eq!(counts.len(), 10);
        assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    }
);

db_test!(concurrent_drainers_never_send_the_same_row_twice, |db| {
    let (one, two) = (pool(&db, 2), pool(&db, 2));
    let sink = Sink::start();
    enqueue(&one, 200);
    let (mailer, settings) = (smtp_mailer(sink.port), delivery());

    let (a, b) = tokio::join!(
        drain_once(&one, &mailer, &settings),
        drain_once(&two, &mailer, &settings)
    );

    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 200);
    assert_eq!(count_status(&one, "sent"), 200);
    let counts = sink.count_by_message_id();
    assert_eq!(counts.len(), 200);
    assert!(counts.values().all(|&n| n == 1), "a row was sent twice");
});

db_test!(a_rolled_back_transaction_leaves_no_mail_behind, |db| {
    let pool = pool(&db, 2);
    let mut conn = pool.get().unwrap();
    let (mail, _) = invitation("ann@example.com");

    let result = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        queue::enqueue(conn, &mail)?;
        Err(diesel::result::Error::RollbackTransaction)
    });

    assert!(result.is_err());
    assert!(rows(&pool).is_empty());
});

db_test!(the_worker_sends_when_rung_and_stops_when_asked, |db| {
    let pool = pool(&db, 4);
    let sink = Sink::start();
    let mut settings = delivery();
    // Only the bell can wake it in time: its own poll is longer than the test's deadline.
    settings.idle_poll = Duration::from_secs(600);
    let worker = WorkerHandle::spawn(pool.clone(), smtp_mailer(sink.port), settings);
    let bell = worker.waker();

    enqueue(&pool, 5);
    bell.notify_one();
    eventually("the worker has sent the five mails", || async {
        count_status(&pool, "sent") == 5
    })
    .await;
    worker.shutdown().await;

    assert_eq!(sink.count(), 5);
});

db_test!(status_counts_mail_by_state, |db| {
    let pool = pool(&db, 4);
    let sink = Sink::start();
    sink.refuse_recipients("bounce", 550, "5.1.1 No such user here");
    enqueue_to(
        &pool,
        ["a@example.com", "b@example.com", "bounce@example.com"]
            .map(String::from)
            .into_iter(),
    );
    drain_once(&pool, &smtp_mailer(sink.port), &delivery())
        .await
        .unwrap();
    enqueue(&pool, 1);

    let stats = queue::stats(&mut pool.get().unwrap()).unwrap();
    let failures = queue::recent_failures(&mut pool.get().unwrap(), 10).unwrap();

    assert_eq!((stats.pending, stats.sent, stats.failed), (1, 2, 1));
    assert_eq!((stats.in_flight, stats.retrying), (0, 0));
    assert!(stats.oldest_pending.is_some());
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].recipient, "bounce@example.com");
});

db_test!(the_default_file_transport_writes_one_eml_per_mail, |db| {
    let pool = pool(&db, 2);
    let data_dir = db.dir.path().join("data");
    let mut settings = MailSettings::from_values(None, None, &data_dir).unwrap();
    settings.delivery = delivery();
    let mailer = Arc::new(Mailer::new(&settings).unwrap());
    enqueue(&pool, 3);

    let report = drain_once(&pool, &mailer, &settings.delivery)
        .await
        .unwrap();

    assert_eq!(report.sent, 3);
    let files: Vec<String> = std::fs::read_dir(data_dir.join("mail"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files.len(), 3);
    for row in rows(&pool) {
        assert!(files.iter().any(|f| f.contains(&format!(
            "Message-ID: {}",
            mailer.wire_message_id(&row.message_id)
        ))));
    }
});

db_test!(a_relay_that_never_answers_is_a_transient_failure, |db| {
    let pool = pool(&db, 2);
    // Connections complete in the kernel's backlog, but no greeting ever comes.
    let silent = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let mut settings = smtp_settings(silent.local_addr().unwrap().port());
    settings.delivery.smtp_timeout = Duration::from_millis(300);
    let mailer = Arc::new(Mailer::new(&settings).unwrap());
    enqueue(&pool, 2);

    let report = drain_once(&pool, &mailer, &settings.delivery)
        .await
        .unwrap();

    assert_eq!((report.sent, report.retried), (0, 2));
    for row in rows(&pool) {
        assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
        let error = row.last_error.unwrap();
        assert!(error.contains("did not complete the exchange"), "{error}");
    }
});

db_test!(
    mail_to_an_address_that_bounced_hard_is_recorded_undeliverable_by_the_worker_and_the_queue,
    |db| {
        let pool = pool(&db, 4);
        let sink = Sink::start();
        enqueue_to(
            &pool,
            ["gone@example.com".to_owned(), "here@example.com".to_owned()].into_iter(),
        );
        tandem::db::bounces::mark_undeliverable(
            &mut pool.get().unwrap(),
            "gone@example.com",
            "5.1.1: 550 5.1.1 User unknown",
            None,
            tandem::db::now(),
        )
        .unwrap();
        let mailer = smtp_mailer(sink.port);

        let report = drain_once(&pool, &mailer, &delivery()).await.unwrap();
        enqueue_to(&pool, ["Gone@Example.com".to_owned()].into_iter());
        let again = drain_once(&pool, &mailer, &delivery()).await.unwrap();

        assert_eq!(report.sent, 1, "only the deliverable address is sent to");
        assert_eq!(again.sent, 0);
        let received = sink.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to, vec!["here@example.com".to_owned()]);
        let refused: Vec<OutboxRow> = rows(&pool)
            .into_iter()
            .filter(|r| r.recipient.eq_ignore_ascii_case("gone@example.com"))
            .collect();
        assert_eq!(refused.len(), 2, "both mails are on record, none dropped");
        for row in refused {
            assert_eq!(row.status, "undeliverable");
            let why = row.last_error.unwrap();
            assert!(
                why.starts_with("undeliverable: the address bounced hard on "),
                "{why}"
            );
            assert!(why.ends_with("(5.1.1: 550 5.1.1 User unknown)"), "{why}");
            assert_eq!((row.body_text.as_str(), row.body_html.as_str()), ("", ""));
        }
        let stats = queue::stats(&mut pool.get().unwrap()).unwrap();
        assert_eq!((stats.sent, stats.undeliverable, stats.pending), (1, 2, 0));
    }
);
