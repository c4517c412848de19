//! The bounce tables: `mail_bounces` (one row per delivery status notification event) and
//! `undeliverable_addresses` (addresses Tandem no longer mails). Addresses are stored
//! normalised (trimmed, lower-cased) by the callers in `mail::bounces`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{invitations, mail_bounces, outbox, undeliverable_addresses};
use super::Conn;

/// The outbox status of a mail not sent because its address is undeliverable.
pub const OUTBOX_UNDELIVERABLE: &str = "undeliverable";

/// The form an address is compared and stored in: trimmed and lower-cased (the local part
/// is case-sensitive in theory, never in the mail systems respondents use).
pub fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One recorded bounce.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = mail_bounces)]
pub struct Bounce {
    pub id: i64,
    pub fingerprint: String,
    pub email: String,
    pub outbox_id: Option<i64>,
    pub kind: String,
    pub action: String,
    pub status: String,
    pub diagnostic: Option<String>,
    pub source: String,
    pub received_at: NaiveDateTime,
}

/// A bounce to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_bounces)]
pub struct NewBounce<'a> {
    pub fingerprint: &'a str,
    pub email: &'a str,
    pub outbox_id: Option<i64>,
    pub kind: &'a str,
    pub action: &'a str,
    pub status: &'a str,
    pub diagnostic: Option<&'a str>,
    pub source: &'a str,
    pub received_at: NaiveDateTime,
}

/// An address that is no longer mailed.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = undeliverable_addresses)]
pub struct Undeliverable {
    pub email: String,
    pub reason: String,
    pub bounce_id: Option<i64>,
    pub since: NaiveDateTime,
}

pub fn by_fingerprint(conn: &mut Conn, fingerprint: &str) -> QueryResult<Option<Bounce>> {
    mail_bounces::table
        .filter(mail_bounces::fingerprint.eq(fingerprint))
        .select(Bounce::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut Conn, new: &NewBounce<'_>) -> QueryResult<i64> {
    diesel::insert_into(mail_bounces::table)
        .values(new)
        .returning(mail_bounces::id)
        .get_result(conn)
}

/// When `email` first soft-bounced at or after `since`, if it did.
pub fn first_soft(
    conn: &mut Conn,
    email: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    mail_bounces::table
        .filter(mail_bounces::email.eq(email))
        .filter(mail_bounces::kind.eq("soft"))
        .filter(mail_bounces::received_at.ge(since))
        .select(diesel::dsl::min(mail_bounces::received_at))
        .first(conn)
}

/// The newest bounces first.
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<Bounce>> {
    mail_bounces::table
        .order(mail_bounces::id.desc())
        .limit(limit)
        .select(Bounce::as_select())
        .load(conn)
}

/// Marks `email` undeliverable unless it already is; `true` when this call marked it.
pub fn mark_undeliverable(
    conn: &mut Conn,
    email: &str,
    reason: &str,
    bounce_id: Option<i64>,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    let exists = undeliverable_addresses::table
        .find(email)
        .select(undeliverable_addresses::email)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(false);
    }
    diesel::insert_into(undeliverable_addresses::table)
        .values((
            undeliverable_addresses::email.eq(email),
            undeliverable_addresses::reason.eq(reason),
            undeliverable_addresses::bounce_id.eq(bounce_id),
            undeliverable_addresses::since.eq(since),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Which of `emails` (normalised) are undeliverable, with why.
pub fn undeliverable_among(
    conn: &mut Conn,
    emails: &[String],
) -> QueryResult<HashMap<String, Undeliverable>> {
    let mut out = HashMap::new();
    // Chunks keep the IN list well under both backends' bound-parameter limits.
    for chunk in emails.chunks(500) {
        let rows: Vec<Undeliverable> = undeliverable_addresses::table
            .filter(undeliverable_addresses::email.eq_any(chunk))
            .select(Undeliverable::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(|u| (u.email.clone(), u)));
    }
    Ok(out)
}

/// The invitations of `wave_id` whose mail bounced hard or was refused as undeliverable.
pub fn bounced_invitations(conn: &mut Conn, wave_id: i64) -> QueryResult<HashSet<i64>> {
    let refused: Vec<Option<i64>> = outbox::table
        .inner_join(invitations::table)
        .filter(invitations::wave_id.eq(wave_id))
        .filter(outbox::status.eq(OUTBOX_UNDELIVERABLE))
        .select(outbox::invitation_id)
        .load(conn)?;
    let hard: Vec<Option<i64>> = mail_bounces::table
        .inner_join(outbox::table.inner_join(invitations::table))
        .filter(invitations::wave_id.eq(wave_id))
        .filter(mail_bounces::kind.eq("hard"))
        .select(outbox::invitation_id)
        .load(conn)?;
    Ok(refused.into_iter().chain(hard).flatten().collect())
}
