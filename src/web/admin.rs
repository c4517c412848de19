//! The administrators' pages: `/admin/users` (every user), `/admin/users/{id}` (disable or
//! enable, change role and scope, send a password reset) and `/admin/audit` (the audit log,
//! filtered and paged, with a CSV link to `/api/audit`).
//!
//! Administrators only ([`RequireRole<Admins>`]: 403 for other roles, a sign-in redirect
//! without a session). Every form carries the session's CSRF token; a change redirects
//! back (303) with a confirmation, a refusal re-renders the page with 422 and each problem
//! by its field. The use cases are `services::accounts`, shared with the API and the CLI.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::auth_pages::see_other;
use super::error::ApiError;
use super::extract::{Admins, RequireRole};
use super::render::{html, message_page};
use super::AppState;
use crate::auth::audit::AuditEntry;
use crate::auth::users::{Scope, User};
use crate::auth::Access;
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::i18n::{en, en1};
use crate::services::accounts::{self, AccessRequest, Actor, AuditQuery};

struct UserLine {
    id: i64,
    email: String,
    role: String,
    status: String,
    reach: String,
}

fn status(u: &User) -> String {
    en(if u.disabled {
        "admin-status-disabled"
    } else if u.has_password {
        "admin-status-active"
    } else {
        "admin-status-invited"
    })
}

impl UserLine {
    fn of(u: &User, scopes: &[Scope]) -> UserLine {
        UserLine {
            id: u.id,
            email: u.email.clone(),
            role: en(u.role.label_key()),
            status: status(u),
            reach: accounts::reach(u, scopes),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/admin_users.html")]
struct UsersPage {
    email: String,
    csrf: String,
    users: Vec<UserLine>,
}

/// One partnership in the scope form.
struct Choice {
    id: i64,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "pages/admin_user.html")]
struct UserPage {
    email: String,
    csrf: String,
    user: UserLine,
    disabled: bool,
    myself: bool,
    /// A confirmation after a change.
    done: Option<String>,
    /// A refusal that is not about one field of the access form (disable, reset).
    refusal: Option<String>,
    role: String,
    all_partnerships: bool,
    side: String,
    partnerships: Vec<Choice>,
    errors: Vec<FieldProblem>,
}

impl UserPage {
    fn error(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }
}

pub(super) fn page_error(e: ApiError) -> HttpResponse {
    let page = match &e {
        ApiError::NotFound(m) => message_page(StatusCode::NOT_FOUND, &en("page-not-found"), m),
        ApiError::Forbidden(m) => message_page(StatusCode::FORBIDDEN, &en("page-not-allowed"), m),
        ApiError::Unavailable(_) => message_page(
            StatusCode::SERVICE_UNAVAILABLE,
            &en("page-busy"),
            &en("page-busy-text"),
        ),
        _ => {
            use actix_web::ResponseError;
            // Logs the cause chain.
            e.error_response();
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &en("page-failed"),
                &en("page-failed-text"),
            )
        }
    };
    page.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
}

fn actor(admin: &RequireRole<Admins>) -> Actor {
    Actor {
        name: admin.user.user.email.clone(),
        user_id: Some(admin.user.user.id),
    }
}

/// `GET /admin/users`
pub async fn users_page(admin: RequireRole<Admins>, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        let rows = state.db(|conn, _| accounts::list(conn)).await?;
        html(
            StatusCode::OK,
            UsersPage {
                email: admin.user.user.email.clone(),
                csrf: admin.csrf_token(),
                users: rows.iter().map(|(u, s)| UserLine::of(u, s)).collect(),
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// What the page shows besides the stored user.
#[derive(Default)]
struct Shown {
    done: Option<String>,
    refusal: Option<String>,
    /// The access form as posted (after a refusal), else the stored values.
    form: Option<AccessRequest>,
    errors: Vec<FieldProblem>,
}

async fn render_user(
    state: &AppState,
    admin: &RequireRole<Admins>,
    id: i64,
    status_code: StatusCode,
    shown: Shown,
) -> Result<HttpResponse, ApiError> {
    let ((user, scopes), all) = state
        .db(move |conn, _| {
            let found = accounts::user(conn, id)?;
            let all =
                crate::services::dashboard::visible_partnerships(conn, &Access::administrator())?;
            Ok((found, all))
        })
        .await?;
    let form = shown.form.unwrap_or_else(|| AccessRequest {
        role: user.role.as_str().to_owned(),
        all_partnerships: user.all_partnerships,
        partnerships: scopes.iter().map(|s| s.partnership_id).collect(),
        side: scopes
            .iter()
            .find_map(|s| s.side)
            .map(|s| s.as_str().to_owned()),
    });
    html(
        status_code,
        UserPage {
            email: admin.user.user.email.clone(),
            csrf: admin.csrf_token(),
            user: UserLine::of(&user, &scopes),
            disabled: user.disabled,
            myself: admin.user.user.id == user.id,
            done: shown.done,
            refusal: shown.refusal,
            role: form.role.clone(),
            all_partnerships: form.all_partnerships,
            side: form.side.clone().unwrap_or_default(),
            partnerships: all
                .into_iter()
                .map(|p| Choice {
                    checked: form.partnerships.contains(&p.id),
                    id: p.id,
                    name: p.name,
                })
                .collect(),
            errors: shown.errors,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The confirmation after a redirect, from a fixed set (never echoes the query).
fn confirmation(done: Option<&str>) -> Option<String> {
    let id = match done? {
        "disabled" => "admin-user-done-disabled",
        "enabled" => "admin-user-done-enabled",
        "access" => "admin-user-done-access",
        "reset" => "admin-user-done-reset",
        "unchanged" => "admin-user-done-unchanged",
        _ => return None,
    };
    Some(en(id))
}

/// `GET /admin/users/{id}`
pub async fn user_page(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let result = async {
        let id = parse_id(&path)?;
        let shown = Shown {
            done: confirmation(query.done.as_deref()),
            ..Shown::default()
        };
        render_user(&state, &admin, id, StatusCode::OK, shown).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(en1("admin-problem-no-user", "raw", format!("{raw:?}"))))
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Runs one change from a form: a success redirects to the user's page with a
/// confirmation; a refusal (422, 409) re-renders the page saying why.
async fn run_change<F>(
    state: web::Data<AppState>,
    admin: RequireRole<Admins>,
    path: web::Path<String>,
    csrf: &str,
    change: F,
) -> HttpResponse
where
    F: FnOnce(&mut crate::db::Conn, Actor, i64) -> Result<&'static str, ServiceError>
        + Send
        + 'static,
{
    let result = async {
        let id = parse_id(&path)?;
        admin.check_csrf(csrf)?;
        let actor = actor(&admin);
        let done = state
            .db_write(move |conn, _| match change(conn, actor, id) {
                Err(ServiceError::Invalid(p)) => Ok(Err(p)),
                Err(ServiceError::Conflict(m)) => Ok(Err(vec![FieldProblem {
                    field: "user".into(),
                    message: m,
                }])),
                other => other.map(Ok),
            })
            .await?;
        match done {
            Ok(what) => Ok(see_other(&format!("/admin/users/{id}?done={what}"))),
            Err(problems) => {
                let refusal = problems
                    .iter()
                    .filter(|p| p.field == "user")
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>();
                let shown = Shown {
                    refusal: (!refusal.is_empty()).then(|| refusal.join(" ")),
                    errors: problems,
                    ..Shown::default()
                };
                render_user(&state, &admin, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
            }
        }
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /admin/users/{id}/disable`
pub async fn disable(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    run_change(state, admin, path, &form.csrf, |conn, actor, id| {
        let c = accounts::disable(conn, &actor, id)?;
        Ok(if c.changed { "disabled" } else { "unchanged" })
    })
    .await
}

/// `POST /admin/users/{id}/enable`
pub async fn enable(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    run_change(state, admin, path, &form.csrf, |conn, actor, id| {
        let c = accounts::enable(conn, &actor, id)?;
        Ok(if c.changed { "enabled" } else { "unchanged" })
    })
    .await
}

/// `POST /admin/users/{id}/reset`
pub async fn reset(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let links = state.links();
    let wakeup = state.mail_wakeup.clone();
    let response = run_change(state, admin, path, &form.csrf, move |conn, actor, id| {
        accounts::send_reset(conn, &actor, id, &links, crate::db::now())?;
        Ok("reset")
    })
    .await;
    if response.status() == StatusCode::SEE_OTHER {
        wakeup.notify_one();
    }
    response
}

/// The access form as posted: `role`, `all_partnerships` (a checkbox), `partnerships`
/// (repeated checkboxes), `side` (empty for both), `csrf`; and a problem for each
/// partnership value that is not an id (the form only offers ids; a hand-made request may not).
fn access_form(body: &[u8]) -> (AccessRequest, String, Vec<FieldProblem>) {
    let mut request = AccessRequest::default();
    let mut csrf = String::new();
    let mut problems = Vec::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        match key.as_ref() {
            "role" => request.role = value.into_owned(),
            "all_partnerships" => request.all_partnerships = !value.is_empty(),
            "side" => request.side = Some(value.into_owned()),
            "csrf" => csrf = value.into_owned(),
            "partnerships" => match value.trim().parse::<i64>() {
                Ok(id) => request.partnerships.push(id),
                Err(_) => problems.push(FieldProblem {
                    field: "partnerships".into(),
                    message: en1(
                        "admin-problem-not-a-partnership-id",
                        "raw",
                        format!("{:?}", value.chars().take(40).collect::<String>()),
                    ),
                }),
            },
            _ => {}
        }
    }
    (request, csrf, problems)
}

/// `POST /admin/users/{id}/access`
pub async fn change_access(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let (request, csrf, unreadable) = access_form(&body);
    let result = async {
        let id = parse_id(&path)?;
        admin.check_csrf(&csrf)?;
        let actor = actor(&admin);
        let r = request.clone();
        let done = if unreadable.is_empty() {
            state
                .db_write(
                    move |conn, _| match accounts::change_access(conn, &actor, id, &r) {
                        Err(ServiceError::Invalid(p)) => Ok(Err(p)),
                        other => other.map(Ok),
                    },
                )
                .await?
        } else {
            Err(unreadable)
        };
        match done {
            Ok(c) => Ok(see_other(&format!(
                "/admin/users/{id}?done={}",
                if c.changed { "access" } else { "unchanged" }
            ))),
            Err(problems) => {
                let shown = Shown {
                    form: Some(request),
                    errors: problems,
                    ..Shown::default()
                };
                render_user(&state, &admin, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
            }
        }
    }
    .await;
    result.unwrap_or_else(page_error)
}

struct AuditLine {
    at: String,
    actor: String,
    action: String,
    target: String,
    details: String,
}

impl AuditLine {
    fn of(e: &AuditEntry) -> AuditLine {
        AuditLine {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            details: e.details.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/admin_audit.html")]
struct AuditPage {
    email: String,
    csrf: String,
    q: AuditQuery,
    lines: Vec<AuditLine>,
    total: i64,
    first_row: i64,
    last_row: i64,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    errors: Vec<FieldProblem>,
}

impl AuditPage {
    fn value<'a>(&self, raw: &'a Option<String>) -> &'a str {
        raw.as_deref().unwrap_or("")
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// `GET /admin/audit?partnership=&user=&action=&from=&to=&page=&per_page=`
pub async fn audit_page(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let result = async {
        let asked = q.clone();
        let found = state
            .db(move |conn, _| {
                match accounts::audit_selection(conn, &asked)
                    .and_then(|s| accounts::audit_page(conn, &s))
                {
                    Err(ServiceError::Invalid(p)) => Ok(Err(p)),
                    other => other.map(Ok),
                }
            })
            .await?;
        let link = |page: i64, per_page: i64| {
            super::api::accounts::page_link("/admin/audit", &q, page, per_page)
        };
        let csv = super::api::accounts::filter_link("/api/audit", &q, &[("format", "csv".into())]);
        let (status_code, page) = match found {
            Ok(p) => (
                StatusCode::OK,
                AuditPage {
                    email: admin.user.user.email.clone(),
                    csrf: admin.csrf_token(),
                    lines: p.entries.iter().map(AuditLine::of).collect(),
                    total: p.total,
                    first_row: if p.entries.is_empty() {
                        0
                    } else {
                        (p.page - 1) * p.per_page + 1
                    },
                    last_row: (p.page - 1) * p.per_page + p.entries.len() as i64,
                    previous: (p.page > 1).then(|| link(p.page - 1, p.per_page)),
                    next: p.next.map(|n| link(n, p.per_page)),
                    csv,
                    q: q.clone(),
                    errors: Vec::new(),
                },
            ),
            Err(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                AuditPage {
                    email: admin.user.user.email.clone(),
                    csrf: admin.csrf_token(),
                    lines: Vec::new(),
                    total: 0,
                    first_row: 0,
                    last_row: 0,
                    previous: None,
                    next: None,
                    csv,
                    q: q.clone(),
                    errors: problems,
                },
            ),
        };
        html(status_code, page)
    }
    .await;
    result.unwrap_or_else(page_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_words_in_the_catalog_and_they_are_the_command_lines() {
        for role in crate::auth::Role::ALL {
            let words = crate::i18n::en_present(role.label_key());
            assert_eq!(words, role.label(), "{role:?}");
        }
    }

    #[test]
    fn the_access_form_reads_repeated_partnerships() {
        let (r, csrf, problems) =
            access_form(b"csrf=abc&role=manager&partnerships=3&partnerships=5&side=customer");
        assert_eq!(csrf, "abc");
        assert!(problems.is_empty());
        assert_eq!(r.role, "manager");
        assert_eq!(r.partnerships, vec![3, 5]);
        assert_eq!(r.side.as_deref(), Some("customer"));
        assert!(!r.all_partnerships);
        let (_, _, problems) = access_form(b"role=manager&partnerships=x1");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message, "\"x1\" is not a partnership id");
    }

    #[test]
    fn confirmations_come_from_a_fixed_set() {
        assert!(confirmation(Some("disabled")).is_some());
        assert_eq!(confirmation(Some("<script>")), None);
        assert_eq!(confirmation(None), None);
    }
}
