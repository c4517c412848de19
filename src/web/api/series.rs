//! `/api/partnerships/{id}/series`: the survey series of a partnership — list, add, edit,
//! pause, resume (administrators). The main series (`main`) is the partnership's own and is
//! changed with the partnership.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Admin;
use super::partnerships::parse_id;
use crate::domain::SeriesInput;
use crate::services::series::{self as service, SeriesEdit, SeriesView};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// Every survey series of the partnership, the main one first.
#[utoipa::path(get, path = "/api/partnerships/{id}/series", tag = "series",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<SeriesView>),
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

/// Add a survey series to the partnership: its own template, cadence, first date, send time,
/// timezone, response window and reminders. Its waves are numbered with the partnership's.
#[utoipa::path(post, path = "/api/partnerships/{id}/series", tag = "series",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = SeriesInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, body = SeriesView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the partnership is archived", body = ErrorBody),
        (status = 422, description = "a field is wrong (unknown template, bad cadence, a key already used…); every problem listed", body = ErrorBody)))]
pub async fn add(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<SeriesInput>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let input = body.into_inner();
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, catalog| service::add(conn, catalog, id, &input, &actor))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Edit a survey series; a field left out keeps its value. Changes apply from its next wave:
/// waves that have run keep the template version and settings they ran with.
#[utoipa::path(patch, path = "/api/partnerships/{id}/series/{key}", tag = "series",
    params(("id" = i64, Path, description = "partnership id"), ("key" = String, Path, description = "the series' key")),
    request_body = SeriesEdit,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = SeriesView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the main series (edit the partnership), or the partnership is archived", body = ErrorBody),
        (status = 422, description = "a field is wrong; every problem listed", body = ErrorBody)))]
pub async fn edit(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<SeriesEdit>,
) -> Result<HttpResponse, ApiError> {
    let (id, key) = path.into_inner();
    let id = parse_id(&id)?;
    let edit = body.into_inner();
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, catalog| service::edit(conn, catalog, id, &key, &edit, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Why a series is paused (optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesNote {
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

async fn change_state(
    admin: Admin,
    state: web::Data<AppState>,
    path: (String, String),
    body: &[u8],
    pause: bool,
) -> Result<HttpResponse, ApiError> {
    let (id, key) = path;
    let id = parse_id(&id)?;
    let text = body.trim_ascii();
    let note: SeriesNote = if text.is_empty() || text == b"null" {
        SeriesNote::default()
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the JSON body is not valid: {e}")))?
    };
    let actor = admin.actor().to_owned();
    let view = state
        .db(move |conn, _| {
            service::change_state(conn, id, &key, pause, note.note.as_deref(), &actor)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Pause an active series: none of its waves opens until it resumes; the partnership's other
/// series go on (optional body `{"note": "why"}`). An open wave runs on and closes as planned.
#[utoipa::path(post, path = "/api/partnerships/{id}/series/{key}/pause", tag = "series",
    params(("id" = i64, Path, description = "partnership id"), ("key" = String, Path, description = "the series' key")),
    request_body(content = Option<SeriesNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = SeriesView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not active, or the main series (pause the partnership)", body = ErrorBody)))]
pub async fn pause(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, path.into_inner(), &body, true).await
}

/// Resume a paused series; its schedule applies from now (a slot whose window began while it
/// was paused does not open late).
#[utoipa::path(post, path = "/api/partnerships/{id}/series/{key}/resume", tag = "series",
    params(("id" = i64, Path, description = "partnership id"), ("key" = String, Path, description = "the series' key")),
    request_body(content = Option<SeriesNote>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = SeriesView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not paused, or the main series (resume the partnership)", body = ErrorBody)))]
pub async fn resume(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    change_state(admin, state, path.into_inner(), &body, false).await
}
