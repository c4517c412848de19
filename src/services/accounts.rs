//! Accounts as an administrator manages them (pages, API and CLI alike): disable and
//! re-enable a user, change their role and scope, send a password reset through the outbox;
//! and the audit log read back, filtered and paged (or as CSV).
//!
//! Every change is one transaction that also writes its audit row. Disabling ends the
//! user's sessions and revokes their personal API tokens in that same transaction, so the
//! next request of any of them is refused; every request also checks `users.disabled`
//! itself (`auth::sessions::resolve`, `auth::api_tokens::authenticate`). This module never
//! lets an administrator disable themself or take away their own administrator role, and
//! never writes a token or a password to the audit log.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::auth::audit::{self, ActionFilter, AuditEntry, AuditFilter};
use crate::auth::users::{self, Scope, User};
use crate::auth::{api_tokens, sessions, tokens, Role};
use crate::db::schema::{flags, partnerships};
use crate::db::Conn;
use crate::domain::{FieldProblem, Side};
use crate::error::ServiceError;
use crate::i18n::{en, en1, en2};
use crate::mail::messages::{self, PasswordResetMail};
use crate::mail::{outbox, Links};

/// Who asks for a change: the name the audit log gives them (an email, `admin-token` or
/// `cli`) and, for a person, their user id (to refuse changes to themself).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub user_id: Option<i64>,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            name: "cli".into(),
            user_id: None,
        }
    }
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// A user with their scopes; 404 when there is no such user.
pub fn user(conn: &mut Conn, id: i64) -> Result<(User, Vec<Scope>), ServiceError> {
    let user = users::get(conn, id)?
        .ok_or_else(|| ServiceError::NotFound(en1("admin-problem-no-user", "raw", id)))?;
    let scopes = users::scopes(conn, id)?;
    Ok((user, scopes))
}

/// The user with this email (any case); 404 when there is none.
pub fn user_by_email(conn: &mut Conn, email: &str) -> Result<User, ServiceError> {
    users::find_by_email(conn, &email.trim().to_lowercase())?
        .ok_or_else(|| ServiceError::NotFound(en1("account-problem-no-user-email", "email", email)))
}

/// What a change did: the user as they are now, and whether anything changed (disabling a
/// disabled user changes nothing and writes no audit row).
#[derive(Debug, Clone)]
pub struct Changed {
    pub user: User,
    pub scopes: Vec<Scope>,
    pub changed: bool,
}

fn changed(conn: &mut Conn, id: i64, did: bool) -> Result<Changed, ServiceError> {
    let (user, scopes) = user(conn, id)?;
    Ok(Changed {
        user,
        scopes,
        changed: did,
    })
}

/// Disables the user: they cannot sign in, every session of theirs ends now, and their
/// personal API tokens are revoked — with the audit row `user.disabled`, in one transaction.
/// An administrator cannot disable themself (422).
pub fn disable(conn: &mut Conn, actor: &Actor, id: i64) -> Result<Changed, ServiceError> {
    if actor.user_id == Some(id) {
        return Err(ServiceError::Invalid(vec![problem(
            "user",
            en("account-problem-disable-yourself"),
        )]));
    }
    conn.write_transaction(|conn| {
        let (target, _) = user(conn, id)?;
        if !users::set_disabled(conn, id, true)? {
            return changed(conn, id, false);
        }
        let ended = sessions::end_all(conn, id)?;
        let revoked = api_tokens::revoke_all(conn, id)?;
        audit::audit(
            conn,
            &actor.name,
            "user.disabled",
            &target.email,
            &format!("{ended} session(s) ended, {revoked} API token(s) revoked"),
        )?;
        changed(conn, id, true)
    })
}

/// Enables a disabled user again: they can sign in (their old sessions and tokens stay
/// gone). Audited as `user.enabled`.
pub fn enable(conn: &mut Conn, actor: &Actor, id: i64) -> Result<Changed, ServiceError> {
    conn.write_transaction(|conn| {
        let (target, _) = user(conn, id)?;
        if !users::set_disabled(conn, id, false)? {
            return changed(conn, id, false);
        }
        audit::audit(conn, &actor.name, "user.enabled", &target.email, "")?;
        changed(conn, id, true)
    })
}

/// A new role and scope as typed (page form, JSON body or CLI flags): `partnerships` empty
/// with `all_partnerships` for an ombudsman who sees everything; `side` (`customer` or
/// `supplier`, empty for both) only for a relationship manager.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AccessRequest {
    /// `admin`, `manager` or `ombudsman`.
    pub role: String,
    /// Every partnership, present and future (ombudsmen only).
    #[serde(default)]
    pub all_partnerships: bool,
    /// The partnerships the user sees (managers; ombudsmen without `all_partnerships`).
    #[serde(default)]
    pub partnerships: Vec<i64>,
    /// A manager's one side of those partnerships; omit (or null) for both.
    #[serde(default)]
    pub side: Option<String>,
}

/// A role with its scopes (partnership, one side or both) and "every partnership".
type CheckedAccess = (Role, Vec<(i64, Option<Side>)>, bool);

/// The request checked: every problem at once, each naming its field.
fn check_access(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    request: &AccessRequest,
) -> Result<CheckedAccess, ServiceError> {
    let mut problems = Vec::new();
    let role = match request.role.parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(problem("role", e));
            None
        }
    };
    let side = match request.side.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match raw.parse::<Side>() {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push(problem(
                    "side",
                    en1("account-problem-side", "raw", format!("{raw:?}")),
                ));
                None
            }
        },
    };
    if actor.user_id == Some(id) && role.is_some_and(|r| r != Role::Admin) {
        problems.push(problem("role", en("account-problem-demote-yourself")));
    }
    let all = request.all_partnerships;
    let named = &request.partnerships;
    match role {
        Some(Role::Admin) => {
            if !named.is_empty() {
                problems.push(problem("partnerships", en("account-problem-admin-named")));
            }
            if all {
                problems.push(problem("all_partnerships", en("account-problem-admin-all")));
            }
        }
        Some(Role::Manager) => {
            if all {
                problems.push(problem(
                    "all_partnerships",
                    en("account-problem-manager-all"),
                ));
            }
            if named.is_empty() {
                problems.push(problem("partnerships", en("account-problem-manager-none")));
            }
        }
        Some(Role::Ombudsman) if all != named.is_empty() => {
            problems.push(problem(
                "partnerships",
                en("account-problem-ombudsman-both"),
            ));
        }
        Some(Role::Ombudsman) | None => {}
    }
    if side.is_some() && role.is_some_and(|r| r != Role::Manager) {
        problems.push(problem("side", en("account-problem-side-not-manager")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in named {
        if !seen.insert(*p) {
            problems.push(problem(
                "partnerships",
                en1("account-problem-partnership-twice", "id", p),
            ));
            continue;
        }
        let exists: bool = diesel::select(diesel::dsl::exists(
            partnerships::table.filter(partnerships::id.eq(*p)),
        ))
        .get_result(conn)?;
        if !exists {
            problems.push(problem(
                "partnerships",
                en1("access-problem-no-partnership", "id", p),
            ));
        }
    }
    match role {
        Some(role) if problems.is_empty() => Ok((
            role,
            named.iter().map(|p| (*p, side)).collect(),
            all && role == Role::Ombudsman,
        )),
        _ => Err(ServiceError::Invalid(problems)),
    }
}

/// What a user reaches, in words ([`super::users::describe_reach`]).
pub fn reach(user: &User, scopes: &[Scope]) -> String {
    let pairs: Vec<(i64, Option<Side>)> =
        scopes.iter().map(|s| (s.partnership_id, s.side)).collect();
    super::users::describe_reach(user, &pairs)
}

/// Changes the user's role and scope; the next request of their sessions and tokens sees
/// the new reach. Audited as `user.access_changed` with the before and after.
pub fn change_access(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    request: &AccessRequest,
) -> Result<Changed, ServiceError> {
    conn.write_transaction(|conn| {
        let (before, before_scopes) = user(conn, id)?;
        let (role, scopes, all) = check_access(conn, actor, id, request)?;
        users::set_access(conn, id, role, &scopes, all)?;
        let now = changed(conn, id, true)?;
        let was = format!("{}; {}", before.role, reach(&before, &before_scopes));
        let is = format!("{}; {}", now.user.role, reach(&now.user, &now.scopes));
        if was == is {
            return Ok(Changed {
                changed: false,
                ..now
            });
        }
        audit::audit(
            conn,
            &actor.name,
            "user.access_changed",
            &before.email,
            &format!("{was} → {is}"),
        )?;
        Ok(now)
    })
}

/// A reset just queued.
#[derive(Debug, Clone)]
pub struct ResetSent {
    pub user: User,
    /// When the link stops working.
    pub expires_at: NaiveDateTime,
    /// The outbox row of the mail.
    pub outbox_id: i64,
}

/// Sends the user a one-time link to set a new password ([`tokens::RESET_LIFETIME`],
/// voiding earlier unused links), through the outbox, with the audit row
/// `user.password_reset_sent`, in one transaction. A disabled user is refused (409): enable
/// them first. The current password keeps working until the link is used.
pub fn send_reset(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    links: &Links,
    now: NaiveDateTime,
) -> Result<ResetSent, ServiceError> {
    conn.write_transaction(|conn| {
        let (target, _) = user(conn, id)?;
        if target.disabled {
            return Err(ServiceError::Conflict(en1(
                "account-problem-reset-disabled",
                "email",
                &target.email,
            )));
        }
        let recipient = crate::domain::Email::parse(&target.email).map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("user {id} has a stored email that {e}"))
        })?;
        let token = tokens::issue_for(conn, id, now, tokens::RESET_LIFETIME)?;
        let expires_at = now + tokens::RESET_LIFETIME;
        let mail = PasswordResetMail {
            email: target.email.clone(),
            link: links.set_password(&token),
            expires: expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        };
        let rendered = messages::password_reset(&mail)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("the password reset mail: {e}")))?;
        let outbox_id = outbox::enqueue(conn, &rendered.to(recipient, None))?;
        audit::audit_at(
            conn,
            now,
            &actor.name,
            "user.password_reset_sent",
            &target.email,
            &format!("one-time link valid until {}", mail.expires),
        )?;
        Ok(ResetSent {
            user: target,
            expires_at,
            outbox_id,
        })
    })
}

/// Every user with their scopes, oldest first.
pub fn list(conn: &mut Conn) -> Result<Vec<(User, Vec<Scope>)>, ServiceError> {
    super::users::list(conn)
}

/// The audit log's filters as typed (query string, page form): every field optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub partnership: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

/// Rows per page unless asked otherwise, and the most a page may have.
pub const PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;
/// The most rows one CSV export writes.
pub const MAX_CSV_ROWS: i64 = 100_000;

/// The query checked: the filter, the page (from 1) and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSelection {
    pub filter: AuditFilter,
    pub page: i64,
    pub per_page: i64,
}

/// A filter's value without the spaces, tabs and line breaks around it; `None` when nothing
/// is left. Exactly the characters the API's query patterns allow around a value (`[ \t\r\n]`),
/// so the document and the answers agree on what a blank parameter is.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref()
        .map(|s| s.trim_matches([' ', '\t', '\r', '\n']))
        .filter(|s| !s.is_empty())
}

fn shown(raw: &str) -> String {
    raw.chars().take(40).collect()
}

/// A bound of the date range: a day (`YYYY-MM-DD`, UTC) or an RFC 3339 time. `from` starts
/// at the day's first moment; `to` includes its whole day (or its exact moment).
fn bound(raw: &str, field: &str, end: bool) -> Result<NaiveDateTime, FieldProblem> {
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let start = day.and_time(chrono::NaiveTime::MIN);
        return Ok(if end {
            start + TimeDelta::days(1)
        } else {
            start
        });
    }
    match chrono::DateTime::parse_from_rfc3339(raw) {
        Ok(t) => {
            let t = t.naive_utc();
            Ok(if end {
                t + TimeDelta::microseconds(1)
            } else {
                t
            })
        }
        Err(e) => Err(problem(
            field,
            en2(
                "audit-problem-date",
                "raw",
                format!("{:?}", shown(raw)),
                "error",
                e,
            ),
        )),
    }
}

fn positive(raw: Option<&str>, field: &str, default: i64, max: i64) -> Result<i64, FieldProblem> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    match raw.parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(problem(
            field,
            en2(
                "audit-problem-whole-number",
                "raw",
                format!("{:?}", shown(raw)),
                "max",
                max,
            ),
        )),
    }
}

/// Checks the filters (every problem at once, each naming its field) and turns a
/// partnership into the targets that concern it: the partnership and its flags.
pub fn audit_selection(conn: &mut Conn, q: &AuditQuery) -> Result<AuditSelection, ServiceError> {
    let mut problems = Vec::new();
    let mut filter = AuditFilter::default();
    if let Some(raw) = given(&q.partnership) {
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => {
                let flag_ids: Vec<i64> = flags::table
                    .filter(flags::partnership_id.eq(id))
                    .select(flags::id)
                    .load(conn)?;
                let mut targets = vec![format!("partnership {id}")];
                targets.extend(flag_ids.into_iter().map(|f| format!("flag {f}")));
                filter.targets = Some(targets);
            }
            _ => problems.push(problem(
                "partnership",
                en1(
                    "admin-problem-not-a-partnership-id",
                    "raw",
                    format!("{:?}", shown(raw)),
                ),
            )),
        }
    }
    if let Some(raw) = given(&q.user) {
        filter.person = Some(raw.to_lowercase());
    }
    if let Some(raw) = given(&q.action) {
        let (name, family) = match raw.strip_suffix('*') {
            Some(prefix) => (prefix, true),
            None => (raw, false),
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            && (!family || name.ends_with('.'));
        if valid {
            filter.action = Some(if family {
                ActionFilter::Family(name.to_owned())
            } else {
                ActionFilter::Exact(name.to_owned())
            });
        } else {
            problems.push(problem(
                "action",
                en1("audit-problem-action", "raw", format!("{:?}", shown(raw))),
            ));
        }
    }
    match given(&q.from).map(|raw| bound(raw, "from", false)) {
        Some(Ok(t)) => filter.from = Some(t),
        Some(Err(p)) => problems.push(p),
        None => {}
    }
    match given(&q.to).map(|raw| bound(raw, "to", true)) {
        Some(Ok(t)) => filter.until = Some(t),
        Some(Err(p)) => problems.push(p),
        None => {}
    }
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if until <= from {
            problems.push(problem("to", en("audit-problem-range")));
        }
    }
    let page = positive(given(&q.page), "page", 1, i64::MAX / MAX_PER_PAGE).unwrap_or_else(|p| {
        problems.push(p);
        1
    });
    let per_page =
        positive(given(&q.per_page), "per_page", PER_PAGE, MAX_PER_PAGE).unwrap_or_else(|p| {
            problems.push(p);
            PER_PAGE
        });
    if problems.is_empty() {
        Ok(AuditSelection {
            filter,
            page,
            per_page,
        })
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// One page of the audit log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: i64,
    pub per_page: i64,
    /// Rows matching the filters, on every page.
    pub total: i64,
    /// The next page's number, when there is one.
    pub next: Option<i64>,
}

/// The page the selection asks for, newest first.
pub fn audit_page(conn: &mut Conn, s: &AuditSelection) -> Result<AuditPage, ServiceError> {
    let offset = (s.page - 1) * s.per_page;
    let (entries, total) = audit::search(conn, &s.filter, offset, s.per_page)?;
    Ok(AuditPage {
        entries,
        page: s.page,
        per_page: s.per_page,
        total,
        next: (offset + s.per_page < total).then_some(s.page + 1),
    })
}

/// Every row matching the selection's filters (not only one page), newest first, as CSV:
/// `id,at,actor,action,target,details`, each text cell neutralised against formulas
/// ([`crate::reports::csv::neutralise`]). At most [`MAX_CSV_ROWS`] rows; more is refused
/// (narrow the filters).
pub fn audit_csv(conn: &mut Conn, s: &AuditSelection) -> Result<String, ServiceError> {
    let (entries, total) = audit::search(conn, &s.filter, 0, MAX_CSV_ROWS)?;
    if total > MAX_CSV_ROWS {
        return Err(ServiceError::Invalid(vec![problem(
            "format",
            en2(
                "audit-problem-too-many",
                "total",
                total,
                "max",
                MAX_CSV_ROWS,
            ),
        )]));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: [&str; 6]| {
        out.write_record(
            row.iter()
                .map(|c| crate::reports::csv::neutralise(c).into_owned()),
        )
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("writing the audit CSV: {e}")))
    };
    write(
        &mut out,
        ["id", "at", "actor", "action", "target", "details"],
    )?;
    for e in &entries {
        write(
            &mut out,
            [
                &e.id.to_string(),
                &e.at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                &e.actor,
                &e.action,
                &e.target,
                &e.details,
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("writing the audit CSV: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("the audit CSV is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_bound_covers_the_whole_day() {
        let from = bound("2026-12-04", "from", false).unwrap();
        let to = bound("2026-12-04", "to", true).unwrap();
        assert_eq!(from.to_string(), "2026-12-04 00:00:00");
        assert_eq!(to.to_string(), "2026-12-05 00:00:00");
        let t = bound("2026-12-04T10:00:00+01:00", "from", false).unwrap();
        assert_eq!(t.to_string(), "2026-12-04 09:00:00");
        let bad = bound("04/12/2026", "from", false).unwrap_err();
        assert_eq!(bad.field, "from");
        assert!(bad.message.starts_with("\"04/12/2026\" is not a date"));
    }

    #[test]
    fn page_numbers_are_checked() {
        assert_eq!(positive(None, "page", 1, 10), Ok(1));
        assert_eq!(positive(Some("3"), "page", 1, 10), Ok(3));
        assert!(positive(Some("0"), "page", 1, 10).is_err());
        assert!(positive(Some("11"), "page", 1, 10).is_err());
        assert!(positive(Some("x"), "page", 1, 10).is_err());
    }

    #[test]
    fn a_refused_page_names_its_exact_bound() {
        let max = i64::MAX / MAX_PER_PAGE;
        let refused = positive(Some("0"), "page", 1, max).unwrap_err();
        assert_eq!(
            refused.message,
            "\"0\" is not a whole number from 1 to 18446744073709551"
        );
        let refused = positive(Some("x"), "per_page", PER_PAGE, MAX_PER_PAGE).unwrap_err();
        assert_eq!(refused.message, "\"x\" is not a whole number from 1 to 500");
    }
}
