//! `/api/partnerships/{id}/attributes`: the custom roster attributes of a partnership (site,
//! programme…) — list and declare (administrators). A declared key becomes an optional
//! roster column and a report breakdown (`?segment=KEY`).

use actix_web::{web, HttpResponse};

use super::auth::Admin;
use super::partnerships::parse_id;
use crate::services::attributes::{self as service, AttributeInput, AttributeView};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// The partnership's custom attributes, in the order declared.
#[utoipa::path(get, path = "/api/partnerships/{id}/attributes", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<AttributeView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let list = state.db(move |conn, _| service::list(conn, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Declare a custom attribute: its key becomes an optional roster column, kept per person,
/// snapshotted on each response and reported as a breakdown with the same minimum reporting
/// size as region. Keys never change once declared.
#[utoipa::path(post, path = "/api/partnerships/{id}/attributes", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = AttributeInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, body = AttributeView),
        (status = 400, description = "the body is not a JSON object of the expected fields", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "a bad or taken key, too many attributes, a bad label; every problem listed", body = ErrorBody)))]
pub async fn add(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AttributeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let input = body.into_inner();
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, _| service::add(conn, id, &input, &actor))
        .await?;
    Ok(HttpResponse::Created().json(view))
}
