//! `/api/partnerships/{id}/plan`: the relationship plan — joint objectives with an owner in
//! each firm, linked goals and dimensions, milestones. Anyone who sees the partnership reads
//! it; administrators and managers of both firms change it; a manager of one firm marks that
//! firm's milestones done (`…/milestones/{milestone}/done`); ombudsmen 403. Every change is
//! in the audit log, naming the user (or `admin-token`).

use actix_web::{web, HttpResponse};

use crate::services::plan::{MilestoneDone, MilestoneInput, Objective, ObjectiveInput, PlanRight};
use crate::web::api::auth::Caller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no {what} with id {raw:?}")))
}

fn body<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("the JSON body is not {what}: {e}")))
}

/// The caller sees partnership `id` and may change its whole plan.
fn editor(caller: &Caller, id: i64) -> Result<(), ApiError> {
    let v = caller.require_partnership(id)?;
    if PlanRight::of(caller.access.role(), v).edits_everything() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the plan is changed by administrators and managers of both firms".into(),
        ))
    }
}

async fn objective(state: &AppState, id: i64, objective: i64) -> Result<Objective, ApiError> {
    state
        .db(move |conn, _| crate::services::plan::objective(conn, id, objective))
        .await
}

/// The partnership's objectives, in the order they were made, each with its owners (roster
/// people), linked goal ids and dimension ids, and milestones (soonest due first) with their
/// state on today's date.
#[utoipa::path(get, path = "/api/partnerships/{id}/plan", tag = "plan",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<Objective>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "no such partnership, or one outside the caller's scope", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "partnership")?;
    caller.require_partnership(id)?;
    let plan = state
        .db(move |conn, _| crate::services::plan::for_partnership(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// A new objective: `title`, `description`, `customer_owner` and `supplier_owner` (roster
/// person ids of that firm), `status`, `goals` (goal ids of the partnership), `dimensions`
/// (dimension ids of its template) and `milestones` (`title`, `due_on`, `done_on`, `owner`).
#[utoipa::path(post, path = "/api/partnerships/{id}/plan", tag = "plan",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = ObjectiveInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, description = "the objective", body = Objective),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman or a manager of one firm, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every problem, by field; nothing written", body = ErrorBody)))]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    json: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "partnership")?;
    editor(&caller, id)?;
    let input: ObjectiveInput = body(json.into_inner(), "an objective")?;
    let actor = caller.actor().to_owned();
    let oid = state
        .db_write(move |conn, catalog| {
            crate::services::plan::create(conn, catalog, id, &input, &actor)
        })
        .await?;
    Ok(HttpResponse::Created().json(objective(&state, id, oid).await?))
}

/// Replace an objective's fields and links (the same fields as a new one, without
/// `milestones`).
#[utoipa::path(put, path = "/api/partnerships/{id}/plan/{objective}", tag = "plan",
    params(("id" = i64, Path, description = "partnership id"), ("objective" = i64, Path, description = "objective id")),
    request_body = ObjectiveInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "the objective", body = Objective),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman or a manager of one firm, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such objective of the partnership, or a partnership outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every problem, by field; nothing written", body = ErrorBody)))]
pub async fn update(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    json: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, oid) = path.into_inner();
    let (id, oid) = (parse_id(&id, "partnership")?, parse_id(&oid, "objective")?);
    editor(&caller, id)?;
    let input: ObjectiveInput = body(json.into_inner(), "an objective")?;
    let actor = caller.actor().to_owned();
    state
        .db_write(move |conn, catalog| {
            crate::services::plan::update(conn, catalog, id, oid, &input, &actor)
        })
        .await?;
    Ok(HttpResponse::Ok().json(objective(&state, id, oid).await?))
}

/// Add a milestone to an objective: `title`, `due_on`, `done_on` (optional), `owner` (a
/// roster person id of either firm).
#[utoipa::path(post, path = "/api/partnerships/{id}/plan/{objective}/milestones", tag = "plan",
    params(("id" = i64, Path, description = "partnership id"), ("objective" = i64, Path, description = "objective id")),
    request_body = MilestoneInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, description = "the objective with its milestones", body = Objective),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman or a manager of one firm, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such objective of the partnership, or a partnership outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every problem, by field; nothing written", body = ErrorBody)))]
pub async fn add_milestone(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    json: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, oid) = path.into_inner();
    let (id, oid) = (parse_id(&id, "partnership")?, parse_id(&oid, "objective")?);
    editor(&caller, id)?;
    let input: MilestoneInput = body(json.into_inner(), "a milestone")?;
    let actor = caller.actor().to_owned();
    state
        .db_write(move |conn, catalog| {
            crate::services::plan::add_milestone(conn, catalog, id, oid, &input, &actor)
        })
        .await?;
    Ok(HttpResponse::Created().json(objective(&state, id, oid).await?))
}

/// Replace a milestone's fields.
#[utoipa::path(put, path = "/api/partnerships/{id}/plan/milestones/{milestone}", tag = "plan",
    params(("id" = i64, Path, description = "partnership id"), ("milestone" = i64, Path, description = "milestone id")),
    request_body = MilestoneInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "the objective with its milestones", body = Objective),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman or a manager of one firm, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such milestone of the partnership, or a partnership outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every problem, by field; nothing written", body = ErrorBody)))]
pub async fn update_milestone(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    json: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, mid) = path.into_inner();
    let (id, mid) = (parse_id(&id, "partnership")?, parse_id(&mid, "milestone")?);
    editor(&caller, id)?;
    let input: MilestoneInput = body(json.into_inner(), "a milestone")?;
    let actor = caller.actor().to_owned();
    let oid = state
        .db_write(move |conn, catalog| {
            crate::services::plan::update_milestone(conn, catalog, id, mid, &input, &actor)?;
            crate::services::plan::milestone_objective(conn, id, mid)
        })
        .await?;
    Ok(HttpResponse::Ok().json(objective(&state, id, oid).await?))
}

/// Mark a milestone done on `done_on` (absent: today) or not done (`"done_on": null`). A
/// manager of one firm may do it for the milestones owned by a person of their firm.
#[utoipa::path(post, path = "/api/partnerships/{id}/plan/milestones/{milestone}/done", tag = "plan",
    params(("id" = i64, Path, description = "partnership id"), ("milestone" = i64, Path, description = "milestone id")),
    request_body = MilestoneDone,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "the objective with its milestones", body = Objective),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman, a manager of one firm on the other firm's milestone, or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such milestone of the partnership, or a partnership outside the caller's scope", body = ErrorBody),
        (status = 422, description = "a done date that is no date or after today", body = ErrorBody)))]
pub async fn mark_milestone(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    json: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, mid) = path.into_inner();
    let (id, mid) = (parse_id(&id, "partnership")?, parse_id(&mid, "milestone")?);
    let v = caller.require_partnership(id)?;
    let right = PlanRight::of(caller.access.role(), v);
    if right == PlanRight::ReadOnly {
        return Err(ApiError::Forbidden(
            "milestones are marked done by administrators and relationship managers".into(),
        ));
    }
    let input: MilestoneDone = body(json.into_inner(), "a done date")?;
    let actor = caller.actor().to_owned();
    let marked = state
        .db_write(move |conn, _| {
            let marked =
                crate::services::plan::mark_milestone(conn, id, mid, &input, right, &actor)?;
            Ok((
                marked,
                crate::services::plan::milestone_objective(conn, id, mid)?,
            ))
        })
        .await?;
    if !marked.0 {
        return Err(ApiError::Forbidden(
            "a manager of one firm marks only the milestones owned by a person of that firm".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(objective(&state, id, marked.1).await?))
}
