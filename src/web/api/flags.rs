//! `/api/flags` and `/api/partnerships/{id}/flags`: the ombudsman's inbox, a partnership's
//! flags, the life cycle of one flag, running the rules on demand and their thresholds.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;

use super::auth::Admin;
use crate::flags::store::{Actor, FlagDetail, FlagView, InboxScope, RunReport, Transition};
use crate::flags::RuleConfig;
use crate::services::flags;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// The body of acknowledge, resolve and reopen: an optional note.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[schema(min_length = 1)]
    pub note: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// An active ombudsman's or administrator's id; `null` unassigns.
    pub user_id: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// The wave's number; default the latest closed wave
    #[param(pattern = "^[0-9]{1,9}$")]
    pub wave: Option<String>,
}

fn actor(admin: &Admin) -> Actor {
    admin.flag_actor()
}

fn parse_flag_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no flag with id {raw:?}")))
}

fn parse_partnership_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no partnership with id {raw:?}")))
}

/// An optional JSON body: empty or `null` is none, anything else must parse.
fn optional_body(bytes: &[u8]) -> Result<TransitionBody, ApiError> {
    let text = bytes.trim_ascii();
    if text.is_empty() || text == b"null" {
        return Ok(TransitionBody::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the JSON body is not valid: {e}")))
}

/// Open and acknowledged flags across every partnership, most severe first, then the most
/// recently changed.
#[utoipa::path(get, path = "/api/flags", tag = "flags",
    security(("admin_token" = [])),
    responses(
        (status = 200, body = Vec<FlagView>),
        (status = 401, body = ErrorBody)))]
#[get("/flags")]
pub async fn inbox(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let flags = state
        .db(move |conn, _| flags::inbox(conn, &InboxScope::All))
        .await?;
    Ok(HttpResponse::Ok().json(flags))
}

/// One flag with its history of events, oldest first.
#[utoipa::path(get, path = "/api/flags/{id}", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/flags/{id}")]
pub async fn show(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_flag_id(&id)?;
    let flag = state.db(move |conn, _| flags::show(conn, id)).await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Every flag of one partnership, in any state: newest wave first, then most severe.
#[utoipa::path(get, path = "/api/partnerships/{id}/flags", tag = "flags",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = Vec<FlagView>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/partnerships/{id}/flags")]
pub async fn for_partnership(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    let flags = state
        .db(move |conn, _| flags::for_partnership(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(flags))
}

/// Run the rules on a closed wave now (default the latest). New flags queue an alert to each
/// ombudsman of the partnership; a second run on the same wave changes nothing.
#[utoipa::path(post, path = "/api/partnerships/{id}/flags/run", tag = "flags",
    params(("id" = i64, Path, description = "partnership id"), RunQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = RunReport),
        (status = 400, description = "a bad wave number", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "no such partnership or wave", body = ErrorBody),
        (status = 409, description = "no closed wave yet, or the wave is not closed", body = ErrorBody)))]
#[post("/partnerships/{id}/flags/run")]
pub async fn run(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<RunQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    let wave = query
        .wave
        .as_deref()
        .map(|w| {
            w.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("wave {w:?} is not a wave number")))
        })
        .transpose()?;
    let links = state.links();
    let report = state
        .db(move |conn, _| flags::run_rules(conn, id, wave, &links))
        .await?;
    if report.mails_queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(HttpResponse::Ok().json(report))
}

/// The partnership's rule thresholds (the defaults when none were set).
#[utoipa::path(get, path = "/api/partnerships/{id}/flags/config", tag = "flags",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = RuleConfig),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/partnerships/{id}/flags/config")]
pub async fn rule_config(
    _: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    let current = state.db(move |conn, _| flags::config(conn, id)).await?;
    Ok(HttpResponse::Ok().json(current))
}

/// Set the partnership's rule thresholds; a field left out takes its default.
#[utoipa::path(put, path = "/api/partnerships/{id}/flags/config", tag = "flags",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = RuleConfig,
    security(("admin_token" = [])),
    responses(
        (status = 200, body = RuleConfig),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "a threshold out of range, by field", body = ErrorBody)))]
#[put("/partnerships/{id}/flags/config")]
pub async fn set_rule_config(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RuleConfig>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    let who = actor(&admin);
    let wanted = body.into_inner();
    let saved = state
        .db(move |conn, _| flags::set_config(conn, id, &wanted, &who))
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

async fn step(
    admin: Admin,
    state: web::Data<AppState>,
    id: &str,
    body: &[u8],
    transition: Transition,
) -> Result<HttpResponse, ApiError> {
    let id = parse_flag_id(id)?;
    let body = optional_body(body)?;
    let who = actor(&admin);
    let flag = state
        .db(move |conn, _| flags::transition(conn, id, transition, body.note.as_deref(), &who))
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Acknowledge an open flag (optional body `{"note": "…"}`).
#[utoipa::path(post, path = "/api/flags/{id}/acknowledge", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the flag is not open", body = ErrorBody)))]
#[post("/flags/{id}/acknowledge")]
pub async fn acknowledge(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(admin, state, &id, &body, Transition::Acknowledge).await
}

/// Resolve an open or acknowledged flag (optional body `{"note": "…"}`).
#[utoipa::path(post, path = "/api/flags/{id}/resolve", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the flag is already resolved", body = ErrorBody)))]
#[post("/flags/{id}/resolve")]
pub async fn resolve(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(admin, state, &id, &body, Transition::Resolve).await
}

/// Reopen a resolved flag (optional body `{"note": "…"}`).
#[utoipa::path(post, path = "/api/flags/{id}/reopen", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the flag is not resolved", body = ErrorBody)))]
#[post("/flags/{id}/reopen")]
pub async fn reopen(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(admin, state, &id, &body, Transition::Reopen).await
}

/// Add a note to a flag, in any state.
#[utoipa::path(post, path = "/api/flags/{id}/notes", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body = NoteBody,
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "an empty or too long note", body = ErrorBody)))]
#[post("/flags/{id}/notes")]
pub async fn annotate(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_flag_id(&id)?;
    let who = actor(&admin);
    let note = body.into_inner().note;
    let flag = state
        .db(move |conn, _| flags::annotate(conn, id, &note, &who))
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Assign a flag to an active ombudsman or administrator, or unassign it (`user_id: null`).
#[utoipa::path(post, path = "/api/flags/{id}/assign", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body = AssignBody,
    security(("admin_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "no such user, or one who cannot take flags", body = ErrorBody)))]
#[post("/flags/{id}/assign")]
pub async fn assign(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_flag_id(&id)?;
    let who = actor(&admin);
    let user_id = body.into_inner().user_id;
    let flag = state
        .db(move |conn, _| flags::assign(conn, id, user_id, &who))
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}
