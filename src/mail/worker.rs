//! The outbox worker: claim a batch, send it with bounded concurrency, record the outcomes,
//! repeat; when nothing is due, wait until something will be (or until someone enqueues and
//! rings the [`Notify`]).
//!
//! Memory stays flat however large the outbox: the worker holds at most two batches (one
//! being sent, the next already claimed). A worker killed at any point loses nothing: every
//! mail not recorded as sent is still a pending row, leased at most until its lease ends.
//! What can be sent twice is only what was in flight: the batch being sent (a batch's
//! outcomes are committed before the next batch is sent), so at most `batch_size` mails.
//! A re-sent mail carries the same Message-ID. Database work
//! runs on Tokio's blocking threads, never on the async ones.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use super::mailer::{masked, Mailer};
use super::outbox::{self, OutboxRow, Outcome};
use super::settings::DeliverySettings;
use super::transport::SendError;
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
    fn of(outcomes: &[(i64, Outcome)]) -> DrainReport {
        let mut r = DrainReport {
            batches: 1,
            claimed: outcomes.len(),
            ..DrainReport::default()
        };
        for (_, o) in outcomes {
            match o {
                Outcome::Sent => r.sent += 1,
                Outcome::Retry { .. } => r.retried += 1,
                Outcome::Failed { .. } => r.failed += 1,
                Outcome::Released => r.released += 1,
            }
        }
        r
    }

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

/// A claimed batch, and when it was claimed (its lease runs from then).
struct Claimed {
    rows: Vec<OutboxRow>,
    at: Instant,
}

fn spawn_claim(
    pool: &Pool,
    delivery: &DeliverySettings,
    due_by: NaiveDateTime,
) -> JoinHandle<Result<Claimed, DispatchError>> {
    let (pool, batch, lease) = (pool.clone(), delivery.batch_size.max(1), delivery.lease);
    tokio::task::spawn_blocking(move || {
        let at = Instant::now();
        let mut conn = pool.get()?;
        let rows = outbox::claim_due(&mut conn, batch, lease, due_by)?;
        Ok(Claimed { rows, at })
    })
}

fn spawn_record(
    pool: &Pool,
    lock: NaiveDateTime,
    outcomes: Vec<(i64, Outcome)>,
) -> JoinHandle<Result<(), DispatchError>> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        Ok(outbox::record(&mut conn, lock, &outcomes)?)
    })
}

/// Sends a claimed batch, at most `concurrency` mails at a time, and returns each row's
/// outcome. No send starts after 80 % of the lease: a row still unsent then is released, so
/// no other worker can claim it while this one may still be talking to the relay.
async fn send_batch(
    claimed: Claimed,
    mailer: &Arc<Mailer>,
    delivery: &DeliverySettings,
) -> Vec<(i64, Outcome)> {
    let send_before = claimed.at + delivery.lease.mul_f64(0.8);
    let mut outcomes = Vec::with_capacity(claimed.rows.len());
    let mut in_flight: JoinSet<Attempt> = JoinSet::new();
    let limit = delivery.concurrency.max(1);
    for row in claimed.rows {
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
    outcomes
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

/// Sends everything due by `due_by`, batch after batch, until a claim comes back empty or
/// `stop` is set (then the batch in hand is finished and recorded, and a batch already
/// claimed is released unsent).
///
/// Pipelined, so the database and the relay work at the same time: while one batch is being
/// sent, the next is claimed (the previous one was recorded just before). At most two
/// batches are in memory, whatever the size of the outbox.
pub async fn drain_until(
    pool: &Pool,
    mailer: &Arc<Mailer>,
    delivery: &DeliverySettings,
    due_by: NaiveDateTime,
    stop: &AtomicBool,
) -> Result<DrainReport, DispatchError> {
    let mut total = DrainReport::default();
    let mut recording: Option<JoinHandle<Result<(), DispatchError>>> = None;
    let mut claiming = Some(spawn_claim(pool, delivery, due_by));
    let result = async {
        while let Some(claim) = claiming.take() {
            let claimed = claim.await??;
            let Some(lock) = claimed.rows.first().and_then(|r| r.locked_until) else {
                break;
            };
            let outcomes = if stop.load(Ordering::SeqCst) {
                claimed
                    .rows
                    .iter()
                    .map(|r| (r.id, Outcome::Released))
                    .collect()
            } else {
                claiming = Some(spawn_claim(pool, delivery, due_by));
                // The previous batch's outcomes are committed before this one is sent, so a
                // worker killed at any moment has at most one batch sent but not recorded:
                // at most `batch_size` mails go out twice. (Recording while sending saved
                // a few milliseconds per batch and doubled that bound.)
                if let Some(previous) = recording.take() {
                    previous.await??;
                }
                send_batch(claimed, mailer, delivery).await
            };
            if let Some(previous) = recording.take() {
                previous.await??;
            }
            total.add(&DrainReport::of(&outcomes));
            recording = Some(spawn_record(pool, lock, outcomes));
        }
        Ok::<(), DispatchError>(())
    }
    .await;
    // Whatever happened, let the database work already started finish before returning.
    if let Some(claim) = claiming {
        if let Ok(Ok(claimed)) = claim.await {
            if let Some(lock) = claimed.rows.first().and_then(|r| r.locked_until) {
                let ids = claimed.rows.iter().map(|r| r.id).collect::<Vec<_>>();
                let pool = pool.clone();
                let released = tokio::task::spawn_blocking(move || {
                    outbox::release(&mut *pool.get()?, &ids, lock).map_err(DispatchError::from)
                })
                .await;
                if !matches!(released, Ok(Ok(_))) {
                    tracing::warn!("claimed mail could not be released; it waits for its lease");
                }
            }
        }
    }
    if let Some(record) = recording {
        record.await??;
    }
    result?;
    if total.claimed > 0 {
        tracing::debug!(?total, "outbox drained");
    }
    Ok(total)
}

/// Sends everything due now and returns. Rows that fail transiently get a later
/// `next_attempt_at` and are left for a later call, so this always ends. Used by
/// `tandem tick` and tests.
pub async fn drain_once(
    pool: &Pool,
    mailer: &Arc<Mailer>,
    delivery: &DeliverySettings,
) -> Result<DrainReport, DispatchError> {
    drain_until(pool, mailer, delivery, db::now(), &AtomicBool::new(false)).await
}

/// The worker loop of `tandem serve`. Returns once `shutdown` completes, after finishing
/// (sending and recording) the batch in hand. Database outages are logged and waited out.
pub async fn run_worker(
    pool: Pool,
    mailer: Arc<Mailer>,
    delivery: DeliverySettings,
    wake: Arc<Notify>,
    shutdown: impl Future<Output = ()>,
    metrics: Option<crate::metrics::Metrics>,
) {
    tokio::pin!(shutdown);
    let stopping = AtomicBool::new(false);
    tracing::info!(transport = mailer.describe(), "mail worker started");
    while !stopping.load(Ordering::SeqCst) {
        let drained = {
            let drain = drain_until(&pool, &mailer, &delivery, db::now(), &stopping);
            tokio::pin!(drain);
            loop {
                tokio::select! {
                    result = &mut drain => break result,
                    () = &mut shutdown, if !stopping.load(Ordering::SeqCst) => {
                        stopping.store(true, Ordering::SeqCst);
                    }
                }
            }
        };
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        if let (Ok(report), Some(m)) = (&drained, &metrics) {
            m.mail_outcomes(report.sent, report.retried, report.failed);
        }
        let wait = match drained {
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
        Self::spawn_observed(pool, mailer, delivery, None)
    }

    /// Like [`WorkerHandle::spawn`], counting each delivery outcome into `metrics`.
    pub fn spawn_observed(
        pool: Pool,
        mailer: Arc<Mailer>,
        delivery: DeliverySettings,
        metrics: Option<crate::metrics::Metrics>,
    ) -> WorkerHandle {
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
            metrics,
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
