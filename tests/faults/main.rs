//! Fault drills: the real `tandem serve` binary killed with SIGKILL mid-dispatch, started
//! against an SMTP relay that is down, run twice on one PostgreSQL database, and talking TLS
//! to relays with good and bad certificates. Mail is counted where it arrives, at an SMTP
//! server on loopback (tests/mail/sink.rs).
//!
//! Sizes: `TANDEM_DRILL_INVITEES` (default 2,000, what CI runs in well under a minute per
//! drill on 2 cores); docs/operations.md ("Fault drills") has the 10,000-invitee figures.
//! Nothing here sleeps to wait for something: every wait polls with a deadline.

#[path = "../common/mod.rs"]
mod common;
#[path = "../mail/sink.rs"]
mod sink;

mod instance;
mod smtp_down;
mod tls;
mod two_instances;
mod worker_killed;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::TestDb;
use sink::Sink;

/// Invitees per drill: `TANDEM_DRILL_INVITEES`, default 2,000.
pub fn invitees() -> usize {
    std::env::var("TANDEM_DRILL_INVITEES")
        .ok()
        .map(|v| v.parse().expect("TANDEM_DRILL_INVITEES is a number"))
        .unwrap_or(2_000)
}

/// How long a drill may wait for all of its mail: generous for 10,000 on a busy machine.
pub fn mail_deadline() -> Duration {
    Duration::from_secs(60 + invitees() as u64 / 100)
}

/// The roster of `n` people, half on each side, `p00000@drill.test`…
pub fn roster(n: usize) -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..n {
        let side = if i % 2 == 0 { "customer" } else { "supplier" };
        csv.push_str(&format!(
            "{},Person {i},{side},staff,operations,EU,\n",
            address(i)
        ));
    }
    csv
}

pub fn address(i: usize) -> String {
    format!("p{i:05}@drill.test")
}

/// A partnership whose first wave is due now (today 00:00 UTC) with a roster of `n`, made
/// with the real binary before any `serve` runs, so the first scheduler pass opens it.
/// Returns the partnership id.
pub fn due_partnership(db: &TestDb, n: usize) -> i64 {
    let today = chrono::Utc::now().date_naive().to_string();
    let created = common::run_cli(
        db,
        &[
            "partnership",
            "create",
            "--name",
            "Drill",
            "--customer",
            "Drill Customer",
            "--supplier",
            "Drill Supplier",
            "--first-wave-on",
            &today,
            "--send-time",
            "00:00",
            "--timezone",
            "UTC",
        ],
    );
    created.assert_ok();
    let id: i64 = created.last_line().trim().parse().expect("an id");
    let file = common::write_file(db, "roster.csv", roster(n).as_bytes());
    common::run_cli(
        db,
        &[
            "roster",
            "import",
            "--partnership",
            &id.to_string(),
            file.to_str().unwrap(),
        ],
    )
    .assert_ok();
    id
}

/// Per roster address, the messages the sink accepted for it (other recipients ignored).
pub fn per_invitee(sink: &Sink) -> BTreeMap<String, usize> {
    sink.count_by_recipient()
        .into_iter()
        .map(|(to, n)| (to.trim_matches(['<', '>']).to_owned(), n))
        .filter(|(to, _)| to.ends_with("@drill.test"))
        .collect()
}

/// Polls `probe` every 20 ms until it returns `Some`, or fails with `what` at `deadline`.
pub async fn poll<T>(what: &str, deadline: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + deadline;
    loop {
        if let Some(t) = probe() {
            return t;
        }
        assert!(
            Instant::now() < until,
            "{what}: not reached within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every one of `n` invitees has at least `k` messages; returns the counts.
pub async fn every_invitee_has(sink: &Sink, n: usize, k: usize) -> BTreeMap<String, usize> {
    poll(
        &format!("every one of {n} invitees has {k} mail(s)"),
        mail_deadline(),
        || {
            // The cheap count first; the per-recipient map only once it can be complete.
            if sink.count() < n * k {
                return None;
            }
            let counts = per_invitee(sink);
            (counts.len() == n && counts.values().all(|&c| c >= k)).then_some(counts)
        },
    )
    .await
}

/// Outbox rows by status, straight from the database.
pub fn outbox_by_status(db: &TestDb) -> BTreeMap<String, i64> {
    ["pending", "sent", "failed"]
        .into_iter()
        .map(|s| {
            (
                s.to_owned(),
                db.count(&format!("outbox WHERE status = '{s}'")),
            )
        })
        .collect()
}

/// Waits until no outbox row is pending (the last outcomes recorded).
pub async fn outbox_settled(db: &TestDb) -> BTreeMap<String, i64> {
    poll("the outbox has no pending row", mail_deadline(), || {
        let by = outbox_by_status(db);
        (by["pending"] == 0).then_some(by)
    })
    .await
}

/// The batch the worker of `serve` claims (`DeliverySettings::default()`, 256): after a
/// SIGKILL only the batch being sent can go out twice (each batch's outcomes are committed
/// before the next is sent, src/mail/worker.rs), so at most this many duplicates.
pub fn duplicate_bound() -> usize {
    usize::try_from(tandem::mail::DeliverySettings::default().batch_size).unwrap()
}
