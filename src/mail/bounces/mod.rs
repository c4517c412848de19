//! Bounces: which mail came back, and which addresses Tandem stops mailing.
//!
//! A report ([`dsn::parse`]) is matched to the outbox row it is about by its VERP address
//! ([`verp`]; the tag must match the row) or, failing that, by the returned mail's
//! Message-ID. A hard bounce (5.x.x) marks the row's recipient undeliverable: queueing and
//! the worker then record every further mail to it as `undeliverable` with the reason
//! instead of sending it. A soft bounce (4.x.x, delayed) is recorded and the address keeps
//! getting mail; a soft bounce at least `soft_days` days after an earlier one of the same
//! address (one of the last `soft_days` + 30 days) counts as hard. Recording is idempotent: a report seen before (same key, same recipient) is
//! not recorded again. Nothing here audits or prints: `services::bounces` does.

pub mod dsn;
pub mod mailbox;
mod settings;
pub mod verp;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::outbox::OutboxRow;
use crate::db::schema::outbox;
use crate::db::{bounces as store, Conn};
pub use dsn::{DsnError, Report, Severity};
pub use settings::{BounceConfigError, BounceSettings, DEFAULT_SOFT_DAYS};

/// How far before the soft-bounce limit an earlier soft bounce still counts: an address
/// that soft-bounced once long ago and again today has not been failing all that time.
const SOFT_LOOKBACK: TimeDelta = TimeDelta::days(30);

/// What became of one recipient of one report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = BounceOutcome)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Recorded as a hard or soft bounce of outbox row `outbox_id`.
    Recorded {
        bounce_id: i64,
        outbox_id: i64,
        /// `hard` or `soft`.
        kind: String,
        /// The address, masked for logs and listings.
        recipient: String,
        status: String,
        /// A soft bounce that counted as hard because the address has soft-bounced for
        /// `soft_days` days.
        escalated: bool,
        /// The address was marked undeliverable by this report.
        now_undeliverable: bool,
    },
    /// The same report was recorded before.
    Duplicate { bounce_id: i64 },
    /// Not recorded, and why.
    Ignored { reason: String },
}

/// Records what `report` says, at `now`. Run it inside a write transaction: a report is
/// recorded whole or not at all.
pub fn record(
    conn: &mut Conn,
    report: &Report,
    settings: &BounceSettings,
    source: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<Outcome>> {
    let row = match find_mail(conn, report, settings)? {
        Ok(row) => row,
        Err(reason) => {
            return Ok(report
                .recipients
                .iter()
                .map(|_| Outcome::Ignored {
                    reason: reason.clone(),
                })
                .collect())
        }
    };
    let email = store::normalize(&row.recipient);
    let mut out = Vec::with_capacity(report.recipients.len());
    for r in &report.recipients {
        let severity = match r.severity() {
            Ok(s) => s,
            Err(reason) => {
                out.push(Outcome::Ignored { reason });
                continue;
            }
        };
        if report.recipients.len() > 1 && store::normalize(&r.recipient) != email {
            out.push(Outcome::Ignored {
                reason: format!(
                    "the report also names {}, which outbox mail {} was not sent to",
                    super::masked(&r.recipient),
                    row.id
                ),
            });
            continue;
        }
        let fingerprint = hex(&Sha256::digest(
            format!("{}\n{}\n{}\n{}", report.key, email, r.action, r.status).as_bytes(),
        ));
        if let Some(seen) = store::by_fingerprint(conn, &fingerprint)? {
            out.push(Outcome::Duplicate { bounce_id: seen.id });
            continue;
        }
        let days = TimeDelta::days(i64::from(settings.soft_days));
        let escalated = severity == Severity::Soft
            && store::first_soft(conn, &email, now - days - SOFT_LOOKBACK)?
                .is_some_and(|first| now - first >= days);
        let hard = severity == Severity::Hard || escalated;
        let diagnostic = match (escalated, &r.diagnostic) {
            (true, d) => Some(format!(
                "soft bounces for {} days or more: {}",
                settings.soft_days,
                d.as_deref().unwrap_or("no diagnostic")
            )),
            (false, d) => d.clone(),
        };
        let bounce_id = store::insert(
            conn,
            &store::NewBounce {
                fingerprint: &fingerprint,
                email: &email,
                outbox_id: Some(row.id),
                kind: if hard { "hard" } else { "soft" },
                action: &r.action,
                status: &r.status,
                diagnostic: diagnostic.as_deref(),
                source,
                received_at: now,
            },
        )?;
        let now_undeliverable = hard
            && store::mark_undeliverable(
                conn,
                &email,
                &reason_text(&r.status, diagnostic.as_deref()),
                Some(bounce_id),
                now,
            )?;
        out.push(Outcome::Recorded {
            bounce_id,
            outbox_id: row.id,
            kind: if hard { "hard" } else { "soft" }.into(),
            recipient: super::masked(&email),
            status: r.status.clone(),
            escalated,
            now_undeliverable,
        });
    }
    Ok(out)
}

fn reason_text(status: &str, diagnostic: Option<&str>) -> String {
    let text = match diagnostic {
        Some(d) => format!("{status}: {d}"),
        None => status.to_owned(),
    };
    text.chars().take(500).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The outbox row a report is about, or why none is.
fn find_mail(
    conn: &mut Conn,
    report: &Report,
    settings: &BounceSettings,
) -> QueryResult<Result<OutboxRow, String>> {
    if let Some(base) = &settings.address {
        for candidate in &report.envelope_to {
            let Some((id, tag)) = verp::parse(base, candidate) else {
                continue;
            };
            return Ok(match outbox_row(conn, id)? {
                Some(row) if verp::tag(&row.message_id) == tag => Ok(row),
                Some(_) => Err(format!(
                    "the VERP address names outbox mail {id} with a tag that does not match it (forged or mangled)"
                )),
                None => Err(format!("the VERP address names outbox mail {id}, which does not exist")),
            });
        }
    }
    if let Some(id) = &report.original_message_id {
        if let Some(row) = outbox_row_by_wire_message_id(conn, id)? {
            return Ok(Ok(row));
        }
    }
    Ok(Err(
        "no outbox mail matches: the report has no VERP address of ours and returns no Message-ID we sent".into(),
    ))
}

/// Recent bounces, newest first.
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<store::Bounce>> {
    store::recent(conn, limit)
}

/// Which of these addresses are undeliverable, keyed by normalised address.
pub fn undeliverable(
    conn: &mut Conn,
    emails: &[String],
) -> QueryResult<std::collections::HashMap<String, store::Undeliverable>> {
    let normalized: Vec<String> = emails.iter().map(|e| store::normalize(e)).collect();
    store::undeliverable_among(conn, &normalized)
}

/// One row by id.
fn outbox_row(conn: &mut Conn, id: i64) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// The row a mail went out under: its wire Message-ID `<random@from-domain>` (see
/// `Mailer::wire_message_id`) carries the stored `<random@tandem>`'s random part.
fn outbox_row_by_wire_message_id(conn: &mut Conn, wire: &str) -> QueryResult<Option<OutboxRow>> {
    let local = wire
        .trim()
        .trim_start_matches('<')
        .split('@')
        .next()
        .unwrap_or_default();
    if local.is_empty() {
        return Ok(None);
    }
    outbox::table
        .filter(outbox::message_id.eq(format!("<{local}@tandem>")))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}
