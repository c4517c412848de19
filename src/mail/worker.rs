//! The outbox worker: claim a batch, send it with bounded concurrency, record the outcomes,
//! repeat; when nothing is due, wait until something will be (or until someone enqueues and
//! rings the [`Notify`]).
//!
//! Memory stays flat however large the outbox: the worker holds one batch at a time. A
//! worker killed at any point loses nothing: unsent rows are still pending in the database,
//! and at most the batch it had claimed is sent again once its lease ends. Database work runs
//! on Tokio's blocking threads, never on the async ones.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::mailer::{masked, Mailer, SendError};
use super::outbox::{self, OutboxRow, Outcome};
use super::settings::DeliverySettings;
use crate::db::{self, Conn, Pool};

/// Shortest wait between two looks at the outbox, so a row due "now" that another worker
/// holds does not make this one spin.
const MIN_IDLE_WAIT: Duration = Duration::from_millis(10);

/// Why a round of the worker could not run.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("no database connection: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("outbox query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("a database task stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What one or more rounds did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub batches: usize,
    pub claimed: usize,
    pub sent: usize,
    /// Transient failures put back in the queue.
    pub retried: usize,
    /// Permanent failures, and transient ones out of attempts.
    pub failed: usize,
    /// Claimed but not attempted because the lease was running out.
    pub released: usize,
}

impl DrainReport {
    fn add(&mut self, other: &DrainReport) {
        self.batches += other.batches;
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
        self.released += other.released;
    }
}

/// Runs `f` with a pooled connection on a blocking thread.
async fn with_conn<T, F>(pool: &Pool, f: F) -> Result<T, DispatchError>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> diesel::QueryResult<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        Ok(f(&mut conn)?)
    })
    .await?
}

/// Claims one batch of rows due by `due_by`, sends it and records the outcomes.
pub async fn dispatch_batch(
    pool: &Pool,
    mailer: &Arc<Mailer>,
    delivery: &DeliverySettings,
    due_by: NaiveDateTime,
) -> Result<DrainReport, DispatchError> {
    let (batch, lease) = (delivery.batch_size.max(1), delivery.lease);
    let claimed_at = Instant::now();
    let rows = with_conn(pool, move |c| outbox::claim_due(c, batch, lease, due_by)).await?;
    let Some(lock) = rows.first().and_then(|r| r.locked_until) else {
        return Ok(DrainReport::default());
    };
    // Start no send after 80 % of the lease: a row still unsent then is released, so no
    // other worker can claim it while this one is still talking to the relay.
    let send_before = claimed_at + lease.mul_f64(0.8);
    let mut report = DrainReport {
        batches: 1,
        claimed: rows.len(),
        ..DrainReport::default()
    };

    let mut outcomes: Vec<(i64, Outcome)> = Vec::with_capacity(rows.len());
    let mut in_flight: JoinSet<Attempt> = JoinSet::new();
    let limit = delivery.concurrency.max(1);
    for row in rows {
        if Instant::now() >= send_before {
            outcomes.push((row.id, Outcome::Released));
            continue;
        }
        while in_flight.len() >= limit {
            collect(in_flight.join_next().await, delivery, &mut outcomes);
        }
        let mailer = Arc::clone(mailer);
        in_flight.spawn(async move {
            let result = mailer.send(&row).await;
            let OutboxRow {
                id,
                attempts,
                recipient,
                ..
            } = row;
            Attempt {
                id,
                attempts_before: attempts,
                recipient,
                result,
            }
        });
    }
    while let Some(joined) = in_flight.join_next().await {
        collect(Some(joined), delivery, &mut outcomes);
    }

    for (_, o) in &outcomes {
        match o {
            Outcome::Sent => report.sent += 1,
            Outcome::Retry { .. } => report.retried += 1,
            Outcome::Failed { .. } => report.failed += 1,
            Outcome::Released => report.released += 1,
        }
    }
    with_conn(pool, move |c| outbox::record(c, lock, &outcomes)).await?;
    tracing::debug!(?report, "outbox batch done");
    Ok(report)
}

/// One send, as its task reports it.
struct Attempt {
    id: i64,
    attempts_before: i64,
    recipient: String,
    result: Result<(), SendError>,
}

fn collect(
    joined: Option<Result<Attempt, tokio::task::JoinError>>,
    delivery: &DeliverySettings,
    outcomes: &mut Vec<(i64, Outcome)>,
) {
    match joined {
        Some(Ok(Attempt {
            id,
            attempts_before,
            recipient,
            result,
        })) => {
            let outcome =
                Outcome::after_attempt(attempts_before, &result, &delivery.backoff, db::now());
            match &outcome {
                Outcome::Failed { attempts, error } => tracing::warn!(
                    outbox_id = id,
                    to = %masked(&recipient),
                    attempts,
                    error = %error,
                    "mail failed for good"
                ),
                Outcome::Retry {
                    attempts,
                    next_attempt_at,
                    error,
                } => tracing::info!(
                    outbox_id = id,
                    to = %masked(&recipient),
                    attempts,
                    %next_attempt_at,
                    error = %error,
                    "mail not delivered; will retry"
                ),
                Outcome::Sent | Outcome::Released => {}
            }
            outcomes.push((id, outcome));
        }
        // A send task that panicked leaves its row leased; it is tried again when the lease
        // ends.
        Some(Err(e)) => tracing::error!(error = %e, "a mail send task stopped"),
        None => {}
    }
}

/// Sends everything due now, batch after batch, and returns. Rows that fail transiently get
/// a later `next_attempt_at` and are left for a later call, so this always ends. Used by
/// `tandem tick` and tests.
pub async fn drain_once(
    pool: &Pool,
    mailer: &Arc<Mailer>,
    delivery: &DeliverySettings,
) -> Result<DrainReport, DispatchError> {
    let due_by = db::now();
    let mut total = DrainReport::default();
    loop {
        let round = dispatch_batch(pool, mailer, delivery, due_by).await?;
        total.add(&round);
        if round.claimed == 0 {
            return Ok(total);
        }
    }
}

/// The worker loop of `tandem serve`. Returns once `shutdown` completes, after finishing
/// (sending and recording) the batch in hand. Database outages are logged and waited out.
pub async fn run_worker(
    pool: Pool,
    mailer: Arc<Mailer>,
    delivery: DeliverySettings,
    wake: Arc<Notify>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    tracing::info!(transport = mailer.describe(), "mail worker started");
    loop {
        let wait = match dispatch_batch(&pool, &mailer, &delivery, db::now()).await {
            Ok(r) if r.claimed as i64 >= delivery.batch_size => Duration::ZERO,
            Ok(_) => match with_conn(&pool, outbox::next_due).await {
                Ok(next) => idle_wait(next, delivery.idle_poll),
                Err(e) => {
                    tracing::error!(error = %e, "mail worker cannot read the outbox");
                    delivery.idle_poll
                }
            },
            Err(e) => {
                tracing::error!(error = %e, "mail worker cannot reach the outbox");
                delivery.idle_poll
            }
        };
        if wait.is_zero() {
            // More is waiting: carry on, but let a shutdown request in between batches.
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = std::future::ready(()) => continue,
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!("mail worker stopped");
}

/// How long to wait for the next due row, between [`MIN_IDLE_WAIT`] and `idle_poll`.
fn idle_wait(next_due: Option<NaiveDateTime>, idle_poll: Duration) -> Duration {
    let Some(next) = next_due else {
        return idle_poll;
    };
    let until = (next - db::now()).to_std().unwrap_or(Duration::ZERO);
    until.clamp(MIN_IDLE_WAIT, idle_poll.max(MIN_IDLE_WAIT))
}

/// A worker running on the current Tokio runtime.
pub struct WorkerHandle {
    wake: Arc<Notify>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Starts [`run_worker`] as a task.
    pub fn spawn(pool: Pool, mailer: Arc<Mailer>, delivery: DeliverySettings) -> WorkerHandle {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run_worker(
            pool,
            mailer,
            delivery,
            Arc::clone(&wake),
            async move {
                // A dropped sender also stops the worker.
                let _ = stopped.await;
            },
        ));
        WorkerHandle { wake, stop, task }
    }

    /// The bell to ring after committing new outbox rows.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Asks the worker to stop after its current batch and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the mail worker task ended abnormally");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_wait_is_bounded_both_ways() {
        let poll = Duration::from_secs(5);
        assert_eq!(idle_wait(None, poll), poll);
        let past = db::now() - chrono::TimeDelta::seconds(10);
        assert_eq!(idle_wait(Some(past), poll), MIN_IDLE_WAIT);
        let far = db::now() + chrono::TimeDelta::hours(1);
        assert_eq!(idle_wait(Some(far), poll), poll);
        let soon = db::now() + chrono::TimeDelta::seconds(2);
        let w = idle_wait(Some(soon), poll);
        assert!(
            w > Duration::from_secs(1) && w <= Duration::from_secs(2),
            "{w:?}"
        );
    }
}
