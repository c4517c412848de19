//! The admin bearer token. Compared as SHA-256 digests in constant time, so neither the
//! token nor its length leaks through timing.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use sha2::{Digest, Sha256};

use crate::web::error::ApiError;
use crate::web::AppState;

/// Proof that the request carried the admin token.
pub struct Admin;

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Admin, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(check(req))
    }
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
            ApiError::Unauthorized("this route needs Authorization: Bearer <admin token>".into())
        })?;
    let token = header.strip_prefix("Bearer ").ok_or_else(|| {
        ApiError::Unauthorized("the Authorization header must be Bearer <admin token>".into())
    })?;
    let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
    if constant_time_eq(&digest, &state.admin_token_hash) {
        Ok(Admin)
    } else {
        Err(ApiError::Unauthorized(
            "the admin token is not valid".into(),
        ))
    }
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_digests() {
        assert!(constant_time_eq(&hash_token("a"), &hash_token(" a ")));
        assert!(!constant_time_eq(&hash_token("a"), &hash_token("b")));
    }
}
