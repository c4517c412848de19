//! `/api/partnerships/{id}/goals`: a partnership's goals with their progress; set and remove
//! goals. As on the dashboard: anyone who sees the partnership reads its goals (a one-side
//! manager only those of their side); administrators and relationship managers set and
//! remove them on what they see (ombudsmen 403). Changes are in the audit log, naming the
//! user (or `admin-token`).

use actix_web::{web, HttpResponse};

use crate::goals::store::{GoalInput, GoalView};
use crate::web::api::auth::Caller;
use crate::web::dashboard::load;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no {what} with id {raw:?}")))
}

/// The partnership's goals, soonest due first, each with its progress (from the latest
/// closed waves; withheld groups give no value). A one-side manager gets only the goals of
/// their side.
#[utoipa::path(get, path = "/api/partnerships/{id}/goals", tag = "goals",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<GoalView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "no such partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 409, description = "no closed wave yet", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "partnership")?;
    let v = caller.require_partnership(id)?;
    let l = load(&state, id, v, None).await?;
    Ok(HttpResponse::Ok().json(l.plug.goals))
}

/// Set a goal: `metric` (`mean:<side>:<dimension>`, `gap:<dimension>`,
/// `agreement:<side>:<dimension>`, `response_rate:<customer|supplier|both>`, `kpi:<name>`),
/// `target` (as text or number, in the metric's unit) and `due_on` (a future date).
#[utoipa::path(post, path = "/api/partnerships/{id}/goals", tag = "goals",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = GoalInput,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, description = "the goal with its progress", body = GoalView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman (goals are set by administrators and relationship managers), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 409, description = "no closed wave yet", body = ErrorBody),
        (status = 422, description = "every problem, by field", body = ErrorBody)))]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "partnership")?;
    let v = caller.require_partnership(id)?;
    caller.require_goal_setter()?;
    let input = input_of(body.into_inner())?;
    let l = load(&state, id, v, None).await?;
    let report = l.entry.clone();
    let created_by = caller.user_id();
    let actor = caller.actor().to_owned();
    let gid = state
        .db_write(move |conn, _| {
            crate::services::goals::create(conn, id, &input, &report.report, v, created_by, &actor)
        })
        .await?;
    let l = load(&state, id, v, None).await?;
    let goal = l
        .plug
        .goals
        .into_iter()
        .find(|g| g.id == gid)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("goal {gid} vanished")))?;
    Ok(HttpResponse::Created().json(goal))
}

/// Accepts `target` as a number or as text, so scripts can send either.
fn input_of(value: serde_json::Value) -> Result<GoalInput, ApiError> {
    let mut value = value;
    if let Some(t) = value.get_mut("target") {
        if let serde_json::Value::Number(n) = t {
            *t = serde_json::Value::String(n.to_string());
        }
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("the JSON body is not a goal: {e}")))
}

/// Remove a goal.
#[utoipa::path(delete, path = "/api/partnerships/{id}/goals/{goal}", tag = "goals",
    params(("id" = i64, Path, description = "partnership id"), ("goal" = i64, Path, description = "goal id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "an ombudsman (goals are set by administrators and relationship managers), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such goal of the partnership (or one of a side the caller does not see), or a partnership outside the caller's scope", body = ErrorBody)))]
pub async fn remove(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, goal) = path.into_inner();
    let (id, goal) = (parse_id(&id, "partnership")?, parse_id(&goal, "goal")?);
    let v = caller.require_partnership(id)?;
    caller.require_goal_setter()?;
    let actor = caller.actor().to_owned();
    state
        .db_write(move |conn, _| crate::services::goals::remove(conn, id, goal, v, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
