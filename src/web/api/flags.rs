//! `/api/flags` and `/api/partnerships/{id}/flags`: the ombudsman's inbox, a partnership's
//! flags, the life cycle of one flag, running the rules on demand and their thresholds.
//!
//! As on the inbox pages, flags are for ombudsmen and administrators (a relationship manager
//! gets 403) and only those of partnerships in the caller's scope (404 otherwise, like a
//! missing flag). Running the rules and their thresholds stay admin-only.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::{Admin, Caller, FlagHandler};
use crate::auth::Access;
use crate::flags::store::{
    ActionInput, Actor, FlagDetail, FlagView, InboxScope, ManualFlagInput, Outcome, RunReport,
    Transition,
};
use crate::flags::RuleConfig;
use crate::services::flags;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// The body of acknowledge, resolve and reopen: an optional note, and for resolve an
/// optional outcome.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    pub note: Option<String>,
    /// Resolve only: `settled`, `no_action_needed` or `escalated`.
    #[schema(pattern = "^(settled|no_action_needed|escalated)$")]
    pub outcome: Option<String>,
}

/// A flag raised by hand. Every optional field may be left out (or empty); a bad one is
/// refused with 422, all of them at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseBody {
    /// One line, at most 200 characters, not only spaces, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub title: String,
    /// At most 4000 characters; line breaks and tabs but no other control characters.
    #[schema(
        max_length = 4000,
        pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
    )]
    pub note: Option<String>,
    /// `customer` or `supplier` (empty: both).
    #[schema(pattern = "^(customer|supplier)?$")]
    pub side: Option<String>,
    /// A dimension of the partnership's survey.
    pub dimension: Option<String>,
    /// `level`, `function`, `region`, `business_unit`, `language` or the key of a custom
    /// attribute the partnership declared (`GET /api/partnerships/{id}/attributes`), with
    /// `segment_value`.
    #[schema(pattern = "^([a-z][a-z0-9_]{0,31})?$")]
    pub segment_attribute: Option<String>,
    pub segment_value: Option<String>,
    /// An item of the partnership's survey (its dimension comes with it).
    pub item: Option<String>,
    /// `low`, `medium` (the default, also when empty) or `high`.
    #[schema(pattern = "^(low|medium|high)?$")]
    pub severity: Option<String>,
}

/// An action on a flag: what, one owner, and a due date.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// One line, at most 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub what: String,
    /// A person of either firm's roster of the flag's partnership …
    pub owner_person_id: Option<i64>,
    /// … or a user who sees the partnership: exactly one of the two.
    pub owner_user_id: Option<i64>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_on: String,
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

/// A flag handler's actor and reach, for the routes about one flag.
fn handler(caller: &Caller) -> Result<(Actor, Access), ApiError> {
    caller.require_flag_handler()?;
    Ok((caller.flag_actor(), caller.access.clone()))
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

/// Open and acknowledged flags across every partnership in the caller's scope, most severe
/// first, then the most recently changed.
#[utoipa::path(get, path = "/api/flags", tag = "flags",
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<FlagView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager", body = ErrorBody)))]
pub async fn inbox(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (_, access) = handler(&caller)?;
    let flags = state
        .db(move |conn, _| {
            let scope: InboxScope = flags::scope_of(conn, &access)?;
            flags::inbox(conn, &scope)
        })
        .await?;
    Ok(HttpResponse::Ok().json(flags))
}

/// One flag with its history of events, oldest first.
#[utoipa::path(get, path = "/api/flags/{id}", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager", body = ErrorBody),
        (status = 404, description = "no such flag, or one outside the caller's scope", body = ErrorBody)))]
pub async fn show(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, access) = handler(&caller)?;
    let id = parse_flag_id(&id)?;
    let flag = state
        .db(move |conn, _| {
            flags::require_visible(conn, &access, id)?;
            flags::show(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Every flag of one partnership, in any state: newest wave first, then most severe.
#[utoipa::path(get, path = "/api/partnerships/{id}/flags", tag = "flags",
    params(("id" = i64, Path, description = "partnership id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<FlagView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager", body = ErrorBody),
        (status = 404, description = "no such partnership, or one outside the caller's scope", body = ErrorBody)))]
pub async fn for_partnership(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    caller.require_partnership(id)?;
    caller.require_flag_handler()?;
    let flags = state
        .db(move |conn, _| flags::for_partnership(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(flags))
}

/// Run the rules on a closed wave now (default the latest). New flags queue an alert to each
/// ombudsman of the partnership; a second run on the same wave changes nothing.
#[utoipa::path(post, path = "/api/partnerships/{id}/flags/run", tag = "flags",
    params(("id" = i64, Path, description = "partnership id"), RunQuery),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = RunReport),
        (status = 400, description = "a bad wave number", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, description = "no such partnership or wave", body = ErrorBody),
        (status = 409, description = "no closed wave yet, or the wave is not closed", body = ErrorBody)))]
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
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = RuleConfig),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
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
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = RuleConfig),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "a threshold out of range, by field", body = ErrorBody)))]
pub async fn set_rule_config(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RuleConfig>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    let who = admin.flag_actor();
    let wanted = body.into_inner();
    let saved = state
        .db(move |conn, _| flags::set_config(conn, id, &wanted, &who))
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

async fn step(
    caller: Caller,
    state: web::Data<AppState>,
    id: &str,
    body: &[u8],
    transition: Transition,
) -> Result<HttpResponse, ApiError> {
    let (who, access) = handler(&caller)?;
    let id = parse_flag_id(id)?;
    let body = optional_body(body)?;
    let outcome = body
        .outcome
        .as_deref()
        .map(|raw| {
            Outcome::parse(raw.trim()).ok_or_else(|| {
                ApiError::InvalidFields(vec![crate::domain::FieldProblem {
                    field: "outcome".into(),
                    message: format!(
                        "outcome {:?} is not settled, no_action_needed or escalated",
                        raw.replace('\0', "")
                    ),
                }])
            })
        })
        .transpose()?;
    let flag = state
        .db(move |conn, _| {
            flags::require_visible(conn, &access, id)?;
            flags::transition_with_outcome(
                conn,
                id,
                transition,
                body.note.as_deref(),
                outcome,
                &who,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Acknowledge an open flag (optional body `{"note": "…"}`).
#[utoipa::path(post, path = "/api/flags/{id}/acknowledge", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 409, description = "the flag is not open", body = ErrorBody)))]
pub async fn acknowledge(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, &id, &body, Transition::Acknowledge).await
}

/// Resolve an open or acknowledged flag (optional body `{"note": "…", "outcome": "settled"}`);
/// the flag keeps the value it measures now as `resolved_measured`.
#[utoipa::path(post, path = "/api/flags/{id}/resolve", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 409, description = "the flag is already resolved", body = ErrorBody),
        (status = 422, description = "an unknown outcome, or a note too long", body = ErrorBody)))]
pub async fn resolve(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, &id, &body, Transition::Resolve).await
}

/// Reopen a resolved flag (optional body `{"note": "…"}`).
#[utoipa::path(post, path = "/api/flags/{id}/reopen", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body(content = Option<TransitionBody>, description = "optional"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 409, description = "the flag is not resolved", body = ErrorBody)))]
pub async fn reopen(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, &id, &body, Transition::Reopen).await
}

/// Add a note to a flag, in any state.
#[utoipa::path(post, path = "/api/flags/{id}/notes", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body = NoteBody,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 422, description = "an empty or too long note", body = ErrorBody)))]
pub async fn annotate(
    caller: FlagHandler,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, access) = handler(&caller)?;
    let id = parse_flag_id(&id)?;
    let note = body.into_inner().note;
    let flag = state
        .db(move |conn, _| {
            flags::require_visible(conn, &access, id)?;
            flags::annotate(conn, id, &note, &who)
        })
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Assign a flag to an active ombudsman or administrator, or unassign it (`user_id: null`).
#[utoipa::path(post, path = "/api/flags/{id}/assign", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body = AssignBody,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 422, description = "no such user, or one who cannot take flags", body = ErrorBody)))]
pub async fn assign(
    caller: FlagHandler,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, access) = handler(&caller)?;
    let id = parse_flag_id(&id)?;
    let user_id = body.into_inner().user_id;
    let flag = state
        .db(move |conn, _| {
            flags::require_visible(conn, &access, id)?;
            flags::assign(conn, id, user_id, &who)
        })
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Raise a flag by hand on a partnership (`rule: "manual"`): open, in the inbox, an alert
/// mailed to each ombudsman of the partnership. Every field problem is listed in the 422.
#[utoipa::path(post, path = "/api/partnerships/{id}/flags", tag = "flags",
    params(("id" = i64, Path, description = "partnership id")),
    request_body = RaiseBody,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every field problem: empty title, unknown side, dimension or item, bad severity, NUL characters …", body = ErrorBody)))]
pub async fn raise(
    caller: FlagHandler,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RaiseBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_partnership_id(&id)?;
    caller.require_partnership(id)?;
    caller.require_flag_handler()?;
    let who = caller.flag_actor();
    let b = body.into_inner();
    let input = ManualFlagInput {
        title: b.title,
        note: b.note.unwrap_or_default(),
        side: b.side,
        dimension: b.dimension,
        segment_attribute: b.segment_attribute,
        segment_value: b.segment_value,
        item: b.item,
        severity: b.severity,
    };
    let links = state.links();
    let (flag, mails) = state
        .db(move |conn, catalog| flags::raise(conn, catalog, id, &input, &who, &links))
        .await?;
    if mails > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(HttpResponse::Created().json(flag))
}

/// Add an action to a flag: what, an owner (a person of either firm's roster or a user who
/// sees the partnership) and a due date.
#[utoipa::path(post, path = "/api/flags/{id}/actions", tag = "flags",
    params(("id" = i64, Path, description = "flag id")),
    request_body = ActionBody,
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 201, body = FlagDetail),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag or partnership, or one outside the caller's scope", body = ErrorBody),
        (status = 422, description = "every field problem: empty text, no or two owners, an owner outside the partnership, a bad date", body = ErrorBody)))]
pub async fn add_action(
    caller: FlagHandler,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<ActionBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, access) = handler(&caller)?;
    let id = parse_flag_id(&id)?;
    let b = body.into_inner();
    let input = ActionInput {
        what: b.what,
        owner_person_id: b.owner_person_id,
        owner_user_id: b.owner_user_id,
        due_on: b.due_on,
    };
    let flag = state
        .db(move |conn, _| {
            flags::require_visible(conn, &access, id)?;
            flags::add_action(conn, id, &input, &who)
        })
        .await?;
    Ok(HttpResponse::Created().json(flag))
}

async fn mark_action(
    caller: Caller,
    state: web::Data<AppState>,
    path: (String, String),
    done: bool,
) -> Result<HttpResponse, ApiError> {
    let (who, access) = handler(&caller)?;
    let id = parse_flag_id(&path.0)?;
    let action = path.1.parse::<i64>().ok();
    let raw = path.1;
    let flag = state
        .db(move |conn, _| {
            // a missing (or unreachable) flag is named before a malformed action id
            flags::require_visible(conn, &access, id)?;
            let action = action.ok_or_else(|| {
                crate::error::ServiceError::NotFound(format!("flag {id} has no action {raw:?}"))
            })?;
            flags::set_action_done(conn, id, action, done, &who)
        })
        .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// Mark an action of a flag done.
#[utoipa::path(post, path = "/api/flags/{id}/actions/{action}/done", tag = "flags",
    params(("id" = i64, Path, description = "flag id"),
           ("action" = i64, Path, description = "action id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag, or no such action of it", body = ErrorBody),
        (status = 409, description = "the action is already done", body = ErrorBody)))]
pub async fn action_done(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    mark_action(caller, state, path.into_inner(), true).await
}

/// Mark a done action of a flag not done again.
#[utoipa::path(post, path = "/api/flags/{id}/actions/{action}/undone", tag = "flags",
    params(("id" = i64, Path, description = "flag id"),
           ("action" = i64, Path, description = "action id")),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = FlagDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager (flags are for ombudsmen and administrators), or a session request without its CSRF header", body = ErrorBody),
        (status = 404, description = "no such flag, or no such action of it", body = ErrorBody),
        (status = 409, description = "the action is not done", body = ErrorBody)))]
pub async fn action_undone(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    mark_action(caller, state, path.into_inner(), false).await
}
