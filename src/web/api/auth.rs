//! Who is calling the JSON API, and with what reach.
//!
//! Three credentials are accepted, and each request is one [`Caller`]:
//! - `Authorization: Bearer <admin token>`: the administrator behind the token (everything);
//! - `Authorization: Bearer tandem_pat_…`: a personal API token, which acts exactly as its
//!   user's session would — same role, same partnerships, same side — and stops working
//!   when it expires, is revoked, or its user is disabled;
//! - the session cookie of a signed-in user (any role).
//!
//! The admin token is compared as SHA-256 digests in constant time, so neither it nor its
//! length leaks through timing; a personal token is looked up by its SHA-256 hash. A bearer
//! token is not sent by browsers on their own, so it needs no CSRF token; a session-
//! authenticated request that changes something (anything but GET/HEAD/OPTIONS) must send the
//! session's CSRF token in `X-CSRF-Token`.
//!
//! Handlers take [`Caller`] and ask it what the pages ask: [`Caller::require_partnership`]
//! (404 outside the scope, reading like a missing partnership) and the role checks (403).
//! Routes only administrators may use take [`Admin`], which answers 404 for a partnership
//! outside the caller's scope and 403 otherwise; flag routes with a body take
//! [`FlagHandler`], which does the same for ombudsmen and administrators.
//!
//! The caller is identified by [`identify_first`], a middleware of the API scope, before any
//! extractor of the handler runs: a request from someone who may not call a route is refused
//! for that (401, 404, 403), never for its body (400) because the body's extractor happened
//! to finish first.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::auth::api_tokens::{Presented, PREFIX};
use crate::auth::{Access, Role, Visibility};
use crate::flags::store::Actor;
use crate::web::error::ApiError;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// The header a session-authenticated JSON request carries its CSRF token in.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The caller of an API request: who (for the audit log and flag history) and what they
/// may see (the same [`Access`] their session has).
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user (id, email); `None` for the admin token.
    pub user: Option<(i64, String)>,
    pub access: Access,
}

impl Caller {
    /// The actor as the audit log names it: the user's email, or `admin-token`.
    pub fn actor(&self) -> &str {
        self.user.as_ref().map_or("admin-token", |(_, email)| email)
    }

    /// The actor of a flag change.
    pub fn flag_actor(&self) -> Actor {
        match &self.user {
            Some((id, email)) => Actor::user(*id, email),
            None => Actor::admin_token(),
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|(id, _)| *id)
    }

    /// What the caller may see of partnership `id`, or a 404 that reads exactly like a
    /// missing partnership.
    pub fn require_partnership(&self, id: i64) -> Result<Visibility, ApiError> {
        self.access
            .check_partnership(id)
            .map_err(|e| ApiError::NotFound(e.to_string()))
    }

    /// Refuses (403) a caller whose role is not in `roles`; `who` names them for the message.
    pub fn require_role(&self, roles: &[Role], who: &str) -> Result<(), ApiError> {
        if roles.contains(&self.access.role()) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("this route is only for {who}")))
        }
    }

    /// Ombudsmen and administrators, as on the flag inbox pages.
    pub fn require_flag_handler(&self) -> Result<(), ApiError> {
        self.require_role(
            &[Role::Admin, Role::Ombudsman],
            "ombudsmen and administrators",
        )
    }

    /// Administrators and relationship managers, as on the goal forms.
    pub fn require_goal_setter(&self) -> Result<(), ApiError> {
        self.require_role(
            &[Role::Admin, Role::Manager],
            "administrators and relationship managers",
        )
    }
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A caller before the CSRF check: the session behind it, when there is one.
struct Identified {
    caller: Caller,
    session: Option<CurrentUser>,
}

impl Identified {
    /// Refuses a session-authenticated request that changes something without the
    /// session's CSRF token.
    fn check_csrf(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(user) = &self.session else {
            return Ok(());
        };
        if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        user.check_csrf(sent)
    }
}

async fn identify(req: &HttpRequest) -> Result<Identified, ApiError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the Authorization header must be Bearer <admin token or personal API token>"
                        .into(),
                )
            })?;
        return bearer(req, token.to_owned())
            .await
            .map(|caller| Identified {
                caller,
                session: None,
            });
    }
    if req.cookie(crate::auth::sessions::COOKIE).is_some() {
        let user = CurrentUser::from_session(req).await?.ok_or_else(|| {
            ApiError::Unauthorized(
                "the session has ended: sign in again, or send Authorization: Bearer <token>"
                    .into(),
            )
        })?;
        return Ok(Identified {
            caller: Caller {
                user: Some((user.user.id, user.user.email.clone())),
                access: user.access.clone(),
            },
            session: Some(user),
        });
    }
    Err(ApiError::Unauthorized(
        "this route needs Authorization: Bearer <admin token or personal API token>, or a signed-in session"
            .into(),
    ))
}

async fn bearer(req: &HttpRequest, token: String) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let digest = crate::secrets::hash_token(&token);
    if crate::secrets::constant_time_eq(&digest, &state.admin_token_hash) {
        return Ok(Caller {
            user: None,
            access: Access::administrator(),
        });
    }
    if !token.starts_with(PREFIX) {
        return Err(ApiError::Unauthorized("the token is not valid".into()));
    }
    let presented = state
        .db(move |conn, _| crate::services::api_tokens::authenticate(conn, &token))
        .await?;
    match presented {
        Presented::Valid { user, scopes, .. } => Ok(Caller {
            access: Access::for_user(&user, &scopes),
            user: Some((user.id, user.email)),
        }),
        Presented::Expired => Err(ApiError::Unauthorized(
            "the API token has expired; make a new one on your account page".into(),
        )),
        Presented::Refused => Err(ApiError::Unauthorized(
            "the token is not valid (unknown or revoked, or its user is disabled)".into(),
        )),
    }
}

/// The outcome of [`identify`], kept on the request by [`identify_first`].
struct Early(Result<Identified, ApiError>);

/// Identifies the caller of every API request before the handler's extractors run (their
/// futures are polled together, and the first to fail decides the answer). Answers nothing
/// itself: the extractors below take the outcome and refuse.
pub async fn identify_first(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let found = identify(req.request()).await;
    req.extensions_mut().insert(Early(found));
    next.call(req).await
}

/// The caller [`identify_first`] found, or (outside the API scope) identifies it now.
async fn identified(req: &HttpRequest) -> Result<Identified, ApiError> {
    let early = req.extensions_mut().remove::<Early>();
    match early {
        Some(Early(found)) => found,
        None => identify(req).await,
    }
}

/// The partnership a `/api/partnerships/{id}…` route is about: a caller who does not see it
/// gets the 404 of a missing partnership before any role check.
fn check_partnership_scope(req: &HttpRequest, caller: &Caller) -> Result<(), ApiError> {
    if let Some(id) = req
        .match_info()
        .get("id")
        .filter(|_| req.path().starts_with("/api/partnerships/"))
        .and_then(|raw| raw.parse::<i64>().ok())
    {
        caller.require_partnership(id)?;
    }
    Ok(())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalFuture<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let found = identified(&req).await?;
            // Outside the scope the partnership does not exist, CSRF token or not (as for
            // `Admin` and `FlagHandler`).
            check_partnership_scope(&req, &found.caller)?;
            found.check_csrf(&req)?;
            Ok(found.caller)
        })
    }
}

/// Proof that the caller is an administrator: the admin token, or an administrator's
/// session or personal token. The audit log and flag history name the administrator, not
/// the token, when a person made the call.
pub struct Admin {
    /// The administrator (id, email); `None` for the admin token.
    pub user: Option<(i64, String)>,
}

impl Admin {
    /// The actor as the audit log names it: the administrator's email, or `admin-token`.
    pub fn actor(&self) -> &str {
        self.user.as_ref().map_or("admin-token", |(_, email)| email)
    }

    /// The actor of a flag change.
    pub fn flag_actor(&self) -> Actor {
        match &self.user {
            Some((id, email)) => Actor::user(*id, email),
            None => Actor::admin_token(),
        }
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalFuture<Result<Admin, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let found = identified(&req).await?;
            let caller = &found.caller;
            if !caller.access.is_admin() {
                // A partnership route outside the caller's scope answers like a missing
                // partnership; roles are not secret.
                check_partnership_scope(&req, caller)?;
                return Err(ApiError::Forbidden(
                    "this route is for administrators".into(),
                ));
            }
            found.check_csrf(&req)?;
            Ok(Admin {
                user: found.caller.user,
            })
        })
    }
}

/// A caller who handles flags (an ombudsman or an administrator), for the flag routes that
/// read a body: checked before the body is, like [`Admin`] (404 for a partnership outside
/// the scope, then 403 for the role, then the CSRF token).
pub struct FlagHandler(pub Caller);

impl std::ops::Deref for FlagHandler {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for FlagHandler {
    type Error = ApiError;
    type Future = LocalFuture<Result<FlagHandler, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let found = identified(&req).await?;
            check_partnership_scope(&req, &found.caller)?;
            found.caller.require_flag_handler()?;
            found.check_csrf(&req)?;
            Ok(FlagHandler(found.caller))
        })
    }
}
