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

/// Which rows of the log to read (every field optional; all given must match).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Rows whose target is one of these (a partnership and its flags).
    pub targets: Option<Vec<String>>,
    /// Rows this person did or that were done to them (actor or target).
    pub person: Option<String>,
    pub action: Option<ActionFilter>,
    /// From this moment on (inclusive).
    pub from: Option<NaiveDateTime>,
    /// Before this moment (exclusive).
    pub until: Option<NaiveDateTime>,
}

/// An action filter: one action, or every action of a family (`flag.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    Exact(String),
    /// The family's prefix with its dot (`flag.`); only letters, digits, `_` and `.`, so it
    /// needs no escaping in `LIKE`.
    Family(String),
}

fn filtered(f: &AuditFilter) -> audit_log::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut q = audit_log::table.into_boxed();
    if let Some(targets) = &f.targets {
        q = q.filter(audit_log::target.eq_any(targets.clone()));
    }
    if let Some(person) = &f.person {
        q = q.filter(
            audit_log::actor
                .eq(person.clone())
                .or(audit_log::target.eq(person.clone())),
        );
    }
    match &f.action {
        Some(ActionFilter::Exact(a)) => q = q.filter(audit_log::action.eq(a.clone())),
        Some(ActionFilter::Family(prefix)) => {
            q = q.filter(audit_log::action.like(format!("{prefix}%")))
        }
        None => {}
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(from));
    }
    if let Some(until) = f.until {
        q = q.filter(audit_log::at.lt(until));
    }
    q
}

/// The rows matching `filter`, newest first (by time, then by id), `limit` of them after
/// skipping `offset`; and how many match in all.
pub fn search(
    conn: &mut Conn,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((rows, total))
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
