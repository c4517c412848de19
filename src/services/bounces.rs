//! Ingesting bounces (from the bounce mailbox or the webhook), listing them, and the audit
//! trail of both. Each message is recorded in its own write transaction with its audit
//! rows; a message that is not a readable report is reported with its name and why, never
//! skipped in silence.

use std::path::Path;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::{bounces::Bounce, Conn};
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::mail::bounces::{self, mailbox, Outcome};
use crate::mail::BounceSettings;

/// What one ingested message came to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageResult {
    /// The Maildir file, `mbox#N`, or `webhook`.
    pub name: String,
    /// One outcome per recipient the report names.
    pub outcomes: Vec<Outcome>,
}

/// The counts an ingest prints, and every message that recorded nothing, with why.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct IngestSummary {
    pub messages: usize,
    pub hard: usize,
    pub soft: usize,
    /// Reports recorded by an earlier ingest.
    pub duplicates: usize,
    /// `(message name, reason)` of each report or recipient not recorded.
    pub ignored: Vec<(String, String)>,
}

impl IngestSummary {
    fn add(&mut self, result: &MessageResult) {
        self.messages += 1;
        for o in &result.outcomes {
            match o {
                Outcome::Recorded { kind, .. } if kind == "hard" => self.hard += 1,
                Outcome::Recorded { .. } => self.soft += 1,
                Outcome::Duplicate { .. } => self.duplicates += 1,
                Outcome::Ignored { reason } => {
                    self.ignored.push((result.name.clone(), reason.clone()))
                }
            }
        }
    }

    /// The counts as the audit log and the CLI say them.
    pub fn describe(&self) -> String {
        let ignored: Vec<String> = self
            .ignored
            .iter()
            .map(|(name, why)| format!("{name}: {why}"))
            .collect();
        format!(
            "{} messages: {} hard, {} soft, {} already recorded, {} ignored{}",
            self.messages,
            self.hard,
            self.soft,
            self.duplicates,
            self.ignored.len(),
            if ignored.is_empty() {
                String::new()
            } else {
                format!(" ({})", ignored.join("; "))
            }
        )
        .chars()
        .take(2000)
        .collect()
    }

    fn unreadable(&mut self, name: &str, reason: String) {
        self.messages += 1;
        self.ignored.push((name.to_owned(), reason));
    }
}

/// Records one raw report. A message that is not a report is an [`ServiceError::Invalid`]
/// naming `name` and why.
pub fn ingest_message(
    conn: &mut Conn,
    settings: &BounceSettings,
    name: &str,
    raw: &[u8],
    actor: &str,
    now: NaiveDateTime,
) -> Result<MessageResult, ServiceError> {
    let report = bounces::dsn::parse(raw).map_err(|e| {
        ServiceError::Invalid(vec![FieldProblem {
            field: name.to_owned(),
            message: e.to_string(),
        }])
    })?;
    let outcomes = conn.write_transaction(|conn| -> Result<Vec<Outcome>, ServiceError> {
        let outcomes = bounces::record(conn, &report, settings, name, now)?;
        for o in &outcomes {
            if let Outcome::Recorded {
                outbox_id,
                kind,
                recipient,
                status,
                escalated,
                now_undeliverable,
                ..
            } = o
            {
                let details = format!(
                    "{kind} bounce {status} for {recipient} from {name}{}{}",
                    if *escalated {
                        " (soft bounces over the limit of days)"
                    } else {
                        ""
                    },
                    if *now_undeliverable {
                        "; the address is now undeliverable"
                    } else {
                        ""
                    },
                );
                crate::auth::audit::audit_at(
                    conn,
                    now,
                    actor,
                    "mail.bounce",
                    &format!("outbox {outbox_id}"),
                    &details,
                )?;
            }
        }
        Ok(outcomes)
    })?;
    Ok(MessageResult {
        name: name.to_owned(),
        outcomes,
    })
}

/// Records one report posted to the webhook, like [`ingest_message`], and audits the post
/// itself (`mail.bounces_ingested`, target `webhook`) with what it came to, duplicates and
/// ignored recipients included.
pub fn ingest_posted(
    conn: &mut Conn,
    settings: &BounceSettings,
    raw: &[u8],
    actor: &str,
    now: NaiveDateTime,
) -> Result<MessageResult, ServiceError> {
    let result = ingest_message(conn, settings, "webhook", raw, actor, now)?;
    let mut summary = IngestSummary::default();
    summary.add(&result);
    crate::auth::audit::audit_at(
        conn,
        now,
        actor,
        "mail.bounces_ingested",
        "webhook",
        &summary.describe(),
    )?;
    Ok(result)
}

/// Ingests every message of a Maildir folder or mbox file; the summary counts hard and soft
/// bounces, duplicates, and every message or recipient not recorded with its reason. One
/// audit row records the ingest itself.
pub fn ingest_mailbox(
    conn: &mut Conn,
    settings: &BounceSettings,
    path: &Path,
    actor: &str,
    now: NaiveDateTime,
) -> Result<IngestSummary, ServiceError> {
    let messages = mailbox::read(path).map_err(|e| ServiceError::NotFound(e.to_string()))?;
    let mut summary = IngestSummary::default();
    for m in messages {
        let raw = match m.contents {
            Ok(raw) => raw,
            Err(reason) => {
                summary.unreadable(&m.name, reason);
                continue;
            }
        };
        match ingest_message(conn, settings, &m.name, &raw, actor, now) {
            Ok(result) => summary.add(&result),
            Err(ServiceError::Invalid(problems)) => {
                for p in problems {
                    summary.unreadable(&p.field, p.message);
                }
            }
            Err(other) => return Err(other),
        }
    }
    crate::auth::audit::audit_at(
        conn,
        now,
        actor,
        "mail.bounces_ingested",
        &path.display().to_string(),
        &summary.describe(),
    )?;
    Ok(summary)
}

/// The latest bounces, newest first.
pub fn list(conn: &mut Conn, limit: i64) -> Result<Vec<Bounce>, ServiceError> {
    Ok(bounces::recent(conn, limit)?)
}

/// One person of a roster as the roster page and API show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterPerson {
    pub id: i64,
    pub side: String,
    pub name: String,
    pub email: Option<String>,
    pub level: String,
    pub function: String,
    pub region: String,
    /// Empty when the roster gives none.
    pub business_unit: String,
    /// The person's own language; `None`: the partnership's default.
    pub language: Option<String>,
    /// The partnership's custom attributes the person has a value of: key → value.
    pub attributes: std::collections::BTreeMap<String, String>,
    pub active: bool,
    pub opted_out: bool,
    /// Why mail to this person's address is no longer sent (a hard bounce), if it is not.
    pub undeliverable: Option<UndeliverableView>,
}

/// A hard-bounced address: since when, and the bounce's status and diagnostic.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UndeliverableView {
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub since: NaiveDateTime,
    pub reason: String,
}

/// A partnership's roster (active people first, then by side and name), with each
/// address's deliverability.
pub fn roster(conn: &mut Conn, partnership_id: i64) -> Result<Vec<RosterPerson>, ServiceError> {
    super::partnerships::get(conn, partnership_id)?;
    let people = crate::db::people::for_partnership(conn, partnership_id)?;
    let emails: Vec<String> = people.iter().filter_map(|p| p.email.clone()).collect();
    let bad = bounces::undeliverable(conn, &emails)?;
    let keys: std::collections::HashMap<i64, String> =
        crate::db::attributes::list(conn, partnership_id)?
            .into_iter()
            .map(|d| (d.id, d.key))
            .collect();
    let mut values = crate::db::attributes::person_values(conn, partnership_id)?;
    let mut out: Vec<RosterPerson> = people
        .into_iter()
        .map(|p| RosterPerson {
            undeliverable: p
                .email
                .as_deref()
                .and_then(|e| bad.get(&crate::db::bounces::normalize(e)))
                .map(|u| UndeliverableView {
                    since: u.since,
                    reason: u.reason.clone(),
                }),
            id: p.id,
            side: p.side,
            name: p.name,
            email: p.email,
            level: p.level,
            function: p.function,
            region: p.region,
            business_unit: p.business_unit,
            language: p.language,
            attributes: values
                .remove(&p.id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(id, v)| keys.get(&id).map(|k| (k.clone(), v)))
                .collect(),
            active: p.active,
            opted_out: p.opted_out_at.is_some(),
        })
        .collect();
    out.sort_by(|a, b| {
        (!a.active, &a.side, &a.name, a.id).cmp(&(!b.active, &b.side, &b.name, b.id))
    });
    Ok(out)
}
