//! Batched submissions on PostgreSQL: one thread takes every submission waiting for it,
//! looks all their links up in one query and stores all the valid ones in one statement
//! (one round trip, one commit), then answers each caller.
//!
//! Why: on PostgreSQL a submission's cost is mostly per statement — a round trip, the
//! executor starting a data-modifying `WITH` of four parts, a commit — not per row. Under
//! load, the submissions that arrive while one batch runs form the next, so that cost is
//! paid once per batch instead of once per submission; when idle a batch is one submission
//! and nothing waits. This is the PostgreSQL counterpart of the SQLite group writer
//! ([`crate::db::writer`]).
//!
//! What it must never do: answer `Stored` before the statement holding the submission has
//! committed, or decide an error itself. Anything that is not a plain, valid submission to
//! an open wave (unknown or closed link, invalid answers, an invitation already in the
//! batch through another of its links, a statement that failed, a response changed
//! meanwhile) is handed back as "not taken", and the caller stores it (or refuses it, with
//! the exact reason) through [`super::responses::submit`], the general path, which every
//! error test covers. A second submission of the same link waits for the next batch, so
//! the later one is stored last.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc;

use chrono::NaiveDateTime;

use super::responses::{batch_row, parsed_template, plausible_token, validate, Submission};
use crate::db::invitations::{self, LinkTarget};
use crate::db::responses::{store_many_on_postgres, BatchRow, Stored};
use crate::db::{Conn, Pool};
use crate::domain::Side;
use crate::secrets;

/// Most submissions in one statement: bounds the statement's size (about 10 array
/// elements per submission) and how long the first caller of a batch waits for the last.
const MAX_BATCH: usize = 128;

/// What became of a submission sent to the batcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Stored and committed; `replaced` when an earlier response of the link was there.
    Stored { replaced: bool },
    /// Not stored by the batcher: store it through the general path.
    NotTaken,
}

struct Job {
    token: String,
    submission: Submission,
    at: NaiveDateTime,
    reply: tokio::sync::oneshot::Sender<Outcome>,
}

/// A handle on the batching thread; cheap to clone. The thread stops when the last handle
/// is dropped.
#[derive(Clone)]
pub struct Submitter {
    jobs: mpsc::Sender<Job>,
}

impl Submitter {
    /// Starts the batching thread. It takes a connection from `pool` for each batch (so a
    /// connection broken by a database restart is replaced, and an idle batcher holds
    /// none).
    pub fn spawn(pool: Pool) -> std::io::Result<Submitter> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("pg-submission-batcher".into())
            .spawn(move || run(pool, queue))?;
        Ok(Submitter { jobs })
    }

    /// Stores one submission, received at `at`, in the next batch. `Some(replaced)` once it
    /// has committed; `None` when the batcher did not store it, and the caller must store
    /// (or refuse) it through the general path.
    pub async fn submit(
        &self,
        token: &str,
        submission: &Submission,
        at: NaiveDateTime,
    ) -> Option<bool> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            token: token.to_owned(),
            submission: submission.clone(),
            at,
            reply,
        };
        self.jobs.send(job).ok()?;
        // A batcher that stopped dropped the reply: not stored, the general path decides.
        match answer.await {
            Ok(Outcome::Stored { replaced }) => Some(replaced),
            Ok(Outcome::NotTaken) | Err(_) => None,
        }
    }
}

fn run(pool: Pool, queue: mpsc::Receiver<Job>) {
    // Jobs for a link already in the batch being formed wait for the next one, in order,
    // so the later submission of a link is stored after the earlier.
    let mut carried: VecDeque<Job> = VecDeque::new();
    loop {
        if carried.is_empty() {
            match queue.recv() {
                Ok(job) => carried.push_back(job),
                Err(_) => return,
            }
        }
        carried.extend(
            queue
                .try_iter()
                .take(MAX_BATCH.saturating_sub(carried.len())),
        );
        let mut batch = Vec::with_capacity(carried.len().min(MAX_BATCH));
        let mut tokens = HashSet::new();
        let mut rest = VecDeque::new();
        for job in carried.drain(..) {
            if batch.len() < MAX_BATCH && tokens.insert(job.token.clone()) {
                batch.push(job);
            } else {
                rest.push_back(job);
            }
        }
        carried = rest;
        match pool.get() {
            Ok(mut conn) => run_batch(&mut conn, batch),
            Err(e) => {
                tracing::warn!(error = %e, "submission batcher: no connection; storing one by one");
                for job in batch {
                    let _ = job.reply.send(Outcome::NotTaken);
                }
            }
        }
    }
}

/// A job whose link and answers passed every check, ready for the statement.
struct Ready {
    job: Job,
    target: LinkTarget,
    side: Side,
}

fn run_batch(conn: &mut Conn, batch: Vec<Job>) {
    let (ready, not_taken) = prepare(conn, batch);
    for job in not_taken {
        let _ = job.reply.send(Outcome::NotTaken);
    }
    if ready.is_empty() {
        return;
    }
    let stored = {
        let rows: Vec<BatchRow<'_>> = ready
            .iter()
            .map(|r| batch_row(&r.target, r.side, &r.job.submission, r.job.at))
            .collect();
        match conn {
            Conn::Postgres(pg) => store_many_on_postgres(pg, &rows),
            // Only spawned on PostgreSQL; SQLite has its own group writer.
            Conn::Sqlite(_) => Ok(vec![Stored::NotWritten; rows.len()]),
        }
    };
    match stored {
        Ok(outcomes) => {
            for (r, outcome) in ready.into_iter().zip(outcomes) {
                let _ = r.job.reply.send(match outcome {
                    Stored::Done { replaced } => Outcome::Stored { replaced },
                    Stored::NotWritten => Outcome::NotTaken,
                });
            }
        }
        Err(e) => {
            // Nothing of the batch was stored (one statement): each is retried alone on
            // the general path, where a failure concerns only its own submission.
            tracing::warn!(error = %e, size = ready.len(), "submission batch failed; storing one by one");
            for r in ready {
                let _ = r.job.reply.send(Outcome::NotTaken);
            }
        }
    }
}

/// Looks every link of the batch up in one query and keeps the jobs that are plainly
/// storable: a known link, an open wave, a template that parses, valid answers.
fn prepare(conn: &mut Conn, batch: Vec<Job>) -> (Vec<Ready>, Vec<Job>) {
    // Each job's token hash, once; a token of the wrong shape is not looked up.
    let hashes: Vec<Option<String>> = batch
        .iter()
        .map(|j| plausible_token(&j.token).then(|| secrets::hash(&j.token)))
        .collect();
    let wanted: Vec<String> = hashes.iter().flatten().cloned().collect();
    let mut targets: HashMap<String, LinkTarget> =
        match invitations::find_many_by_token_hash(conn, &wanted) {
            Ok(found) => found.into_iter().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "submission batch lookup failed; storing one by one");
                return (Vec::new(), batch);
            }
        };
    let mut ready = Vec::with_capacity(batch.len());
    let mut not_taken = Vec::new();
    let mut invitations_seen = HashSet::new();
    for (job, hash) in batch.into_iter().zip(hashes) {
        let Some(target) = hash.and_then(|h| targets.remove(&h)) else {
            not_taken.push(job);
            continue;
        };
        let open = target.wave.state == "open" && target.wave.closes_at > job.at;
        let side = target.person.side.parse::<Side>();
        let valid = open
            && side.is_ok()
            && invitations_seen.insert(target.invitation.id)
            && parsed_template(
                conn,
                &target.template_version,
                target.wave.template_version_id,
            )
            .is_ok_and(|t| validate(&t, &job.submission).is_ok());
        match side {
            Ok(side) if valid => ready.push(Ready { job, target, side }),
            _ => not_taken.push(job),
        }
    }
    (ready, not_taken)
}
