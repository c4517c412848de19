//! The JSON API (`/api/...`), for scripts and integrations. Every route but the
//! respondents' takes the admin token, a personal API token or a session ([`auth::Caller`]);
//! each route then allows what the caller's pages allow, and admin-only routes take
//! [`auth::Admin`].

pub mod accounts;
pub mod attributes;
pub mod auth;
pub mod bounces;
pub mod flags;
pub mod goals;
pub mod partnerships;
pub mod plan;
pub mod reports;
pub mod series;
pub mod templates;
pub mod waves;

use actix_web::{error::JsonPayloadError, web, HttpRequest};

use super::error::ApiError;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 256 * 1024;
/// Largest CSV upload accepted (a roster of tens of thousands of people fits easily).
pub const CSV_LIMIT: usize = 32 * 1024 * 1024;

/// The API's scope with its body and query configuration; its routes are the
/// [`crate::web::routes::API`] group, registered by [`crate::web::routes`], which also
/// wraps it in [`auth::identify_first`].
pub fn scope() -> actix_web::Scope {
    web::scope(crate::web::routes::API_PREFIX)
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::new(CSV_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(query_error))
}

/// Says what was wrong with a JSON body instead of a bare 400.
fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = match &err {
        JsonPayloadError::ContentType => {
            return ApiError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            )
            .into()
        }
        JsonPayloadError::OverflowKnownLength { length, limit } => {
            format!("the body is {length} bytes; the limit is {limit}")
        }
        JsonPayloadError::Overflow { limit } => format!("the body is over the {limit}-byte limit"),
        JsonPayloadError::Deserialize(e) => format!("the JSON body is not valid: {e}"),
        other => format!("the body cannot be read: {other}"),
    };
    ApiError::BadRequest(message).into()
}

/// A query string that does not fit the operation's parameters: 400 naming the problem, as
/// JSON like every other API error.
fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("the query string is not valid: {err}")).into()
}

/// Checks that a CSV upload says it is CSV (text/csv, or text/plain for hand-made uploads).
pub(crate) fn require_csv(req: &HttpRequest) -> Result<(), ApiError> {
    let ct = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "text/csv" || mime == "text/plain" {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "send the file as CSV with Content-Type: text/csv (got {:?})",
            if ct.is_empty() { "nothing" } else { ct }
        )))
    }
}
