//! `/api/partnerships`: create, list, show; roster and history uploads.

use actix_web::{web, HttpRequest, HttpResponse};

use super::auth::Admin;
use super::require_csv;
use crate::domain::PartnershipInput;
use crate::import::{responses::HistorySummary, roster::RosterSummary};
use crate::services::partnerships::{self as service, PartnershipView};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// Create a partnership (and its firms, if new).
#[utoipa::path(post, path = "/api/partnerships", tag = "partnerships",
    request_body = PartnershipInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, description = "created", body = PartnershipView),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no or wrong credentials", body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 422, description = "a field is wrong; every problem listed", body = ErrorBody)))]
pub async fn create(
    admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<PartnershipInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, catalog| service::create(conn, catalog, &input, &actor))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/partnerships/{}", view.id)))
        .json(view))
}

/// Every partnership.
#[utoipa::path(get, path = "/api/partnerships", tag = "partnerships",
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<PartnershipView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody)))]
pub async fn list(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let views = state.db(|conn, _| service::list(conn)).await?;
    Ok(HttpResponse::Ok().json(views))
}

/// One partnership.
#[utoipa::path(get, path = "/api/partnerships/{id}", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let view = state.db(move |conn, _| service::show(conn, id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Replace the roster from a CSV file (columns email, name, side, level, function, region,
/// roles). People missing from the file are deactivated, never deleted.
#[utoipa::path(post, path = "/api/partnerships/{id}/roster", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = String, content_type = "text/csv"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "imported", body = RosterSummary),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 415, description = "not sent as text/csv", body = ErrorBody),
        (status = 422, description = "refused; every problem with line and column", body = ErrorBody)))]
pub async fn import_roster(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    require_csv(&req)?;
    let actor = admin.actor().to_owned();
    let summary = state
        .db(move |conn, _| service::import_roster(conn, id, &body, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Add historic waves from a long-format CSV (wave, firm, respondent, level, function,
/// item, value; empty value = don't know).
#[utoipa::path(post, path = "/api/partnerships/{id}/history", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = String, content_type = "text/csv"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "imported", body = HistorySummary),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "refused; every problem with line and column", body = ErrorBody)))]
pub async fn import_history(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    require_csv(&req)?;
    let actor = admin.actor().to_owned();
    let summary = state
        .db(move |conn, catalog| service::import_history(conn, catalog, id, &body, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// A path id that is not a number names no partnership: 404, like an unknown number.
pub(crate) fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no partnership with id {raw:?}")))
}
