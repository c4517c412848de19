//! Who may use the admin API: a request with the admin bearer token, or a signed-in
//! administrator's session. The token is compared as SHA-256 digests in constant time, so
//! neither it nor its length leaks through timing.
//!
//! With a session, a state-changing request (anything but GET/HEAD/OPTIONS) must also send
//! the session's CSRF token in `X-CSRF-Token`. A signed-in user who is not an administrator
//! is refused with 404 on a route about a partnership outside their scope (existence does
//! not leak) and with 403 otherwise.

use std::future::{ready, Future};
use std::pin::Pin;

use actix_web::http::Method;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use sha2::{Digest, Sha256};

use crate::flags::store::Actor;
use crate::web::error::ApiError;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// Proof that the request carried the admin token or an administrator's session, and which:
/// the audit log and flag history name the administrator, not the token, when a person
/// signed in made the call.
pub struct Admin {
    /// The signed-in administrator (id, email); `None` for the bearer token.
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

/// The header a session-authenticated JSON request carries its CSRF token in.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let bearer = req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION);
        let has_session = req.cookie(crate::auth::sessions::COOKIE).is_some();
        if bearer || !has_session {
            return Box::pin(ready(check(req)));
        }
        let req = req.clone();
        Box::pin(async move { check_session(&req).await })
    }
}

async fn check_session(req: &HttpRequest) -> Result<Admin, ApiError> {
    let user = CurrentUser::from_session(req).await?.ok_or_else(|| {
        ApiError::Unauthorized(
            "the session has ended: sign in again, or send Authorization: Bearer <admin token>"
                .into(),
        )
    })?;
    if !user.access.is_admin() {
        // A partnership route outside the user's scope answers like a missing partnership.
        if let Some(id) = req
            .match_info()
            .get("id")
            .filter(|_| req.path().starts_with("/api/partnerships/"))
            .and_then(|raw| raw.parse::<i64>().ok())
        {
            user.require_partnership(id)?;
        }
        return Err(ApiError::Forbidden(
            "this route is for administrators".into(),
        ));
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        user.check_csrf(sent)?;
    }
    Ok(Admin {
        user: Some((user.user.id, user.user.email.clone())),
    })
}

fn check(req: &HttpRequest) -> Result<Admin, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized("this route needs Authorization: Bearer <admin token>, or an administrator signed in".into())
        })?;
    let token = header.strip_prefix("Bearer ").ok_or_else(|| {
        ApiError::Unauthorized("the Authorization header must be Bearer <admin token>".into())
    })?;
    let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
    if crate::secrets::constant_time_eq(&digest, &state.admin_token_hash) {
        Ok(Admin { user: None })
    } else {
        Err(ApiError::Unauthorized(
            "the admin token is not valid".into(),
        ))
    }
}
