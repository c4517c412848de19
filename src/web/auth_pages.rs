//! Sign-in pages: `/login`, `/logout`, `/set-password/{token}` and the signed-in home `/`.
//!
//! CSRF: every form here carries a token derived from a cookie the page set (the session
//! cookie once signed in, a short-lived pre-session cookie before), checked before anything
//! else happens; see [`crate::auth::sessions`]. Refusals are 403 and change nothing.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::ApiError;
use super::AppState;
use crate::auth::passwords::{Password, MIN_LEN};
use crate::auth::sessions::{csrf_matches, csrf_token, SignIn, COOKIE, PRE_SESSION_COOKIE};
use crate::auth::throttle::WINDOW;
use crate::i18n::{en, en1};
use crate::web::extract::CurrentUser;
use crate::web::extract::{pre_session_cookie, removal_cookie, session_cookie};
use crate::web::render::{html, message_page, MessagePage};

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/set_password.html")]
struct SetPasswordPage {
    action: String,
    csrf: String,
    email: String,
    min_len: usize,
    password_error: Option<String>,
    confirm_error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    email: String,
    role: String,
    csrf: String,
    everything: bool,
    /// Links to the users and audit pages.
    admin: bool,
    /// Open and acknowledged flags in scope, for ombudsmen and administrators.
    inbox: Option<usize>,
    partnerships: Vec<PartnershipLink>,
}

struct PartnershipLink {
    id: i64,
    name: String,
    customer: String,
    supplier: String,
    visibility: String,
}

/// The one sentence for every failed sign-in, whatever the reason.
fn wrong_credentials() -> String {
    en("login-wrong")
}

fn csrf_refused() -> Result<HttpResponse, ApiError> {
    message_page(
        StatusCode::FORBIDDEN,
        &en("notice-form-expired-title"),
        &en("notice-form-expired"),
    )
}

/// 303 to `location` (after a form), never cached.
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Only paths of this site: refuses `//evil.example`, `/\evil.example` and full URLs, so
/// `next` cannot send someone elsewhere after sign-in.
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok && next != "/login" {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The pre-session cookie's secret, or a new one (then the response must set it).
fn pre_session(req: &HttpRequest) -> (String, bool) {
    match req.cookie(PRE_SESSION_COOKIE) {
        Some(c) if c.value().len() == 32 => (c.value().to_owned(), false),
        _ => (crate::secrets::new_token(), true),
    }
}

fn pre_session_ok(req: &HttpRequest, submitted: &str) -> bool {
    req.cookie(PRE_SESSION_COOKIE)
        .is_some_and(|c| csrf_matches(c.value(), submitted.trim()))
}

fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Who is signed in, and the partnerships they may open.
pub async fn home(user: CurrentUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let access = user.access.clone();
    let partnerships = state
        .db(move |conn, _| {
            Ok(
                crate::services::dashboard::visible_partnerships(conn, &access)?
                    .into_iter()
                    .map(|p| PartnershipLink {
                        id: p.id,
                        customer: p.customer,
                        supplier: p.supplier,
                        name: p.name,
                        visibility: p.visibility.label(),
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    let inbox = if user.access.can_manage_flags() {
        let access = user.access.clone();
        Some(
            state
                .db(move |conn, _| {
                    let scope = crate::services::flags::scope_of(conn, &access)?;
                    Ok(crate::services::flags::inbox(conn, &scope)?.len())
                })
                .await?,
        )
    } else {
        None
    };
    html(
        StatusCode::OK,
        HomePage {
            email: user.user.email.clone(),
            role: user.role().label(),
            csrf: user.csrf_token(),
            everything: user.access.sees_everything(),
            admin: user.access.is_admin(),
            inbox,
            partnerships,
        },
    )
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// The sign-in form.
pub async fn login_form(
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, ApiError> {
    let next = safe_next(query.next.as_deref().unwrap_or("/"));
    if CurrentUser::from_session(&req).await?.is_some() {
        return Ok(see_other(&next));
    }
    let state = crate::web::extract::app_state(&req)?;
    let (secret, fresh) = pre_session(&req);
    let mut response = html(
        StatusCode::OK,
        LoginPage {
            csrf: csrf_token(&secret),
            next,
            email: String::new(),
            error: None,
        },
    )?;
    if fresh {
        response
            .add_cookie(&pre_session_cookie(&state, secret))
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Checks the email and password; on success starts a session and goes to `next`.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if !pre_session_ok(&req, &form.csrf) {
        return csrf_refused();
    }
    let (secret, _) = pre_session(&req);
    let next = safe_next(&form.next);
    let ip = client_ip(&req);
    let previous = req.cookie(COOKIE).map(|c| c.value().to_owned());
    let email = form.email.clone();
    // The rate limit first: a refused attempt never reaches argon2.
    let attempt = state
        .db(move |conn, _| crate::services::sessions::begin_sign_in(conn, &email, &ip))
        .await?;
    let outcome = match attempt {
        None => SignIn::Throttled,
        Some(attempt) => {
            let Ok(permit) = state.hashing.enter().await else {
                state
                    .db(move |conn, _| crate::services::sessions::abandon_sign_in(conn, attempt))
                    .await?;
                return busy();
            };
            let password = form.password.clone();
            let outcome = state
                .db(move |conn, _| {
                    crate::services::sessions::sign_in(conn, attempt, &password, previous)
                })
                .await;
            drop(permit);
            outcome?
        }
    };
    let page = |error: &str| LoginPage {
        csrf: csrf_token(&secret),
        next: next.clone(),
        email: form.email.trim().to_owned(),
        error: Some(error.to_owned()),
    };
    match outcome {
        SignIn::Started { session, .. } => {
            let mut response = see_other(&next);
            response
                .add_cookie(&session_cookie(&state, session))
                .and_then(|_| response.add_cookie(&removal_cookie(&state, PRE_SESSION_COOKIE)))
                .map_err(|e| ApiError::Internal(e.into()))?;
            Ok(response)
        }
        SignIn::Refused => html(StatusCode::UNPROCESSABLE_ENTITY, page(&wrong_credentials())),
        SignIn::Throttled => {
            let minutes = WINDOW.num_minutes();
            let mut response = html(
                StatusCode::TOO_MANY_REQUESTS,
                page(&en1("login-throttled", "minutes", minutes)),
            )?;
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(WINDOW.num_seconds()),
            );
            Ok(response)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session (deletes it on the server) and forgets the cookie.
pub async fn logout(
    user: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    if user.check_csrf(&form.csrf).is_err() {
        return csrf_refused();
    }
    let session = user.session_id().to_owned();
    let email = user.user.email.clone();
    state
        .db(move |conn, _| crate::services::sessions::sign_out(conn, &session, &email))
        .await?;
    let mut response = see_other("/login");
    response
        .add_cookie(&removal_cookie(&state, COOKIE))
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(response)
}

/// 503 when the password checks in flight are at their bound ([`crate::auth::passwords::HashGate`]).
fn busy() -> Result<HttpResponse, ApiError> {
    let mut response = message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        &en("notice-busy-sign-in-title"),
        &en("notice-busy-sign-in"),
    )?;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(2));
    Ok(response)
}

fn link_not_valid() -> Result<HttpResponse, ApiError> {
    message_page(
        StatusCode::NOT_FOUND,
        &en("notice-link-unusable-title"),
        &en("notice-link-unusable"),
    )
}

/// The form behind a one-time set-password link.
pub async fn set_password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let t = token.clone();
    let user = state
        .db(move |conn, _| crate::services::sessions::link_user(conn, &t))
        .await?;
    let Some(user) = user else {
        return link_not_valid();
    };
    let (secret, fresh) = pre_session(&req);
    let mut response = html(
        StatusCode::OK,
        SetPasswordPage {
            action: format!("/set-password/{token}"),
            csrf: csrf_token(&secret),
            email: user.email,
            min_len: MIN_LEN,
            password_error: None,
            confirm_error: None,
        },
    )?;
    if fresh {
        response
            .add_cookie(&pre_session_cookie(&state, secret))
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    csrf: String,
}

/// Sets the password and uses up the link; the person then signs in.
pub async fn set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if !pre_session_ok(&req, &form.csrf) {
        return csrf_refused();
    }
    let token = token.into_inner();
    let parsed = Password::parse(&form.password);
    let mismatch = form.password != form.confirm;
    if parsed.is_err() || mismatch {
        let t = token.clone();
        let Some(user) = state
            .db(move |conn, _| crate::services::sessions::link_user(conn, &t))
            .await?
        else {
            return link_not_valid();
        };
        let (secret, _) = pre_session(&req);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            SetPasswordPage {
                action: format!("/set-password/{token}"),
                csrf: csrf_token(&secret),
                email: user.email,
                min_len: MIN_LEN,
                password_error: parsed.as_ref().err().cloned(),
                confirm_error: (parsed.is_ok() && mismatch).then(|| en("set-password-mismatch")),
            },
        );
    }
    let password = parsed.map_err(ApiError::BadRequest)?;
    // An unknown link is refused before anything waits for the hashing gate.
    let t = token.clone();
    if state
        .db(move |conn, _| crate::services::sessions::link_user(conn, &t))
        .await?
        .is_none()
    {
        return link_not_valid();
    }
    let Ok(permit) = state.hashing.enter().await else {
        return busy();
    };
    // Hashing is slow: web::block (inside db) keeps it off the actix worker.
    let done = state
        .db(move |conn, _| crate::services::sessions::set_password(conn, &token, &password))
        .await;
    drop(permit);
    let done = done?;
    if done.is_none() {
        return link_not_valid();
    }
    html(
        StatusCode::OK,
        MessagePage {
            title: en("set-password-saved-title"),
            paragraphs: vec![en("set-password-saved")],
            link: Some(("/login".into(), en("login-submit"))),
            form: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next("/partnerships/3?wave=2"),
            "/partnerships/3?wave=2"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/login",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
