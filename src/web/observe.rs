//! Seeing the service run: the outermost middleware gives every request an id (the caller's
//! `X-Request-Id` when it is well-formed, else a new one), runs the request inside a tracing
//! span that carries it, writes the access line (tokens redacted, see
//! [`super::security::log_line`]), counts the request by route *pattern* and status, and
//! returns the id in `X-Request-Id`. `GET /metrics` renders the counters.
//!
//! Never put a raw path, a query or a token into a metric label or the span: only the route
//! pattern (`/s/{token}`), which names no one.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use tracing::Instrument;

use super::error::ApiError;
use super::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's request id if it is 1 to 64 characters of `A-Z a-z 0-9 . _ -` (so it is safe
/// in a log line and a header), else `None`.
pub fn well_formed_request_id(value: &HeaderValue) -> Option<&str> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(s)
}

/// 128 random bits as 32 hex digits.
fn new_request_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The outermost middleware (see the module documentation).
pub async fn requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(well_formed_request_id)
        .map(str::to_owned)
        .unwrap_or_else(new_request_id);
    // One reference count, not a clone of every series handle.
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let line = super::security::log_line(req.method().as_str(), req.path(), req.query_string());
    let method = req.method().clone();
    // The pattern comes from the route table and the path; asking before routing keeps the
    // request uncloned (routing needs it unique).
    let route = req
        .match_pattern()
        .unwrap_or_else(|| crate::metrics::UNMATCHED.to_owned());
    let span = tracing::info_span!("request", request_id = %id);
    let outcome = next.call(req).instrument(span.clone()).await;
    let status = match &outcome {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let took = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .observe_request(method.as_str(), &route, status.as_u16(), took);
    }
    span.in_scope(|| {
        tracing::info!(
            target: "tandem::http",
            status = status.as_u16(),
            "{line} {} {:.3}ms",
            status.as_u16(),
            took.as_secs_f64() * 1000.0
        )
    });
    let id = HeaderValue::from_str(&id).ok();
    match outcome {
        Ok(res) => {
            let mut res = res.map_into_boxed_body();
            if let Some(id) = id {
                res.headers_mut().insert(REQUEST_ID, id);
            }
            Ok(res)
        }
        // An error an inner middleware returned: its response, with the id like any other.
        Err(e) => {
            let mut answer = e.error_response();
            if let Some(id) = id {
                answer.headers_mut().insert(REQUEST_ID, id);
            }
            Err(actix_web::error::InternalError::from_response(e.to_string(), answer).into())
        }
    }
}

/// The metrics in the Prometheus text format. Needs the admin bearer token unless the
/// operator opened it (`TANDEM_METRICS_PUBLIC=1`).
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.metrics_public && !admin_bearer(&req, &state) {
        return Err(ApiError::Unauthorized(
            "/metrics needs Authorization: Bearer <admin token> (or TANDEM_METRICS_PUBLIC=1)"
                .into(),
        ));
    }
    let observed = state
        .db(|conn, _| crate::services::observe::observe(conn))
        .await?;
    crate::services::observe::record(&observed, crate::db::now(), &state.metrics);
    let pool = state.pool.state();
    let m = &state.metrics;
    m.db_pool
        .with_label_values(&["in_use"])
        .set(i64::from(pool.connections - pool.idle_connections));
    m.db_pool
        .with_label_values(&["idle"])
        .set(i64::from(pool.idle_connections));
    m.db_pool
        .with_label_values(&["max"])
        .set(i64::from(state.pool.max_size()));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE))
        .body(m.render()))
}

fn admin_bearer(req: &HttpRequest, state: &AppState) -> bool {
    let Some(token) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let digest = crate::secrets::hash_token(token.trim());
    crate::secrets::constant_time_eq(&digest, &state.admin_token_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_id_is_taken_only_when_well_formed() {
        let ok = HeaderValue::from_static("abc-123_x.y");
        assert_eq!(well_formed_request_id(&ok), Some("abc-123_x.y"));
        for bad in ["", "a b", "a\"b", "ä", &"x".repeat(65)] {
            if let Ok(v) = HeaderValue::from_str(bad) {
                assert_eq!(well_formed_request_id(&v), None, "{bad:?}");
            }
        }
    }

    #[test]
    fn a_new_request_id_is_32_hex_digits() {
        let id = new_request_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
