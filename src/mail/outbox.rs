//! The outbox table: every mail is a row before it is a message.
//!
//! A caller enqueues mail inside its own transaction (opening a wave writes its invitations
//! and their mails together, or neither). Workers then *claim* due rows with a lease, send
//! them, and record what happened. Claiming is atomic on both backends, so two workers never
//! hold the same row; a worker that dies leaves its rows locked only until the lease ends.
//!
//! Once a row is sent or has failed for good its bodies and headers are blanked: they carry
//! the recipient's personal link, which must not outlive its delivery in our database.
//! These functions never send anything and never commit on their caller's behalf, except the
//! batch functions documented as running their own transaction.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::settings::Backoff;
use crate::db::schema::outbox;
use crate::db::{self, Conn};
use crate::domain::Email;

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_SENT: &str = "sent";
pub const STATUS_FAILED: &str = "failed";
/// Not sent, and never will be: the address bounced hard (`last_error` says when and why).
pub const STATUS_UNDELIVERABLE: &str = db::bounces::OUTBOX_UNDELIVERABLE;

/// Longest error text kept on a row.
const MAX_ERROR_CHARS: usize = 1000;

/// A mail to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// What the mail is, for operators and statistics: `invitation`, `reminder`, `flag_alert`…
    pub kind: String,
    pub recipient: Email,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Extra headers, e.g. `List-Unsubscribe`.
    pub headers: Vec<(String, String)>,
    /// The invitation this mail delivers or reminds of, if any.
    pub invitation_id: Option<i64>,
}

/// One outbox row, as claimed by a worker.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// JSON list of `[name, value]` pairs.
    pub headers: String,
    /// `<random@tandem>`, fixed when the row is written, so a re-send after a crash carries
    /// the same Message-ID and receiving systems can recognise the duplicate.
    pub message_id: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub invitation_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A new, random Message-ID in our own domain.
pub fn new_message_id() -> String {
    format!("<{}@tandem>", crate::secrets::new_token())
}

/// Writes one mail to the outbox, due now. Call it inside the caller's transaction, and
/// wake the worker (`Notify::notify_one`) once that transaction has committed.
pub fn enqueue(conn: &mut Conn, mail: &OutgoingMail) -> QueryResult<i64> {
    let headers = serde_json::to_string(&mail.headers)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let now = db::now();
    let refusals = super::refusals::refusals(conn, std::iter::once(mail.recipient.as_str()))?;
    let refused = refusals.first().cloned().flatten();
    let (body_text, body_html, headers) = match refused {
        Some(_) => ("", "", "[]".to_owned()),
        None => (mail.body_text.as_str(), mail.body_html.as_str(), headers),
    };
    diesel::insert_into(outbox::table)
        .values((
            outbox::kind.eq(&mail.kind),
            outbox::recipient.eq(mail.recipient.as_str()),
            outbox::subject.eq(&mail.subject),
            outbox::body_text.eq(body_text),
            outbox::body_html.eq(body_html),
            outbox::headers.eq(headers),
            outbox::message_id.eq(new_message_id()),
            outbox::status.eq(status_for(&refused)),
            outbox::last_error.eq(refused),
            outbox::attempts.eq(0_i64),
            outbox::next_attempt_at.eq(now),
            outbox::invitation_id.eq(mail.invitation_id),
            outbox::created_at.eq(now),
        ))
        .returning(outbox::id)
        .get_result(conn)
}

fn status_for(refused: &Option<String>) -> &'static str {
    if refused.is_some() {
        STATUS_UNDELIVERABLE
    } else {
        STATUS_PENDING
    }
}

/// Bound parameters per outbox row in [`enqueue_many`].
const PARAMS_PER_ROW: usize = 13;

/// Rows per INSERT statement in [`enqueue_many`]: 13 × 500 = 6,500 bound parameters, well
/// under both PostgreSQL's 65,535 and the bundled SQLite's 32,766, and a statement of a few
/// MB at most (bodies are a few KB), so memory stays bounded whatever the batch.
pub const ENQUEUE_CHUNK: usize = 500;
const _: () = assert!(ENQUEUE_CHUNK * PARAMS_PER_ROW <= 32_766);

/// Writes many mails to the outbox, due now, in multi-row INSERTs of [`ENQUEUE_CHUNK`] rows
/// (one statement per mail made filling the outbox a round trip per mail on PostgreSQL).
/// Like [`enqueue`], call it inside the caller's transaction: a failed chunk leaves the
/// earlier ones for the caller's rollback to undo. Returns the number of rows written.
/// A mail to an undeliverable address is written as [`STATUS_UNDELIVERABLE`] with the
/// reason and no body: refused, and on record.
pub fn enqueue_many(conn: &mut Conn, mails: &[OutgoingMail]) -> QueryResult<usize> {
    let now = db::now();
    let mut written = 0;
    for chunk in mails.chunks(ENQUEUE_CHUNK) {
        let headers = chunk
            .iter()
            .map(|m| serde_json::to_string(&m.headers))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        let refused = super::refusals::refusals(conn, chunk.iter().map(|m| m.recipient.as_str()))?;
        let rows: Vec<_> = chunk
            .iter()
            .zip(&headers)
            .zip(&refused)
            .map(|((mail, headers), refused)| {
                let (body_text, body_html, headers) = match refused {
                    Some(_) => ("", "", "[]"),
                    None => (
                        mail.body_text.as_str(),
                        mail.body_html.as_str(),
                        headers.as_str(),
                    ),
                };
                (
                    outbox::kind.eq(&mail.kind),
                    outbox::recipient.eq(mail.recipient.as_str()),
                    outbox::subject.eq(&mail.subject),
                    outbox::body_text.eq(body_text),
                    outbox::body_html.eq(body_html),
                    outbox::headers.eq(headers),
                    outbox::message_id.eq(new_message_id()),
                    outbox::status.eq(status_for(refused)),
                    outbox::last_error.eq(refused.as_deref()),
                    outbox::attempts.eq(0_i64),
                    outbox::next_attempt_at.eq(now),
                    outbox::invitation_id.eq(mail.invitation_id),
                    outbox::created_at.eq(now),
                )
            })
            .collect();
        // Multi-row inserts do not compile on the multi-backend connection: run the same
        // statement on whichever inner connection this is.
        let insert = diesel::insert_into(outbox::table).values(&rows);
        written += match conn {
            Conn::Sqlite(c) => insert.execute(c),
            Conn::Postgres(c) => insert.execute(c),
        }?;
    }
    Ok(written)
}

/// Takes up to `batch` due rows for `lease`: see [`claim_due`].
pub fn claim(conn: &mut Conn, batch: i64, lease: Duration) -> QueryResult<Vec<OutboxRow>> {
    claim_due(conn, batch, lease, db::now())
}

/// Atomically takes up to `batch` pending rows due at `due_by` (`next_attempt_at ≤ due_by`)
/// that no live lease holds, oldest first, and leases them until now + `lease`. Returns them
/// ordered by id.
///
/// PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` then `UPDATE`, in one transaction, so
/// concurrent workers pass each other's rows by instead of waiting. SQLite: one
/// `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`, atomic under SQLite's single writer.
pub fn claim_due(
    conn: &mut Conn,
    batch: i64,
    lease: Duration,
    due_by: NaiveDateTime,
) -> QueryResult<Vec<OutboxRow>> {
    // A batch whose every row was refused would read as "nothing due" to the worker, which
    // stops draining on an empty claim: claim again until something is left to send.
    loop {
        let rows = claim_due_rows(conn, batch, lease, due_by)?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let keep = super::refusals::refuse_undeliverable(conn, rows, |r| r.id, |r| &r.recipient)?;
        if !keep.is_empty() {
            return Ok(keep);
        }
    }
}

fn claim_due_rows(
    conn: &mut Conn,
    batch: i64,
    lease: Duration,
    due_by: NaiveDateTime,
) -> QueryResult<Vec<OutboxRow>> {
    let now = db::now();
    let until = now + TimeDelta::from_std(lease).unwrap_or(TimeDelta::MAX / 2);
    let mut rows: Vec<OutboxRow> = match conn {
        Conn::Postgres(pg) => pg.transaction(|pg| {
            let ids: Vec<i64> = outbox::table
                .select(outbox::id)
                .filter(outbox::status.eq(STATUS_PENDING))
                .filter(outbox::next_attempt_at.le(due_by))
                .filter(
                    outbox::locked_until
                        .is_null()
                        .or(outbox::locked_until.lt(now)),
                )
                .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
                .limit(batch)
                .for_update()
                .skip_locked()
                .load(pg)?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(outbox::locked_until.eq(until))
                .returning(outbox::all_columns)
                .get_results(pg)
        })?,
        Conn::Sqlite(lite) => {
            // The subquery reads the table under an alias: diesel refuses an UPDATE whose
            // WHERE selects from the very table being updated.
            let due_rows = diesel::alias!(outbox as due_rows);
            let due_ids = due_rows
                .select(due_rows.field(outbox::id))
                .filter(due_rows.field(outbox::status).eq(STATUS_PENDING))
                .filter(due_rows.field(outbox::next_attempt_at).le(due_by))
                .filter(
                    due_rows
                        .field(outbox::locked_until)
                        .is_null()
                        .or(due_rows.field(outbox::locked_until).lt(now)),
                )
                .order((
                    due_rows.field(outbox::next_attempt_at).asc(),
                    due_rows.field(outbox::id).asc(),
                ))
                .limit(batch);
            diesel::update(outbox::table.filter(outbox::id.eq_any(due_ids)))
                .set(outbox::locked_until.eq(until))
                .returning(outbox::all_columns)
                .get_results(lite)?
        }
    };
    rows.sort_unstable_by_key(|r| r.id);
    Ok(rows)
}

/// What became of one claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A transient failure: try again at `next_attempt_at`.
    Retry {
        attempts: i64,
        next_attempt_at: NaiveDateTime,
        error: String,
    },
    /// A permanent failure, or a transient one on the last allowed attempt.
    Failed {
        attempts: i64,
        error: String,
    },
    /// Not attempted (the lease was about to run out): free the row for the next claim.
    Released,
}

impl Outcome {
    /// The outcome of an attempt on a row that had `attempts_before` attempts.
    pub fn after_attempt(
        attempts_before: i64,
        result: &Result<(), super::SendError>,
        backoff: &Backoff,
        now: NaiveDateTime,
    ) -> Outcome {
        let attempts = attempts_before + 1;
        match result {
            Ok(()) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Failed {
                attempts,
                error: clip(e.reason()),
            },
            Err(e) => match backoff.next_delay(attempts) {
                Some(delay) => Outcome::Retry {
                    attempts,
                    next_attempt_at: now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX / 2),
                    error: clip(e.reason()),
                },
                None => Outcome::Failed {
                    attempts,
                    error: clip(&format!(
                        "gave up after {attempts} attempts: {}",
                        e.reason()
                    )),
                },
            },
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_ERROR_CHARS).collect()
}

/// Marks rows sent (one statement), blanking the bodies that held the personal link.
pub fn mark_sent(conn: &mut Conn, ids: &[i64], at: NaiveDateTime) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::status.eq(STATUS_SENT),
            outbox::sent_at.eq(at),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
            outbox::body_text.eq(""),
            outbox::body_html.eq(""),
            outbox::headers.eq("[]"),
        ))
        .execute(conn)
}

/// Puts a row back in the queue after a transient failure.
pub fn mark_retry(
    conn: &mut Conn,
    id: i64,
    attempts: i64,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(clip(error)),
        ))
        .execute(conn)
}

/// Marks a row failed for good, keeping the reason, blanking the bodies.
pub fn mark_failed(conn: &mut Conn, id: i64, attempts: i64, error: &str) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(STATUS_FAILED),
            outbox::attempts.eq(attempts),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(clip(error)),
            outbox::body_text.eq(""),
            outbox::body_html.eq(""),
            outbox::headers.eq("[]"),
        ))
        .execute(conn)
}

/// Frees rows this worker claimed but did not attempt, if the lease is still the one it
/// took (`locked_until = lock`): a row another worker has claimed since is left alone.
pub fn release(conn: &mut Conn, ids: &[i64], lock: NaiveDateTime) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::status.eq(STATUS_PENDING))
            .filter(outbox::locked_until.eq(lock)),
    )
    .set(outbox::locked_until.eq(None::<NaiveDateTime>))
    .execute(conn)
}

/// Records a claimed batch's outcomes in one transaction: one statement for all the sent
/// rows (the common case), one per row otherwise. `lock` is the batch's `locked_until`.
pub fn record(
    conn: &mut Conn,
    lock: NaiveDateTime,
    outcomes: &[(i64, Outcome)],
) -> QueryResult<()> {
    let now = db::now();
    conn.write_transaction(|conn| {
        let sent: Vec<i64> = outcomes
            .iter()
            .filter(|(_, o)| *o == Outcome::Sent)
            .map(|(id, _)| *id)
            .collect();
        mark_sent(conn, &sent, now)?;
        let released: Vec<i64> = outcomes
            .iter()
            .filter(|(_, o)| *o == Outcome::Released)
            .map(|(id, _)| *id)
            .collect();
        release(conn, &released, lock)?;
        for (id, outcome) in outcomes {
            match outcome {
                Outcome::Retry {
                    attempts,
                    next_attempt_at,
                    error,
                } => {
                    mark_retry(conn, *id, *attempts, *next_attempt_at, error)?;
                }
                Outcome::Failed { attempts, error } => {
                    mark_failed(conn, *id, *attempts, error)?;
                }
                Outcome::Sent | Outcome::Released => {}
            }
        }
        Ok(())
    })
}

/// The earliest moment a pending row may become claimable (now or in the past when one
/// already is), or `None` when nothing is pending.
pub fn next_due(conn: &mut Conn) -> QueryResult<Option<NaiveDateTime>> {
    use diesel::dsl::min;
    let now = db::now();
    let unlocked: Option<NaiveDateTime> = outbox::table
        .filter(outbox::status.eq(STATUS_PENDING))
        .filter(
            outbox::locked_until
                .is_null()
                .or(outbox::locked_until.lt(now)),
        )
        .select(min(outbox::next_attempt_at))
        .first(conn)?;
    let lease_ends: Option<NaiveDateTime> = outbox::table
        .filter(outbox::status.eq(STATUS_PENDING))
        .filter(outbox::locked_until.ge(now))
        .select(min(outbox::locked_until))
        .first(conn)?;
    Ok(match (unlocked, lease_ends) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Counts for `tandem mail status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxStats {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    /// Not sent because the address bounced hard.
    pub undeliverable: i64,
    /// Pending rows a worker holds right now.
    pub in_flight: i64,
    /// Pending rows that have failed at least once and wait for another attempt.
    pub retrying: i64,
    /// When the oldest pending row was written.
    pub oldest_pending: Option<NaiveDateTime>,
}

pub fn stats(conn: &mut Conn) -> QueryResult<OutboxStats> {
    use diesel::dsl::{count_star, min};
    let now = db::now();
    let by_status: Vec<(String, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, count_star()))
        .load(conn)?;
    let mut s = OutboxStats::default();
    for (status, n) in by_status {
        match status.as_str() {
            STATUS_PENDING => s.pending = n,
            STATUS_SENT => s.sent = n,
            STATUS_FAILED => s.failed = n,
            STATUS_UNDELIVERABLE => s.undeliverable = n,
            _ => {}
        }
    }
    s.in_flight = outbox::table
        .filter(outbox::status.eq(STATUS_PENDING))
        .filter(outbox::locked_until.ge(now))
        .count()
        .get_result(conn)?;
    s.retrying = outbox::table
        .filter(outbox::status.eq(STATUS_PENDING))
        .filter(outbox::attempts.gt(0))
        .count()
        .get_result(conn)?;
    s.oldest_pending = outbox::table
        .filter(outbox::status.eq(STATUS_PENDING))
        .select(min(outbox::created_at))
        .first(conn)?;
    Ok(s)
}

/// The most recent permanent failures, newest first (their bodies are already blank).
pub fn recent_failures(conn: &mut Conn, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::status.eq(STATUS_FAILED))
        .order(outbox::id.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::SendError;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn backoff(max_attempts: i64) -> Backoff {
        Backoff {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            jitter: 0.0,
            max_attempts,
        }
    }

    #[test]
    fn a_transient_failure_is_retried_after_the_backoff() {
        let o = Outcome::after_attempt(
            1,
            &Err(SendError::Transient("451 try later".into())),
            &backoff(12),
            at(),
        );
        assert_eq!(
            o,
            Outcome::Retry {
                attempts: 2,
                next_attempt_at: at() + TimeDelta::seconds(60),
                error: "451 try later".into()
            }
        );
    }

    #[test]
    fn a_permanent_failure_is_final_and_keeps_the_reason() {
        let o = Outcome::after_attempt(
            0,
            &Err(SendError::Permanent("550 no such user".into())),
            &backoff(12),
            at(),
        );
        assert_eq!(
            o,
            Outcome::Failed {
                attempts: 1,
                error: "550 no such user".into()
            }
        );
    }

    #[test]
    fn the_last_transient_failure_gives_up() {
        let o = Outcome::after_attempt(
            2,
            &Err(SendError::Transient("connection refused".into())),
            &backoff(3),
            at(),
        );
        let Outcome::Failed { attempts, error } = o else {
            panic!("expected a failure, got {o:?}");
        };
        assert_eq!(attempts, 3);
        assert!(error.contains("gave up after 3 attempts: connection refused"));
    }

    #[test]
    fn long_errors_are_clipped() {
        assert_eq!(clip(&"é".repeat(5000)).chars().count(), MAX_ERROR_CHARS);
    }

    #[test]
    fn message_ids_are_random_and_in_our_domain() {
        let a = new_message_id();
        assert!(a.starts_with('<') && a.ends_with("@tandem>"), "{a}");
        assert_ne!(a, new_message_id());
    }
}
