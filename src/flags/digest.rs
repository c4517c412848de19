//! The weekly digest of each ombudsman: the open flags of the partnerships they see, by
//! severity, the overdue actions on them, and what is new since their last digest, queued
//! through the outbox.
//!
//! One batch is one transaction (the mails, each recipient's `last_digest_at`, one audit
//! row). A digest is claimed by moving `last_digest_at` from the value read, so two passes —
//! even two instances at once — queue it once. A digest with nothing in it is never sent and
//! leaves `last_digest_at` alone. Administrators get no digest: like the flag alerts, it goes
//! to the ombudsmen, whose job the flags are.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::rules::Severity;
use super::store::{inbox, today, InboxScope};
use super::FlagError;
use crate::auth::audit;
use crate::db::schema::{flag_actions, flags, partnerships, user_scopes, users};
use crate::db::Conn;
use crate::domain::Email;
use crate::mail::messages::{self, DigestAction, DigestFlag, DigestGroup, DigestMail};
use crate::mail::{outbox, Links};

/// How often a digest is due.
pub const DIGEST_EVERY: Duration = Duration::days(7);

/// What one digest pass did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct DigestReport {
    /// Ids of the users whose digest was queued.
    pub queued: Vec<i64>,
    /// Due, but with nothing to say.
    pub empty: usize,
}

/// Queues the digest of every active ombudsman who has not opted out and whose last digest
/// (or account, before the first) is at least [`DIGEST_EVERY`] old; with `now_anyway`, of
/// every such ombudsman whatever the date (`tandem flags digest --now`).
pub fn queue_digests(
    conn: &mut Conn,
    now: NaiveDateTime,
    links: &Links,
    actor: &str,
    now_anyway: bool,
) -> Result<DigestReport, FlagError> {
    conn.write_transaction(|conn| {
        type Candidate = (i64, String, bool, Option<NaiveDateTime>, NaiveDateTime);
        let candidates: Vec<Candidate> = users::table
            .filter(users::role.eq("ombudsman"))
            .filter(users::disabled.eq(false))
            .filter(users::digest_opt_out.eq(false))
            .order(users::id.asc())
            .select((
                users::id,
                users::email,
                users::all_partnerships,
                users::last_digest_at,
                users::created_at,
            ))
            .load(conn)?;
        let mut report = DigestReport::default();
        for (id, email, all, last, created) in candidates {
            let since = last.unwrap_or(created);
            if !now_anyway && since > now - DIGEST_EVERY {
                continue;
            }
            let scope: Vec<i64> = if all {
                partnerships::table.select(partnerships::id).load(conn)?
            } else {
                user_scopes::table
                    .filter(user_scopes::user_id.eq(id))
                    .select(user_scopes::partnership_id)
                    .load(conn)?
            };
            let to = Email::parse(&email).map_err(|why| {
                FlagError::Internal(anyhow::anyhow!("user {id}'s stored address: {why}"))
            })?;
            let name = to.as_str().split('@').next().unwrap_or("").to_owned();
            let Some(mail) = digest_of(conn, &scope, since, name, links)? else {
                report.empty += 1;
                continue;
            };
            // The claim: only the pass that moves last_digest_at from what it read sends.
            let claimed = match last {
                None => diesel::update(users::table.find(id))
                    .filter(users::last_digest_at.is_null())
                    .set(users::last_digest_at.eq(Some(now)))
                    .execute(conn)?,
                Some(at) => diesel::update(users::table.find(id))
                    .filter(users::last_digest_at.eq(at))
                    .set(users::last_digest_at.eq(Some(now)))
                    .execute(conn)?,
            };
            if claimed == 0 {
                continue;
            }
            let rendered = messages::flag_digest(&mail)
                .map_err(|e| FlagError::Internal(anyhow::anyhow!("user {id}'s digest: {e}")))?;
            outbox::enqueue(conn, &rendered.to(to, None))?;
            report.queued.push(id);
        }
        if !report.queued.is_empty() {
            let ids: Vec<String> = report.queued.iter().map(i64::to_string).collect();
            audit::audit_at(
                conn,
                now,
                actor,
                "flag.digests_queued",
                "digests",
                &format!(
                    "{} digest(s) queued, to users {}",
                    report.queued.len(),
                    ids.join(", ")
                ),
            )?;
        }
        Ok(report)
    })
}

/// The digest of the partnerships `scope`; `None` when it would say nothing.
fn digest_of(
    conn: &mut Conn,
    scope: &[i64],
    since: NaiveDateTime,
    name: String,
    links: &Links,
) -> Result<Option<DigestMail>, FlagError> {
    if scope.is_empty() {
        return Ok(None);
    }
    let base = links.base_url.trim_end_matches('/');
    let open = inbox(conn, &InboxScope::Only(scope.to_vec()))?;
    let overdue_rows: Vec<(i64, String, chrono::NaiveDate)> = flag_actions::table
        .inner_join(flags::table)
        .filter(flags::partnership_id.eq_any(scope))
        .filter(flag_actions::done_at.is_null())
        .filter(flag_actions::due_on.lt(today()))
        .order((flag_actions::due_on.asc(), flag_actions::id.asc()))
        .select((
            flag_actions::flag_id,
            flag_actions::what,
            flag_actions::due_on,
        ))
        .load(conn)?;
    if open.is_empty() && overdue_rows.is_empty() {
        return Ok(None);
    }
    // Flags of overdue actions that are no longer open are named too.
    let flag_ids: Vec<i64> = overdue_rows.iter().map(|r| r.0).collect();
    let names: HashMap<i64, (String, String)> = flags::table
        .inner_join(partnerships::table)
        .filter(flags::id.eq_any(&flag_ids))
        .select((flags::id, partnerships::name, flags::title, flags::rule))
        .load::<(i64, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, p, title, rule)| {
            let title = if !title.is_empty() {
                title
            } else {
                super::Rule::parse(&rule)
                    .map(super::Rule::words)
                    .unwrap_or(rule)
            };
            (id, (p, title))
        })
        .collect();
    let overdue: Vec<DigestAction> = overdue_rows
        .into_iter()
        .map(|(flag_id, what, due)| {
            let (partnership, flag_title) = names.get(&flag_id).cloned().unwrap_or_default();
            DigestAction {
                partnership,
                flag_title,
                what,
                due_on: due.to_string(),
                link: format!("{base}/flags/{flag_id}"),
            }
        })
        .collect();
    let new_count = open.iter().filter(|f| f.created_at > since).count();
    let groups: Vec<DigestGroup> = [Severity::High, Severity::Medium, Severity::Low]
        .into_iter()
        .filter_map(|severity| {
            let flags: Vec<DigestFlag> = open
                .iter()
                .filter(|f| f.severity == severity)
                .map(|f| DigestFlag {
                    partnership: f.partnership.clone(),
                    title: f.title.clone(),
                    scope: f.scope.clone(),
                    measured: f.measured.map(|m| format!("{m:.2}")),
                    new: f.created_at > since,
                    link: format!("{base}/flags/{}", f.id),
                })
                .collect();
            (!flags.is_empty()).then(|| DigestGroup {
                heading: severity_heading(severity, flags.len()),
                flags,
            })
        })
        .collect();
    let intro = crate::i18n::en_with(
        "mail-digest-intro",
        &[
            ("flags", &open.len()),
            ("new", &new_count),
            ("since", &crate::i18n::en_date(since)),
            ("overdue", &overdue.len()),
        ],
    );
    Ok(Some(DigestMail {
        name,
        intro,
        open_count: open.len(),
        groups,
        overdue,
        inbox_link: format!("{base}/flags"),
    }))
}

/// "High (2)": the heading of a mail's group of flags of one severity (the digest, the wave
/// summary).
pub fn severity_heading(severity: Severity, count: usize) -> String {
    let id = match severity {
        Severity::High => "mail-group-high",
        Severity::Medium => "mail-group-medium",
        Severity::Low => "mail-group-low",
    };
    crate::i18n::en1(id, "count", count)
}

/// Turns a user's weekly digest on or off; `NotFound` for an unknown address.
pub fn set_digest(conn: &mut Conn, email: &str, on: bool, actor: &str) -> Result<(), FlagError> {
    conn.write_transaction(|conn| {
        let n = diesel::update(users::table.filter(users::email.eq(email)))
            .set(users::digest_opt_out.eq(!on))
            .execute(conn)?;
        if n == 0 {
            return Err(FlagError::NotFound(crate::i18n::en1(
                "mail-problem-no-user",
                "email",
                email,
            )));
        }
        audit::audit(
            conn,
            actor,
            if on {
                "user.digest_on"
            } else {
                "user.digest_off"
            },
            &format!("user {}", crate::mail::masked(email)),
            "",
        )?;
        Ok(())
    })
}

/// Whether a user receives the weekly digest.
pub fn digest_on(conn: &mut Conn, user_id: i64) -> Result<bool, FlagError> {
    let off: bool = users::table
        .find(user_id)
        .select(users::digest_opt_out)
        .first(conn)?;
    Ok(!off)
}
