//! `/api/partnerships/{id}/waves`: open and close by hand, status.

use actix_web::{web, HttpResponse};

use super::auth::Admin;
use crate::services::waves::{self as service, WaveStatus};
use crate::waves::lifecycle::OpenedWave;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// `?series=KEY`: which survey series of the partnership (default `main`, its own).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesParam {
    /// The series' key (default `main`).
    pub series: Option<String>,
}

/// Open the next wave of a series of the partnership now (default its main series): one
/// invitation and one queued mail per active person.
#[utoipa::path(post, path = "/api/partnerships/{id}/waves", tag = "waves",
    params(("id" = i64, Path, description = "partnership id"), SeriesParam),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, body = OpenedWave),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "a wave is already open, or nobody to invite", body = ErrorBody)))]
pub async fn open(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SeriesParam>,
) -> Result<HttpResponse, ApiError> {
    let id = super::partnerships::parse_id(&id)?;
    let links = state.links();
    let actor = admin.actor().to_owned();
    let series = query.into_inner().series;
    let opened = state
        .db(move |conn, catalog| {
            service::open_now(conn, catalog, id, series.as_deref(), &links, &actor)
        })
        .await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Created().json(opened))
}

/// Close the open wave of a series of the partnership now (default its main series).
#[utoipa::path(post, path = "/api/partnerships/{id}/waves/close", tag = "waves",
    params(("id" = i64, Path, description = "partnership id"), SeriesParam),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = WaveStatus),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "no wave is open", body = ErrorBody)))]
pub async fn close(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SeriesParam>,
) -> Result<HttpResponse, ApiError> {
    let id = super::partnerships::parse_id(&id)?;
    let links = state.links();
    let actor = admin.actor().to_owned();
    let series = query.into_inner().series;
    let closed = state
        .db(move |conn, _| service::close_now(conn, id, series.as_deref(), &links, &actor))
        .await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Ok().json(closed))
}

/// Every wave of the partnership with invitation and response counts per side.
#[utoipa::path(get, path = "/api/partnerships/{id}/waves", tag = "waves",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<WaveStatus>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn status(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = super::partnerships::parse_id(&id)?;
    let list = state.db(move |conn, _| service::status(conn, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}
