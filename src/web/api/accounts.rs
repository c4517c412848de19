//! `/api/users…` and `/api/audit`: accounts and the audit log, for administrators only
//! ([`Admin`]: the admin token, or an administrator's session or personal token). Disable,
//! enable, change role and scope, send a password reset; read the audit log filtered, newest
//! first, paged (or as CSV). Every change is audited naming the administrator (or
//! `admin-token`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::auth::Admin;
use crate::auth::audit::AuditEntry;
use crate::auth::users::{Scope, User};
use crate::domain::Side;
use crate::services::accounts::{self, AccessRequest, Actor, AuditQuery, Changed};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// A user as the API shows one (never a password or a token).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    /// `admin`, `manager` or `ombudsman`.
    pub role: String,
    pub all_partnerships: bool,
    pub disabled: bool,
    /// False until the person has used a set-password link.
    pub has_password: bool,
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    pub scopes: Vec<ScopeView>,
    /// What the user reaches, in words.
    pub reach: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub partnership_id: i64,
    /// One side only (a relationship manager), or null for both.
    pub side: Option<Side>,
}

impl UserView {
    pub fn of(user: &User, scopes: &[Scope]) -> UserView {
        UserView {
            id: user.id,
            email: user.email.clone(),
            role: user.role.as_str().to_owned(),
            all_partnerships: user.all_partnerships,
            disabled: user.disabled,
            has_password: user.has_password,
            created_at: user.created_at,
            scopes: scopes
                .iter()
                .map(|s| ScopeView {
                    partnership_id: s.partnership_id,
                    side: s.side,
                })
                .collect(),
            reach: accounts::reach(user, scopes),
        }
    }
}

/// What a change answers: the user as they are now, and whether anything changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub user: UserView,
    /// False when the user was already so (nothing was written, nothing audited).
    pub changed: bool,
}

impl From<Changed> for ChangeView {
    fn from(c: Changed) -> Self {
        ChangeView {
            user: UserView::of(&c.user, &c.scopes),
            changed: c.changed,
        }
    }
}

fn actor(admin: &Admin) -> Actor {
    Actor {
        name: admin.actor().to_owned(),
        user_id: admin.user.as_ref().map(|(id, _)| *id),
    }
}

fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no user with id {raw:?}")))
}

/// Every user, oldest first, with role, scopes and status.
#[utoipa::path(get, path = "/api/users", tag = "accounts",
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody)))]
pub async fn list(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = state.db(|conn, _| accounts::list(conn)).await?;
    let out: Vec<UserView> = rows.iter().map(|(u, s)| UserView::of(u, s)).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "user id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody)))]
pub async fn show(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&id)?;
    let (user, scopes) = state.db(move |conn, _| accounts::user(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserView::of(&user, &scopes)))
}

/// Disable a user: they cannot sign in, their sessions end at once and their personal API
/// tokens are revoked. Audited as `user.disabled`. An administrator cannot disable
/// themself (422).
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "accounts",
    params(("id" = i64, Path, description = "user id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = ChangeView), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 422, description = "the caller's own account", body = ErrorBody)))]
pub async fn disable(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&id)?;
    let actor = actor(&admin);
    let done = state
        .db_write(move |conn, _| accounts::disable(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(ChangeView::from(done)))
}

/// Enable a disabled user: they can sign in again (old sessions and tokens stay ended).
/// Audited as `user.enabled`.
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "accounts",
    params(("id" = i64, Path, description = "user id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = ChangeView), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody)))]
pub async fn enable(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&id)?;
    let actor = actor(&admin);
    let done = state
        .db_write(move |conn, _| accounts::enable(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(ChangeView::from(done)))
}

/// Replace a user's role and scope: `{"role": "manager", "partnerships": [3], "side":
/// "customer"}`, `{"role": "ombudsman", "all_partnerships": true}`, `{"role": "admin"}`.
/// The user's next request (session or token) has the new reach. Audited as
/// `user.access_changed` with the before and after.
#[utoipa::path(put, path = "/api/users/{id}/access", tag = "accounts",
    params(("id" = i64, Path, description = "user id")),
    request_body = AccessRequest,
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = ChangeView), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 422, description = "every problem, by field (role, partnerships, all_partnerships, side)", body = ErrorBody)))]
pub async fn change_access(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AccessRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&id)?;
    let actor = actor(&admin);
    let request = body.into_inner();
    let done = state
        .db_write(move |conn, _| accounts::change_access(conn, &actor, id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(ChangeView::from(done)))
}

/// A password reset just queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetView {
    pub user: String,
    /// When the link stops working.
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: NaiveDateTime,
    /// The outbox row of the mail (see `tandem mail status`).
    pub outbox_id: i64,
}

/// Mail the user a one-time link to set a new password (valid 24 hours, once; it voids
/// earlier unused links), through the outbox. Their current password works until the link
/// is used; using it ends their other sessions. Audited as `user.password_reset_sent`.
#[utoipa::path(post, path = "/api/users/{id}/password-reset", tag = "accounts",
    params(("id" = i64, Path, description = "user id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 202, description = "the mail is queued", body = ResetView), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "the user is disabled", body = ErrorBody)))]
pub async fn password_reset(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&id)?;
    let actor = actor(&admin);
    let links = state.links();
    let sent = state
        .db_write(move |conn, _| accounts::send_reset(conn, &actor, id, &links, crate::db::now()))
        .await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Accepted().json(ResetView {
        user: sent.user.email,
        expires_at: sent.expires_at,
        outbox_id: sent.outbox_id,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Rows about this partnership: its own and its flags' (a partnership id). Spaces, tabs
    /// and line breaks around a filter's value are ignored; a blank filter is no filter.
    #[param(pattern = "^[ \\t\\r\\n]*([0-9]{1,18})?[ \\t\\r\\n]*$")]
    pub partnership: Option<String>,
    /// Rows this person did or that were done to them: an email, or an actor such as `cli`
    /// or `admin-token`
    pub user: Option<String>,
    /// One action (`user.disabled`), or a family (`flag.*`)
    pub action: Option<String>,
    /// From this day (YYYY-MM-DD, UTC) or moment (RFC 3339) on
    #[param(
        pattern = "^[ \\t\\r\\n]*([0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?)?[ \\t\\r\\n]*$"
    )]
    pub from: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, UTC) or moment (RFC 3339)
    #[param(
        pattern = "^[ \\t\\r\\n]*([0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?)?[ \\t\\r\\n]*$"
    )]
    pub to: Option<String>,
    /// Page number, from 1 (default 1)
    #[param(pattern = "^[ \\t\\r\\n]*([1-9][0-9]{0,8})?[ \\t\\r\\n]*$")]
    pub page: Option<String>,
    /// Rows per page, 1 to 500 (default 50)
    #[param(pattern = "^[ \\t\\r\\n]*([1-9][0-9]?|[1-4][0-9]{2}|500)?[ \\t\\r\\n]*$")]
    pub per_page: Option<String>,
    /// json (default) or csv (every matching row, not one page); empty is the default
    #[param(pattern = "^(json|csv)?$")]
    pub format: Option<String>,
}

/// One row of the audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        AuditRow {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            details: e.details,
        }
    }
}

/// One page of the audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageView {
    /// Newest first.
    pub entries: Vec<AuditRow>,
    pub page: i64,
    pub per_page: i64,
    /// Rows matching the filters, on all pages.
    pub total: i64,
    /// The next page (path and query), or null on the last page; also in the `Link` header.
    pub next: Option<String>,
}

/// `path` with the same filters and `extra` parameters (a page, a format).
pub fn filter_link(path: &str, q: &AuditQuery, extra: &[(&str, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("partnership", &q.partnership),
        ("user", &q.user),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.append_pair(key, v);
        }
    }
    for (key, value) in extra {
        out.append_pair(key, value);
    }
    format!("{path}?{}", out.finish())
}

/// `path` at page `page` with the same filters.
pub fn page_link(path: &str, q: &AuditQuery, page: i64, per_page: i64) -> String {
    filter_link(
        path,
        q,
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
}

/// The audit log, newest first: filtered by partnership, user, action and date range, one
/// page at a time (`next` and a `Link: <…>; rel="next"` header point at the next page), or
/// every matching row as CSV (`format=csv`; cells that a spreadsheet would run as a formula
/// are prefixed with `'`). Administrators only.
#[utoipa::path(get, path = "/api/audit", tag = "accounts",
    params(AuditParams),
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, description = "a page (JSON) or every matching row (CSV: id, at, actor, action, target, details)", content(
            (AuditPageView = "application/json"),
            (String = "text/csv"))),
        (status = 400, description = "an unknown format", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 422, description = "every bad filter, by field (partnership, action, from, to, page, per_page)", body = ErrorBody)))]
pub async fn audit(
    _: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    // Exactly as documented (`^(json|csv)?$`): an empty value is the default.
    let csv = match p.format.as_deref() {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format {:?} is not known (json or csv)",
                other.chars().take(20).collect::<String>()
            )))
        }
    };
    let query = AuditQuery {
        partnership: p.partnership,
        user: p.user,
        action: p.action,
        from: p.from,
        to: p.to,
        page: p.page,
        per_page: p.per_page,
    };
    if csv {
        let q = query.clone();
        let body = state
            .db(move |conn, _| {
                let selection = accounts::audit_selection(conn, &q)?;
                accounts::audit_csv(conn, &selection)
            })
            .await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ))
            .body(body));
    }
    let q = query.clone();
    let page = state
        .db(move |conn, _| {
            let selection = accounts::audit_selection(conn, &q)?;
            accounts::audit_page(conn, &selection)
        })
        .await?;
    let next = page
        .next
        .map(|n| page_link(req.path(), &query, n, page.per_page));
    let mut response = HttpResponse::Ok();
    if let Some(link) = &next {
        response.insert_header((header::LINK, format!("<{link}>; rel=\"next\"")));
    }
    Ok(response.json(AuditPageView {
        entries: page.entries.into_iter().map(AuditRow::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        next,
    }))
}
