//! `POST /api/bounces` (the bounce webhook: a relay or mail service posts each delivery
//! status notification it receives) and `GET /api/partnerships/{id}/people` (the roster
//! with each address's deliverability).

use actix_web::{web, HttpRequest, HttpResponse};

use super::auth::Admin;
use crate::services::bounces::{self as service, MessageResult, RosterPerson};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// Record one bounce: the body is the raw delivery status notification (RFC 3464
/// multipart/report, or an old plain-text one) exactly as received. Posting the same report
/// twice records it once. A report that matches no mail Tandem sent is answered 200 with
/// the outcome `ignored` and why; a body that is not a report is refused with 422.
#[utoipa::path(post, path = "/api/bounces", tag = "mail",
    request_body(content(
            (String = "message/rfc822"),
            (String = "text/plain")),
        description = "the raw report, as message/rfc822 or text/plain"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "one outcome per recipient the report names: recorded (hard or soft), duplicate, or ignored with the reason", body = MessageResult),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 415, description = "not sent as message/rfc822 or text/plain", body = ErrorBody),
        (status = 422, description = "the body is not a delivery status notification, and why", body = ErrorBody)))]
pub async fn ingest(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    require_message(&req)?;
    let actor = admin.actor().to_owned();
    let settings = state.settings.mail.bounces.clone();
    let result = state
        .db(move |conn, _| service::ingest_posted(conn, &settings, &body, &actor, crate::db::now()))
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// A partnership's roster with each address's deliverability: `undeliverable` says since
/// when and why no mail is sent to a person whose address bounced hard.
#[utoipa::path(get, path = "/api/partnerships/{id}/people", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<RosterPerson>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn people(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = super::partnerships::parse_id(&id)?;
    let list = state.db(move |conn, _| service::roster(conn, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

fn require_message(req: &HttpRequest) -> Result<(), ApiError> {
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
    if mime == "message/rfc822" || mime == "text/plain" {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "send the report as it was received, with Content-Type: message/rfc822 (got {:?})",
            if ct.is_empty() { "nothing" } else { ct }
        )))
    }
}
