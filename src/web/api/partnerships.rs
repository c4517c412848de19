//! `/api/partnerships`: create, list, show; roster and history uploads.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::auth::Admin;
use super::require_csv;
use crate::domain::PartnershipInput;
use crate::import::{responses::HistorySummary, roster::RosterSummary};
use crate::services::partnership_state::{self as life, PartnershipEdit, StateChange};
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true` lists archived partnerships too.
    #[serde(default)]
    pub archived: bool,
}

/// Every partnership but the archived (`?archived=true` includes them).
#[utoipa::path(get, path = "/api/partnerships", tag = "partnerships",
    params(ListQuery),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<PartnershipView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody)))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let archived = query.archived;
    let views = state
        .db(move |conn, _| service::list(conn, archived))
        .await?;
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
        (status = 409, description = "the partnership is archived and read-only", body = ErrorBody),
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
/// item, value; empty value = don't know) to a survey series of the partnership (default its
/// main series), checked against that series' template.
#[utoipa::path(post, path = "/api/partnerships/{id}/history", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id"), super::waves::SeriesParam),
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
    query: web::Query<super::waves::SeriesParam>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    require_csv(&req)?;
    let actor = admin.actor().to_owned();
    let series = query
        .into_inner()
        .series
        .filter(|key| key.trim() != crate::domain::MAIN_SERIES);
    let summary = state
        .db(move |conn, catalog| match series {
            None => service::import_history(conn, catalog, id, &body, &actor),
            Some(key) => {
                crate::services::series::import_history(conn, catalog, id, &key, &body, &actor)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// A path id that is not a number names no partnership: 404, like an unknown number.
pub(crate) fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no partnership with id {raw:?}")))
}

/// Edit a partnership's name and schedule; a field left out keeps its value. A new schedule
/// applies from the next wave; waves that have run keep the settings they ran with.
#[utoipa::path(patch, path = "/api/partnerships/{id}", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = PartnershipEdit,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the partnership is archived", body = ErrorBody),
        (status = 422, description = "a field is wrong; every problem listed", body = ErrorBody)))]
pub async fn edit(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<PartnershipEdit>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let edit = body.into_inner();
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, catalog| life::edit(conn, catalog, id, &edit, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Why a partnership is paused or archived (optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateNote {
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

async fn change_state(
    admin: Admin,
    state: web::Data<AppState>,
    id: &str,
    body: &[u8],
    change: StateChange,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(id)?;
    let text = body.trim_ascii();
    let note: StateNote = if text.is_empty() || text == b"null" {
        StateNote::default()
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the JSON body is not valid: {e}")))?
    };
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, _| life::change_state(conn, id, change, note.note.as_deref(), &actor))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Pause an active partnership: no wave opens until it resumes (optional body
/// `{"note": "why"}`). An open wave runs on and closes as planned.
#[utoipa::path(post, path = "/api/partnerships/{id}/pause", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = Option<StateNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not active", body = ErrorBody)))]
pub async fn pause(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, &id, &body, StateChange::Pause).await
}

/// Resume a paused partnership; its schedule applies from now (a slot whose window began
/// while it was paused does not open late).
#[utoipa::path(post, path = "/api/partnerships/{id}/resume", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = Option<StateNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not paused", body = ErrorBody)))]
pub async fn resume(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, &id, &body, StateChange::Resume).await
}

/// Archive a partnership with no open wave: read-only, out of the default lists, data kept.
#[utoipa::path(post, path = "/api/partnerships/{id}/archive", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = Option<StateNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "already archived, or a wave is open", body = ErrorBody)))]
pub async fn archive(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, &id, &body, StateChange::Archive).await
}

/// Unarchive a partnership: active again, scheduled from now.
#[utoipa::path(post, path = "/api/partnerships/{id}/unarchive", tag = "partnerships",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = Option<StateNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = PartnershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not archived", body = ErrorBody)))]
pub async fn unarchive(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, &id, &body, StateChange::Unarchive).await
}
