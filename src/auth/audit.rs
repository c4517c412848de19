//! The audit log: who did what to what, and when. Append-only from the application's point
//! of view. Used for sign-ins (successful and failed), user changes, and — by the modules
//! that own them — exports and flag changes.
//!
//! Conventions: `actor` is a user's email, `cli` for the command line, `admin-token` for the
//! admin API token, or `ip <address>` for an anonymous visitor; `action` is a dotted verb
//! (`sign_in.succeeded`, `sign_in.failed`, `sign_out`, `user.created`, `user.password_set`,
//! `export.csv`, `flag.acknowledged`…); `target` names the object (`user@example.com`,
//! `partnership 3`, `flag 12`); `details` is free text for people. Never write a secret,
//! a password or an individual's answers here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::Conn;

/// One row of the audit log.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    at: NaiveDateTime,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    details: &'a str,
}

/// Appends one row, timestamped now. Call it inside the transaction of the change it
/// records, so the change and its record commit together.
pub fn audit(
    conn: &mut Conn,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> QueryResult<()> {
    audit_at(conn, crate::db::now(), actor, action, target, details)
}

/// [`audit`] with an explicit time (tests, imports).
pub fn audit_at(
    conn: &mut Conn,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(&NewEntry {
            at,
            actor,
            action,
            target,
            details,
        })
        .execute(conn)
        .map(|_| ())
}

/// The latest `limit` rows, newest first.
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}

/// How many `action` rows by `actor` about `target` were written after `since` (the
/// sign-in rate limit counts failures this way).
pub fn count_since(
    conn: &mut Conn,
    actor: &str,
    action: &str,
    target: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    audit_log::table
        .filter(audit_log::at.gt(since))
        .filter(audit_log::actor.eq(actor))
        .filter(audit_log::action.eq(action))
        .filter(audit_log::target.eq(target))
        .count()
        .get_result(conn)
}
