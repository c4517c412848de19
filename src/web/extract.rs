//! The web side of access: the [`CurrentUser`] extractor (from the session cookie), the
//! [`RequireRole`] guard, and the cookies.
//!
//! A request without a valid session is answered with a redirect to `/login` (303, with
//! `next` set so the person comes back) for pages, and with 401 JSON for `/api/…`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest, HttpResponse, ResponseError};

use crate::auth::access::{Access, Visibility};
use crate::auth::sessions::{csrf_matches, csrf_token, COOKIE, PRE_SESSION_COOKIE};
use crate::auth::users::User;
use crate::auth::Role;
use crate::web::error::ApiError;
use crate::web::AppState;

/// The signed-in person of a request, with what they may see.
///
/// Pages that concern one partnership call [`CurrentUser::require_partnership`] (JSON 404)
/// or `user.access.check_partnership(id)` (to render their own 404 page) before reading
/// anything; forms that change state call [`CurrentUser::check_csrf`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub access: Access,
    session: String,
}

impl CurrentUser {
    /// The token every form of this session must send back as field `csrf` (or header
    /// `X-CSRF-Token`).
    pub fn csrf_token(&self) -> String {
        csrf_token(&self.session)
    }

    /// Refuses (403) a state-changing request whose CSRF token is missing or wrong.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), ApiError> {
        if csrf_matches(&self.session, submitted.trim()) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "the form's security token is missing or out of date; reload the page and try again".into(),
            ))
        }
    }

    /// The access check for one partnership: what this user may see of it, or a 404 that
    /// reads exactly like a missing partnership.
    pub fn require_partnership(&self, id: i64) -> Result<Visibility, ApiError> {
        self.access
            .check_partnership(id)
            .map_err(|e| ApiError::NotFound(e.to_string()))
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The raw session id (sign-out ends it). A secret: never log, render or store it.
    pub fn session_id(&self) -> &str {
        &self.session
    }

    /// The session of a request, if any and valid. Errors only for database trouble.
    pub async fn from_session(req: &HttpRequest) -> Result<Option<CurrentUser>, ApiError> {
        let Some(cookie) = req.cookie(COOKIE) else {
            return Ok(None);
        };
        let token = cookie.value().to_owned();
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let state = app_state(req)?;
        let t = token.clone();
        let found = state
            .db(move |conn, _| crate::services::sessions::resolve(conn, &t))
            .await?;
        Ok(found.map(|(user, scopes)| CurrentUser {
            access: Access::for_user(&user, &scopes),
            user,
            session: token,
        }))
    }
}

pub(crate) fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))
}

fn is_api(req: &HttpRequest) -> bool {
    req.path() == "/api" || req.path().starts_with("/api/")
}

/// Why a request did not get a [`CurrentUser`] or passed no [`RequireRole`].
#[derive(Debug, thiserror::Error)]
pub enum AuthRejection {
    /// A page without a session: go and sign in, then come back to `next`.
    #[error("sign in first")]
    SignIn { next: String },
    /// A page refused for the signed-in person's role.
    #[error("{0}")]
    PageForbidden(String),
    /// Anything for the JSON API, or an unexpected failure.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            AuthRejection::SignIn { .. } => StatusCode::SEE_OTHER,
            AuthRejection::PageForbidden(_) => StatusCode::FORBIDDEN,
            AuthRejection::Api(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AuthRejection::SignIn { next } => {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/login?next={encoded}")))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish()
            }
            AuthRejection::PageForbidden(message) => super::render::message_page(
                StatusCode::FORBIDDEN,
                &crate::i18n::en("notice-page-closed-title"),
                message,
            )
            .unwrap_or_else(|e| e.error_response()),
            AuthRejection::Api(e) => e.error_response(),
        }
    }
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl FromRequest for CurrentUser {
    type Error = AuthRejection;
    type Future = LocalFuture<Result<CurrentUser, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match CurrentUser::from_session(&req).await? {
                Some(user) => Ok(user),
                None if is_api(&req) => Err(AuthRejection::Api(ApiError::Unauthorized(
                    "sign in first, or send Authorization: Bearer <admin token or personal API token>"
                        .into(),
                ))),
                None => {
                    let next = match req.query_string() {
                        "" => req.path().to_owned(),
                        q => format!("{}?{q}", req.path()),
                    };
                    Err(AuthRejection::SignIn { next })
                }
            }
        })
    }
}

/// A set of roles allowed through a [`RequireRole`].
pub trait RoleSet {
    const ROLES: &'static [Role];
    /// The catalog key of who may pass, in words, for the refusal.
    const WHO_KEY: &'static str;
}

/// Administrators only.
pub struct Admins;
impl RoleSet for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
    const WHO_KEY: &'static str = "notice-only-for-admins";
}

/// Those who handle flags: ombudsmen and administrators.
pub struct FlagHandlers;
impl RoleSet for FlagHandlers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Ombudsman];
    const WHO_KEY: &'static str = "notice-only-for-flag-handlers";
}

/// A signed-in user whose role is in `R`: `async fn inbox(user: RequireRole<FlagHandlers>)`.
/// Without a session it behaves like [`CurrentUser`]; with the wrong role it answers 403
/// (roles are not secret; partnerships are, and are refused with 404 instead).
pub struct RequireRole<R: RoleSet> {
    pub user: CurrentUser,
    _roles: PhantomData<R>,
}

impl<R: RoleSet> std::ops::Deref for RequireRole<R> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl<R: RoleSet + 'static> FromRequest for RequireRole<R> {
    type Error = AuthRejection;
    type Future = LocalFuture<Result<RequireRole<R>, AuthRejection>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        let api = is_api(req);
        Box::pin(async move {
            let user = user.await?;
            if R::ROLES.contains(&user.role()) {
                return Ok(RequireRole {
                    user,
                    _roles: PhantomData,
                });
            }
            let message = crate::i18n::en(R::WHO_KEY);
            Err(if api {
                AuthRejection::Api(ApiError::Forbidden(message))
            } else {
                AuthRejection::PageForbidden(message)
            })
        })
    }
}

fn secure(state: &AppState) -> bool {
    state
        .settings
        .public_base_url
        .as_deref()
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"))
}

fn base_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(state))
        .finish()
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure behind https, no Max-Age (it ends
/// with the browser; the server ends it after [`crate::auth::sessions::IDLE`] without use).
pub fn session_cookie(state: &AppState, session: String) -> Cookie<'static> {
    base_cookie(state, COOKIE, session)
}

/// The cookie behind the sign-in and set-password forms' CSRF token (one hour).
pub fn pre_session_cookie(state: &AppState, secret: String) -> Cookie<'static> {
    let mut c = base_cookie(state, PRE_SESSION_COOKIE, secret);
    c.set_same_site(SameSite::Strict);
    c.set_max_age(CookieDuration::hours(1));
    c
}

/// A cookie that makes the browser forget `name`.
pub fn removal_cookie(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = base_cookie(state, name, String::new());
    c.make_removal();
    c
}
